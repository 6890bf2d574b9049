//! Embedded migrations, run once at start-up by the host. On PostgreSQL they
//! run under an advisory lock, so several processes starting together apply
//! them once. Versions are prefixed `storechat` so they can never collide with
//! a host's own timestamped diesel migrations in the shared
//! `__diesel_schema_migrations` table.

use diesel::connection::SimpleConnection;
use diesel::migration::{Migration, MigrationSource};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{AnyConnection, StoreError};

const SQLITE: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Arbitrary but fixed: the key of the PostgreSQL advisory lock (`storechat`
/// in ASCII, truncated to fit a bigint).
const ADVISORY_LOCK_KEY: i64 = 0x73746f7265636861;

/// Applies every pending plugin migration; returns the versions applied.
pub fn run_pending(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    run_embedded(conn, SQLITE, POSTGRES, ADVISORY_LOCK_KEY)
}

/// Applies a set of embedded migrations, one folder per backend, on either
/// backend: diesel's harness is not implemented for the multi-backend
/// connection, so each set runs on the inner connection. On PostgreSQL it
/// runs under the advisory lock `lock_key`, so processes starting together
/// apply each migration once. Hosts can run their own migrations with it.
pub fn run_embedded(
    conn: &mut AnyConnection,
    sqlite: EmbeddedMigrations,
    postgres: EmbeddedMigrations,
    lock_key: i64,
) -> Result<Vec<String>, StoreError> {
    match conn {
        AnyConnection::Sqlite(c) => {
            let applied = c
                .run_pending_migrations(sqlite)
                .map_err(|e| StoreError::Migration(e.to_string()))?;
            Ok(applied.iter().map(|v| v.to_string()).collect())
        }
        AnyConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({lock_key})"))?;
            let result = c
                .run_pending_migrations(postgres)
                .map(|applied| applied.iter().map(|v| v.to_string()).collect())
                .map_err(|e| StoreError::Migration(e.to_string()));
            // Unlock whatever happened; report the migration error first.
            let unlocked = c.batch_execute(&format!("SELECT pg_advisory_unlock({lock_key})"));
            let applied = result?;
            unlocked?;
            Ok(applied)
        }
    }
}

/// Reverts every plugin migration that is applied, newest first, leaving any
/// host migrations alone. For uninstalling the plugin and for tests.
pub fn revert_all(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    match conn {
        AnyConnection::Sqlite(c) => revert_source(c, SQLITE),
        AnyConnection::Postgresql(c) => revert_source(c, POSTGRES),
    }
}

fn revert_source<DB, C>(conn: &mut C, source: EmbeddedMigrations) -> Result<Vec<String>, StoreError>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    let applied = conn
        .applied_migrations()
        .map_err(|e| StoreError::Migration(e.to_string()))?;
    let mut ours: Vec<Box<dyn Migration<DB>>> = source
        .migrations()
        .map_err(|e| StoreError::Migration(e.to_string()))?
        .into_iter()
        .filter(|m| applied.contains(&m.name().version()))
        .collect();
    ours.sort_by_key(|m| m.name().version().to_string());
    let mut reverted = Vec::new();
    for migration in ours.iter().rev() {
        conn.revert_migration(migration.as_ref())
            .map_err(|e| StoreError::Migration(e.to_string()))?;
        reverted.push(migration.name().version().to_string());
    }
    Ok(reverted)
}
