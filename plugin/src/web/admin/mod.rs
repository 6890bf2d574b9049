//! The admin panels under the admin prefix (default
//! `/admin/dashboard/conversation`), rendered inside the host's admin frame:
//! the list with filters, search, sort and bulk actions; the change view with
//! the MessageHistoryPanel and `reply_body`; the create form; the live
//! three-pane inbox (`inbox/`). Staff only;
//! every POST carries a CSRF token.

mod bulk;
mod change;
mod create;
mod delete;
pub(super) mod export;
mod flash;
mod form;
mod inbox;
mod list;
mod mail;
pub(super) mod params;
mod preview;
mod spec;

use actix_web::error::InternalError;
use actix_web::{HttpResponse, web};

use crate::domain::Actor;
use crate::error::ChatError;

/// Largest form post accepted (a 10,000-character reply, percent-encoded,
/// plus up to a few thousand bulk ids).
const FORM_LIMIT: usize = 512 * 1024;

pub(crate) fn scope(prefix: &str) -> actix_web::Scope {
    let root = format!("{prefix}/");
    web::scope(prefix)
        .app_data(web::PayloadConfig::new(FORM_LIMIT))
        .app_data(
            web::FormConfig::default()
                .limit(FORM_LIMIT)
                .error_handler(|err, _| {
                    let response = HttpResponse::PayloadTooLarge()
                        .content_type("text/plain; charset=utf-8")
                        .body("This form is too large to be accepted.");
                    InternalError::from_response(err, response).into()
                }),
        )
        .route(
            "",
            web::get().to(move || {
                let root = root.clone();
                async move { crate::web::layout::see_other(&root) }
            }),
        )
        .route("/", web::get().to(list::list))
        .service(inbox::scope())
        .route("/columns/", web::get().to(list::toggle_dates))
        .route("/badge.json", web::get().to(list::badge))
        .route("/mail/", web::get().to(mail::show))
        .route("/mail/{id}/retry/", web::post().to(mail::retry))
        .route("/bulk/", web::post().to(bulk::run))
        .route("/bulk/delete/", web::post().to(bulk::delete_confirmed))
        .route("/add/", web::get().to(create::form))
        .route("/add/", web::post().to(create::submit))
        .route("/{id}/change/", web::get().to(change::show))
        .route("/{id}/change/", web::post().to(change::save))
        .route("/{id}/assign/", web::post().to(change::assign))
        .route("/{id}/priority/", web::post().to(change::priority))
        .route(
            "/{id}/customer-action/",
            web::post().to(change::customer_action),
        )
        .route(
            "/{id}/messages/{message}/remove/",
            web::post().to(change::remove_message),
        )
        .route(
            "/{id}/messages/{message}/read/",
            web::post().to(change::read_up_to),
        )
        .route("/{id}/preview/", web::get().to(preview::show))
        .route("/{id}/delete/", web::get().to(delete::confirm))
        .route("/{id}/delete/", web::post().to(delete::delete))
}

/// The panels are for staff; anyone else signed in gets a 403 page.
fn staff_only(actor: &Actor) -> Result<(), ChatError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(ChatError::Forbidden(
            "The conversation panels are for the store's staff.",
        ))
    }
}

/// Path ids that are not numbers are simply not found.
fn parse_id(raw: &str) -> Result<i64, ChatError> {
    raw.parse::<i64>()
        .map_err(|_| ChatError::ConversationNotFound)
}
