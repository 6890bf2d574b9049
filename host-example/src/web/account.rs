//! The customer's account pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use super::chrome::Chrome;
use super::render::{WebError, page, see_other, sign_in_redirect};
use super::visitor::Visitor;
use crate::shop::activity::{self, Activity};
use crate::shop::{Order, orders};

/// Enough for any customer of a small shop; a bigger one would paginate.
const ORDERS_SHOWN: i64 = 100;

/// The newest lines of the activity feed; older ones are not shown.
const ACTIVITY_SHOWN: i64 = 100;

#[derive(Template)]
#[template(path = "account/orders.html")]
struct OrdersPage {
    chrome: Chrome,
    orders: Vec<Order>,
}

#[derive(Template)]
#[template(path = "account/activity.html")]
struct ActivityPage {
    chrome: Chrome,
    lines: Vec<ActivityLine>,
    /// How many of them were new on this visit.
    unread: usize,
}

/// One line of the feed as the page shows it.
struct ActivityLine {
    icon: &'static str,
    text: String,
    detail: String,
    href: Option<String>,
    /// "5 minutes ago".
    when: String,
    /// "21 Nov 2026, 11:02 UTC", on hover.
    exact: String,
    /// For `<time datetime>`.
    iso: String,
    unread: bool,
}

impl ActivityLine {
    fn new(line: Activity, now: chrono::NaiveDateTime) -> Self {
        ActivityLine {
            icon: line.kind.icon(),
            unread: line.is_unread(),
            when: storechat::web::relative_time(line.created_at, now),
            exact: line.created_at.format("%-d %b %Y, %H:%M UTC").to_string(),
            iso: line.created_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            text: line.text,
            detail: line.detail,
            href: line.href,
        }
    }
}

/// The account's home is its order list.
pub(super) async fn home() -> HttpResponse {
    see_other("/account/orders/")
}

/// Without the trailing slash.
pub(super) async fn activity_home() -> HttpResponse {
    see_other("/account/activity/")
}

/// The store's notification centre: what happened in the customer's
/// conversations, newest first. Showing the lines marks them read, so the
/// header's badge is gone on this very page.
pub(super) async fn activity(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, WebError> {
    let Some(user) = &visitor.user else {
        return Ok(sign_in_redirect(&req.uri().to_string()));
    };
    let user_id = user.id;
    let db = &visitor.state.db;
    let lines = db
        .read(move |conn| activity::recent_of(conn, user_id, ACTIVITY_SHOWN))
        .await?;
    let newest_unread = lines.iter().filter(|l| l.is_unread()).map(|l| l.id).max();
    if let Some(up_to) = newest_unread {
        let marked = db
            .write(move |conn| activity::mark_read(conn, user_id, up_to, crate::shop::now()))
            .await;
        // Still show the page: the lines simply stay new for next time.
        if let Err(e) = marked {
            tracing::warn!(error = %e, user_id, "could not mark the activity feed read");
        }
    }
    let now = crate::shop::now();
    let unread = lines.iter().filter(|l| l.is_unread()).count();
    let lines = lines
        .into_iter()
        .map(|line| ActivityLine::new(line, now))
        .collect();
    let chrome = visitor.chrome("activity").await;
    page(
        StatusCode::OK,
        &ActivityPage {
            chrome,
            lines,
            unread,
        },
    )
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
