//! The buttons of the customer panel: what staff may do to a customer's
//! points and vouchers from a conversation, and the sentence they read after.

use storechat::ActionOutcome;
use storechat::store::AnyConnection;

use crate::shop::numbers::grouped;
use crate::shop::{ShopError, User, UserRole, format_cents, loyalty, users, vouchers};

/// The action keys, shared with the sections that offer them.
pub(super) const GIVE_POINTS: &str = "give_points";
pub(super) const RESET_POINTS: &str = "reset_points";
pub(super) const ISSUE_VOUCHER: &str = "issue_voucher";

/// The value of the voucher staff can issue.
pub(super) const VOUCHER_CENTS: i64 = 500;

/// The most points one press can give, so a slip of the keyboard cannot give
/// a million.
const MAX_GIFT: u64 = 100_000;

/// A pressed button, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    GivePoints(i64),
    ResetPoints,
    IssueVoucher,
}

impl Action {
    /// The action behind `key` with its input, or the sentence refusing it.
    /// Inputs of actions that take none are ignored.
    pub(super) fn parse(key: &str, value: Option<&str>) -> Result<Action, String> {
        match key {
            GIVE_POINTS => points(value).map(Action::GivePoints),
            RESET_POINTS => Ok(Action::ResetPoints),
            ISSUE_VOUCHER => Ok(Action::IssueVoucher),
            "" => Err("Choose an action first.".into()),
            other => Err(format!(
                "\"{}\" is not an action this store offers for customers.",
                other.chars().take(40).collect::<String>()
            )),
        }
    }
}

/// A whole number from 1 to [`MAX_GIFT`]. Commas and spaces between digits
/// are allowed, since staff type "1,000" as often as "1000".
fn points(value: Option<&str>) -> Result<i64, String> {
    let refused = || {
        format!(
            "Enter a whole number of points from 1 to {}.",
            grouped(MAX_GIFT)
        )
    };
    let digits: String = value
        .unwrap_or("")
        .chars()
        .filter(|c| *c != ',' && !c.is_whitespace())
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(refused());
    }
    match digits.parse::<u64>() {
        Ok(n) if (1..=MAX_GIFT).contains(&n) => i64::try_from(n).map_err(|_| refused()),
        _ => Err(refused()),
    }
}

/// Runs `action` by `staff_id` for `customer_id`. Call inside a write
/// transaction: the checks and the change see the same rows.
pub(super) fn run(
    conn: &mut AnyConnection,
    staff_id: i64,
    customer_id: i64,
    action: Action,
) -> Result<ActionOutcome, ShopError> {
    let refuse = |why: String| Ok(ActionOutcome::Refused(why));
    match users::find(conn, staff_id)? {
        Some(user) if user.role == UserRole::Staff => {}
        _ => return refuse(NOT_STAFF.to_owned()),
    }
    let customer = match users::find(conn, customer_id)? {
        Some(user) if user.role == UserRole::Customer => user,
        Some(user) => return refuse(not_a_customer(&user)),
        None => return refuse(no_such_customer(&customer_id.to_string())),
    };
    let now = crate::shop::now();
    let name = &customer.name;
    let done = match action {
        Action::GivePoints(points) => {
            loyalty::add(
                conn,
                customer.id,
                points,
                loyalty::Reason::Gift,
                Some(staff_id),
                now,
            )?;
            format!("Gave {} to {name}.", points_phrase(points))
        }
        Action::ResetPoints => {
            loyalty::reset(conn, customer.id, Some(staff_id), now)?;
            format!("Reset {name}'s points to 0.")
        }
        Action::IssueVoucher => {
            let voucher = vouchers::issue(conn, customer.id, VOUCHER_CENTS, Some(staff_id), now)?;
            format!(
                "Issued voucher {} ({}) to {name}.",
                voucher.code,
                format_cents(voucher.amount_cents)
            )
        }
    };
    Ok(ActionOutcome::Done(done))
}

/// Refusal for an actor who is not (or no longer) one of the store's staff.
pub(super) const NOT_STAFF: &str =
    "Only the store's staff can change a customer's points and vouchers.";

/// Refusal for an id that names nobody.
pub(super) fn no_such_customer(id: &str) -> String {
    format!(
        "There is no customer with the id \"{}\".",
        id.chars().take(40).collect::<String>()
    )
}

fn not_a_customer(user: &User) -> String {
    let what = match user.role {
        UserRole::Staff => "a member of staff",
        UserRole::Vendor => "a vendor",
        UserRole::Customer => "a customer",
    };
    format!(
        "{} is {what}: only customers have loyalty points and vouchers.",
        user.name
    )
}

/// "1 point", "1,250 points".
pub(super) fn points_phrase(points: i64) -> String {
    if points.unsigned_abs() == 1 {
        format!("{points} point")
    } else {
        format!("{} points", crate::shop::numbers::grouped_signed(points))
    }
}
