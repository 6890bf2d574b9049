//! The customer's `NEW_MESSAGE` notifications, and the badge counts a host
//! shows in its account menu.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::parse_id;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::format::{badge, exact_time, relative_time};
use crate::web::layout::{respond, see_other};
use crate::web::page_error::PageError;

const PAGE_SIZE: i64 = 30;

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
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, PageError> {
    let area = PageArea::CustomerNotifications;
    let fail = |e| PageError::from_chat(&chat, &actor, area, e);
    let service = chat.service();
    let items = service
        .notifications(&actor, query.before, PAGE_SIZE)
        .await
        .map_err(fail)?;
    let unread = service.unread_notifications(&actor).await.map_err(fail)?;
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
        csrf: csrf::token(&chat.config().secret, &actor),
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
    }
    .render()
    .map_err(|_| PageError::standalone_internal())?;
    Ok(respond(
        &chat,
        &actor,
        area,
        StatusCode::OK,
        "Notifications",
        &content,
    ))
}

/// Marks a notification read and opens its conversation.
pub(super) async fn open(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    let area = PageArea::CustomerNotifications;
    let fail = |e| PageError::from_chat(&chat, &actor, area, e);
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return Err(PageError::forbidden_form(&chat, &actor, area));
    }
    let id = parse_id(&path).map_err(|_| fail(crate::error::ChatError::NotificationNotFound))?;
    let service = chat.service();
    service
        .mark_notification_read(&actor, id)
        .await
        .map_err(fail)?;
    let target = service
        .notifications(&actor, Some(id + 1), 1)
        .await
        .map_err(fail)?
        .into_iter()
        .find(|n| n.id == id)
        .map(|n| match n.message_id {
            Some(m) => format!(
                "{}/{}/#m{m}",
                chat.config().routes.customer,
                n.conversation_id
            ),
            None => format!("{}/{}/", chat.config().routes.customer, n.conversation_id),
        })
        .unwrap_or_else(|| format!("{}/notifications/", chat.config().routes.customer));
    Ok(see_other(&target))
}

pub(super) async fn read_all(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, PageError> {
    let area = PageArea::CustomerNotifications;
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return Err(PageError::forbidden_form(&chat, &actor, area));
    }
    chat.service()
        .mark_all_notifications_read(&actor)
        .await
        .map_err(|e| PageError::from_chat(&chat, &actor, area, e))?;
    Ok(see_other(&format!(
        "{}/notifications/",
        chat.config().routes.customer
    )))
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
) -> Result<HttpResponse, PageError> {
    let (chat, actor) = (&chat, &actor);
    let area = PageArea::CustomerNotifications;
    let fail = |e| PageError::from_chat(chat, actor, area, e);
    let service = chat.service();
    let counts = Badge {
        unread_notifications: service.unread_notifications(actor).await.map_err(fail)?,
        unread_messages: service.unread_for_customer(actor).await.map_err(fail)?,
    };
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(counts))
}
