//! Options given once at install and checked at start: a bad option stops
//! the start with a clear message.

use std::path::PathBuf;
use std::time::Duration;

use crate::store::PoolOptions;

/// Where e-mail goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailTransport {
    /// An SMTP server: `smtp://host:port` (plain, or STARTTLS when the
    /// server offers it with `?tls=opportunistic`; `?tls=required` insists),
    /// `smtps://host:465` (TLS from the start), with optional
    /// `user:password@` credentials.
    Smtp(String),
    /// One `.eml` file per e-mail in this folder: for development, and the
    /// default until SMTP is configured.
    Files(PathBuf),
    /// Keep the outbox but send nothing (no worker runs).
    Disabled,
}

/// The real-time channel's limits.
#[derive(Debug, Clone)]
pub struct RealtimeConfig {
    /// Origins allowed to open the WebSocket (`https://shop.example`).
    /// Empty: only the origin of `public_url`. Clients that send no Origin
    /// (apps, servers) are let in; they still have to authenticate.
    pub allowed_origins: Vec<String>,
    /// The largest frame accepted; a larger one closes the connection (1009).
    pub max_frame_bytes: usize,
    /// Connections one person may hold at once.
    pub max_connections_per_user: usize,
    /// Frames waiting for one connection; a client that falls this far
    /// behind is disconnected (it resumes when it reconnects). One commit
    /// of the database writers can hand every staff connection a whole
    /// batch of messages at once (up to `PoolOptions::writers` ×
    /// `write_batch` frames, 512 by default); at 256 the benchmark's staff
    /// were dropped at 4,000 msg/s while keeping up.
    pub send_queue: usize,
    /// How often the server pings.
    pub heartbeat: std::time::Duration,
    /// Silence after which a connection is closed.
    pub idle_timeout: std::time::Duration,
    /// Messages one person may send per minute over the channel.
    pub messages_per_minute: u32,
}

impl Default for RealtimeConfig {
    fn default() -> Self {
        RealtimeConfig {
            allowed_origins: Vec::new(),
            max_frame_bytes: 64 * 1024,
            max_connections_per_user: 8,
            send_queue: 1024,
            heartbeat: std::time::Duration::from_secs(20),
            idle_timeout: std::time::Duration::from_secs(60),
            messages_per_minute: 120,
        }
    }
}

/// E-mail notifications: where they go and how patient they are.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    /// The transport.
    pub transport: MailTransport,
    /// The From address, e.g. `Northwind Goods <support@northwind.example>`.
    pub from: String,
    /// Where staff notifications go when a conversation has no assignee
    /// (`None`: only assigned conversations e-mail staff).
    pub support_address: Option<String>,
    /// How long a reply may stay unseen before it is e-mailed; every reply
    /// within this window goes into one e-mail.
    pub delay: Duration,
    /// How often the worker looks for due mail at the latest.
    pub poll_interval: Duration,
    /// How long a worker may hold a batch before another may take it over
    /// (a process that died mid-batch).
    pub lease: Duration,
    /// The first wait after a temporary failure (connection refused, 4xx);
    /// each further failure doubles it, up to an hour, with ±25% jitter.
    pub retry_base: Duration,
    /// Temporary failures tolerated before an e-mail is given up (dead).
    pub max_attempts: i32,
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig {
            transport: MailTransport::Files(PathBuf::from("storechat-mail")),
            from: "Store <no-reply@localhost>".into(),
            support_address: None,
            delay: Duration::from_secs(120),
            poll_interval: Duration::from_secs(5),
            lease: Duration::from_secs(60),
            retry_base: Duration::from_secs(30),
            max_attempts: 12,
        }
    }
}

/// Where the plugin's pages live. Each prefix has no trailing slash.
#[derive(Debug, Clone)]
pub struct Routes {
    /// Customer pages; default `/dashboard/messages`.
    pub customer: String,
    /// Admin panels; default `/admin/dashboard/conversation`.
    pub admin: String,
    /// Stylesheets and scripts; default `/storechat/assets`.
    pub assets: String,
    /// The WebSocket endpoint; default `/storechat/ws`.
    pub ws: String,
    /// The JSON API (its OpenAPI document is `{api}/openapi.json`); default
    /// `/api/chat/v1`.
    pub api: String,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            customer: "/dashboard/messages".into(),
            admin: "/admin/dashboard/conversation".into(),
            assets: "/storechat/assets".into(),
            ws: "/storechat/ws".into(),
            api: "/api/chat/v1".into(),
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
    /// At least 32 bytes of secret used to sign form tokens (CSRF) and
    /// unsubscribe links. Keep it stable across restarts and identical
    /// across instances.
    pub secret: Vec<u8>,
    /// The site's address as people reach it, for links in e-mails, e.g.
    /// `https://shop.example` (no trailing slash).
    pub public_url: String,
    /// E-mail notifications.
    pub email: EmailConfig,
    /// The real-time channel.
    pub realtime: RealtimeConfig,
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
            public_url: "http://127.0.0.1:8080".into(),
            email: EmailConfig::default(),
            realtime: RealtimeConfig::default(),
        }
    }

    /// The settings staff start from in the admin settings panel: these
    /// options, until settings are saved there (then the stored ones count).
    pub fn default_settings(&self) -> crate::domain::Settings {
        let minutes = self.email.delay.as_secs().div_ceil(60).min(1440);
        crate::domain::Settings {
            email_delay_minutes: u32::try_from(minutes).unwrap_or(1440),
            messages_per_minute: self.realtime.messages_per_minute,
            max_connections_per_user: u32::try_from(self.realtime.max_connections_per_user)
                .unwrap_or(u32::MAX),
            allowed_origins: self.realtime.allowed_origins.clone(),
            ..crate::domain::Settings::default()
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
            ("ws", &self.routes.ws),
            ("api", &self.routes.api),
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
        if self.store_name.trim().is_empty() || self.store_name.chars().any(char::is_control) {
            return Err("storechat: the store name cannot be empty or contain line breaks".into());
        }
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://"))
            || self.public_url.ends_with('/')
        {
            return Err(format!(
                "storechat: public_url \"{}\" must start with http:// or https:// and not end with /",
                self.public_url
            ));
        }
        if self.email.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(format!(
                "storechat: the e-mail From address \"{}\" is not a valid address",
                self.email.from
            ));
        }
        if let Some(support) = &self.email.support_address
            && support.parse::<lettre::message::Mailbox>().is_err()
        {
            return Err(format!(
                "storechat: the support address \"{support}\" is not a valid address"
            ));
        }
        if let MailTransport::Smtp(url) = &self.email.transport
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(format!(
                "storechat: the SMTP URL must start with smtp:// or smtps:// (got \"{}\")",
                crate::store::redact(url)
            ));
        }
        Ok(())
    }
}
