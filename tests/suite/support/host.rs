//! An in-memory host: a real implementation of the adapter over fixed
//! people, orders and products, so service tests need no web server.

use std::sync::Mutex;

use actix_web::HttpRequest;
use async_trait::async_trait;
use futures_util::future::LocalBoxFuture;
use storechat::{
    Actor, ChatEvent, HostAdapter, HostResult, OrderCard, OrderItem, ProductCard, UserCard,
};

pub fn alice() -> Actor {
    Actor::customer("u-alice", "Alice Martin")
}
pub fn bob() -> Actor {
    Actor::customer("u-bob", "Bob Chen")
}
pub fn ann() -> Actor {
    Actor::staff("u-ann", "Ann Admin")
}
pub fn victor() -> Actor {
    Actor::vendor("u-victor", "Victor Vendor")
}

/// Records the events it receives, to check they come after commit only.
#[derive(Default)]
pub struct TestHost {
    pub events: Mutex<Vec<String>>,
}

impl TestHost {
    pub fn event_names(&self) -> Vec<String> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

fn users() -> Vec<UserCard> {
    [alice(), bob(), ann(), victor()]
        .into_iter()
        .map(|a| UserCard {
            email: format!(
                "{}@example.com",
                a.name.split(' ').next().unwrap_or("x").to_lowercase()
            ),
            id: a.id,
            name: a.name,
            role: a.role,
            avatar_url: None,
            joined_at: None,
        })
        .collect()
}

fn orders() -> Vec<OrderCard> {
    let order = |id: &str, number: &str, owner: &str| OrderCard {
        id: id.into(),
        number: number.into(),
        status: "Shipped".into(),
        total: "€42.00".into(),
        owner_id: owner.into(),
        placed_at: None,
        items: vec![OrderItem {
            name: "Teapot".into(),
            quantity: 1,
            total: "€42.00".into(),
        }],
    };
    vec![
        order("o-a1", "#1001", "u-alice"),
        order("o-b1", "#2001", "u-bob"),
    ]
}

fn products() -> Vec<ProductCard> {
    vec![
        ProductCard {
            id: "p-tea".into(),
            name: "Teapot".into(),
            vendor_id: None,
            price: None,
            url: None,
        },
        ProductCard {
            id: "p-rug".into(),
            name: "Wool rug".into(),
            vendor_id: Some("u-victor".into()),
            price: None,
            url: None,
        },
    ]
}

#[async_trait]
impl HostAdapter for TestHost {
    /// Requests say who they are in an `x-test-user` header (the in-process
    /// tests have no sign-in page).
    fn identify(&self, req: &HttpRequest) -> LocalBoxFuture<'static, HostResult<Option<Actor>>> {
        let who = req
            .headers()
            .get("x-test-user")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let actor = who.and_then(|id| {
            [alice(), bob(), ann(), victor()]
                .into_iter()
                .find(|a| a.id == id)
        });
        Box::pin(async move { Ok(actor) })
    }

    fn sign_in_url(&self, return_to: &str) -> String {
        format!("/login?next={return_to}")
    }

    async fn user(&self, id: &str) -> HostResult<Option<UserCard>> {
        Ok(users().into_iter().find(|u| u.id == id))
    }

    async fn search_users(&self, query: &str, limit: usize) -> HostResult<Vec<UserCard>> {
        Ok(users()
            .into_iter()
            .filter(|u| u.name.contains(query))
            .take(limit)
            .collect())
    }

    async fn order(&self, id: &str) -> HostResult<Option<OrderCard>> {
        Ok(orders().into_iter().find(|o| o.id == id))
    }

    async fn orders_of(&self, customer_id: &str, limit: usize) -> HostResult<Vec<OrderCard>> {
        Ok(orders()
            .into_iter()
            .filter(|o| o.owner_id == customer_id)
            .take(limit)
            .collect())
    }

    async fn product(&self, id: &str) -> HostResult<Option<ProductCard>> {
        Ok(products().into_iter().find(|p| p.id == id))
    }

    fn on_event(&self, event: &ChatEvent) {
        let name = serde_json::to_value(event)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_owned))
            .unwrap_or_default();
        if let Ok(mut events) = self.events.lock() {
            events.push(name);
        }
    }
}
