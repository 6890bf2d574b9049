//! `GET /{id}/delete/` asks, `POST /{id}/delete/` deletes — only a CLOSED
//! conversation; anything else is refused with the reason.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::flash;
use super::form::Fields;
use super::{parse_id, staff_only};
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::Status;
use crate::error::ChatError;
use crate::store::Conversation;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::page::Page;

/// A conversation about to be deleted.
pub(super) struct Target {
    id: i64,
    subject: String,
    customer: String,
    status_label: &'static str,
    status_class: &'static str,
    closed: bool,
    change_href: String,
}

impl Target {
    pub fn of(base: &str, c: &Conversation) -> Target {
        Target {
            id: c.id,
            subject: c.subject.clone(),
            customer: c.customer_name.clone(),
            status_label: c.status.label(),
            status_class: super::spec::status_class(c.status),
            closed: c.status == Status::Closed,
            change_href: format!("{base}/{}/change/", c.id),
        }
    }
}

#[derive(Template)]
#[template(path = "conversation_delete.html")]
pub(super) struct DeletePage {
    targets: Vec<Target>,
    action: String,
    back: String,
    csrf: String,
    pub blocked: bool,
}

impl DeletePage {
    pub fn new(page: &Page<'_>, targets: Vec<Target>, action: String, back: &str) -> DeletePage {
        DeletePage {
            blocked: targets.iter().any(|t| !t.closed),
            targets,
            action,
            back: back.to_owned(),
            csrf: csrf::token(&page.chat.config().secret, page.actor),
        }
    }
}

pub(super) async fn confirm(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    let result = async {
        staff_only(&actor)?;
        let id = parse_id(&path)?;
        let view = chat.service().get_conversation(&actor, id, None, 1).await?;
        let base = &chat.config().routes.admin;
        let content = DeletePage::new(
            &page,
            vec![Target::of(base, &view.conversation)],
            format!("{base}/{id}/delete/"),
            &format!("{base}/"),
        );
        let status = if content.blocked {
            StatusCode::CONFLICT
        } else {
            StatusCode::OK
        };
        Ok::<_, ChatError>(page.render(status, "Delete conversation", &content).await)
    }
    .await;
    page.outcome(result).await
}

pub(super) async fn delete(
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
    if !csrf::verify(&chat.config().secret, &actor, fields.csrf()) {
        return page.forbidden_form().await;
    }
    let list = format!("{}/", chat.config().routes.admin);
    let result = async {
        let id = parse_id(&path)?;
        chat.service().delete_conversations(&actor, &[id]).await
    }
    .await;
    match result {
        Ok(_) => flash::redirect(&list, false, "Deleted 1 conversation."),
        Err(e @ (ChatError::NotClosed(_) | ChatError::Invalid(_))) => {
            flash::redirect(&list, true, &e.to_string())
        }
        Err(e) => page.error(e).await,
    }
}
