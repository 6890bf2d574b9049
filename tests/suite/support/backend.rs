//! A fresh, migrated database per test: a temporary SQLite file, or a
//! PostgreSQL schema of its own (fast to create and drop, unlike databases).

use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use storechat::store::PoolOptions;
use storechat::{ChatService, Storechat, StorechatConfig};

use super::TestHost;

/// The environment variable naming the PostgreSQL server for tests, e.g.
/// `postgres://postgres@127.0.0.1:5432/storechat_test`.
pub const PG_URL_VAR: &str = "STORECHAT_TEST_PG_URL";

/// A started plugin on a fresh database, with the in-memory host.
pub struct TestChat {
    pub chat: Storechat,
    pub host: Arc<TestHost>,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

pub const SECRET: &[u8] = b"storechat-test-secret-of-at-least-32-bytes";

impl TestChat {
    pub async fn sqlite() -> TestChat {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("chat.db").display());
        Self::start(url, Cleanup::Sqlite(dir)).await
    }

    /// `None` (and a note on stderr) when no PostgreSQL is configured.
    pub async fn postgres() -> Option<TestChat> {
        let (admin_url, url, schema) = fresh_pg_schema()?;
        Some(Self::start(url, Cleanup::Postgres { admin_url, schema }).await)
    }

    async fn start(url: String, cleanup: Cleanup) -> TestChat {
        Self::start_with(url, cleanup, |_| {}).await
    }

    /// A SQLite test chat with the configuration changed by `configure`
    /// (e-mail tests turn e-mail on).
    pub async fn sqlite_with(configure: impl FnOnce(&mut StorechatConfig)) -> TestChat {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("chat.db").display());
        Self::start_with(url, Cleanup::Sqlite(dir), configure).await
    }

    /// The PostgreSQL variant of [`TestChat::sqlite_with`]; `None` without PostgreSQL.
    pub async fn postgres_with(configure: impl FnOnce(&mut StorechatConfig)) -> Option<TestChat> {
        let (admin_url, url, schema) = fresh_pg_schema()?;
        Some(Self::start_with(url, Cleanup::Postgres { admin_url, schema }, configure).await)
    }

    /// Another plugin instance (a second process, as far as the database
    /// can tell) on this test's database.
    pub async fn another_instance(
        &self,
        configure: impl FnOnce(&mut StorechatConfig),
    ) -> Storechat {
        let mut config = self.chat.config().clone();
        configure(&mut config);
        Storechat::start_shared(config, self.host.clone())
            .await
            .expect("second instance starts")
    }

    async fn start_with(
        url: String,
        cleanup: Cleanup,
        configure: impl FnOnce(&mut StorechatConfig),
    ) -> TestChat {
        let host = Arc::new(TestHost::default());
        let mut config = StorechatConfig::new(url, SECRET);
        // Service tests send no e-mail; the mail tests configure their own.
        config.email.transport = storechat::MailTransport::Disabled;
        config.pool = PoolOptions {
            max_size: 4,
            // Two writers whatever the machine (the default is one on two
            // cores): the tests cover writes of one batch spread over
            // writers, each locking its rows in the same order.
            writers: 2,
            ..PoolOptions::default()
        };
        configure(&mut config);
        let chat = Storechat::start_shared(config, host.clone())
            .await
            .expect("plugin starts");
        chat.run_migrations().await.expect("migrations run");
        TestChat {
            chat,
            host,
            cleanup,
        }
    }

    pub fn service(&self) -> &ChatService {
        self.chat.service()
    }

    /// The PostgreSQL schema of this chat's tables (`None` on SQLite).
    pub fn pg_schema(&self) -> Option<&str> {
        match &self.cleanup {
            Cleanup::Postgres { schema, .. } => Some(schema),
            _ => None,
        }
    }
}

impl Drop for TestChat {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = conn.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
        }
    }
}

/// Creates an empty schema and returns (admin URL, URL whose search_path is
/// that schema, schema name). Panics when PostgreSQL is configured but cannot
/// be reached: CI must fail rather than skip.
pub fn fresh_pg_schema() -> Option<(String, String, String)> {
    let Ok(admin_url) = std::env::var(PG_URL_VAR) else {
        eprintln!("note: {PG_URL_VAR} is not set; PostgreSQL variant skipped");
        return None;
    };
    let schema = format!("t_{:016x}", rand::random::<u64>());
    let mut conn = PgConnection::establish(&admin_url).unwrap_or_else(|e| {
        panic!("{PG_URL_VAR}={admin_url} is set but PostgreSQL cannot be reached: {e}")
    });
    conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    let separator = if admin_url.contains('?') { '&' } else { '?' };
    let url = format!("{admin_url}{separator}options=-csearch_path%3D{schema}");
    Some((admin_url, url, schema))
}
