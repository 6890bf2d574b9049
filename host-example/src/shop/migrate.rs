//! The store's embedded migrations, run by the plugin's multi-backend
//! runner. They share `__diesel_schema_migrations` with the plugin, whose
//! versions are prefixed `storechat`; ours are dates.

use diesel_migrations::{EmbeddedMigrations, embed_migrations};
use storechat::store::{AnyConnection, StoreError, migrate};

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Key of the PostgreSQL advisory lock that makes processes starting together
/// apply the migrations once ("northwin" in ASCII).
const ADVISORY_LOCK_KEY: i64 = 0x6e6f7274_6877696e;

/// Applies the store's pending migrations; returns the versions applied.
pub fn run_pending(conn: &mut AnyConnection) -> Result<Vec<String>, StoreError> {
    migrate::run_embedded(conn, SQLITE, POSTGRES, ADVISORY_LOCK_KEY)
}
