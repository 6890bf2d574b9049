//! `GET /{id}/preview/` — the latest messages at a glance, without marking
//! anything read. The list opens it in a dialog (`?fragment=1` returns just
//! the panel); without JavaScript it is a page of its own.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::{parse_id, store_side};
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::Side;
use crate::error::ChatError;
use crate::store::MessageKind;
use crate::web::SignedIn;
use crate::web::format::{exact_time, relative_time};
use crate::web::page::Page;

const LATEST: i64 = 8;

struct Line {
    side: &'static str,
    sender: String,
    body: String,
    when: String,
    when_exact: String,
    deleted: bool,
}

#[derive(Template)]
#[template(path = "conversation_preview.html")]
struct Preview<'a> {
    subject: &'a str,
    customer: &'a str,
    status_label: &'static str,
    status_class: &'static str,
    lines: Vec<Line>,
    earlier: bool,
    change_href: String,
    /// In the list's dialog, which has its own buttons.
    fragment: bool,
}

#[derive(Deserialize)]
pub(super) struct PreviewQuery {
    fragment: Option<u8>,
}

pub(super) async fn show(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    query: web::Query<PreviewQuery>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    let result = async {
        store_side(&actor)?;
        let id = parse_id(&path)?;
        let view = chat
            .service()
            .get_conversation(&actor, id, None, LATEST)
            .await?;
        let c = &view.conversation;
        let now = crate::store::now();
        let preview = Preview {
            subject: &c.subject,
            customer: &c.customer_name,
            status_label: c.status.label(),
            status_class: super::spec::status_class(c.status),
            lines: view
                .messages
                .iter()
                .map(|m| Line {
                    side: match (m.kind, m.sender_side) {
                        (MessageKind::System, _) | (_, Side::System) => "system",
                        (_, Side::Customer) => "theirs",
                        _ => "mine",
                    },
                    sender: m.sender_name.clone(),
                    body: m.display_text(),
                    when: relative_time(m.created_at, now),
                    when_exact: exact_time(m.created_at),
                    deleted: m.is_deleted(),
                })
                .collect(),
            earlier: view.has_earlier,
            change_href: format!("{}/{id}/change/", chat.config().routes.admin),
            fragment: query.fragment == Some(1),
        };
        if query.fragment == Some(1) {
            let html = preview
                .render()
                .map_err(|e| crate::store::StoreError::Unavailable(e.to_string()))?;
            return Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(html));
        }
        Ok::<_, ChatError>(page.render(StatusCode::OK, &c.subject, &preview).await)
    }
    .await;
    page.outcome(result).await
}
