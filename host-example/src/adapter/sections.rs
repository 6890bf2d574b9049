//! What the customer panel of a conversation shows about the customer's
//! loyalty points and vouchers, and the buttons beside them.

use chrono::NaiveDateTime;
use storechat::store::AnyConnection;
use storechat::{PanelAction, PanelInput, PanelRow, PanelSection};

use super::actions::{GIVE_POINTS, ISSUE_VOUCHER, RESET_POINTS, VOUCHER_CENTS, points_phrase};
use crate::shop::loyalty::{self, Change, Reason};
use crate::shop::{ShopError, UserRole, Voucher, format_cents, users, vouchers};

/// A customer with many vouchers still gets a short panel.
const VOUCHERS_SHOWN: i64 = 10;

/// What the sections are made of, read in one go.
pub(super) struct Snapshot {
    balance: i64,
    last_change: Option<Change>,
    vouchers: Vec<Voucher>,
    active_vouchers: i64,
}

/// The customer's points and vouchers; `None` for anyone who is not a
/// customer, since only customers have them.
pub(super) fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<Snapshot>, ShopError> {
    match users::find(conn, id)? {
        Some(user) if user.role == UserRole::Customer => {}
        _ => return Ok(None),
    }
    Ok(Some(Snapshot {
        balance: loyalty::balance(conn, id)?,
        last_change: loyalty::last_change(conn, id)?,
        vouchers: vouchers::active_of(conn, id, VOUCHERS_SHOWN)?,
        active_vouchers: vouchers::count_active(conn, id)?,
    }))
}

/// The panel sections: loyalty points, then vouchers.
pub(super) fn build(snapshot: Snapshot) -> Vec<PanelSection> {
    vec![points_section(&snapshot), vouchers_section(&snapshot)]
}

fn points_section(s: &Snapshot) -> PanelSection {
    PanelSection {
        title: "Loyalty points".into(),
        rows: vec![
            row("Balance", points_phrase(s.balance)),
            row(
                "Last change",
                s.last_change
                    .as_ref()
                    .map_or_else(|| "None yet".into(), describe),
            ),
        ],
        actions: vec![
            PanelAction {
                key: GIVE_POINTS.into(),
                label: "Give points".into(),
                input: Some(PanelInput {
                    label: "Points".into(),
                    numeric: true,
                    placeholder: "100".into(),
                }),
                confirm: None,
                danger: false,
            },
            PanelAction {
                key: RESET_POINTS.into(),
                label: "Reset balance".into(),
                input: None,
                confirm: Some("Reset this customer's points to 0?".into()),
                danger: true,
            },
        ],
    }
}

fn vouchers_section(s: &Snapshot) -> PanelSection {
    // Short labels: the panel is a narrow column, and the code must fit on
    // one line to be read out to the customer.
    let mut rows: Vec<PanelRow> = s
        .vouchers
        .iter()
        .map(|v| row("Active", format!("{} · {}", v.code, v.amount())))
        .collect();
    if rows.is_empty() {
        rows.push(row("Active", "No active vouchers".into()));
    }
    let hidden = s.active_vouchers - i64::try_from(s.vouchers.len()).unwrap_or(i64::MAX);
    if hidden > 0 {
        rows.push(row("Older", format!("{hidden} more, not shown")));
    }
    PanelSection {
        title: "Vouchers".into(),
        rows,
        actions: vec![PanelAction {
            key: ISSUE_VOUCHER.into(),
            // "Issue €5 voucher": whole euros read better on a button.
            label: format!(
                "Issue {} voucher",
                format_cents(VOUCHER_CENTS).trim_end_matches(".00")
            ),
            input: None,
            confirm: None,
            danger: false,
        }],
    }
}

/// "+250 points from Ann Admin · 28 Nov 2026".
fn describe(change: &Change) -> String {
    let what = match (change.reason, &change.staff_name) {
        (Reason::Earned, _) => format!("+{} earned", points_phrase(change.delta)),
        (Reason::Gift, Some(staff)) => format!("+{} from {staff}", points_phrase(change.delta)),
        (Reason::Gift, None) => format!("+{} given", points_phrase(change.delta)),
        (Reason::Reset, Some(staff)) => format!("Reset to 0 by {staff}"),
        (Reason::Reset, None) => "Reset to 0".into(),
    };
    format!("{what} · {}", day(change.at))
}

fn day(at: NaiveDateTime) -> String {
    at.format("%-d %b %Y").to_string()
}

fn row(label: &str, value: String) -> PanelRow {
    PanelRow {
        label: label.into(),
        value,
    }
}
