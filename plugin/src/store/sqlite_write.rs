//! Writes on SQLite without `RETURNING`, with their statements prepared
//! once.
//!
//! SQLite runs `RETURNING` as a trigger that collects the rows in a
//! temporary table: every execution opened that table, and, being a
//! trigger, made the statement keep a statement journal (a copy of every
//! page it changes, kept in case it fails half-way). Together 12% of the
//! writer thread at 6,000 messages a second. A plain one-row write needs
//! neither; what `RETURNING` gave back is read afterwards from the
//! connection (`changes()`, `last_insert_rowid()`), in the same
//! transaction.
//!
//! Diesel caches a statement only when it is loaded (see `CacheBySql`), and
//! a write without `RETURNING` has no rows to load: `NoRows` lets it be
//! loaded all the same, as a statement whose (empty) result is read as
//! integers.

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{StoreError, cached_by_sql};

/// A write statement loaded as a query that returns no rows, prepared
/// once.
#[derive(Debug, Clone, Copy)]
struct NoRows<Q>(Q);

cached_by_sql!(NoRows);

impl<Q> diesel::query_builder::Query for NoRows<Q> {
    type SqlType = BigInt;
}

diesel::define_sql_function! {
    /// SQLite: the number of rows the connection's last write changed.
    fn changes() -> BigInt;
}

diesel::define_sql_function! {
    /// SQLite: the rowid the connection's last INSERT gave its row.
    fn last_insert_rowid() -> BigInt;
}

/// Runs `write` (an INSERT, UPDATE or DELETE without `RETURNING`) from a
/// prepared statement and returns the number of rows it changed.
pub(crate) fn execute<Q>(conn: &mut SqliteConnection, write: Q) -> Result<i64, StoreError>
where
    Q: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
{
    let rows: Vec<i64> = NoRows(write).load(conn)?;
    if !rows.is_empty() {
        return Err(StoreError::Unavailable(
            "a write without RETURNING returned rows".into(),
        ));
    }
    Ok(diesel::select(changes()).get_result(conn)?)
}

/// Runs `insert` (a one-row INSERT without `RETURNING`) from a prepared
/// statement and returns the new row's id.
pub(crate) fn insert<Q>(conn: &mut SqliteConnection, insert: Q) -> Result<i64, StoreError>
where
    Q: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
{
    match execute(conn, insert)? {
        1 => Ok(diesel::select(last_insert_rowid()).get_result(conn)?),
        n => Err(StoreError::Unavailable(format!(
            "a one-row INSERT stored {n} rows"
        ))),
    }
}

/// Runs `insert` (a one-row `INSERT … ON CONFLICT DO NOTHING` without
/// `RETURNING`) from a prepared statement: the new row's id, or `None` when
/// the conflict left the row out.
pub(crate) fn insert_unless_present<Q>(
    conn: &mut SqliteConnection,
    insert: Q,
) -> Result<Option<i64>, StoreError>
where
    Q: diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite>,
{
    match execute(conn, insert)? {
        0 => Ok(None),
        1 => Ok(Some(diesel::select(last_insert_rowid()).get_result(conn)?)),
        n => Err(StoreError::Unavailable(format!(
            "a one-row INSERT stored {n} rows"
        ))),
    }
}

/// A `Timestamp` as diesel stores it on SQLite (`%F %T%.f`), formatted once
/// for the rows of a batch that share it (they are written at the same
/// `now`): chrono's formatting parses its format string every time.
#[derive(Debug, Default)]
pub(crate) struct Stamp {
    last: Option<(chrono::NaiveDateTime, String)>,
}

impl Stamp {
    /// The stored text of `at`.
    pub fn of(&mut self, at: chrono::NaiveDateTime) -> String {
        match &self.last {
            Some((seen, text)) if *seen == at => text.clone(),
            _ => {
                let text = at.format(TIMESTAMP_FORMAT).to_string();
                self.last = Some((at, text.clone()));
                text
            }
        }
    }
}

/// diesel's text form of a `Timestamp` on SQLite.
const TIMESTAMP_FORMAT: &str = "%F %T%.f";

#[cfg(test)]
mod tests {
    use super::Stamp;
    use diesel::prelude::*;
    use diesel::sql_types::{Text, Timestamp};

    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = Text)]
        text: String,
    }

    /// A row written with `Stamp`'s text must read back as the same time
    /// and sort with the rows diesel wrote itself.
    #[test]
    fn stamps_are_the_text_diesel_stores_for_a_timestamp() {
        let mut conn = SqliteConnection::establish(":memory:").expect("open");
        let mut stamp = Stamp::default();
        let times = [
            chrono::NaiveDate::from_ymd_opt(2026, 12, 6)
                .and_then(|d| d.and_hms_nano_opt(21, 4, 5, 123_456_789)),
            chrono::NaiveDate::from_ymd_opt(2026, 1, 2).and_then(|d| d.and_hms_opt(3, 4, 5)),
            chrono::NaiveDate::from_ymd_opt(1999, 12, 31)
                .and_then(|d| d.and_hms_micro_opt(23, 59, 59, 500_000)),
        ];
        for at in times.into_iter().map(|t| t.expect("valid time")) {
            let by_diesel: Stored = diesel::sql_query("SELECT CAST(? AS TEXT) AS text")
                .bind::<Timestamp, _>(at)
                .get_result(&mut conn)
                .expect("diesel's text");
            assert_eq!(stamp.of(at), by_diesel.text);
            // Twice: the second comes from the remembered text.
            assert_eq!(stamp.of(at), by_diesel.text);
        }
    }
}
