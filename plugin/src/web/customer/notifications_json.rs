//! The customer's notifications as JSON, for account menus and apps:
//! `GET notifications.json`, `POST notifications/{id}/read.json`,
//! `POST notifications/read-all.json`. Posts must be `application/json`: a
//! page on another site cannot send that without a CORS preflight, which is
//! never granted, so cookie-authenticated posts stay safe from CSRF.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::parse_id;
use crate::Storechat;
use crate::error::ChatError;
use crate::web::SignedIn;

const PAGE: i64 = 30;

#[derive(Deserialize)]
pub(super) struct Before {
    before: Option<i64>,
}

#[derive(Serialize)]
struct Item {
    id: i64,
    kind: String,
    conversation_id: i64,
    message_id: Option<i64>,
    title: String,
    body: String,
    created_at: String,
    read: bool,
    href: String,
}

fn error(e: ChatError) -> HttpResponse {
    if e.is_internal() {
        tracing::error!(error = ?e, "notifications request failed");
    }
    HttpResponse::build(e.http_status())
        .json(serde_json::json!({ "error": e.code(), "message": e.to_string() }))
}

fn not_json() -> HttpResponse {
    HttpResponse::build(StatusCode::UNSUPPORTED_MEDIA_TYPE).json(serde_json::json!({
        "error": "unsupported_media_type",
        "message": "Send this request with Content-Type: application/json.",
    }))
}

/// A page of notifications, newest first, and the unread count.
pub(super) async fn list(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    query: web::Query<Before>,
) -> HttpResponse {
    let service = chat.service();
    let result = async {
        let items = service.notifications(&actor, query.before, PAGE).await?;
        let unread = service.unread_notifications(&actor).await?;
        Ok::<_, ChatError>((items, unread))
    }
    .await;
    match result {
        Ok((items, unread)) => {
            let prefix = &chat.config().routes.customer;
            let next_before = (items.len() as i64 == PAGE)
                .then(|| items.last().map(|n| n.id))
                .flatten();
            let items: Vec<Item> = items
                .into_iter()
                .map(|n| Item {
                    href: format!("{prefix}/{}/", n.conversation_id),
                    id: n.id,
                    kind: n.kind,
                    conversation_id: n.conversation_id,
                    message_id: n.message_id,
                    title: n.title,
                    body: n.body,
                    created_at: n.created_at.and_utc().to_rfc3339(),
                    read: n.read_at.is_some(),
                })
                .collect();
            HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(serde_json::json!({ "notifications": items, "unread": unread, "next_before": next_before }))
        }
        Err(e) => error(e),
    }
}

/// Marks one read.
pub(super) async fn read_one(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
) -> HttpResponse {
    if !crate::web::is_json(&req) {
        return not_json();
    }
    let service = chat.service();
    let result = async {
        let id = parse_id(&path).map_err(|_| ChatError::NotificationNotFound)?;
        service.mark_notification_read(&actor, id).await?;
        service.unread_notifications(&actor).await
    }
    .await;
    match result {
        Ok(unread) => HttpResponse::Ok().json(serde_json::json!({ "unread": unread })),
        Err(e) => error(e),
    }
}

/// Marks all read.
pub(super) async fn read_all(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
) -> HttpResponse {
    if !crate::web::is_json(&req) {
        return not_json();
    }
    match chat.service().mark_all_notifications_read(&actor).await {
        Ok(changed) => {
            HttpResponse::Ok().json(serde_json::json!({ "marked_read": changed, "unread": 0 }))
        }
        Err(e) => error(e),
    }
}
