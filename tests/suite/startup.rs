//! Start-up: bad options and unreachable databases are clear errors, and
//! SQLite runs with WAL, a busy timeout and foreign keys.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use storechat::{StartError, StoreError, Storechat, StorechatConfig};

use crate::support::backend::SECRET;
use crate::support::{TestChat, TestHost};

async fn start(url: &str, secret: &[u8]) -> Result<Storechat, StartError> {
    Storechat::start(StorechatConfig::new(url, secret), TestHost::default()).await
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_clear_error() {
    let err = start("postgres://nobody:hunter2@127.0.0.1:1/shop", SECRET)
        .await
        .err()
        .expect("fails");
    let message = err.to_string();
    assert!(
        message.contains("cannot connect to the Postgres database"),
        "{message}"
    );
    assert!(
        !message.contains("hunter2"),
        "the password is hidden: {message}"
    );
}

#[tokio::test]
async fn a_sqlite_file_in_a_missing_folder_is_a_clear_error() {
    let err = start("sqlite:///no/such/folder/shop.db", SECRET)
        .await
        .err()
        .expect("fails");
    assert!(
        err.to_string()
            .contains("cannot connect to the Sqlite database"),
        "{err}"
    );
    let err = start("", SECRET).await.err().expect("fails");
    assert!(err.to_string().contains("DATABASE_URL is empty"), "{err}");
}

#[tokio::test]
async fn a_short_secret_stops_the_start() {
    let err = start("sqlite://unused.db", b"short")
        .await
        .err()
        .expect("fails");
    assert!(
        matches!(err, StartError::Config(ref m) if m.contains("at least 32 bytes")),
        "{err}"
    );
}

#[tokio::test]
async fn bad_route_prefixes_stop_the_start() {
    let mut config = StorechatConfig::new("sqlite://unused.db", SECRET);
    config.routes.customer = "dashboard/messages/".into();
    let err = Storechat::start(config, TestHost::default())
        .await
        .err()
        .expect("fails");
    assert!(
        matches!(err, StartError::Config(ref m) if m.contains("customer route prefix")),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_runs_in_wal_with_busy_timeout_and_foreign_keys() {
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }
    #[derive(QueryableByName)]
    struct Flag {
        #[diesel(sql_type = BigInt)]
        value: i64,
    }
    let t = TestChat::sqlite().await;
    let (mode, fk, busy) = t
        .service()
        .db()
        .read(|conn| {
            let mode: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(conn)?;
            let fk: Flag =
                diesel::sql_query("SELECT foreign_keys AS value FROM pragma_foreign_keys")
                    .get_result(conn)?;
            let busy: Flag = diesel::sql_query("SELECT timeout AS value FROM pragma_busy_timeout")
                .get_result(conn)?;
            Ok::<_, StoreError>((mode.journal_mode, fk.value, busy.value))
        })
        .await
        .expect("pragmas");
    assert_eq!(mode, "wal");
    assert_eq!(fk, 1);
    assert_eq!(busy, 5000);
}

/// The checkpoint sequence number in a SQLite WAL file's header: it goes
/// up each time the log starts over from its beginning.
fn log_restarts(wal: &std::path::Path) -> u32 {
    let header = std::fs::read(wal).map(|b| b.get(12..16).map(|s| s.to_vec()));
    match header {
        Ok(Some(bytes)) => u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        _ => 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_s_log_starts_over_while_writes_never_pause() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    use storechat::store::{Db, PoolOptions};

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("chat.db");
    let wal = dir.path().join("chat.db-wal");
    let db = Db::open(
        &format!("sqlite://{}", file.display()),
        &PoolOptions::default(),
    )
    .await
    .expect("opens");
    db.write(|conn| {
        diesel::sql_query("CREATE TABLE scratch (id INTEGER PRIMARY KEY, b BLOB NOT NULL)")
            .execute(conn)?;
        Ok::<_, StoreError>(())
    })
    .await
    .expect("table");
    let before = log_restarts(&wal);
    // Writers that always have the next write queued: the writer thread
    // never rests, so the log can only start over if the plugin makes it.
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (db, stop) = (db.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                db.write(|conn| {
                    diesel::sql_query(
                        "INSERT INTO scratch (b) VALUES (randomblob(40000)); \
                         DELETE FROM scratch WHERE id <= (SELECT max(id) - 64 FROM scratch)",
                    )
                    .execute(conn)?;
                    Ok::<_, StoreError>(())
                })
                .await
                .expect("write");
            }
        }));
    }
    let started = Instant::now();
    let mut largest = 0;
    while log_restarts(&wal) < before + 2 && started.elapsed() < Duration::from_secs(20) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
    }
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.expect("writer task");
    }
    assert!(
        log_restarts(&wal) >= before + 2,
        "the log kept growing under sustained writes: {largest} bytes after {:?}",
        started.elapsed()
    );
    assert!(
        largest < 512 << 20,
        "the log stays bounded under sustained writes: it reached {largest} bytes"
    );
}

#[derive(QueryableByName)]
struct PageSize {
    #[diesel(sql_type = BigInt)]
    page_size: i64,
}

fn page_size(conn: &mut storechat::store::AnyConnection) -> Result<i64, StoreError> {
    let size: PageSize = diesel::sql_query("PRAGMA page_size").get_result(conn)?;
    Ok(size.page_size)
}

/// A database the plugin creates gets its smaller pages (half the bytes
/// written per message); one that exists keeps its own page size and
/// works as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_sqlite_databases_get_small_pages_and_old_ones_keep_theirs() {
    let fresh = TestChat::sqlite().await;
    let size = fresh
        .service()
        .db()
        .read(page_size)
        .await
        .expect("page size");
    assert_eq!(size, i64::from(storechat::store::SQLITE_PAGE_SIZE));

    // A shop's database from before: SQLite's default pages, a table of
    // the shop's own, then the plugin.
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("shop.db");
    {
        let mut shop = SqliteConnection::establish(&file.display().to_string()).expect("open");
        diesel::sql_query("PRAGMA page_size = 4096")
            .execute(&mut shop)
            .expect("page size");
        diesel::sql_query("CREATE TABLE shop_orders (id INTEGER PRIMARY KEY, total TEXT)")
            .execute(&mut shop)
            .expect("shop table");
    }
    let chat = start(&format!("sqlite://{}", file.display()), SECRET)
        .await
        .expect("starts on the shop's database");
    chat.run_migrations().await.expect("migrates");
    let size = chat
        .service()
        .db()
        .read(page_size)
        .await
        .expect("page size");
    assert_eq!(size, 4096, "an existing database keeps its pages");
    let customer = crate::support::alice();
    let input =
        storechat::service::OpenConversation::parse("Old pages", "Still works?", None, None)
            .expect("valid");
    let opened = chat
        .service()
        .open_conversation(&customer, input)
        .await
        .expect("a conversation opens on the old database");
    assert_eq!(opened.message.body, "Still works?");
}
