//! The SQLite writer's memory of the conversation rows it last wrote.
//!
//! Every batch of sends began by reading its conversations' rows back (one
//! statement, every column, each timestamp parsed from text): a tenth of the
//! writer thread at 6,000 messages a second, for rows that thread itself
//! had written a moment before. The writer now keeps the rows a batch of
//! sends left and uses them again for as long as it can prove nothing else
//! changed the database since:
//!
//! - no other connection committed (`PRAGMA data_version` is unchanged; it
//!   counts the commits of every other connection, of this process or
//!   another);
//! - no other statement of the writer's own connection changed a row
//!   (`total_changes()` is unchanged: it counts every row an `INSERT`,
//!   `UPDATE` or `DELETE` of the connection changed, and a trigger or a
//!   foreign-key action only ever follows such a change);
//! - nothing the rows came from was rolled back: the writer forgets them on
//!   every rollback, of a savepoint or a transaction, and when it replaces
//!   its connection (`forget`).
//!
//! Anything else reads the rows from the database as before. The memory is
//! per thread and only on for the thread that called [`enable`]: the
//! SQLite writer. PostgreSQL always reads (and locks) the rows: another
//! process's commit is not visible to a counter of this connection.

use std::cell::RefCell;
use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::{AnyConnection, Conversation, StoreError, conversations};
use crate::domain::ConversationId;

/// Rows kept at most; beyond that the memory starts over (a store with more
/// conversations active at once reads some back, as before).
const MOST_ROWS: usize = 4_096;

/// Where the database stood when the rows were kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, QueryableByName)]
struct Mark {
    #[diesel(sql_type = BigInt)]
    data_version: i64,
    #[diesel(sql_type = BigInt)]
    total_changes: i64,
}

/// One statement for both counters: a pragma function and a plain one.
const MARK_SQL: &str = "SELECT data_version AS data_version, total_changes() AS total_changes FROM pragma_data_version";

/// The rows of one writer thread.
#[derive(Debug, Default)]
struct Memory {
    enabled: bool,
    mark: Option<Mark>,
    rows: HashMap<ConversationId, Conversation>,
    /// The last read found the database where `mark` left it: the rows
    /// kept then are still current, until the caller's own writes.
    current: bool,
}

thread_local! {
    static MEMORY: RefCell<Memory> = RefCell::new(Memory::default());
}

/// Turns the memory on for this thread: only the SQLite writer, which
/// forgets on every rollback, may.
pub(crate) fn enable() {
    MEMORY.with(|m| m.borrow_mut().enabled = true);
}

/// Forgets every kept row (a rollback, a new connection).
pub(crate) fn forget() {
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        m.mark = None;
        m.rows.clear();
        m.current = false;
    });
}

fn mark(conn: &mut diesel::SqliteConnection) -> Result<Mark, StoreError> {
    Ok(super::CacheBySql(diesel::sql_query(MARK_SQL)).get_result(conn)?)
}

/// These conversations, as the writer left them when it can prove they
/// are unchanged, else as the database has them (locked in id order on
/// PostgreSQL, see `conversations::find_many_for_write`). `ids` are sorted
/// and distinct.
pub(crate) fn conversations_for_write(
    conn: &mut AnyConnection,
    ids: &[ConversationId],
) -> Result<Vec<Conversation>, StoreError> {
    let AnyConnection::Sqlite(sqlite) = conn else {
        return read(conn, ids);
    };
    if !MEMORY.with(|m| m.borrow().enabled) {
        return read(conn, ids);
    }
    let now = mark(sqlite)?;
    let (mut found, missing) = MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        m.current = m.mark == Some(now);
        if !m.current {
            return (Vec::new(), ids.to_vec());
        }
        let mut found = Vec::with_capacity(ids.len());
        let mut missing = Vec::new();
        for id in ids {
            match m.rows.get(id) {
                Some(row) => found.push(row.clone()),
                None => missing.push(*id),
            }
        }
        (found, missing)
    });
    if !missing.is_empty() {
        found.extend(read(conn, &missing)?);
    }
    Ok(found)
}

fn read(conn: &mut AnyConnection, ids: &[ConversationId]) -> Result<Vec<Conversation>, StoreError> {
    match ids {
        [one] => Ok(conversations::find_for_write(conn, *one)?
            .into_iter()
            .collect()),
        _ => conversations::find_many_for_write(conn, ids),
    }
}

/// Keeps `rows`, as the database has them now inside the writer's open
/// transaction, for the writer's next batch: call it after the last write
/// of the batch's sends, whose rows came from [`conversations_for_write`]
/// (the other rows kept stay only when that read found nothing changed,
/// and the sends wrote no conversation but these).
pub(crate) fn keep<'a>(
    conn: &mut AnyConnection,
    rows: impl IntoIterator<Item = &'a Conversation>,
) -> Result<(), StoreError> {
    let AnyConnection::Sqlite(sqlite) = conn else {
        return Ok(());
    };
    if !MEMORY.with(|m| m.borrow().enabled) {
        return Ok(());
    }
    let now = mark(sqlite)?;
    MEMORY.with(|m| {
        let mut m = m.borrow_mut();
        if !m.current {
            // The batch's read found the database changed by someone else:
            // the other rows kept may be stale.
            m.rows.clear();
        }
        m.current = false;
        m.mark = Some(now);
        for row in rows {
            if m.rows.len() >= MOST_ROWS && !m.rows.contains_key(&row.id) {
                m.rows.clear();
            }
            m.rows.insert(row.id, row.clone());
        }
    });
    Ok(())
}
