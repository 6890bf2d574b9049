//! The hover actions on a message as forms (edit and delete one's own,
//! react and take a reaction back), for when JavaScript is off or the
//! WebSocket is not connected. The same rules as [`super::forms`]: staff
//! only, CSRF-checked, the frame's service function, back to the inbox.

use actix_web::{HttpRequest, HttpResponse, web};

use super::super::form::Fields;
use super::super::parse_id;
use super::forms::{again, back, finish, refused};
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::MessageBody;
use crate::error::ChatError;
use crate::service::Reaction;
use crate::web::SignedIn;
use crate::web::page::Page;

/// Message ids that are not numbers are simply not found.
fn message_id(raw: &str) -> Result<i64, ChatError> {
    raw.parse::<i64>().map_err(|_| ChatError::MessageNotFound)
}

/// `POST inbox/{id}/messages/{message}/edit/`: `reply_body`, the new text.
pub(super) async fn edit(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refusal) = refused(&page, &fields).await {
        return refusal;
    }
    let result = async {
        let id = parse_id(&path.0)?;
        let mid = message_id(&path.1)?;
        in_conversation(&chat, &actor, id, mid).await?;
        let location = back(&chat, &fields, id);
        let body = match MessageBody::parse(fields.get("reply_body").unwrap_or_default()) {
            Ok(body) => body,
            Err(invalid) => return again(&page, &fields, id, Some(mid), invalid.message).await,
        };
        let outcome = chat
            .service()
            .edit_message(&actor, mid, body)
            .await
            .map(|_| "Message edited.".to_owned());
        finish(&format!("{location}#m{mid}"), outcome)
    }
    .await;
    page.outcome(result).await
}

/// `POST inbox/{id}/messages/{message}/delete/`.
pub(super) async fn delete(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refusal) = refused(&page, &fields).await {
        return refusal;
    }
    let result = async {
        let id = parse_id(&path.0)?;
        let mid = message_id(&path.1)?;
        in_conversation(&chat, &actor, id, mid).await?;
        let location = back(&chat, &fields, id);
        let outcome = chat
            .service()
            .delete_message(&actor, mid)
            .await
            .map(|_| "Message deleted.".to_owned());
        finish(&format!("{location}#m{mid}"), outcome)
    }
    .await;
    page.outcome(result).await
}

/// `POST inbox/{id}/messages/{message}/react/`: `emoji` adds that reaction,
/// `unreact` takes it back (the names of the WebSocket frames; each is a
/// submit button's name, so one form holds every choice).
pub(super) async fn react(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refusal) = refused(&page, &fields).await {
        return refusal;
    }
    let result = async {
        let id = parse_id(&path.0)?;
        let mid = message_id(&path.1)?;
        in_conversation(&chat, &actor, id, mid).await?;
        let location = back(&chat, &fields, id);
        let (name, add) = match (fields.get("emoji"), fields.get("unreact")) {
            (_, Some(name)) => (name, false),
            (Some(name), None) => (name, true),
            (None, None) => ("", true),
        };
        let outcome = match Reaction::parse(name) {
            Ok(reaction) => chat
                .service()
                .react(&actor, mid, reaction, add)
                .await
                .map(|_| {
                    if add {
                        "Reaction added.".to_owned()
                    } else {
                        "Reaction taken back.".to_owned()
                    }
                }),
            Err(invalid) => Err(invalid.into()),
        };
        finish(&format!("{location}#m{mid}"), outcome)
    }
    .await;
    page.outcome(result).await
}

/// A message of conversation `id` the actor may see; anything else is a
/// conversation they cannot reach: the 404 page, as on every route.
async fn in_conversation(
    chat: &Storechat,
    actor: &crate::domain::Actor,
    id: i64,
    message: i64,
) -> Result<(), ChatError> {
    match chat.service().message_conversation(actor, message).await {
        Ok(found) if found == id => Ok(()),
        Ok(_) | Err(ChatError::MessageNotFound) => Err(ChatError::ConversationNotFound),
        Err(e) => Err(e),
    }
}
