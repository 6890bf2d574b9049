//! Options given once at install and checked at start: a bad option stops
//! the start with a clear message.

use crate::store::PoolOptions;

/// Where the plugin's pages live. Each prefix has no trailing slash.
#[derive(Debug, Clone)]
pub struct Routes {
    /// Customer pages; default `/dashboard/messages`.
    pub customer: String,
    /// Admin panels; default `/admin/dashboard/conversation`.
    pub admin: String,
    /// Stylesheets and scripts; default `/storechat/assets`.
    pub assets: String,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            customer: "/dashboard/messages".into(),
            admin: "/admin/dashboard/conversation".into(),
            assets: "/storechat/assets".into(),
        }
    }
}

/// Everything the plugin needs to start.
#[derive(Debug, Clone)]
pub struct StorechatConfig {
    /// `postgres://…` for PostgreSQL, or a SQLite file path (`sqlite://` optional).
    pub database_url: String,
    /// Connection pool size and wait.
    pub pool: PoolOptions,
    /// URL prefixes of the plugin's pages.
    pub routes: Routes,
    /// The store's name, as customers see it.
    pub store_name: String,
    /// At least 32 bytes of secret used to sign form tokens (CSRF). Keep it
    /// stable across restarts and identical across instances.
    pub secret: Vec<u8>,
}

impl StorechatConfig {
    /// Defaults for everything but the database URL and the secret.
    pub fn new(database_url: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        StorechatConfig {
            database_url: database_url.into(),
            pool: PoolOptions::default(),
            routes: Routes::default(),
            store_name: "Our store".into(),
            secret: secret.into(),
        }
    }

    /// Checks the options; the error says which one is wrong and why.
    pub fn validate(&self) -> Result<(), String> {
        if self.secret.len() < 32 {
            return Err(format!(
                "storechat: the secret must be at least 32 bytes (got {}); generate one with `openssl rand -hex 32`",
                self.secret.len()
            ));
        }
        for (name, prefix) in [
            ("customer", &self.routes.customer),
            ("admin", &self.routes.admin),
            ("assets", &self.routes.assets),
        ] {
            if !prefix.starts_with('/') || prefix.ends_with('/') || prefix.contains(['?', '#', ' '])
            {
                return Err(format!(
                    "storechat: the {name} route prefix \"{prefix}\" must start with / and not end with /"
                ));
            }
        }
        if self.pool.max_size == 0 {
            return Err("storechat: the pool needs at least one connection".into());
        }
        if self.store_name.trim().is_empty() {
            return Err("storechat: the store name cannot be empty".into());
        }
        Ok(())
    }
}
