//! The host adapter of the server under test: people are named by a request
//! header, `x-bench-user: c-17` (customer 17) or `s-2` (staff member 2), the
//! way a host would identify them from its session; no orders, no products.

use actix_web::HttpRequest;
use async_trait::async_trait;
use futures_util::future::LocalBoxFuture;
use storechat::{Actor, HostAdapter, HostResult, OrderCard, ProductCard, UserCard};

/// The header that says who a request is.
pub const USER_HEADER: &str = "x-bench-user";

/// Customer `n`'s host id.
pub fn customer_id(n: usize) -> String {
    format!("c-{n}")
}

/// Staff member `n`'s host id.
pub fn staff_id(n: usize) -> String {
    format!("s-{n}")
}

/// The person behind a host id, if it is one of ours.
pub fn actor_of(id: &str) -> Option<Actor> {
    let (prefix, number) = id.split_once('-')?;
    let n: usize = number.parse().ok()?;
    match prefix {
        "c" => Some(Actor::customer(id, format!("Customer {n}"))),
        "s" => Some(Actor::staff(id, format!("Staff {n}"))),
        _ => None,
    }
}

/// Everyone the header names exists; nothing else does.
#[derive(Debug, Default)]
pub struct BenchHost;

#[async_trait]
impl HostAdapter for BenchHost {
    fn identify(&self, req: &HttpRequest) -> LocalBoxFuture<'static, HostResult<Option<Actor>>> {
        let actor = req
            .headers()
            .get(USER_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(actor_of);
        Box::pin(std::future::ready(Ok(actor)))
    }

    fn sign_in_url(&self, return_to: &str) -> String {
        format!("/login?next={return_to}")
    }

    async fn user(&self, id: &str) -> HostResult<Option<UserCard>> {
        Ok(actor_of(id).map(|a| UserCard {
            email: format!("{}@bench.example", a.id),
            id: a.id,
            name: a.name,
            role: a.role,
            avatar_url: None,
            joined_at: None,
        }))
    }

    async fn search_users(&self, _query: &str, _limit: usize) -> HostResult<Vec<UserCard>> {
        Ok(Vec::new())
    }

    async fn order(&self, _id: &str) -> HostResult<Option<OrderCard>> {
        Ok(None)
    }

    async fn orders_of(&self, _customer_id: &str, _limit: usize) -> HostResult<Vec<OrderCard>> {
        Ok(Vec::new())
    }

    async fn product(&self, _id: &str) -> HostResult<Option<ProductCard>> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use storechat::Role;

    #[test]
    fn header_values_name_people() {
        let c = actor_of("c-17").expect("customer");
        assert_eq!((c.id.as_str(), c.role), ("c-17", Role::Customer));
        let s = actor_of(&staff_id(2)).expect("staff");
        assert_eq!((s.name.as_str(), s.role), ("Staff 2", Role::Staff));
        assert!(actor_of("x-1").is_none() && actor_of("c-").is_none());
        assert_eq!(customer_id(3), "c-3");
    }
}
