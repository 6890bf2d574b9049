//! The settings row: the settings as JSON, who changed them and when.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::storechat_settings as s;
use super::{AnyConnection, StoreError};

/// The stored settings: JSON, when and by whom they were last changed.
pub fn load(
    conn: &mut AnyConnection,
) -> Result<Option<(String, NaiveDateTime, String)>, StoreError> {
    Ok(s::table
        .filter(s::id.eq(1))
        .select((s::body, s::updated_at, s::updated_by))
        .first(conn)
        .optional()?)
}

/// Stores the settings, replacing what was there.
pub fn save(
    conn: &mut AnyConnection,
    body: &str,
    at: NaiveDateTime,
    by: &str,
) -> Result<(), StoreError> {
    let updated = diesel::update(s::table.filter(s::id.eq(1)))
        .set((s::body.eq(body), s::updated_at.eq(at), s::updated_by.eq(by)))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(s::table)
            .values((
                s::id.eq(1),
                s::body.eq(body),
                s::updated_at.eq(at),
                s::updated_by.eq(by),
            ))
            .execute(conn)?;
    }
    Ok(())
}
