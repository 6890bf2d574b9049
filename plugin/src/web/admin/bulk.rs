//! `POST /bulk/` — an action on the checked rows, and `POST /bulk/delete/`,
//! the confirmed delete. Each action is one service call, all or nothing:
//! an unknown id or a conversation in the way changes nothing and says why.

use actix_web::http::StatusCode;
use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpRequest, HttpResponse, web};

use super::delete::{DeletePage, Target};
use super::export;
use super::flash;
use super::form::{Fields, back_to};
use super::staff_only;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::Status;
use crate::error::ChatError;
use crate::service::Assignment;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::page::Page;

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

pub(super) async fn run(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Err(e) = staff_only(&actor) {
        return page.error(e).await;
    }
    if !csrf::verify(&chat.config().secret, &actor, fields.csrf()) {
        return page.forbidden_form().await;
    }
    let back = back_to(&fields, &chat.config().routes.admin);
    let ids = match fields.ids() {
        Ok(ids) if ids.is_empty() => {
            return flash::redirect(&back, true, "Check at least one conversation first.");
        }
        Ok(ids) => ids,
        Err(message) => return flash::redirect(&back, true, &message),
    };
    let service = chat.service();
    let done = match fields.get("action").unwrap_or("") {
        "mark_read" => service.mark_read_many(&actor, &ids).await.map(|n| {
            format!(
                "Marked {} read.",
                plural(n, "conversation", "conversations")
            )
        }),
        "resolve" => set_status(&chat, &actor, &ids, Status::Resolved).await,
        "close" => set_status(&chat, &actor, &ids, Status::Closed).await,
        "assign_me" => service
            .assign(&actor, &ids, Assignment::ToMe)
            .await
            .map(|c| {
                format!(
                    "Assigned {} to you.",
                    plural(c.len(), "conversation", "conversations")
                )
            }),
        "delete" => return confirm_delete(&page, &ids, &back).await,
        kind @ ("export_csv" | "export_xlsx") => {
            return match service.conversations_by_id(&actor, &ids).await {
                Ok(rows) => download(kind == "export_xlsx", &rows),
                Err(e) => flash::redirect(&back, true, &e.to_string()),
            };
        }
        _ => {
            return flash::redirect(
                &back,
                true,
                "Choose an action for the checked conversations.",
            );
        }
    };
    match done {
        Ok(message) => flash::redirect(&back, false, &message),
        Err(e) if e.is_internal() => page.error(e).await,
        Err(e) => flash::redirect(&back, true, &e.to_string()),
    }
}

async fn set_status(
    chat: &Storechat,
    actor: &crate::domain::Actor,
    ids: &[i64],
    status: Status,
) -> Result<String, ChatError> {
    let changed = chat.service().set_status_many(actor, ids, status).await?;
    let unchanged = ids.len().saturating_sub(changed);
    let mut message = format!(
        "Set {} to {}.",
        plural(changed, "conversation", "conversations"),
        status.label()
    );
    if unchanged > 0 {
        message.push_str(&format!(
            " {} already {}.",
            plural(unchanged, "was", "were"),
            status.label()
        ));
    }
    Ok(message)
}

/// The confirmation page of a bulk delete; refused up front, naming the
/// conversations in the way, when any is not CLOSED.
async fn confirm_delete(page: &Page<'_>, ids: &[i64], back: &str) -> HttpResponse {
    let rows = match page
        .chat
        .service()
        .conversations_by_id(page.actor, ids)
        .await
    {
        Ok(rows) => rows,
        Err(e) if e.is_internal() => return page.error(e).await,
        Err(e) => return flash::redirect(back, true, &e.to_string()),
    };
    let base = &page.chat.config().routes.admin;
    let content = DeletePage::new(
        page,
        rows.iter().map(|c| Target::of(base, c)).collect(),
        format!("{base}/bulk/delete/"),
        back,
    );
    let status = if content.blocked {
        StatusCode::CONFLICT
    } else {
        StatusCode::OK
    };
    page.render(status, "Delete conversations", &content).await
}

fn download(excel: bool, rows: &[crate::store::Conversation]) -> HttpResponse {
    let stamp = crate::store::now().format("%Y%m%d-%H%M%S");
    let (body, kind, name) = if excel {
        (
            export::xlsx(rows).map_err(|e| e.to_string()),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("conversations-{stamp}.xlsx"),
        )
    } else {
        (
            export::csv(rows).map_err(|e| e.to_string()),
            "text/csv; charset=utf-8",
            format!("conversations-{stamp}.csv"),
        )
    };
    match body {
        Ok(bytes) => HttpResponse::Ok()
            .content_type(kind)
            .insert_header(ContentDisposition {
                disposition: DispositionType::Attachment,
                parameters: vec![DispositionParam::Filename(name)],
            })
            .insert_header(("Cache-Control", "no-store"))
            .body(bytes),
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            HttpResponse::InternalServerError()
                .body("The export could not be written; please try again.")
        }
    }
}

/// The confirmed bulk delete.
pub(super) async fn delete_confirmed(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Err(e) = staff_only(&actor) {
        return page.error(e).await;
    }
    if !csrf::verify(&chat.config().secret, &actor, fields.csrf()) {
        return page.forbidden_form().await;
    }
    let back = back_to(&fields, &chat.config().routes.admin);
    let ids = match fields.ids() {
        Ok(ids) => ids,
        Err(message) => return flash::redirect(&back, true, &message),
    };
    match chat.service().delete_conversations(&actor, &ids).await {
        Ok(n) => flash::redirect(
            &back,
            false,
            &format!("Deleted {}.", plural(n, "conversation", "conversations")),
        ),
        Err(e) if e.is_internal() => page.error(e).await,
        Err(e) => flash::redirect(&back, true, &e.to_string()),
    }
}
