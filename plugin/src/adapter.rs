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

/// A section the host adds to the customer info panel of the admin change
/// view (loyalty points, vouchers, …).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelSection {
    /// Its heading.
    pub title: String,
    /// Label and value lines.
    pub rows: Vec<PanelRow>,
    /// Buttons staff can press; each runs [`HostAdapter::customer_action`].
    pub actions: Vec<PanelAction>,
}

/// One line of a panel section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelRow {
    /// What it is ("Balance").
    pub label: String,
    /// Its value ("1,250 points").
    pub value: String,
}

/// A button in a panel section, optionally with one input beside it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelAction {
    /// The key passed back to [`HostAdapter::customer_action`].
    pub key: String,
    /// The button's label ("Give points").
    pub label: String,
    /// An input sent with it ("Points"), if any.
    pub input: Option<PanelInput>,
    /// A question to confirm before it runs ("Reset the balance to 0?").
    pub confirm: Option<String>,
    /// Shown as a destructive action.
    pub danger: bool,
}

/// The input of a panel action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PanelInput {
    /// Its label.
    pub label: String,
    /// True for a whole number, false for text.
    pub numeric: bool,
    /// A hint shown in the empty input.
    pub placeholder: String,
}

/// What a panel action did, in words for the member of staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionOutcome {
    /// It happened ("Gave 100 points to Alice.").
    Done(String),
    /// It did not, and why ("Enter a whole number of points.").
    Refused(String),
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

    /// Who holds this bearer token (from `Authorization: Bearer …`), for the
    /// JSON API and the WebSocket of apps that have no session cookie:
    /// `Ok(None)` for a token that is unknown, expired or forged. Issue and
    /// sign the tokens however the store does (the example store: JWT). The
    /// default accepts no token.
    async fn identify_token(&self, token: &str) -> HostResult<Option<Actor>> {
        let _ = token;
        Ok(None)
    }

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

    /// Products matching a search, for the admin create form's product
    /// picker. The default finds none (the picker then only takes a product
    /// linked from elsewhere, e.g. `?product=ID`).
    async fn search_products(&self, query: &str, limit: usize) -> HostResult<Vec<ProductCard>> {
        let _ = (query, limit);
        Ok(Vec::new())
    }

    /// Extra sections of the customer info panel in the admin change view.
    /// The default adds none.
    async fn customer_sections(&self, customer_id: &str) -> HostResult<Vec<PanelSection>> {
        let _ = customer_id;
        Ok(Vec::new())
    }

    /// Runs a panel action pressed by `staff` for a customer. `value` is the
    /// action's input, when it has one. The plugin has already checked that
    /// `staff` is staff and the form's CSRF token.
    async fn customer_action(
        &self,
        staff: &Actor,
        customer_id: &str,
        action: &str,
        value: Option<&str>,
    ) -> HostResult<ActionOutcome> {
        let _ = (staff, customer_id, value);
        Ok(ActionOutcome::Refused(format!(
            "The action \"{action}\" is not available."
        )))
    }

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
