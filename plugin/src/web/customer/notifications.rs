//! The customer's `NEW_MESSAGE` notifications, and the badge counts a host
//! shows in its account menu.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::parse_id;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::error::ChatError;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::format::{badge, exact_time, relative_time};
use crate::web::layout::see_other;
use crate::web::page::Page;

const PAGE_SIZE: i64 = 30;
const AREA: PageArea = PageArea::CustomerNotifications;

#[derive(Deserialize)]
pub(super) struct PageQuery {
    before: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    csrf_token: String,
}

struct Row {
    id: i64,
    title: String,
    body: String,
    unread: bool,
    when: String,
    when_exact: String,
}

#[derive(Template)]
#[template(path = "customer/notifications.html")]
struct NotificationsPage<'a> {
    prefix: &'a str,
    csrf: String,
    rows: Vec<Row>,
    unread: Option<String>,
    older_href: Option<String>,
}

pub(super) async fn list(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    query: web::Query<PageQuery>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, AREA);
    let result = render(&page, query.before).await;
    page.outcome(result).await
}

async fn render(page: &Page<'_>, before: Option<i64>) -> Result<HttpResponse, ChatError> {
    let (chat, actor) = (page.chat, page.actor);
    let service = chat.service();
    let items = service.notifications(actor, before, PAGE_SIZE).await?;
    let unread = service.unread_notifications(actor).await?;
    let prefix = chat.config().routes.customer.as_str();
    let now = crate::store::now();
    let older_href = (items.len() as i64 == PAGE_SIZE)
        .then(|| {
            items
                .last()
                .map(|n| format!("{prefix}/notifications/?before={}", n.id))
        })
        .flatten();
    let content = NotificationsPage {
        prefix,
        csrf: csrf::token(&chat.config().secret, actor),
        rows: items
            .into_iter()
            .map(|n| Row {
                id: n.id,
                unread: n.read_at.is_none(),
                when: relative_time(n.created_at, now),
                when_exact: exact_time(n.created_at),
                title: n.title,
                body: n.body,
            })
            .collect(),
        unread: badge(unread),
        older_href,
    };
    Ok(page.render(StatusCode::OK, "Notifications", &content).await)
}

/// Marks a notification read and opens its conversation.
pub(super) async fn open(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    form: web::Form<TokenForm>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, AREA);
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return page.forbidden_form().await;
    }
    let result = follow(&page, &path).await;
    page.outcome(result).await
}

async fn follow(page: &Page<'_>, raw_id: &str) -> Result<HttpResponse, ChatError> {
    let id = parse_id(raw_id).map_err(|_| ChatError::NotificationNotFound)?;
    let service = page.chat.service();
    service.mark_notification_read(page.actor, id).await?;
    let prefix = &page.chat.config().routes.customer;
    let target = service
        .notifications(page.actor, Some(id + 1), 1)
        .await?
        .into_iter()
        .find(|n| n.id == id)
        .map(|n| match n.message_id {
            Some(m) => format!("{prefix}/{}/#m{m}", n.conversation_id),
            None => format!("{prefix}/{}/", n.conversation_id),
        })
        .unwrap_or_else(|| format!("{prefix}/notifications/"));
    Ok(see_other(&target))
}

pub(super) async fn read_all(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    form: web::Form<TokenForm>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, AREA);
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return page.forbidden_form().await;
    }
    let result = match chat.service().mark_all_notifications_read(&actor).await {
        Ok(_) => Ok(see_other(&format!(
            "{}/notifications/",
            chat.config().routes.customer
        ))),
        Err(e) => Err(e),
    };
    page.outcome(result).await
}

/// Counts for a host's account menu.
#[derive(Serialize)]
struct Badge {
    unread_notifications: i64,
    unread_messages: i64,
}

pub(super) async fn badge_counts(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
) -> HttpResponse {
    let service = chat.service();
    let counts = async {
        Ok::<_, ChatError>(Badge {
            unread_notifications: service.unread_notifications(&actor).await?,
            unread_messages: service.unread_for_customer(&actor).await?,
        })
    };
    match counts.await {
        Ok(counts) => HttpResponse::Ok()
            .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
            .json(counts),
        Err(e) => {
            if e.is_internal() {
                tracing::error!(error = ?e, "badge counts failed");
            }
            HttpResponse::build(e.http_status())
                .json(serde_json::json!({"error": e.code(), "message": e.to_string()}))
        }
    }
}
