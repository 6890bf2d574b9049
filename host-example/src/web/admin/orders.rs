//! `GET /admin/orders/` and `POST /admin/orders/{id}/status`.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::auth::csrf;
use crate::shop::{Order, OrderStatus, orders};
use crate::web::chrome::Chrome;
use crate::web::message;
use crate::web::render::{WebError, page, see_other};
use crate::web::visitor::Visitor;

/// Enough for the example store; a bigger one would paginate.
const ORDERS_SHOWN: i64 = 500;

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    updated: Option<i64>,
}

#[derive(Deserialize)]
pub(crate) struct StatusForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    form_token: String,
}

#[derive(Template)]
#[template(path = "admin/orders.html")]
struct OrdersPage {
    chrome: Chrome,
    csrf: String,
    orders: Vec<Order>,
    statuses: [OrderStatus; 5],
    notice: Option<String>,
    error: Option<String>,
}

async fn render(
    visitor: &Visitor,
    notice: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let orders = visitor
        .state
        .db
        .read(|conn| orders::recent(conn, ORDERS_SHOWN))
        .await?;
    let chrome = visitor.chrome("orders").await;
    let csrf = csrf::token(&visitor.session);
    page(
        status,
        &OrdersPage {
            chrome,
            csrf,
            orders,
            statuses: OrderStatus::ALL,
            notice,
            error,
        },
    )
}

pub(crate) async fn list(
    req: HttpRequest,
    visitor: Visitor,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, WebError> {
    if let Err(response) = super::staff(&req, &visitor).await? {
        return Ok(response);
    }
    let notice = match query.updated {
        Some(id) => visitor
            .state
            .db
            .read(move |conn| orders::find(conn, id))
            .await?
            .map(|o| format!("Order {} is now {}.", o.number, o.status.as_str())),
        None => None,
    };
    render(&visitor, notice, None, StatusCode::OK).await
}

pub(crate) async fn set_status(
    req: HttpRequest,
    visitor: Visitor,
    path: web::Path<String>,
    form: web::Form<StatusForm>,
) -> Result<HttpResponse, WebError> {
    if let Err(response) = super::staff(&req, &visitor).await? {
        return Ok(response);
    }
    if !csrf::verify(&visitor.session, &form.form_token) {
        return message::form_expired(&visitor).await;
    }
    let Some(status) = OrderStatus::parse(form.status.trim()) else {
        let error = format!(
            "\"{}\" is not an order status. Choose Placed, Paid, Shipped, Delivered or Cancelled.",
            form.status.chars().take(40).collect::<String>()
        );
        return render(
            &visitor,
            None,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let updated = match path.parse::<i64>() {
        Ok(id) => visitor
            .state
            .db
            .write(move |conn| orders::set_status(conn, id, status))
            .await?
            .map(|_| id),
        Err(_) => None,
    };
    match updated {
        Some(id) => {
            tracing::info!(
                order_id = id,
                status = status.as_str(),
                "order status changed"
            );
            // After our own commit, so the plugin's card shows the new status.
            // The order change stands even when the chat cannot post it.
            match visitor.state.chat.order_updated(&id.to_string()).await {
                Ok(outcome) => tracing::debug!(order_id = id, ?outcome, "order card"),
                Err(e) => tracing::warn!(order_id = id, error = %e, "order card not posted"),
            }
            Ok(see_other(&format!(
                "/admin/orders/?updated={id}#order-{id}"
            )))
        }
        None => {
            render(
                &visitor,
                None,
                Some("That order does not exist.".into()),
                StatusCode::NOT_FOUND,
            )
            .await
        }
    }
}
