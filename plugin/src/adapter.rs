//! The host adapter: the one trait a store implements so the plugin can ask
//! about people, orders and products it never owns. Host ids are opaque
//! strings. The plugin never calls the host inside a database transaction.

use actix_web::HttpRequest;
use async_trait::async_trait;
use chrono::NaiveDateTime;
use futures_util::future::LocalBoxFuture;
use serde::Serialize;

use crate::domain::{Actor, Role};
use crate::events::ChatEvent;

/// A failure inside the host's own code (its database is down, say).
#[derive(Debug, thiserror::Error)]
#[error("host adapter failed: {0}")]
pub struct HostError(pub String);

impl HostError {
    /// Wraps any error of the host's.
    pub fn new(cause: impl std::fmt::Display) -> Self {
        HostError(cause.to_string())
    }
}

/// What the adapter's calls return.
pub type HostResult<T> = Result<T, HostError>;

/// A person as the host knows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserCard {
    /// Host id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// What they are to the store.
    pub role: Role,
    /// A picture, if the host has one.
    pub avatar_url: Option<String>,
    /// When they signed up.
    pub joined_at: Option<NaiveDateTime>,
}

/// A line of an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderItem {
    /// Product name.
    pub name: String,
    /// How many.
    pub quantity: u32,
    /// Line total, formatted by the host ("€12.50").
    pub total: String,
}

/// An order as the host knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderCard {
    /// Host id.
    pub id: String,
    /// The number customers know it by ("#10023").
    pub number: String,
    /// The host's status name ("Shipped").
    pub status: String,
    /// Total, formatted by the host.
    pub total: String,
    /// The customer who placed it.
    pub owner_id: String,
    /// When it was placed.
    pub placed_at: Option<NaiveDateTime>,
    /// Its lines.
    pub items: Vec<OrderItem>,
}

/// A product as the host knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductCard {
    /// Host id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The marketplace vendor selling it, if any.
    pub vendor_id: Option<String>,
    /// Price, formatted by the host.
    pub price: Option<String>,
    /// Its storefront page.
    pub url: Option<String>,
}

/// Which area of the site a page belongs to, so the host can highlight its nav.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageArea {
    /// The customer's messages.
    CustomerMessages,
    /// The customer's notifications.
    CustomerNotifications,
    /// The admin conversation panels.
    AdminConversations,
}

/// A page body rendered by the plugin, for the host to put in its layout.
#[derive(Debug, Clone, Copy)]
pub struct PageFrame<'a> {
    /// The page title (plain text; escape it).
    pub title: &'a str,
    /// Markup for `<head>`: the plugin's stylesheet link. Trusted HTML.
    pub head: &'a str,
    /// The page's content. Trusted HTML, already escaped by the plugin.
    pub body: &'a str,
    /// Who is looking.
    pub actor: &'a Actor,
    /// Where the page belongs.
    pub area: PageArea,
}

/// The store's side of the plugin. Implement it once for your application.
///
/// Every method but [`HostAdapter::identify`] may be called from any thread;
/// `identify` runs on the request's worker and may read the request there
/// before returning a future that owns what it needs.
#[async_trait]
pub trait HostAdapter: Send + Sync + 'static {
    /// Who is making this request: `Ok(None)` for nobody signed in.
    fn identify(&self, req: &HttpRequest) -> LocalBoxFuture<'static, HostResult<Option<Actor>>>;

    /// Where to send someone who must sign in, returning them to `return_to` after.
    fn sign_in_url(&self, return_to: &str) -> String;

    /// A user's card.
    async fn user(&self, id: &str) -> HostResult<Option<UserCard>>;

    /// Users matching a search, for admin pickers.
    async fn search_users(&self, query: &str, limit: usize) -> HostResult<Vec<UserCard>>;

    /// An order's card.
    async fn order(&self, id: &str) -> HostResult<Option<OrderCard>>;

    /// A customer's most recent orders, newest first, for order pickers.
    async fn orders_of(&self, customer_id: &str, limit: usize) -> HostResult<Vec<OrderCard>>;

    /// A product's card.
    async fn product(&self, id: &str) -> HostResult<Option<ProductCard>>;

    /// Wraps a customer-facing page in the host's account layout (its
    /// header, menu badges and footer). It gets the request, so it may load
    /// whatever its header shows. The default is a plain standalone page.
    fn customer_page<'a>(
        &'a self,
        req: &'a HttpRequest,
        frame: PageFrame<'a>,
    ) -> LocalBoxFuture<'a, String> {
        let _ = req;
        Box::pin(std::future::ready(crate::web::layout::standalone(frame)))
    }

    /// Wraps an admin panel in the host's admin layout, like
    /// [`HostAdapter::customer_page`]. The default is a plain standalone page.
    fn admin_page<'a>(
        &'a self,
        req: &'a HttpRequest,
        frame: PageFrame<'a>,
    ) -> LocalBoxFuture<'a, String> {
        let _ = req;
        Box::pin(std::future::ready(crate::web::layout::standalone(frame)))
    }

    /// Receives every chat event after its transaction has committed, for the
    /// host's own notification system. Runs on the caller's task: return
    /// quickly and spawn anything slow.
    fn on_event(&self, event: &ChatEvent) {
        let _ = event;
    }
}
