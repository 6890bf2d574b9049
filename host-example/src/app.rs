//! Starting the store: database, migrations, demo data, the HTTP server.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::{Server, ServerHandle};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use storechat::store::{Db, StoreError};
use storechat::{EmailConfig, MailTransport, Storechat, StorechatConfig};

use crate::adapter::ShopAdapter;
use crate::auth::session;
use crate::auth::token::TokenKeys;
use crate::demo::{self, SeedError};
use crate::shop::migrate;
use crate::state::AppState;
use crate::web as pages;

/// The store's name, as customers see it in the shop and the chat.
pub const STORE_NAME: &str = "Northwind Goods";

/// Who the store's e-mail comes from.
pub const DEFAULT_MAIL_FROM: &str = "Northwind Goods <support@northwind.example>";

/// The staff inbox: notifications about conversations nobody is assigned to.
pub const DEFAULT_SUPPORT_EMAIL: &str = "support@northwind.example";

/// How long a reply may stay unseen before it is e-mailed.
pub const DEFAULT_MAIL_DELAY: Duration = Duration::from_secs(120);

/// How the store is started.
#[derive(Clone)]
pub struct Settings {
    /// `postgres://…`, or a SQLite file path (`sqlite://` optional).
    pub database_url: String,
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// Load the demo store on a first start (when there are no users).
    pub seed_demo: bool,
    /// At least 32 bytes; keys the session cookie and the plugin's form tokens.
    pub secret: Vec<u8>,
    /// The site's address as people reach it, for the links in e-mails
    /// (`https://shop.example`, no trailing slash). `None`: `http://` and
    /// the address the store listens on (127.0.0.1 for 0.0.0.0).
    pub public_url: Option<String>,
    /// E-mail notifications: transport, From, staff inbox, delay. See
    /// [`Settings::store_email`] for the store's defaults.
    pub email: EmailConfig,
}

impl Settings {
    /// The store on `database_url`, listening on `bind`, with the demo data,
    /// the default public URL and e-mail off ([`MailTransport::Disabled`]);
    /// change the fields to taste.
    pub fn new(
        database_url: impl Into<String>,
        bind: impl Into<String>,
        secret: impl Into<Vec<u8>>,
    ) -> Settings {
        Settings {
            database_url: database_url.into(),
            bind: bind.into(),
            seed_demo: true,
            secret: secret.into(),
            public_url: None,
            email: Settings::store_email(MailTransport::Disabled),
        }
    }

    /// The store's e-mail settings with this transport: From
    /// [`DEFAULT_MAIL_FROM`], staff inbox [`DEFAULT_SUPPORT_EMAIL`], delay
    /// [`DEFAULT_MAIL_DELAY`], the plugin's defaults for the rest.
    pub fn store_email(transport: MailTransport) -> EmailConfig {
        EmailConfig {
            transport,
            from: DEFAULT_MAIL_FROM.to_owned(),
            support_address: Some(DEFAULT_SUPPORT_EMAIL.to_owned()),
            delay: DEFAULT_MAIL_DELAY,
            ..EmailConfig::default()
        }
    }
}

// Written out so that the secret (and an SMTP password) never reaches a log.
impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let transport = match &self.email.transport {
            MailTransport::Smtp(_) => "SMTP (URL hidden: it may hold a password)".to_owned(),
            MailTransport::Files(dir) => format!("files in {}", dir.display()),
            MailTransport::Disabled => "disabled".to_owned(),
        };
        f.debug_struct("Settings")
            .field("database_url", &"(hidden: it may hold a password)")
            .field("bind", &self.bind)
            .field("seed_demo", &self.seed_demo)
            .field("secret", &format_args!("({} bytes)", self.secret.len()))
            .field("public_url", &self.public_url)
            .field("mail", &transport)
            .field("mail_from", &self.email.from)
            .field("support_address", &self.email.support_address)
            .field("mail_delay", &self.email.delay)
            .finish()
    }
}

/// Why the store did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The secret is too short to key anything.
    #[error(
        "the secret must be at least 32 bytes long (got {0}); set STORECHAT_SECRET, e.g. to the output of `openssl rand -hex 32`"
    )]
    WeakSecret(usize),
    /// The address cannot be listened on.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// What was asked for.
        address: String,
        /// Why not.
        source: std::io::Error,
    },
    /// The chat plugin did not start (bad database URL, unreachable server, bad option).
    #[error("{0}")]
    Chat(#[from] storechat::StartError),
    /// A migration failed.
    #[error("cannot prepare the database: {0}")]
    Migrate(StoreError),
    /// The demo data could not be loaded.
    #[error("cannot load the demo data: {0}")]
    Seed(#[from] SeedError),
}

/// The running store.
pub struct Application {
    address: SocketAddr,
    server: Server,
    chat: Storechat,
}

impl Application {
    /// Connects to the database, migrates it (plugin first, then the store),
    /// loads the demo data if asked and the store is empty, and starts
    /// listening. Requests are served once [`Application::run_until_stopped`]
    /// is awaited or spawned.
    pub async fn build(settings: Settings) -> Result<Application, StartError> {
        if settings.secret.len() < 32 {
            return Err(StartError::WeakSecret(settings.secret.len()));
        }
        // Bind first: a port in use is reported before any slow work.
        let listener = TcpListener::bind(&settings.bind).map_err(|source| StartError::Bind {
            address: settings.bind.clone(),
            source,
        })?;
        let address = listener.local_addr().map_err(|source| StartError::Bind {
            address: settings.bind.clone(),
            source,
        })?;

        let mut config =
            StorechatConfig::new(settings.database_url.clone(), settings.secret.clone());
        config.store_name = STORE_NAME.to_owned();
        config.public_url = match &settings.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => local_url(address),
        };
        config.email = settings.email.clone();
        // One pool for the store and the plugin: the adapter reads the
        // store's tables through it.
        let db = Db::open(&config.database_url, &config.pool)
            .await
            .map_err(storechat::StartError::from)?;
        let tokens = TokenKeys::new(&settings.secret);
        let adapter = Arc::new(ShopAdapter::new(db.clone(), tokens.clone()));
        let chat = Storechat::start_with_db(config, db.clone(), adapter)?;

        let applied = chat.run_migrations().await.map_err(StartError::Migrate)?;
        let ours = db
            .with_connection(migrate::run_pending)
            .await
            .map_err(StartError::Migrate)?;
        if !applied.is_empty() || !ours.is_empty() {
            tracing::info!(plugin = ?applied, store = ?ours, "migrations applied");
        }
        if settings.seed_demo {
            demo::seed_if_empty(&chat).await?;
        }

        let state = AppState {
            chat: chat.clone(),
            db,
            show_demo_logins: settings.seed_demo,
            tokens,
        };
        let secret = settings.secret;
        let server = HttpServer::new(move || {
            let chat = state.chat.clone();
            // The last `wrap` runs first: the session is there before the
            // pages need it.
            App::new()
                .app_data(web::Data::new(state.clone()))
                .configure(pages::configure)
                .configure(|cfg| chat.configure(cfg))
                .default_service(web::to(pages::not_found))
                .wrap(session::middleware(&secret))
                .wrap(from_fn(pages::log_requests))
        })
        // Long-lived connections (the chat's WebSockets) would otherwise hold
        // a graceful stop for the default 30 seconds.
        .shutdown_timeout(1)
        // Chat frames are small and answer each other: with Nagle's
        // algorithm a frame can wait for the ACK of the previous one
        // (realtime-load at 1,000 msg/s: p99 10.8 ms with it, 4.5 ms without).
        .tcp_nodelay(true)
        .listen(listener)
        .map_err(|source| StartError::Bind {
            address: settings.bind.clone(),
            source,
        })?
        .run();

        Ok(Application {
            address,
            server,
            chat,
        })
    }

    /// The address people reach the store at, e.g. `http://127.0.0.1:8080`
    /// (no trailing slash): the links in its e-mails start with it.
    pub fn public_url(&self) -> &str {
        &self.chat.config().public_url
    }

    /// The port the store listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// The address the store listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The chat plugin, for tests and host code that call its service.
    pub fn chat(&self) -> &Storechat {
        &self.chat
    }

    /// The database the store and the plugin share.
    pub fn db(&self) -> &Db {
        self.chat.service().db()
    }

    /// A handle to stop the server from elsewhere.
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves requests until the server is stopped (Ctrl-C, SIGTERM or
    /// [`ServerHandle::stop`]). In-flight requests get one second to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// `http://` and the listening address; 0.0.0.0 (any) reads as 127.0.0.1.
pub fn local_url(address: SocketAddr) -> String {
    if address.ip().is_unspecified() {
        format!("http://127.0.0.1:{}", address.port())
    } else {
        format!("http://{address}")
    }
}
