//! E-mail on or off per person. No row means on.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::storechat_email_prefs as p;
use super::{AnyConnection, StoreError};

/// Does this person want e-mail?
pub fn email_enabled(conn: &mut AnyConnection, user_id: &str) -> Result<bool, StoreError> {
    let enabled: Option<bool> = p::table
        .find(user_id)
        .select(p::email_enabled)
        .first(conn)
        .optional()?;
    Ok(enabled.unwrap_or(true))
}

/// Turns e-mail on or off.
pub fn set_email_enabled(
    conn: &mut AnyConnection,
    user_id: &str,
    enabled: bool,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    let updated = diesel::update(p::table.find(user_id))
        .set((p::email_enabled.eq(enabled), p::updated_at.eq(at)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(p::table)
            .values((
                p::user_id.eq(user_id),
                p::email_enabled.eq(enabled),
                p::updated_at.eq(at),
            ))
            .execute(conn)?;
    }
    Ok(())
}
