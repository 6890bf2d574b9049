//! The storage layer: connections, migrations, rows and the queries the chat
//! service composes into transactions. It never authorizes, never calls the
//! host and never publishes events; that is the service's job.

pub mod admin_list;
mod checkpoint;
mod connection;
pub mod conversations;
pub mod history;
pub mod messages;
pub mod migrate;
mod models;
pub mod notifications;
pub mod order_cards;
pub mod outbox;
mod plan_stability;
pub mod prefs;
pub(crate) mod schema;
pub(crate) mod send_writes;
pub mod settings;
mod sqlite_write;
mod vacuum;
mod wal_cache;
mod writer;
pub(crate) mod written_rows;

pub use connection::{
    AnyConnection, Backend, Db, PoolOptions, SQLITE_PAGE_SIZE, write_transaction,
};
pub(crate) use connection::{CacheBySql, cached_by_sql, on_backend, redact};
pub use models::{Conversation, Message, MessageKind, Notification};
pub(crate) use writer::GroupWrite;

/// Storage failures. Causes are kept for logs; users see a generic message.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL cannot be used at all.
    #[error("bad database URL: {0}")]
    BadUrl(String),
    /// The database could not be reached at start-up.
    #[error("cannot connect to the {backend:?} database at {target}: {reason}")]
    Connect {
        /// Which backend the URL named.
        backend: Backend,
        /// The URL with its password hidden.
        target: String,
        /// What the driver said.
        reason: String,
    },
    /// No connection could be had in time, or the blocking task failed.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
}

impl StoreError {
    /// True when a unique index refused a row, e.g. a concurrent retry of
    /// the same client message id.
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            StoreError::Query(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }
}

/// The row of a lookup by a unique key, which finds at most one.
///
/// Such lookups load instead of using diesel's `first()`: that adds a
/// bound `LIMIT ?`, and SQLite plans a statement around the value bound to
/// its `LIMIT`, so it compiles the statement again every time the value is
/// bound: a cached statement that is never reused (it was a fifth of the
/// writer's time under load).
pub(crate) fn first_of<T>(rows: Vec<T>) -> Option<T> {
    rows.into_iter().next()
}

/// The current time as stored: UTC, microsecond precision on both backends.
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    // SQLite would keep nanoseconds that PostgreSQL drops; store the same value on both.
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}
