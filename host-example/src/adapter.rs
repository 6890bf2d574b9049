//! The store's side of the chat plugin: who is signing in, and what the
//! plugin may know about users, orders and products, all read from the
//! store's own tables. Ids cross the boundary as strings.
//!
//! It also adds the customer's loyalty points and vouchers to the customer
//! panel of the admin conversation view, with buttons to change them
//! (`adapter/sections.rs` and `adapter/actions.rs`), and feeds every chat
//! event that concerns a customer into the store's own notification centre,
//! the activity feed in the account menu (`adapter/activity.rs`).

mod actions;
mod activity;
mod sections;

use actix_web::HttpRequest;
use async_trait::async_trait;
use futures_util::future::LocalBoxFuture;
use storechat::store::Db;
use storechat::{
    ActionOutcome, Actor, ChatEvent, HostAdapter, HostError, HostResult, OrderCard, OrderItem,
    PageFrame, PanelSection, ProductCard, Role, UserCard,
};

use crate::auth::token::TokenKeys;
use crate::identity;
use crate::shop::{Order, Product, ShopError, User, UserRole, orders, products, users};
use crate::web::frames;
use actions::Action;

/// The example store's [`HostAdapter`]: reads the store's own tables
/// through the pool it shares with the plugin.
#[derive(Clone)]
pub struct ShopAdapter {
    db: Db,
    tokens: TokenKeys,
}

impl ShopAdapter {
    /// An adapter reading the store's tables through `db`; API tokens are
    /// checked with `tokens`.
    pub fn new(db: Db, tokens: TokenKeys) -> Self {
        ShopAdapter { db, tokens }
    }

    async fn read<T, F>(&self, f: F) -> HostResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut storechat::store::AnyConnection) -> Result<T, ShopError> + Send + 'static,
    {
        self.db.read(f).await.map_err(HostError::new)
    }
}

/// Host ids that are not ours (not a number) simply find nothing.
fn parse_id(id: &str) -> Option<i64> {
    id.trim().parse().ok()
}

fn user_card(user: User) -> UserCard {
    UserCard {
        id: user.id.to_string(),
        role: match user.role {
            UserRole::Customer => Role::Customer,
            UserRole::Staff => Role::Staff,
            UserRole::Vendor => Role::Vendor,
        },
        name: user.name,
        email: user.email,
        avatar_url: None,
        joined_at: Some(user.created_at),
    }
}

fn order_card(order: Order) -> OrderCard {
    OrderCard {
        id: order.id.to_string(),
        status: order.status.as_str().to_owned(),
        total: order.total(),
        owner_id: order.customer_id.to_string(),
        placed_at: Some(order.placed_at),
        items: order
            .lines
            .iter()
            .map(|line| OrderItem {
                name: line.name.clone(),
                quantity: u32::try_from(line.quantity).unwrap_or(0),
                total: line.total(),
            })
            .collect(),
        number: order.number,
    }
}

fn product_card(product: Product) -> ProductCard {
    ProductCard {
        id: product.id.to_string(),
        vendor_id: product.vendor_id.map(|id| id.to_string()),
        price: Some(product.price()),
        url: Some(product.url()),
        name: product.name,
    }
}

#[async_trait]
impl HostAdapter for ShopAdapter {
    fn identify(&self, req: &HttpRequest) -> LocalBoxFuture<'static, HostResult<Option<Actor>>> {
        let user = identity::current_user(req, self.db.clone());
        Box::pin(async move { Ok(user.await.map_err(HostError::new)?.map(|u| u.actor())) })
    }

    async fn identify_token(&self, token: &str) -> HostResult<Option<Actor>> {
        let Some(id) = self.tokens.verify(token) else {
            return Ok(None);
        };
        let user = self.read(move |conn| users::find(conn, id)).await?;
        Ok(user.map(|u| u.actor()))
    }

    fn sign_in_url(&self, return_to: &str) -> String {
        format!("/login?next={}", urlencoding::encode(return_to))
    }

    async fn user(&self, id: &str) -> HostResult<Option<UserCard>> {
        let Some(id) = parse_id(id) else {
            return Ok(None);
        };
        Ok(self
            .read(move |conn| users::find(conn, id))
            .await?
            .map(user_card))
    }

    async fn search_users(&self, query: &str, limit: usize) -> HostResult<Vec<UserCard>> {
        let query = query.to_owned();
        let found = self
            .read(move |conn| users::search(conn, &query, limit))
            .await?;
        Ok(found.into_iter().map(user_card).collect())
    }

    async fn order(&self, id: &str) -> HostResult<Option<OrderCard>> {
        let Some(id) = parse_id(id) else {
            return Ok(None);
        };
        Ok(self
            .read(move |conn| orders::find(conn, id))
            .await?
            .map(order_card))
    }

    async fn orders_of(&self, customer_id: &str, limit: usize) -> HostResult<Vec<OrderCard>> {
        let Some(id) = parse_id(customer_id) else {
            return Ok(Vec::new());
        };
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let found = self
            .read(move |conn| orders::of_customer(conn, id, limit))
            .await?;
        Ok(found.into_iter().map(order_card).collect())
    }

    async fn product(&self, id: &str) -> HostResult<Option<ProductCard>> {
        let Some(id) = parse_id(id) else {
            return Ok(None);
        };
        Ok(self
            .read(move |conn| products::find(conn, id))
            .await?
            .map(product_card))
    }

    async fn search_products(&self, query: &str, limit: usize) -> HostResult<Vec<ProductCard>> {
        let query = query.to_owned();
        let found = self
            .read(move |conn| products::search(conn, &query, limit))
            .await?;
        Ok(found.into_iter().map(product_card).collect())
    }

    async fn customer_sections(&self, customer_id: &str) -> HostResult<Vec<PanelSection>> {
        let Some(id) = parse_id(customer_id) else {
            return Ok(Vec::new());
        };
        Ok(self
            .read(move |conn| sections::load(conn, id))
            .await?
            .map(sections::build)
            .unwrap_or_default())
    }

    async fn customer_action(
        &self,
        staff: &Actor,
        customer_id: &str,
        action: &str,
        value: Option<&str>,
    ) -> HostResult<ActionOutcome> {
        // The plugin checks the role too; the store does not rely on it.
        let Some(staff_id) = parse_id(&staff.id).filter(|_| staff.is_staff()) else {
            return Ok(ActionOutcome::Refused(actions::NOT_STAFF.into()));
        };
        let action = match Action::parse(action, value) {
            Ok(action) => action,
            Err(why) => return Ok(ActionOutcome::Refused(why)),
        };
        let Some(id) = parse_id(customer_id) else {
            return Ok(ActionOutcome::Refused(actions::no_such_customer(
                customer_id,
            )));
        };
        let outcome = self
            .db
            .write(move |conn| actions::run(conn, staff_id, id, action))
            .await
            .map_err(HostError::new)?;
        if let ActionOutcome::Done(what) = &outcome {
            tracing::info!(staff_id, customer_id = id, ?action, "{what}");
        }
        Ok(outcome)
    }

    fn customer_page<'a>(
        &'a self,
        req: &'a HttpRequest,
        frame: PageFrame<'a>,
    ) -> LocalBoxFuture<'a, String> {
        Box::pin(frames::customer(req, frame))
    }

    fn admin_page<'a>(
        &'a self,
        req: &'a HttpRequest,
        frame: PageFrame<'a>,
    ) -> LocalBoxFuture<'a, String> {
        Box::pin(frames::admin(req, frame))
    }

    /// Called after the chat's transaction has committed: decides the
    /// activity line (if any) here and writes it from a task of its own, so
    /// the chat request does not wait for the store's database work.
    fn on_event(&self, event: &ChatEvent) {
        tracing::debug!(?event, "chat event");
        activity::record(&self.db, event);
    }
}
