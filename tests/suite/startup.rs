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
