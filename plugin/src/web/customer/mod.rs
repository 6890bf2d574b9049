//! Customer pages under the customer prefix (default `/dashboard/messages`):
//! the list, a new-conversation form, the thread and notifications. Every
//! page works without JavaScript: forms post, then redirect.

mod compose;
mod email;
mod json;
mod list;
mod notifications;
mod notifications_json;
mod thread;
mod views;

use actix_web::error::InternalError;
use actix_web::{HttpResponse, web};

use super::layout::see_other;

/// Largest form post accepted. A 10,000-character message of four-byte
/// characters, percent-encoded, is 120 KB.
const FORM_LIMIT: usize = 256 * 1024;

pub(crate) fn scope(prefix: &str) -> actix_web::Scope {
    let root = format!("{prefix}/");
    web::scope(prefix)
        .app_data(web::FormConfig::default().limit(FORM_LIMIT).error_handler(|err, _| {
            let response = HttpResponse::PayloadTooLarge()
                .content_type("text/plain; charset=utf-8")
                .body("This form is too large to be accepted. Messages can be at most 10,000 characters.");
            InternalError::from_response(err, response).into()
        }))
        .route("", web::get().to(move || {
            let root = root.clone();
            async move { see_other(&root) }
        }))
        .route("/", web::get().to(list::list))
        .route("/new/", web::get().to(compose::form))
        .route("/new/", web::post().to(compose::submit))
        .route("/badge.json", web::get().to(notifications::badge_counts))
        .route("/conversations.json", web::get().to(json::list))
        .route("/conversations.json", web::post().to(json::open))
        .route("/{id}/messages.json", web::get().to(json::messages))
        .route("/email/", web::get().to(email::settings))
        .route("/email/", web::post().to(email::save_settings))
        .route("/email/unsubscribe/", web::get().to(email::confirm))
        .route("/email/unsubscribe/", web::post().to(email::unsubscribe_now))
        .route("/notifications/", web::get().to(notifications::list))
        .route("/notifications.json", web::get().to(notifications_json::list))
        .route("/notifications/read-all.json", web::post().to(notifications_json::read_all))
        .route("/notifications/{id}/read.json", web::post().to(notifications_json::read_one))
        .route("/notifications/read-all/", web::post().to(notifications::read_all))
        .route("/notifications/{id}/read/", web::post().to(notifications::open))
        .route("/{id}/", web::get().to(thread::show))
        .route("/{id}/send/", web::post().to(thread::send))
}

/// Path ids that are not numbers are simply not found.
fn parse_id(raw: &str) -> Result<i64, crate::error::ChatError> {
    raw.parse::<i64>()
        .map_err(|_| crate::error::ChatError::ConversationNotFound)
}
