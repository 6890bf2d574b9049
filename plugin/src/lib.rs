//! # storechat
//!
//! A support chat between customers and the store for actix-web commerce
//! backends. Add the crate, implement [`HostAdapter`] for your application,
//! start the plugin once, run its migrations, and mount it with
//! [`Storechat::configure`]:
//!
//! ```no_run
//! # use storechat::{HostAdapter, Storechat, StorechatConfig};
//! # async fn run(adapter: impl HostAdapter) -> Result<(), Box<dyn std::error::Error>> {
//! let config = StorechatConfig::new("data/shop.db", std::env::var("CHAT_SECRET")?);
//! let chat = Storechat::start(config, adapter).await?;
//! chat.run_migrations().await?;
//! actix_web::HttpServer::new(move || {
//!     actix_web::App::new().configure(|cfg| chat.configure(cfg))
//! })
//! .bind(("127.0.0.1", 8080))?
//! .run()
//! .await?;
//! # Ok(()) }
//! ```
//!
//! Customers then find their messages under `/dashboard/messages/`. The
//! [`ChatService`] behind the pages is yours to call too (to reply from your
//! own code, say): every surface goes through it.
//!
//! The code follows one flow: `web` (handlers) → `service` (one function per
//! operation, one transaction each) → `store` (diesel, SQLite or PostgreSQL),
//! then `events` after commit.

pub mod adapter;
pub mod config;
pub mod domain;
pub mod error;
pub mod events;
pub mod mail;
pub mod realtime;
pub mod service;
pub mod store;
pub mod web;

use std::sync::Arc;

pub use adapter::{
    ActionOutcome, HostAdapter, HostError, HostResult, OrderCard, OrderItem, PageArea, PageFrame,
    PanelAction, PanelInput, PanelRow, PanelSection, ProductCard, UserCard,
};
pub use config::{EmailConfig, MailTransport, RealtimeConfig, Routes, StorechatConfig};
pub use domain::{Actor, Role, Side, Status};
pub use error::ChatError;
pub use events::ChatEvent;
pub use service::{ChatService, OrderUpdated};
pub use store::{Conversation, Message, Notification, StoreError};

/// Why the plugin did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// An option is wrong.
    #[error("{0}")]
    Config(String),
    /// The database cannot be used.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The installed plugin: configuration, the chat service and the routes.
/// Cheap to clone; clone it into each actix worker.
#[derive(Clone)]
pub struct Storechat {
    inner: Arc<Inner>,
}

struct Inner {
    config: StorechatConfig,
    service: ChatService,
    hub: Arc<realtime::Hub>,
    fanout: realtime::fanout::Fanout,
    background: std::sync::atomic::AtomicBool,
}

impl Storechat {
    /// Checks the options and connects to the database. Fails with a clear
    /// message for a bad option, a bad `database_url` or an unreachable
    /// server.
    pub async fn start(
        config: StorechatConfig,
        adapter: impl HostAdapter,
    ) -> Result<Storechat, StartError> {
        Self::start_shared(config, Arc::new(adapter)).await
    }

    /// [`Storechat::start`] with an adapter the host keeps a handle to.
    pub async fn start_shared(
        config: StorechatConfig,
        adapter: Arc<dyn HostAdapter>,
    ) -> Result<Storechat, StartError> {
        config.validate().map_err(StartError::Config)?;
        let db = store::Db::open(&config.database_url, &config.pool).await?;
        Self::start_with_db(config, db, adapter)
    }

    /// Starts on a pool the host already opened with [`store::Db::open`], so
    /// host and plugin share one pool and the adapter can read the host's
    /// tables through it. `config.pool` is not used; on PostgreSQL,
    /// `config.database_url` (the same database) is used only by the
    /// listener that carries events between processes.
    pub fn start_with_db(
        config: StorechatConfig,
        db: store::Db,
        adapter: Arc<dyn HostAdapter>,
    ) -> Result<Storechat, StartError> {
        config.validate().map_err(StartError::Config)?;
        let events = events::EventBus::new(adapter.clone(), 1024);
        let settings = service::LiveSettings::new(config.default_settings());
        let queue = mail::MailQueue {
            enabled: config.email.transport != MailTransport::Disabled,
            delay: config.email.delay,
            wake: Arc::new(tokio::sync::Notify::new()),
            settings: settings.clone(),
        };
        let service = ChatService::new(db, adapter, events, queue);
        // A bad SMTP URL stops the start; the worker itself starts once the
        // tables exist (after run_migrations, or when the routes are mounted).
        mail::check(&config.email.transport).map_err(StartError::Config)?;
        Ok(Storechat {
            inner: Arc::new(Inner {
                hub: Arc::new(realtime::Hub::new(config.realtime.clone(), settings)),
                fanout: realtime::fanout::Fanout::new(service.db().backend()),
                config,
                service,
                background: std::sync::atomic::AtomicBool::new(false),
            }),
        })
    }

    /// Applies the plugin's pending migrations (safe when several processes
    /// start at once on PostgreSQL). Returns the versions applied.
    pub async fn run_migrations(&self) -> Result<Vec<String>, StoreError> {
        let applied = self
            .inner
            .service
            .db()
            .with_connection(store::migrate::run_pending)
            .await;
        let applied = applied?;
        // The settings staff saved, before the first request is served.
        if let Err(e) = self.inner.service.reload_settings().await {
            tracing::error!(error = %e, "the chat settings could not be read; using the defaults");
        }
        self.start_background();
        Ok(applied)
    }

    /// Starts this process's background tasks once: the mail worker (it
    /// needs the plugin's tables, so it waits for the migrations or the
    /// routes) and the hub's event feed.
    fn start_background(&self) {
        use std::sync::atomic::Ordering;
        if self.inner.background.swap(true, Ordering::SeqCst) {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.inner.background.store(false, Ordering::SeqCst);
            tracing::error!("storechat's background tasks need a tokio runtime");
            return;
        };
        if let Err(e) = mail::spawn(self) {
            tracing::error!(error = %e, "the mail worker did not start");
        }
        // PostgreSQL: events to and from other processes (LISTEN/NOTIFY).
        let inner = &self.inner;
        let url = &inner.config.database_url;
        inner
            .fanout
            .start(&runtime, url, &inner.service, &inner.hub);
        // Settings saved by another process on the same database.
        let service = self.inner.service.clone();
        runtime.spawn(async move {
            loop {
                tokio::time::sleep(service::SETTINGS_REFRESH).await;
                if let Err(e) = service.reload_settings().await {
                    tracing::warn!(error = %e, "the chat settings could not be read again");
                }
            }
        });
        // The hub hears of each event in the task that published it.
        let hub = self.inner.hub.clone();
        self.inner
            .service
            .events()
            .deliver_locally(move |event| hub.dispatch(event));
    }

    /// Relays a frame (typing) to a conversation's audience but connection
    /// `from`: here, and on PostgreSQL in the other processes too.
    pub(crate) fn relay(&self, from: u64, audience: &realtime::hub::Audience, frame: &str) {
        self.inner.hub.relay(from, audience, frame);
        self.inner.fanout.relay(audience, frame);
    }

    /// The real-time hub of this process.
    pub fn hub(&self) -> &realtime::Hub {
        &self.inner.hub
    }

    /// Closes every chat connection of a person (call it when they sign
    /// out): their clients get close code 1008.
    pub fn disconnect_user(&self, user_id: &str) {
        self.inner.hub.disconnect(user_id);
    }

    /// Tell the plugin that an order was placed or changed status. It asks
    /// your [`HostAdapter::order`] for the order's card and posts it as an
    /// order progress card (number, status steps, total) in the customer's
    /// conversation about that order, else in their most recent conversation
    /// that is not CLOSED. One card per order status: calling it twice, or
    /// from two processes at once, posts one. Call it after your own
    /// transaction committed.
    pub async fn order_updated(&self, order_id: &str) -> Result<OrderUpdated, ChatError> {
        self.inner.service.order_updated(order_id).await
    }

    /// The CSRF token of `actor`'s forms (field `csrf_token`), for host
    /// pages that post to the plugin's routes themselves.
    pub fn form_token(&self, actor: &Actor) -> String {
        web::csrf::token(&self.inner.config.secret, actor)
    }

    /// The chat operations, for the host's own code.
    pub fn service(&self) -> &ChatService {
        &self.inner.service
    }

    /// The options the plugin started with.
    pub fn config(&self) -> &StorechatConfig {
        &self.inner.config
    }

    /// Mounts every route of the plugin under the configured prefixes.
    pub fn configure(&self, cfg: &mut actix_web::web::ServiceConfig) {
        self.start_background();
        web::configure(self, cfg);
    }
}
