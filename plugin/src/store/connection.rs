//! Connections and the pool. Owns backend detection, SQLite pragmas and the
//! one write path; knows nothing of conversations.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::{PgConnection, SqliteConnection};

use super::StoreError;

/// A connection to either backend. PostgreSQL is listed first because
/// `establish` tries variants in order and SQLite accepts any string as a path.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// The production backend.
    Postgresql(PgConnection),
    /// The embedded default.
    Sqlite(SqliteConnection),
}

/// Which database a URL points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `postgres://` or `postgresql://` URLs.
    Postgres,
    /// Anything else: a file path, optionally prefixed `sqlite://` or `sqlite:`.
    Sqlite,
}

impl Backend {
    /// Reads the backend from a database URL.
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Turns a database URL into what the backend's driver accepts.
fn driver_url(url: &str) -> Result<String, StoreError> {
    match Backend::of_url(url) {
        Backend::Postgres => Ok(url.to_owned()),
        Backend::Sqlite => {
            let path = url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url);
            if path.trim().is_empty() {
                return Err(StoreError::BadUrl(
                    "DATABASE_URL is empty: give a SQLite file path or a postgres:// URL".into(),
                ));
            }
            if path == ":memory:" {
                return Err(StoreError::BadUrl(
                    "an in-memory SQLite database cannot be shared by a pool: give a file path"
                        .into(),
                ));
            }
            Ok(path.to_owned())
        }
    }
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        if let AnyConnection::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The plugin's database handle: a pool plus the write path.
///
/// Every method runs its closure on tokio's blocking pool, never on an actix
/// worker thread.
#[derive(Clone)]
pub struct Db {
    pool: Pool<ConnectionManager<AnyConnection>>,
    backend: Backend,
    /// SQLite has one write lock per file; queueing writers of this process
    /// here is fairer and faster than SQLite's sleep-and-retry busy handler.
    sqlite_writer: Arc<Mutex<()>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("backend", &self.backend)
            .finish()
    }
}

/// Pool options.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Largest number of open connections.
    pub max_size: u32,
    /// How long a caller waits for a free connection before the request fails.
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 10,
            connection_timeout: Duration::from_secs(10),
        }
    }
}

impl Db {
    /// Connects to `url` and builds the pool. A bad URL or an unreachable
    /// server is a [`StoreError`] naming the problem, never a panic.
    pub fn connect(url: &str, options: &PoolOptions) -> Result<Db, StoreError> {
        let backend = Backend::of_url(url);
        let target = driver_url(url)?;
        // One direct connection first: r2d2 would only report a timeout.
        let first = match backend {
            Backend::Postgres => PgConnection::establish(&target).map(AnyConnection::Postgresql),
            Backend::Sqlite => SqliteConnection::establish(&target).map(AnyConnection::Sqlite),
        };
        if let Err(e) = first {
            return Err(StoreError::Connect {
                backend,
                target: redact(url),
                reason: e.to_string(),
            });
        }
        let manager = ConnectionManager::<AnyConnection>::new(target);
        let pool = Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(1))
            // A broken connection shows itself on use and is dropped then; a
            // `SELECT 1` before every checkout would cost a round trip each.
            .test_on_check_out(false)
            .connection_timeout(options.connection_timeout)
            .connection_customizer(Box::new(SqlitePragmas))
            .build(manager)
            .map_err(|e| StoreError::Connect {
                backend,
                target: redact(url),
                reason: e.to_string(),
            })?;
        Ok(Db {
            pool,
            backend,
            sqlite_writer: Arc::new(Mutex::new(())),
        })
    }

    /// [`Db::connect`] from async code: connects on the blocking pool.
    pub async fn open(url: &str, options: &PoolOptions) -> Result<Db, StoreError> {
        let (url, options) = (url.to_owned(), options.clone());
        spawn_blocking(move || Db::connect(&url, &options)).await
    }

    /// The backend behind this handle.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn checkout(&self) -> Result<PooledConnection<ConnectionManager<AnyConnection>>, StoreError> {
        self.pool
            .get()
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Runs read-only work on a pooled connection.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        spawn_blocking(move || {
            let mut conn = db.checkout()?;
            f(&mut conn)
        })
        .await
    }

    /// Runs `f` in one write transaction. On SQLite the transaction starts
    /// with `BEGIN IMMEDIATE` so that a read-then-write can never fail with
    /// SQLITE_BUSY half-way; on PostgreSQL it is a plain `BEGIN`.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        let db = self.clone();
        spawn_blocking(move || {
            let mut conn = db.checkout()?;
            let _guard = match db.backend {
                Backend::Sqlite => Some(db.sqlite_writer.lock().unwrap_or_else(|p| p.into_inner())),
                Backend::Postgres => None,
            };
            write_transaction(&mut conn, f)
        })
        .await
    }

    /// Runs blocking work with a pooled connection and no transaction; for
    /// maintenance such as migrations.
    pub async fn with_connection<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.read(f).await
    }
}

/// Runs `f` inside a write transaction on an already checked-out connection.
pub fn write_transaction<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    E: From<StoreError>,
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
{
    let begun = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    };
    begun.map_err(StoreError::from)?;
    match f(conn) {
        Ok(value) => match AnyConnection::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                let _ = AnyConnection::rollback_transaction(conn);
                Err(StoreError::from(e).into())
            }
        },
        Err(e) => {
            if let Err(rollback) = AnyConnection::rollback_transaction(conn) {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(e)
        }
    }
}

async fn spawn_blocking<T, E, F>(f: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce() -> Result<T, E> + Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(result) => result,
        Err(join) => Err(StoreError::Unavailable(format!("database task failed: {join}")).into()),
    }
}

/// Hides a password in a URL before it is shown in an error.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_errors() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/shop"),
            "postgres://app:***@db:5432/shop"
        );
        assert_eq!(redact("postgres://db/shop"), "postgres://db/shop");
        assert_eq!(redact("data/shop.db"), "data/shop.db");
    }

    #[test]
    fn urls_choose_the_backend() {
        assert_eq!(Backend::of_url("postgresql://x/y"), Backend::Postgres);
        assert_eq!(Backend::of_url("sqlite://data/a.db"), Backend::Sqlite);
        assert!(driver_url("").is_err());
        assert!(driver_url("sqlite::memory:").is_err());
        assert_eq!(
            driver_url("sqlite://data/a.db").ok().as_deref(),
            Some("data/a.db")
        );
    }
}
