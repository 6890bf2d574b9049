//! The customer's account pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::chrome::Chrome;
use super::render::{WebError, page, see_other, sign_in_redirect};
use super::visitor::Visitor;
use crate::shop::{Order, orders};

/// Enough for any customer of a small shop; a bigger one would paginate.
const ORDERS_SHOWN: i64 = 100;

#[derive(Template)]
#[template(path = "account/orders.html")]
struct OrdersPage {
    chrome: Chrome,
    orders: Vec<Order>,
}

/// The account's home is its order list.
pub(super) async fn home() -> HttpResponse {
    see_other("/account/orders/")
}

pub(super) async fn orders(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, WebError> {
    let Some(user) = &visitor.user else {
        return Ok(sign_in_redirect(&req.uri().to_string()));
    };
    let customer_id = user.id;
    let orders = visitor
        .state
        .db
        .read(move |conn| orders::of_customer(conn, customer_id, ORDERS_SHOWN))
        .await?;
    let chrome = visitor.chrome("orders").await;
    page(StatusCode::OK, &OrdersPage { chrome, orders })
}
