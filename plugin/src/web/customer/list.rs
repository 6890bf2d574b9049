//! `GET /` — the customer's conversations, newest activity first.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::views::ConversationRow;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::Role;
use crate::service::PageCursor;
use crate::web::SignedIn;
use crate::web::format::badge;
use crate::web::layout::{respond, see_other};
use crate::web::page_error::PageError;

const PAGE_SIZE: i64 = 20;

#[derive(Deserialize)]
pub(super) struct ListQuery {
    after: Option<String>,
}

#[derive(Template)]
#[template(path = "customer/list.html")]
struct ListPage<'a> {
    prefix: &'a str,
    rows: Vec<ConversationRow>,
    next_href: Option<String>,
    first_page_href: Option<String>,
    unread_notifications: Option<String>,
}

pub(super) async fn list(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let area = PageArea::CustomerMessages;
    if actor.role == Role::Staff {
        return Ok(see_other(&format!("{}/", chat.config().routes.admin)));
    }
    let prefix = chat.config().routes.customer.as_str();
    let after = query.after.as_deref().and_then(PageCursor::decode);
    let service = chat.service();
    let page = service
        .list_conversations(&actor, after, PAGE_SIZE)
        .await
        .map_err(|e| PageError::from_chat(&chat, &actor, area, e))?;
    let unread = service
        .unread_notifications(&actor)
        .await
        .map_err(|e| PageError::from_chat(&chat, &actor, area, e))?;
    let now = crate::store::now();
    let content = ListPage {
        prefix,
        rows: page
            .items
            .iter()
            .map(|c| ConversationRow::new(prefix, c, now))
            .collect(),
        next_href: page.next.map(|c| format!("{prefix}/?after={}", c.encode())),
        first_page_href: after.map(|_| format!("{prefix}/")),
        unread_notifications: badge(unread),
    }
    .render()
    .map_err(|_| PageError::standalone_internal())?;
    Ok(respond(
        &chat,
        &actor,
        area,
        StatusCode::OK,
        "Messages",
        &content,
    ))
}
