//! `GET /` — the customer's conversations, newest activity first.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::views::ConversationRow;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::Role;
use crate::error::ChatError;
use crate::service::PageCursor;
use crate::web::SignedIn;
use crate::web::format::badge;
use crate::web::layout::see_other;
use crate::web::page::Page;

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
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    query: web::Query<ListQuery>,
) -> HttpResponse {
    if actor.role == Role::Staff {
        return see_other(&format!("{}/", chat.config().routes.admin));
    }
    let page = Page::new(&req, &chat, &actor, PageArea::CustomerMessages);
    let result = render(&page, query.after.as_deref()).await;
    page.outcome(result).await
}

async fn render(page: &Page<'_>, after: Option<&str>) -> Result<HttpResponse, ChatError> {
    let prefix = page.chat.config().routes.customer.as_str();
    let after = after.and_then(PageCursor::decode);
    let service = page.chat.service();
    let list = service
        .list_conversations(page.actor, after, PAGE_SIZE)
        .await?;
    let unread = service.unread_notifications(page.actor).await?;
    let now = crate::store::now();
    let content = ListPage {
        prefix,
        rows: list
            .items
            .iter()
            .map(|c| ConversationRow::new(prefix, c, now))
            .collect(),
        next_href: list.next.map(|c| format!("{prefix}/?after={}", c.encode())),
        first_page_href: after.map(|_| format!("{prefix}/")),
        unread_notifications: badge(unread),
    };
    Ok(page.render(StatusCode::OK, "Messages", &content).await)
}
