//! `GET /admin/products/` and `GET /admin/customers/`: read-only lists.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::shop::{Product, ShopError, UserRole, orders, products, users};
use crate::web::chrome::Chrome;
use crate::web::render::{WebError, page};
use crate::web::visitor::Visitor;

#[derive(Template)]
#[template(path = "admin/products.html")]
struct ProductsPage {
    chrome: Chrome,
    products: Vec<Product>,
}

struct CustomerRow {
    id: i64,
    initial: String,
    name: String,
    email: String,
    joined: String,
    orders: i64,
}

#[derive(Template)]
#[template(path = "admin/customers.html")]
struct CustomersPage {
    chrome: Chrome,
    customers: Vec<CustomerRow>,
}

pub(crate) async fn products(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, WebError> {
    if let Err(response) = super::staff(&req, &visitor).await? {
        return Ok(response);
    }
    let products = visitor.state.db.read(products::all).await?;
    let chrome = visitor.chrome("products").await;
    page(StatusCode::OK, &ProductsPage { chrome, products })
}

pub(crate) async fn customers(
    req: HttpRequest,
    visitor: Visitor,
) -> Result<HttpResponse, WebError> {
    if let Err(response) = super::staff(&req, &visitor).await? {
        return Ok(response);
    }
    let (customers, counts) = visitor
        .state
        .db
        .read(|conn| {
            let customers = users::with_role(conn, UserRole::Customer)?;
            let counts: HashMap<i64, i64> = orders::counts_by_customer(conn)?.into_iter().collect();
            Ok::<_, ShopError>((customers, counts))
        })
        .await?;
    let customers = customers
        .into_iter()
        .map(|u| CustomerRow {
            id: u.id,
            initial: u
                .name
                .chars()
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default(),
            orders: counts.get(&u.id).copied().unwrap_or(0),
            joined: u.created_at.format("%-d %b %Y").to_string(),
            name: u.name,
            email: u.email,
        })
        .collect();
    let chrome = visitor.chrome("customers").await;
    page(StatusCode::OK, &CustomersPage { chrome, customers })
}
