//! Loyalty points: one balance per customer, and the events that moved it.
//! Only customers hold points; callers check the role, which SQL cannot.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storechat::store::AnyConnection;

use super::ShopError;
use super::schema::{shop_loyalty_accounts as a, shop_loyalty_events as e, shop_users as u};

/// Why a balance changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Points the shop granted for orders.
    Earned,
    /// Points a member of staff gave.
    Gift,
    /// A member of staff set the balance to 0.
    Reset,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Earned => "earned",
            Reason::Gift => "gift",
            Reason::Reset => "reset",
        }
    }

    fn parse(stored: &str) -> Result<Self, ShopError> {
        match stored {
            "earned" => Ok(Reason::Earned),
            "gift" => Ok(Reason::Gift),
            "reset" => Ok(Reason::Reset),
            other => Err(ShopError::Corrupt(format!(
                "unknown loyalty reason {other:?}"
            ))),
        }
    }
}

/// The last change of a balance.
#[derive(Debug, Clone)]
pub struct Change {
    /// Points added (negative: removed).
    pub delta: i64,
    /// Why.
    pub reason: Reason,
    /// The member of staff who made it, if one did.
    pub staff_name: Option<String>,
    /// When.
    pub at: NaiveDateTime,
}

/// A customer's balance; 0 for customers who never had points.
pub fn balance(conn: &mut AnyConnection, user_id: i64) -> Result<i64, ShopError> {
    Ok(a::table
        .find(user_id)
        .select(a::balance)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

/// The most recent change of a customer's balance, if any.
pub fn last_change(conn: &mut AnyConnection, user_id: i64) -> Result<Option<Change>, ShopError> {
    let row: Option<(i64, String, Option<i64>, NaiveDateTime)> = e::table
        .filter(e::user_id.eq(user_id))
        .order((e::created_at.desc(), e::id.desc()))
        .select((e::delta, e::reason, e::staff_id, e::created_at))
        .first(conn)
        .optional()?;
    let Some((delta, reason, staff_id, at)) = row else {
        return Ok(None);
    };
    let staff_name = match staff_id {
        Some(id) => u::table.find(id).select(u::name).first(conn).optional()?,
        None => None,
    };
    Ok(Some(Change {
        delta,
        reason: Reason::parse(&reason)?,
        staff_name,
        at,
    }))
}

/// Adds `points` (more than 0) to a customer's balance and records why;
/// returns the new balance. Call inside a write transaction.
pub fn add(
    conn: &mut AnyConnection,
    user_id: i64,
    points: i64,
    reason: Reason,
    staff_id: Option<i64>,
    at: NaiveDateTime,
) -> Result<i64, ShopError> {
    let balance = lock(conn, user_id, at)?;
    let balance = balance.checked_add(points).ok_or_else(|| {
        ShopError::Corrupt(format!("the points of user {user_id} would overflow"))
    })?;
    set(conn, user_id, balance, points, reason, staff_id, at)?;
    Ok(balance)
}

/// Sets a customer's balance to 0; returns how many points it had. Nothing
/// is recorded when it already was 0. Call inside a write transaction.
pub fn reset(
    conn: &mut AnyConnection,
    user_id: i64,
    staff_id: Option<i64>,
    at: NaiveDateTime,
) -> Result<i64, ShopError> {
    let balance = lock(conn, user_id, at)?;
    if balance != 0 {
        set(conn, user_id, 0, -balance, Reason::Reset, staff_id, at)?;
    }
    Ok(balance)
}

fn set(
    conn: &mut AnyConnection,
    user_id: i64,
    balance: i64,
    delta: i64,
    reason: Reason,
    staff_id: Option<i64>,
    at: NaiveDateTime,
) -> Result<(), ShopError> {
    diesel::update(a::table.find(user_id))
        .set((a::balance.eq(balance), a::updated_at.eq(at)))
        .execute(conn)?;
    diesel::insert_into(e::table)
        .values((
            e::user_id.eq(user_id),
            e::delta.eq(delta),
            e::reason.eq(reason.as_str()),
            e::staff_id.eq(staff_id),
            e::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Opens the account if needed and returns its balance, holding its row lock
/// until the transaction ends, so that two members of staff changing one
/// balance at once both count on PostgreSQL. SQLite's write transactions are
/// exclusive already.
fn lock(conn: &mut AnyConnection, user_id: i64, at: NaiveDateTime) -> Result<i64, ShopError> {
    // ON CONFLICT is not in the multi-backend dialect; both backends have it.
    let open = diesel::insert_into(a::table)
        .values((
            a::user_id.eq(user_id),
            a::balance.eq(0),
            a::updated_at.eq(at),
        ))
        .on_conflict_do_nothing();
    match conn {
        AnyConnection::Postgresql(pg) => {
            open.execute(pg)?;
            diesel::sql_query(
                "SELECT user_id FROM shop_loyalty_accounts WHERE user_id = $1 FOR UPDATE",
            )
            .bind::<diesel::sql_types::BigInt, _>(user_id)
            .execute(pg)?;
        }
        AnyConnection::Sqlite(lite) => {
            open.execute(lite)?;
        }
    }
    balance(conn, user_id)
}
