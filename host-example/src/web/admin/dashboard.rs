//! `GET /admin/`: the store at a glance.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::shop::{Order, UserRole, orders, products, users};
use crate::web::chrome::Chrome;
use crate::web::render::{WebError, page};
use crate::web::visitor::Visitor;

const RECENT_ORDERS: i64 = 5;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    chrome: Chrome,
    customers: i64,
    orders: i64,
    products: i64,
    unread_chat: i64,
    recent: Vec<Order>,
}

struct Counts {
    customers: i64,
    orders: i64,
    products: i64,
    recent: Vec<Order>,
}

pub(crate) async fn show(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, WebError> {
    let staff = match super::staff(&req, &visitor).await? {
        Ok(staff) => staff,
        Err(response) => return Ok(response),
    };
    let counts = visitor
        .state
        .db
        .read(|conn| {
            Ok::<_, crate::shop::ShopError>(Counts {
                customers: users::count_with_role(conn, UserRole::Customer)?,
                orders: orders::count(conn)?,
                products: products::count(conn)?,
                recent: orders::recent(conn, RECENT_ORDERS)?,
            })
        })
        .await?;
    let unread_chat = visitor
        .state
        .chat
        .service()
        .unread_for_admin(&staff.actor())
        .await?;
    let chrome = visitor.chrome("dashboard").await;
    page(
        StatusCode::OK,
        &Dashboard {
            chrome,
            customers: counts.customers,
            orders: counts.orders,
            products: counts.products,
            unread_chat,
            recent: counts.recent,
        },
    )
}
