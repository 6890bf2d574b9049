//! Conversations and their messages, for every signed-in person: customers
//! list and open their own; everyone reads, writes, edits, removes, reacts
//! and marks read in the conversations they may see (the same service calls
//! and the same authorization as the pages and the WebSocket).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::ApiActor;
use super::error::{ApiError, ErrorBody};
use super::model::{
    ConversationDetail, ConversationOut, ConversationPage, EditIn, MessageOut, MessagePage, OpenIn,
    Opened, ReadIn, SendIn, SentOut, Unread,
};
use super::responses::{BodyErrors, Conflict, Forbidden, NotFound, QueryErrors, Unauthorized};
use super::schema::ReactionName;
use crate::Storechat;
use crate::domain::{Actor, ClientMsgId, MessageBody, Role};
use crate::service::{OpenConversation, PageCursor, Reaction, SendMessage};

/// Conversations per page unless asked otherwise.
const LIST_PAGE: i64 = 20;
/// Messages per page unless asked otherwise.
const HISTORY_PAGE: i64 = 30;

/// Paging of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The `next_cursor` of the page before; the first page without it.
    pub cursor: Option<String>,
    /// How many per page (1 to 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

impl Paging {
    pub(super) fn limit(&self, default: i64) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(default),
            Some(n) if (1..=100).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::bad_parameter(
                "limit",
                "limit must be between 1 and 100.",
            )),
        }
    }

    /// The cursor as a message or notification id.
    pub(super) fn id_cursor(&self) -> Result<Option<i64>, ApiError> {
        self.cursor
            .as_deref()
            .map(|raw| {
                raw.parse::<i64>()
                    .ok()
                    .filter(|id| *id > 0)
                    .ok_or_else(bad_cursor)
            })
            .transpose()
    }
}

pub(super) fn bad_cursor() -> ApiError {
    ApiError::bad_parameter(
        "cursor",
        "This cursor is not one this API gave out; start again from the first page.",
    )
}

/// The first problem of a client message id, as a 422.
pub(super) fn client_id(raw: Option<&str>) -> Result<Option<ClientMsgId>, ApiError> {
    Ok(raw
        .map(ClientMsgId::parse)
        .transpose()
        .map_err(crate::error::ChatError::from)?)
}

pub(super) fn opened(actor: &Actor, o: crate::service::Opened) -> HttpResponse {
    let status = if o.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    HttpResponse::build(status).json(Opened {
        conversation: ConversationOut::of(actor, &o.conversation),
        message: MessageOut::of(actor, &o.message, None, &[]),
        created: o.created,
    })
}

/// The caller's own conversations (customers), newest activity first.
#[utoipa::path(
    tag = "conversations",
    operation_id = "list_conversations",
    params(Paging),
    responses(
        (status = 200, description = "A page of the customer's conversations", body = ConversationPage),
        QueryErrors,
        Unauthorized,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[get("/conversations")]
pub async fn list_conversations(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging.limit(LIST_PAGE)?;
    let after = paging
        .cursor
        .as_deref()
        .map(|raw| PageCursor::decode(raw).ok_or_else(bad_cursor))
        .transpose()?;
    let page = chat
        .service()
        .list_conversations(&actor, after, limit)
        .await?;
    Ok(HttpResponse::Ok().json(ConversationPage {
        items: page
            .items
            .iter()
            .map(|c| ConversationOut::of(&actor, c))
            .collect(),
        next_cursor: page.next.map(|c| c.encode()),
    }))
}

/// Opens a conversation with the store (customers). A product sends it to
/// the product's vendor; an order must be the customer's own.
#[utoipa::path(
    tag = "conversations",
    operation_id = "open_conversation",
    request_body = OpenIn,
    responses(
        (status = 201, description = "Opened", body = Opened),
        (status = 200, description = "A retry with the same client_msg_id: the conversation it opened", body = Opened),
        BodyErrors,
        Unauthorized,
        Forbidden,
    ),
    security(("bearer" = []))
)]
#[post("/conversations")]
pub async fn open_conversation(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    body: web::Json<OpenIn>,
) -> Result<HttpResponse, ApiError> {
    if actor.role != Role::Customer {
        return Err(crate::error::ChatError::Forbidden(
            "Customers open conversations here; the store's side uses /admin/conversations.",
        )
        .into());
    }
    let body = body.into_inner();
    let mut input = OpenConversation::parse(
        &body.subject,
        &body.body,
        body.order_id.as_deref(),
        body.product_id.as_deref(),
    )
    .map_err(crate::error::ChatError::from)?;
    input.client_msg_id = client_id(body.client_msg_id.as_deref())?;
    let opened = chat.service().open_conversation(&actor, input).await?;
    Ok(self::opened(&actor, opened))
}

/// Limit of a conversation's first page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DetailQuery {
    /// How many of the newest messages to include (1 to 100).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// One conversation with its newest messages. Reading marks nothing read.
#[utoipa::path(
    tag = "conversations",
    operation_id = "get_conversation",
    params(("id" = i64, Path, description = "The conversation"), DetailQuery),
    responses(
        (status = 200, description = "The conversation", body = ConversationDetail),
        QueryErrors,
        Unauthorized,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/conversations/{id}")]
pub async fn get_conversation(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
    query: web::Query<DetailQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = Paging {
        cursor: None,
        limit: query.limit,
    }
    .limit(HISTORY_PAGE)?;
    let history = chat
        .service()
        .history(&actor, id.into_inner(), None, limit)
        .await?;
    Ok(HttpResponse::Ok().json(ConversationDetail {
        conversation: ConversationOut::of(&actor, &history.conversation),
        earlier_cursor: earlier(&history),
        messages: history
            .entries
            .iter()
            .map(|e| MessageOut::of_entry(&actor, e))
            .collect(),
    }))
}

fn earlier(history: &crate::service::History) -> Option<String> {
    history
        .has_earlier
        .then(|| history.entries.first().map(|e| e.message.id.to_string()))
        .flatten()
}

/// A page of a conversation's history, oldest first; `cursor` goes back in time.
#[utoipa::path(
    tag = "messages",
    operation_id = "list_messages",
    params(("id" = i64, Path, description = "The conversation"), Paging),
    responses(
        (status = 200, description = "A page of messages", body = MessagePage),
        QueryErrors,
        Unauthorized,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[get("/conversations/{id}/messages")]
pub async fn list_messages(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
    paging: web::Query<Paging>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging.limit(HISTORY_PAGE)?;
    let before = paging.id_cursor()?;
    let history = chat
        .service()
        .history(&actor, id.into_inner(), before, limit)
        .await?;
    Ok(HttpResponse::Ok().json(MessagePage {
        next_cursor: earlier(&history),
        items: history
            .entries
            .iter()
            .map(|e| MessageOut::of_entry(&actor, e))
            .collect(),
    }))
}

/// Sends a message (a reply, for the store's side). The status moves by
/// itself: a customer's message makes it AWAITING_ADMIN, the store's
/// AWAITING_USER. Answered only after the message is stored.
#[utoipa::path(
    tag = "messages",
    operation_id = "send_message",
    params(("id" = i64, Path, description = "The conversation")),
    request_body = SendIn,
    responses(
        (status = 201, description = "Stored", body = SentOut),
        (status = 200, description = "A retry with the same client_msg_id: the message stored before", body = SentOut),
        (status = 429, description = "Too many messages; Retry-After says when to try again", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        BodyErrors,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[post("/conversations/{id}/messages")]
pub async fn send_message(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
    body: web::Json<SendIn>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let input = SendMessage {
        body: MessageBody::parse(&body.body).map_err(crate::error::ChatError::from)?,
        client_msg_id: client_id(body.client_msg_id.as_deref())?,
        reply_to: body.reply_to.map(|id| id.0),
    };
    // The same per-person allowance as the WebSocket: one budget, however
    // the messages arrive. A retry of a stored message is free.
    if input.client_msg_id.is_none() && !chat.hub().allow_message(&actor) {
        return Err(ApiError::rate_limited(5));
    }
    let sent = chat
        .service()
        .send_message(&actor, id.into_inner(), input)
        .await?;
    let status = if sent.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(SentOut {
        message: MessageOut::of(&actor, &sent.message, None, &[]),
        conversation: ConversationOut::of(&actor, &sent.conversation),
        created: sent.created,
    }))
}

/// A message of conversation `id`, or 404.
async fn in_conversation(
    chat: &Storechat,
    actor: &Actor,
    id: i64,
    message: i64,
) -> Result<(), ApiError> {
    let found = chat.service().message_conversation(actor, message).await?;
    if found == id {
        Ok(())
    } else {
        Err(crate::error::ChatError::MessageNotFound.into())
    }
}

/// Changes the text of the caller's own message; it shows as edited.
#[utoipa::path(
    tag = "messages",
    operation_id = "edit_message",
    params(
        ("id" = i64, Path, description = "The conversation"),
        ("message_id" = i64, Path, description = "The message"),
    ),
    request_body = EditIn,
    responses(
        (status = 200, description = "Edited", body = MessageOut),
        BodyErrors,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[patch("/conversations/{id}/messages/{message_id}")]
pub async fn edit_message(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    path: web::Path<(i64, i64)>,
    body: web::Json<EditIn>,
) -> Result<HttpResponse, ApiError> {
    let (id, message_id) = path.into_inner();
    let text = MessageBody::parse(&body.body).map_err(crate::error::ChatError::from)?;
    in_conversation(&chat, &actor, id, message_id).await?;
    let (_, message) = chat
        .service()
        .edit_message(&actor, message_id, text)
        .await?;
    Ok(HttpResponse::Ok().json(MessageOut::of(&actor, &message, None, &[])))
}

/// Removes a message: writers their own, staff any. It keeps its place
/// without its text.
#[utoipa::path(
    tag = "messages",
    operation_id = "delete_message",
    params(
        ("id" = i64, Path, description = "The conversation"),
        ("message_id" = i64, Path, description = "The message"),
    ),
    responses(
        (status = 204, description = "Removed"),
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[delete("/conversations/{id}/messages/{message_id}")]
pub async fn delete_message(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    path: web::Path<(i64, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (id, message_id) = path.into_inner();
    in_conversation(&chat, &actor, id, message_id).await?;
    chat.service().delete_message(&actor, message_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn react(
    chat: &Storechat,
    actor: &Actor,
    path: (i64, i64, String),
    add: bool,
) -> Result<HttpResponse, ApiError> {
    let (id, message_id, emoji) = path;
    let reaction = Reaction::parse(&emoji).map_err(crate::error::ChatError::from)?;
    in_conversation(chat, actor, id, message_id).await?;
    chat.service()
        .react(actor, message_id, reaction, add)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Adds the caller's reaction to a message (again: no change).
#[utoipa::path(
    tag = "messages",
    operation_id = "add_reaction",
    params(
        ("id" = i64, Path, description = "The conversation"),
        ("message_id" = i64, Path, description = "The message"),
        ("emoji" = ReactionName, Path, description = "thumbs_up, heart, laughing, surprised, sad or fire"),
    ),
    responses(
        (status = 204, description = "The caller's reaction is on the message"),
        (status = 422, description = "Not one of the six reactions", body = ErrorBody),
        Unauthorized,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[put("/conversations/{id}/messages/{message_id}/reactions/{emoji}")]
pub async fn add_reaction(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, ApiError> {
    react(&chat, &actor, path.into_inner(), true).await
}

/// Takes back the caller's reaction (none given: no change).
#[utoipa::path(
    tag = "messages",
    operation_id = "remove_reaction",
    params(
        ("id" = i64, Path, description = "The conversation"),
        ("message_id" = i64, Path, description = "The message"),
        ("emoji" = ReactionName, Path, description = "thumbs_up, heart, laughing, surprised, sad or fire"),
    ),
    responses(
        (status = 204, description = "The caller's reaction is not on the message"),
        (status = 422, description = "Not one of the six reactions", body = ErrorBody),
        Unauthorized,
        NotFound,
        Conflict,
    ),
    security(("bearer" = []))
)]
#[delete("/conversations/{id}/messages/{message_id}/reactions/{emoji}")]
pub async fn remove_reaction(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    path: web::Path<(i64, i64, String)>,
) -> Result<HttpResponse, ApiError> {
    react(&chat, &actor, path.into_inner(), false).await
}

/// Marks the conversation read by the caller's side, up to a message (the
/// newest when left out). Never moves back.
#[utoipa::path(
    tag = "conversations",
    operation_id = "mark_read",
    params(("id" = i64, Path, description = "The conversation")),
    request_body = ReadIn,
    responses(
        (status = 200, description = "The conversation after it", body = ConversationOut),
        BodyErrors,
        Unauthorized,
        NotFound,
    ),
    security(("bearer" = []))
)]
#[post("/conversations/{id}/read")]
pub async fn mark_read(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
    id: web::Path<i64>,
    body: web::Json<ReadIn>,
) -> Result<HttpResponse, ApiError> {
    let conversation = chat
        .service()
        .mark_read(&actor, id.into_inner(), body.up_to.map(|id| id.0))
        .await?;
    Ok(HttpResponse::Ok().json(ConversationOut::of(&actor, &conversation)))
}

/// The caller's unread badges: messages and notifications.
#[utoipa::path(
    tag = "notifications",
    operation_id = "unread",
    responses(
        (status = 200, description = "The badges", body = Unread),
        Unauthorized,
    ),
    security(("bearer" = []))
)]
#[get("/unread")]
pub async fn unread(
    chat: web::Data<Storechat>,
    ApiActor(actor): ApiActor,
) -> Result<HttpResponse, ApiError> {
    let service = chat.service();
    let messages = if actor.role == Role::Customer {
        service.unread_for_customer(&actor).await?
    } else {
        service.unread_for_admin(&actor).await?
    };
    let notifications = service.unread_notifications(&actor).await?;
    Ok(HttpResponse::Ok().json(Unread {
        messages,
        notifications,
    }))
}
