//! The inbox's forms, for when JavaScript is off or the WebSocket is not
//! connected: reply (optionally quoting a message), set the status, and a
//! host action from the customer panel; the hover actions on a message are
//! in [`super::actions`]. Each is staff only and CSRF-checked, goes through
//! the same service function as the WebSocket frame, and comes back to the
//! inbox as it was (`next`, checked to stay inside the admin panels).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::super::flash;
use super::super::form::{Fields, back_to};
use super::super::{parse_id, staff_only, store_side};
use super::InboxParams;
use super::page::{Draft, render};
use crate::Storechat;
use crate::adapter::{ActionOutcome, PageArea};
use crate::domain::{ClientMsgId, MessageBody, Status};
use crate::error::ChatError;
use crate::service::SendMessage;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::page::Page;

/// The store's side (staff, a vendor in their own conversations) with a
/// valid token may post; anyone else gets the refusal page.
pub(super) async fn refused(page: &Page<'_>, fields: &Fields) -> Option<HttpResponse> {
    if let Err(e) = store_side(page.actor) {
        return Some(page.error(e).await);
    }
    if !csrf::verify(&page.chat.config().secret, page.actor, fields.csrf()) {
        return Some(page.forbidden_form().await);
    }
    None
}

/// Where a form comes back to: its `next`, or the conversation in the inbox.
pub(super) fn back(chat: &Storechat, fields: &Fields, conversation_id: i64) -> String {
    let base = chat.config().routes.admin.as_str();
    match fields.get("next") {
        Some(_) => back_to(fields, base),
        None => InboxParams::default().href(base, Some(conversation_id)),
    }
}

/// The redirect after an action: its message on success; a refusal the
/// person can act on is shown on the inbox too, anything else as an error page.
pub(super) fn finish(
    location: &str,
    result: Result<String, ChatError>,
) -> Result<HttpResponse, ChatError> {
    match result {
        Ok(text) => Ok(flash::redirect(location, false, &text)),
        Err(
            e @ (ChatError::Invalid(_)
            | ChatError::MessageNotFound
            | ChatError::Forbidden(_)
            | ChatError::Closed),
        ) => Ok(flash::redirect(location, true, &e.to_string())),
        Err(e) => Err(e),
    }
}

/// The page again with a refused text in the box (422).
pub(super) async fn again(
    page: &Page<'_>,
    fields: &Fields,
    id: i64,
    edit: Option<i64>,
    error: String,
) -> Result<HttpResponse, ChatError> {
    let base = page.chat.config().routes.admin.as_str();
    let next = back_to(fields, base);
    let query = next.split_once('?').map_or("", |(_, q)| q);
    let params = InboxParams {
        open: Some(id),
        before: None,
        edit,
        reply_to: if edit.is_none() {
            fields.get("reply_to").and_then(|r| r.parse().ok())
        } else {
            None
        },
        ..InboxParams::parse(query)
    };
    let draft = Draft {
        text: fields.get("reply_body").unwrap_or_default().to_owned(),
        error,
    };
    render(page, &params, Some(draft), StatusCode::UNPROCESSABLE_ENTITY).await
}

/// `POST inbox/{id}/reply/`: `reply_body`, `client_msg_id`, `reply_to`.
pub(super) async fn reply(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refusal) = refused(&page, &fields).await {
        return refusal;
    }
    let result = async {
        let id = parse_id(&path)?;
        let location = back(&chat, &fields, id);
        let text = fields.get("reply_body").unwrap_or_default();
        if text.trim().is_empty() {
            return Ok(flash::redirect(
                &format!("{location}#composer"),
                true,
                "Nothing was sent: the reply was empty.",
            ));
        }
        let body = match MessageBody::parse(text) {
            Ok(body) => body,
            Err(invalid) => return again(&page, &fields, id, None, invalid.message).await,
        };
        let reply_to = match fields.get("reply_to").map(str::trim) {
            None | Some("") => None,
            Some(raw) => match raw.parse::<i64>() {
                Ok(mid) => Some(mid),
                Err(_) => return finish(&location, Err(ChatError::MessageNotFound)),
            },
        };
        let message = SendMessage {
            body,
            client_msg_id: fields
                .get("client_msg_id")
                .and_then(|raw| ClientMsgId::parse(raw).ok()),
            reply_to,
        };
        match chat.service().send_message(&actor, id, message).await {
            Ok(sent) => Ok(flash::redirect(
                &format!("{location}#m{}", sent.message.id),
                false,
                "Reply sent.",
            )),
            Err(e) => finish(&location, Err(e)),
        }
    }
    .await;
    page.outcome(result).await
}

/// `POST inbox/{id}/status/`: `status`.
pub(super) async fn status(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Err(e) = staff_only(&actor) {
        return page.error(e).await;
    }
    if let Some(refusal) = refused(&page, &fields).await {
        return refusal;
    }
    let result = async {
        let id = parse_id(&path)?;
        let location = back(&chat, &fields, id);
        let outcome = match fields.get("status").unwrap_or_default().parse::<Status>() {
            Ok(status) => {
                chat.service()
                    .set_status(&actor, id, status)
                    .await
                    .map(|(_, changed)| {
                        if changed {
                            format!("Status set to {}.", status.label())
                        } else {
                            format!("The status was already {}.", status.label())
                        }
                    })
            }
            Err(invalid) => Err(invalid.into()),
        };
        finish(&location, outcome)
    }
    .await;
    page.outcome(result).await
}

/// `POST inbox/{id}/customer-action/`: a host action from the customer panel.
pub(super) async fn customer_action(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Err(e) = staff_only(&actor) {
        return page.error(e).await;
    }
    if let Some(refusal) = refused(&page, &fields).await {
        return refusal;
    }
    let result = async {
        let id = parse_id(&path)?;
        let location = back(&chat, &fields, id);
        let service = chat.service();
        let c = service
            .get_conversation(&actor, id, None, 1)
            .await?
            .conversation;
        let value = fields.get("value").map(str::trim).filter(|v| !v.is_empty());
        let action = fields.get("action").unwrap_or_default();
        Ok(
            match service
                .host()
                .customer_action(&actor, &c.customer_id, action, value)
                .await?
            {
                ActionOutcome::Done(text) => flash::redirect(&location, false, &text),
                ActionOutcome::Refused(text) => flash::redirect(&location, true, &text),
            },
        )
    }
    .await;
    page.outcome(result).await
}
