//! The customer's conversations as JSON, for the storefront widget and apps:
//! `GET conversations.json`, `GET {id}/messages.json?before=&limit=` and
//! `POST conversations.json` (open one). Errors have the shape of
//! `notifications.json`: `{"error": code, "message": text}`, plus `field`
//! for `invalid`. Posts must be `application/json` (see
//! `notifications_json`: that keeps cookie-authenticated posts safe from
//! CSRF).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::parse_id;
use crate::Storechat;
use crate::domain::{Actor, ClientMsgId, Side, ValidationError};
use crate::error::ChatError;
use crate::service::{OpenConversation, PageCursor, ReactionCount};
use crate::store::{Conversation, Message, MessageKind};
use crate::web::SignedIn;

/// Conversations per page unless asked otherwise.
const LIST_PAGE: i64 = 20;
/// Messages per page unless asked otherwise.
const HISTORY_PAGE: i64 = 30;
/// The most a `limit` may ask for.
const MAX_LIMIT: i64 = 100;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    after: Option<String>,
    limit: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct HistoryQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

#[derive(Deserialize)]
pub(super) struct OpenBody {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    client_msg_id: Option<String>,
    #[serde(default)]
    order_id: Option<String>,
    #[serde(default)]
    product_id: Option<String>,
}

/// A conversation as the customer sees it.
#[derive(Serialize)]
struct ConversationItem<'a> {
    id: i64,
    subject: &'a str,
    status: &'static str,
    customer_label: &'static str,
    status_css: &'static str,
    order_number: Option<&'a str>,
    product_name: Option<&'a str>,
    unread_for_user: i32,
    admin_read_up_to: i64,
    user_read_up_to: i64,
    last_message_preview: &'a str,
    last_message_side: Option<&'a str>,
    last_message_at: String,
    href: String,
}

impl<'a> ConversationItem<'a> {
    fn new(prefix: &str, c: &'a Conversation) -> Self {
        ConversationItem {
            id: c.id,
            subject: &c.subject,
            status: c.status.as_str(),
            customer_label: c.status.customer_label(),
            status_css: c.status.customer_css(),
            order_number: c.order_number.as_deref(),
            product_name: c.product_name.as_deref(),
            unread_for_user: c.unread_for_user,
            admin_read_up_to: c.admin_read_up_to,
            user_read_up_to: c.user_read_up_to,
            last_message_preview: &c.last_message_preview,
            last_message_side: c.last_message_side.as_deref(),
            last_message_at: c.last_message_at.and_utc().to_rfc3339(),
            href: format!("{prefix}/{}/", c.id),
        }
    }
}

/// A reaction to a message: its protocol name, how many gave it, and
/// whether the reader did.
#[derive(Serialize)]
struct ReactionItem {
    emoji: &'static str,
    count: i64,
    mine: bool,
}

/// A message from the reader's point of view. Removed messages keep their
/// place but not their text.
#[derive(Serialize)]
struct MessageItem<'a> {
    id: i64,
    sender_side: &'static str,
    sender_name: &'a str,
    kind: &'static str,
    body: &'a str,
    /// For an order update: the card (number, status, steps, total).
    #[serde(skip_serializing_if = "Option::is_none")]
    order_card: Option<crate::domain::OrderCardView>,
    created_at: String,
    edited: bool,
    deleted: bool,
    mine: bool,
    reactions: Vec<ReactionItem>,
}

impl<'a> MessageItem<'a> {
    fn new(reader: &Actor, m: &'a Message, reactions: &[ReactionCount]) -> Self {
        let system = m.kind == MessageKind::System || m.sender_side == Side::System;
        MessageItem {
            id: m.id,
            sender_side: m.sender_side.as_str(),
            sender_name: &m.sender_name,
            kind: m.kind.as_str(),
            body: if m.is_deleted() { "" } else { &m.body },
            order_card: m.order_card(),
            created_at: m.created_at.and_utc().to_rfc3339(),
            edited: m.edited_at.is_some(),
            deleted: m.is_deleted(),
            mine: !system
                && m.sender_side == reader.side()
                && m.sender_id.as_deref() == Some(reader.id.as_str()),
            reactions: reactions
                .iter()
                .map(|r| ReactionItem {
                    emoji: r.name(),
                    count: r.count,
                    mine: r.mine,
                })
                .collect(),
        }
    }
}

fn error(e: ChatError) -> HttpResponse {
    if e.is_internal() {
        tracing::error!(error = ?e, "customer JSON request failed");
    }
    match e {
        ChatError::Invalid(invalid) => invalid_response(invalid),
        e => HttpResponse::build(e.http_status())
            .json(serde_json::json!({ "error": e.code(), "message": e.to_string() })),
    }
}

fn invalid_response(e: ValidationError) -> HttpResponse {
    HttpResponse::UnprocessableEntity().json(serde_json::json!({
        "error": "invalid",
        "field": e.field,
        "message": e.message,
    }))
}

fn not_json() -> HttpResponse {
    HttpResponse::build(StatusCode::UNSUPPORTED_MEDIA_TYPE).json(serde_json::json!({
        "error": "unsupported_media_type",
        "message": "Send this request with Content-Type: application/json.",
    }))
}

fn limit(asked: Option<i64>, default: i64) -> i64 {
    asked.unwrap_or(default).clamp(1, MAX_LIMIT)
}

/// `GET conversations.json`: the customer's conversations, newest activity
/// first, a page at a time (`after` is the `next_after` of the page before),
/// and their unread total.
pub(super) async fn list(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    query: web::Query<ListQuery>,
) -> HttpResponse {
    let service = chat.service();
    let after = query.after.as_deref().and_then(PageCursor::decode);
    let result = async {
        let page = service
            .list_conversations(&actor, after, limit(query.limit, LIST_PAGE))
            .await?;
        let unread = service.unread_for_customer(&actor).await?;
        Ok::<_, ChatError>((page, unread))
    }
    .await;
    match result {
        Ok((page, unread)) => {
            let prefix = &chat.config().routes.customer;
            let items: Vec<ConversationItem<'_>> = page
                .items
                .iter()
                .map(|c| ConversationItem::new(prefix, c))
                .collect();
            HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(serde_json::json!({
                    "conversations": items,
                    "unread": unread,
                    "next_after": page.next.map(|c| c.encode()),
                }))
        }
        Err(e) => error(e),
    }
}

/// `GET {id}/messages.json`: the conversation and a page of its messages,
/// oldest first; `before` pages back. Reading marks nothing read.
pub(super) async fn messages(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> HttpResponse {
    let result = async {
        let id = parse_id(&path)?;
        chat.service()
            .get_conversation(&actor, id, query.before, limit(query.limit, HISTORY_PAGE))
            .await
    }
    .await;
    match result {
        Ok(view) => {
            let prefix = &chat.config().routes.customer;
            let messages: Vec<MessageItem<'_>> = view
                .messages
                .iter()
                .map(|m| MessageItem::new(&actor, m, view.reactions_of(m.id)))
                .collect();
            HttpResponse::Ok()
                .insert_header(("Cache-Control", "no-store"))
                .json(serde_json::json!({
                    "conversation": ConversationItem::new(prefix, &view.conversation),
                    "messages": messages,
                    "has_earlier": view.has_earlier,
                }))
        }
        Err(e) => error(e),
    }
}

/// `POST conversations.json`: opens a conversation with its first message.
/// `201` with the conversation and the message; a retry with the same
/// `client_msg_id` answers `200` with what the first request stored.
pub(super) async fn open(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    payload: web::Bytes,
) -> HttpResponse {
    if !crate::web::is_json(&req) {
        return not_json();
    }
    if let Err(e) = super::customers_only(&actor) {
        return error(e);
    }
    let body: OpenBody = match serde_json::from_slice(&payload) {
        Ok(body) => body,
        Err(e) => {
            return HttpResponse::build(StatusCode::BAD_REQUEST).json(serde_json::json!({
                "error": "bad_request",
                "message": format!("The body is not the expected JSON: {e}"),
            }));
        }
    };
    let parsed = OpenConversation::parse(
        &body.subject,
        &body.body,
        body.order_id.as_deref(),
        body.product_id.as_deref(),
    )
    .and_then(|mut open| {
        let client_msg_id = body.client_msg_id.as_deref().unwrap_or_default();
        open.client_msg_id = Some(ClientMsgId::parse(client_msg_id)?);
        Ok(open)
    });
    let input = match parsed {
        Ok(input) => input,
        Err(invalid) => return invalid_response(invalid),
    };
    match chat.service().open_conversation(&actor, input).await {
        Ok(opened) => {
            let prefix = &chat.config().routes.customer;
            let status = if opened.created {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            HttpResponse::build(status).json(serde_json::json!({
                "conversation": ConversationItem::new(prefix, &opened.conversation),
                // A message that was just written has no reactions yet.
                "message": MessageItem::new(&actor, &opened.message, &[]),
                "created": opened.created,
            }))
        }
        Err(e) => error(e),
    }
}

/// `GET widget.json` (no sign-in needed): whether the storefront widget
/// shows, and whether the store answers now (the away message and when it
/// is back, outside business hours).
pub(super) async fn widget(chat: web::Data<Storechat>) -> HttpResponse {
    let settings = chat.service().settings();
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(serde_json::json!({
            "enabled": settings.widget_enabled,
            "availability": settings.availability(chrono::Utc::now()),
        }))
}
