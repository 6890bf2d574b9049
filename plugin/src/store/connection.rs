//! Connections and the pool. Owns backend detection, SQLite pragmas and the
//! one write path; knows nothing of conversations.

use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{
    ConnectionManager, CustomizeConnection, ManageConnection, Pool, PooledConnection,
};
use diesel::{PgConnection, SqliteConnection};

use super::StoreError;
use super::checkpoint::{CatchUp, Checkpointer};
use super::plan_stability;
use super::vacuum::Vacuumer;
use super::writer::{GroupWrite, WriterOptions, Writers};

/// A connection to either backend. PostgreSQL is listed first because
/// `establish` tries variants in order and SQLite accepts any string as a path.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    /// The production backend.
    Postgresql(PgConnection),
    /// The embedded default.
    Sqlite(SqliteConnection),
}

/// Runs one diesel query on the concrete connection inside an
/// [`AnyConnection`]; the body is compiled once per backend.
///
/// Through the multi-backend wrapper diesel keys its prepared-statement
/// cache by the SQL text, which it builds again for every execution (and
/// some shapes it prepares anew each time). On the concrete connection a
/// query of a static shape is prepared once per connection and found by its
/// type. The statements every message runs use this; profiling the writer
/// showed query building and SQL parsing costing more than SQLite's own
/// work.
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::AnyConnection::Sqlite($c) => $body,
            $crate::store::AnyConnection::Postgresql($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// A statement diesel would prepare again on every execution, cached by
/// its SQL text instead.
///
/// Diesel never caches an `UPDATE` (a changeset may skip `None` fields) nor
/// an `INSERT` of a struct with optional fields (absent values change the
/// text), because under a key of the query's *type* two different texts
/// would share one prepared statement. Keyed by the text itself, each shape
/// gets its own: correct, and bounded for statements whose shapes are few,
/// which is what this is for (the statements of every message).
///
/// Only the loading methods (`load`, `get_result`, `get_results`) see the
/// wrapper: diesel's `execute` passes the statement on by reference, and
/// the reference answers "may this be cached?" by asking the statement
/// inside, so an `UPDATE` run with `execute` was parsed and planned afresh
/// every time (on PostgreSQL a third of the conversation update's cost, on
/// SQLite a third of its samples in `sqlite3_prepare_v3`). Writes that run
/// often therefore return a column (`RETURNING id`) and are loaded; on
/// SQLite, where `RETURNING` has costs of its own, they are loaded as
/// statements without rows instead (`sqlite_write`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct CacheBySql<Q>(pub Q);

impl<Q: diesel::query_builder::Query> diesel::query_builder::Query for CacheBySql<Q> {
    type SqlType = Q::SqlType;
}

/// Makes a one-field wrapper of a statement a statement whose prepared
/// form diesel keeps, keyed by its SQL text (see [`CacheBySql`]).
macro_rules! cached_by_sql {
    ($wrapper:ident) => {
        impl<Q> diesel::query_builder::QueryId for $wrapper<Q> {
            type QueryId = ();
            // No static id: the cache key is the SQL text.
            const HAS_STATIC_QUERY_ID: bool = false;
        }

        impl<Q, DB> diesel::query_builder::QueryFragment<DB> for $wrapper<Q>
        where
            DB: diesel::backend::Backend,
            Q: diesel::query_builder::QueryFragment<DB>,
        {
            fn walk_ast<'b>(
                &'b self,
                pass: diesel::query_builder::AstPass<'_, 'b, DB>,
            ) -> diesel::QueryResult<()> {
                self.0.walk_ast(pass)
            }

            fn is_safe_to_cache_prepared(&self, _backend: &DB) -> diesel::QueryResult<bool> {
                Ok(true)
            }
        }

        impl<Q, Conn> diesel::query_dsl::RunQueryDsl<Conn> for $wrapper<Q> {}
    };
}
pub(crate) use cached_by_sql;

cached_by_sql!(CacheBySql);

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

/// Opens one connection of the plugin's own (on SQLite: with the query
/// planner stability guarantee, see `plan_stability`).
fn establish(backend: Backend, target: &str) -> ConnectionResult<AnyConnection> {
    match backend {
        Backend::Postgres => PgConnection::establish(target).map(AnyConnection::Postgresql),
        Backend::Sqlite => plan_stability::establish(target).map(AnyConnection::Sqlite),
    }
}

/// The pool's connection manager: diesel's, with the plugin's own way of
/// opening a connection.
#[derive(Debug)]
struct Manager {
    backend: Backend,
    target: String,
    /// Checks connections as diesel does.
    inner: ConnectionManager<AnyConnection>,
}

impl ManageConnection for Manager {
    type Connection = AnyConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<AnyConnection, Self::Error> {
        establish(self.backend, &self.target).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut AnyConnection) -> Result<(), Self::Error> {
        self.inner.is_valid(conn)
    }

    fn has_broken(&self, conn: &mut AnyConnection) -> bool {
        self.inner.has_broken(conn)
    }
}

#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        sqlite_pragmas(conn).map_err(diesel::r2d2::Error::QueryError)
    }
}

/// WAL with `synchronous = NORMAL`: a commit appends to the log without an
/// fsync (checkpoints fsync). Memory-mapped reads spare the copy of each
/// page a pooled connection reads back after another connection's commit.
/// A database file created here gets pages of [`SQLITE_PAGE_SIZE`] bytes
/// (the pragma does nothing to a database that already has tables).
fn sqlite_pragmas(conn: &mut AnyConnection) -> Result<(), diesel::result::Error> {
    if let AnyConnection::Sqlite(c) = conn {
        c.batch_execute(&format!("PRAGMA page_size = {SQLITE_PAGE_SIZE};"))?;
        c.batch_execute(
            "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
             PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
             PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;",
        )?;
    }
    Ok(())
}

/// The page size of the SQLite databases the plugin creates: 2 KiB, not
/// SQLite's 4 KiB.
///
/// A commit writes every page it changed to the log, whole: a message
/// changes about 18 pages (its row, the notification's, the conversation's
/// and their index entries), so at 4 KiB the log took 73 KB a message.
/// Checkpoints must sync the log to disk before they copy it back, and that
/// writeback slowed the writer: half the messages slower than 1 ms at
/// 1,000 a second fell in the fifth of the time a checkpoint was syncing.
/// With 2 KiB pages the log takes 42 KB a message; in runs of the load tool
/// taking turns with 4 KiB ones, p99 at 1,000 messages a second went from
/// 1.37–1.51 to 1.21–1.24 ms and at 6,000 from 52–53 to 33–43 ms. The
/// admin list is 5–15 % slower (3.3 → 3.7 ms at 100,000 conversations,
/// far inside its targets). 1 KiB pages halved the bytes again but cost
/// more write calls and deeper trees, and were no faster.
///
/// An existing database keeps its page size; README.md says how to change
/// it (a `VACUUM` with the store stopped).
pub const SQLITE_PAGE_SIZE: u32 = 2048;

/// The plugin's database handle: a pool plus the write path.
///
/// Every method runs its closure on tokio's blocking pool, never on an actix
/// worker thread.
#[derive(Clone)]
pub struct Db {
    pool: Pool<Manager>,
    backend: Backend,
    /// The group-commit writers (see the `writer` module). SQLite has one
    /// write lock per file: its one writer thread also queues this
    /// process's writers, fairer and faster than SQLite's sleep-and-retry
    /// busy handler.
    writers: Arc<Writers>,
    /// SQLite's checkpoints, run beside the writer (see `checkpoint`).
    _checkpointer: Option<Arc<Checkpointer>>,
    /// PostgreSQL's vacuum of the conversations table (see `vacuum`).
    _vacuumer: Option<Arc<Vacuumer>>,
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
    /// Writer threads on PostgreSQL, each with its own connection besides
    /// the pool (SQLite always has one). Writes about one conversation
    /// always go to the same writer.
    ///
    /// By default one on a machine with two cores or fewer, two above. A
    /// PostgreSQL transaction has a large fixed cost (on a 2-core virtual
    /// machine 0.8–1 ms of PostgreSQL's CPU whether it carries one message
    /// or two; the commit's log flush alone about 0.15 ms), and a writer
    /// takes every send waiting when it begins one. With PostgreSQL on the
    /// same two cores, one writer's transactions carried about twice the
    /// messages of two writers' and PostgreSQL used 15–40 % less CPU: p99
    /// at 6,000 msg/s 31–34 ms against 98–114, at 4,000 22 against 42; at
    /// 1,000–2,000 msg/s p99 6.4–13 ms against 6.1–12, the median about
    /// 1 ms higher (a send waits for the transaction before it). More
    /// writers pay off when PostgreSQL has cores to spare or sits across a
    /// network.
    pub writers: usize,
    /// Writes waiting per writer; past this, callers wait for room.
    pub write_queue: usize,
    /// Most writes committed together in one transaction.
    pub write_batch: usize,
    /// PostgreSQL: how often the plugin looks whether its conversations
    /// table needs a `VACUUM`, and runs one when it does (once its dead
    /// row versions exceed autovacuum's default rule, 200 + 20 % of its
    /// rows). Every message rewrites its conversation's row; a few busy
    /// conversations leave dead versions faster than autovacuum, which
    /// comes by once a minute, clears them, and each new message's foreign
    /// key checks read through them (at 6,000 messages a second on 50
    /// conversations, vacuuming every second took the median latency from
    /// 117 to 7 ms). `VACUUM` blocks no reads or writes and is skipped
    /// while another session vacuums the table. Every second by default
    /// (at least every 100 ms; after a failure the looks come ever later,
    /// up to five minutes apart, until one succeeds);
    /// `None` leaves the table to autovacuum (it is left to it anyway when
    /// the database user does not own the table). Unused on SQLite.
    pub vacuum_every: Option<Duration>,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 10,
            connection_timeout: Duration::from_secs(10),
            writers: default_writers(),
            write_queue: 1024,
            write_batch: 256,
            vacuum_every: Some(Duration::from_secs(1)),
        }
    }
}

/// One writer on a machine with two cores or fewer, two above (see
/// [`PoolOptions::writers`]).
fn default_writers() -> usize {
    match std::thread::available_parallelism() {
        Ok(cores) if cores.get() > 2 => 2,
        _ => 1,
    }
}

impl Db {
    /// Connects to `url` and builds the pool. A bad URL or an unreachable
    /// server is a [`StoreError`] naming the problem, never a panic.
    pub fn connect(url: &str, options: &PoolOptions) -> Result<Db, StoreError> {
        let backend = Backend::of_url(url);
        let target = driver_url(url)?;
        // One direct connection first: r2d2 would only report a timeout.
        let first = establish(backend, &target);
        if let Err(e) = first {
            return Err(StoreError::Connect {
                backend,
                target: redact(url),
                reason: e.to_string(),
            });
        }
        let manager = Manager {
            backend,
            target: target.clone(),
            inner: ConnectionManager::new(target.clone()),
        };
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
        let writer_options = WriterOptions {
            writers: options.writers,
            queue: options.write_queue,
            batch: options.write_batch,
        };
        let open = move || {
            let mut conn =
                establish(backend, &target).map_err(|e| StoreError::Unavailable(e.to_string()))?;
            sqlite_pragmas(&mut conn)?;
            Ok::<_, StoreError>(conn)
        };
        let vacuumer = match (backend, options.vacuum_every) {
            (Backend::Postgres, Some(every)) => {
                let pool = pool.clone();
                // A pooled connection when one is free: the look takes a
                // moment once a second and needs no connection of its own.
                let connect = move || {
                    pool.try_get()
                        .ok_or_else(|| StoreError::Unavailable("no free connection".into()))
                };
                Some(Arc::new(Vacuumer::start(every, connect)))
            }
            _ => None,
        };
        let (checkpointer, catch_up) = match backend {
            Backend::Sqlite => {
                let catch_up = Arc::new(CatchUp::default());
                let checkpointer = Checkpointer::start(open.clone(), catch_up.clone());
                (Some(Arc::new(checkpointer)), Some(catch_up))
            }
            Backend::Postgres => (None, None),
        };
        let writers = Writers::start(backend, &writer_options, catch_up, move || {
            let mut conn = open()?;
            match &mut conn {
                // The checkpoint thread copies the log back; the writer's
                // commits never stop to do it.
                AnyConnection::Sqlite(c) => c.batch_execute("PRAGMA wal_autocheckpoint = 0;")?,
                // The writers' statements find rows by key and insert: one
                // plan fits every execution. Left to choose, PostgreSQL
                // planned the conversation UPDATE afresh on every execution
                // (a third of its cost). A generic plan is still rebuilt
                // when ANALYZE changes a table's statistics.
                AnyConnection::Postgresql(c) => {
                    c.batch_execute("SET plan_cache_mode = force_generic_plan")?
                }
            }
            Ok(conn)
        });
        Ok(Db {
            pool,
            backend,
            writers: Arc::new(writers),
            _checkpointer: checkpointer,
            _vacuumer: vacuumer,
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

    fn checkout(&self) -> Result<PooledConnection<Manager>, StoreError> {
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

    /// Runs `f` as one atomic write: all of it is committed or none. On
    /// SQLite it runs on the writer thread, committed together with the
    /// other writes waiting then (each in its own savepoint; the
    /// transaction starts with `BEGIN IMMEDIATE`, so a read-then-write never
    /// fails with SQLITE_BUSY half-way). On PostgreSQL it is a transaction
    /// of its own on a pooled connection: `f` may lock rows in any order.
    /// Returns only after the commit.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        match self.backend {
            Backend::Sqlite => self.writers.run(None, f).await,
            Backend::Postgres => {
                let db = self.clone();
                spawn_blocking(move || {
                    let mut conn = db.checkout()?;
                    write_transaction(&mut conn, f)
                })
                .await
            }
        }
    }

    /// Runs `f` as one atomic write about one conversation, committed
    /// together with other writes (group commit; see [`Db::write`]). `f`
    /// may lock that conversation's row and no other: on PostgreSQL the
    /// batch has taken it already, in the order that keeps batches free of
    /// deadlocks. Returns only after the commit; when the writers are behind,
    /// it first waits for room in their queue.
    pub async fn write_about<T, E, F>(&self, conversation_id: i64, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        self.writers.run(Some(conversation_id), f).await
    }

    /// Queues one write of a kind the writers run in groups (see
    /// [`GroupWrite`]) about one conversation, and waits for its commit.
    /// Otherwise as [`Db::write_about`].
    pub(crate) async fn write_grouped<G: GroupWrite>(
        &self,
        conversation_id: i64,
        input: G::Input,
    ) -> Result<G::Output, G::Error> {
        self.writers
            .run_grouped::<G>(Some(conversation_id), input)
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
