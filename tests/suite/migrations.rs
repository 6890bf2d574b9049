//! Migrations up, down and up again on both backends; the two backends'
//! schemas match; plugin versions cannot collide with a host's.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use storechat::store::{AnyConnection, migrate};
use storechat::{StoreError, Storechat, StorechatConfig};

use crate::on_both_backends;
use crate::support::backend::{SECRET, fresh_pg_schema};
use crate::support::{TestChat, TestHost};

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// The plugin's tables and columns. The search indexes live in tables of
/// their own (SQLite's FTS5 tables, PostgreSQL's trigram search table):
/// those are indexes, not schema.
fn columns(conn: &mut AnyConnection) -> Result<Vec<Column>, StoreError> {
    let sql = match conn {
        AnyConnection::Sqlite(_) => {
            "SELECT m.name AS table_name, p.name AS column_name FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name LIKE 'storechat%' \
             AND m.name NOT LIKE 'storechat_conversations_fts%'"
        }
        AnyConnection::Postgresql(_) => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name LIKE 'storechat%' \
             AND table_name <> 'storechat_conversation_search'"
        }
    };
    let mut rows: Vec<Column> = diesel::sql_query(sql).load(conn)?;
    rows.sort();
    Ok(rows)
}

async fn schema(t: &TestChat) -> Vec<Column> {
    t.service().db().read(columns).await.expect("schema")
}

on_both_backends!(
    migrations_go_up_down_and_up_again,
    reverting_leaves_host_migrations_alone,
    every_foreign_key_can_find_its_rows_by_index,
);

/// The (table, column) of every foreign key of the plugin's tables.
const FOREIGN_KEYS_SQLITE: &str = "SELECT m.name AS table_name, f.\"from\" AS column_name \
     FROM sqlite_master m, pragma_foreign_key_list(m.name) f \
     WHERE m.type = 'table' AND m.name LIKE 'storechat%'";
const FOREIGN_KEYS_POSTGRES: &str = "SELECT c.conrelid::regclass::text AS table_name, \
     a.attname::text AS column_name FROM pg_constraint c \
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
     WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace";
/// The (table, column) that leads an index (or is the rowid / primary key).
const INDEXED_SQLITE: &str = "SELECT m.name AS table_name, ii.name AS column_name \
     FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii \
     WHERE m.type = 'table' AND m.name LIKE 'storechat%' AND ii.seqno = 0 AND ii.name IS NOT NULL \
     UNION SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p \
     WHERE m.type = 'table' AND m.name LIKE 'storechat%' AND p.pk = 1";
const INDEXED_POSTGRES: &str = "SELECT i.indrelid::regclass::text AS table_name, \
     a.attname::text AS column_name FROM pg_index i \
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
     JOIN pg_class t ON t.oid = i.indrelid WHERE t.relnamespace = current_schema()::regnamespace";

/// Deleting a conversation cascades to its messages and from each message
/// to what refers to it; a foreign key without an index on its column
/// makes the database scan the whole referring table once per deleted row
/// (a conversation of 400 messages took 1.6 s to delete on PostgreSQL).
async fn every_foreign_key_can_find_its_rows_by_index(t: TestChat) {
    let (keys, indexed) = t
        .service()
        .db()
        .read(|conn| {
            let (keys, indexed) = match conn {
                AnyConnection::Sqlite(_) => (FOREIGN_KEYS_SQLITE, INDEXED_SQLITE),
                AnyConnection::Postgresql(_) => (FOREIGN_KEYS_POSTGRES, INDEXED_POSTGRES),
            };
            let keys: Vec<Column> = diesel::sql_query(keys).load(conn)?;
            let indexed: Vec<Column> = diesel::sql_query(indexed).load(conn)?;
            Ok::<_, StoreError>((keys, indexed))
        })
        .await
        .expect("catalog");
    assert!(
        keys.iter()
            .any(|k| k.table_name == "storechat_messages" && k.column_name == "reply_to_id"),
        "{keys:?}"
    );
    let unindexed: Vec<&Column> = keys.iter().filter(|k| !indexed.contains(k)).collect();
    assert!(
        unindexed.is_empty(),
        "foreign keys without an index: {unindexed:?}"
    );
}

async fn migrations_go_up_down_and_up_again(t: TestChat) {
    let db = t.service().db().clone();
    let up = schema(&t).await;
    assert!(
        up.iter()
            .any(|c| c.table_name == "storechat_messages" && c.column_name == "client_msg_id")
    );
    let reverted = db.with_connection(migrate::revert_all).await.expect("down");
    assert!(!reverted.is_empty());
    assert!(
        reverted.iter().all(|v| v.starts_with("storechat")),
        "{reverted:?}"
    );
    assert!(
        schema(&t).await.is_empty(),
        "down removes every plugin table"
    );
    let applied = db
        .with_connection(migrate::run_pending)
        .await
        .expect("up again");
    assert_eq!(applied.len(), reverted.len());
    assert_eq!(schema(&t).await, up);
    let none = db
        .with_connection(migrate::run_pending)
        .await
        .expect("nothing pending");
    assert!(none.is_empty());
}

async fn reverting_leaves_host_migrations_alone(t: TestChat) {
    let db = t.service().db().clone();
    db.with_connection(|conn| {
        conn.batch_execute(
            "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240101000000')",
        )?;
        Ok::<_, StoreError>(())
    })
    .await
    .expect("host version recorded");
    db.with_connection(migrate::revert_all).await.expect("down");
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let left: Vec<Version> = db
        .read(|conn| {
            Ok::<_, StoreError>(
                diesel::sql_query("SELECT version FROM __diesel_schema_migrations").load(conn)?,
            )
        })
        .await
        .expect("versions");
    assert_eq!(
        left.iter().map(|v| v.version.as_str()).collect::<Vec<_>>(),
        vec!["20240101000000"]
    );
}

fn migration_names(backend: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("migrations folder")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    names
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    assert_eq!(sqlite, migration_names("postgres"));
    assert!(
        sqlite.iter().all(|n| n.starts_with("storechat-")),
        "{sqlite:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_and_sqlite_schemas_match() {
    let Some(pg) = TestChat::postgres().await else {
        return;
    };
    let sqlite = TestChat::sqlite().await;
    let names = |cols: Vec<Column>| {
        cols.into_iter()
            .map(|c| (c.table_name, c.column_name))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(schema(&pg).await), names(schema(&sqlite).await));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_starting_together_migrate_once() {
    let Some((_admin, url, _schema)) = fresh_pg_schema() else {
        return;
    };
    let start = || async {
        let chat = Storechat::start(
            StorechatConfig::new(url.clone(), SECRET),
            TestHost::default(),
        )
        .await
        .expect("starts");
        chat.run_migrations().await
    };
    let (a, b) = tokio::join!(start(), start());
    let (a, b) = (a.expect("first migrates"), b.expect("second migrates"));
    let mut all: Vec<String> = a.iter().chain(b.iter()).cloned().collect();
    all.sort();
    all.dedup();
    assert_eq!(
        a.len() + b.len(),
        all.len(),
        "no migration applied twice: {a:?} {b:?}"
    );
    assert_eq!(
        all.len(),
        migration_names("postgres").len(),
        "every migration applied"
    );
}
