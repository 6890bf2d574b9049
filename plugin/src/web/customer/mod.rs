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

crate::web::route_table::page_routes! {
    ROUTES, mount;
    get "" => to_root,
    get "/" => list::list,
    get "/new/" => compose::form,
    post "/new/" => compose::submit,
    get "/badge.json" => notifications::badge_counts,
    get "/widget.json" => json::widget,
    get "/conversations.json" => json::list,
    post "/conversations.json" => json::open,
    get "/{id}/messages.json" => json::messages,
    get "/email/" => email::settings,
    post "/email/" => email::save_settings,
    get "/email/unsubscribe/" => email::confirm,
    post "/email/unsubscribe/" => email::unsubscribe_now,
    get "/notifications/" => notifications::list,
    get "/notifications.json" => notifications_json::list,
    post "/notifications/read-all.json" => notifications_json::read_all,
    post "/notifications/{id}/read.json" => notifications_json::read_one,
    post "/notifications/read-all/" => notifications::read_all,
    post "/notifications/{id}/read/" => notifications::open,
    get "/{id}/" => thread::show,
    post "/{id}/send/" => thread::send,
}

pub(crate) fn scope(prefix: &str) -> actix_web::Scope {
    mount(web::scope(prefix).app_data(
        web::FormConfig::default()
            .limit(FORM_LIMIT)
            .error_handler(|err, _| {
                let response = HttpResponse::PayloadTooLarge()
                    .content_type("text/plain; charset=utf-8")
                    .body("This form is too large to be accepted. Messages can be at most 10,000 characters.");
                InternalError::from_response(err, response).into()
            }),
    ))
}

/// The prefix without its slash goes to the list.
async fn to_root(chat: web::Data<crate::Storechat>) -> HttpResponse {
    see_other(&format!("{}/", chat.config().routes.customer))
}

/// Only customers open conversations here: staff open them from the admin
/// panel (with a customer picker), vendors answer but never open.
fn customers_only(actor: &crate::domain::Actor) -> Result<(), crate::error::ChatError> {
    match actor.role {
        crate::domain::Role::Customer => Ok(()),
        crate::domain::Role::Staff => Err(crate::error::ChatError::Forbidden(
            "Staff open conversations from the admin panel.",
        )),
        crate::domain::Role::Vendor => Err(crate::error::ChatError::Forbidden(
            "Vendors answer conversations about their products; they cannot open new ones.",
        )),
    }
}

/// Path ids that are not numbers are simply not found.
fn parse_id(raw: &str) -> Result<i64, crate::error::ChatError> {
    raw.parse::<i64>()
        .map_err(|_| crate::error::ChatError::ConversationNotFound)
}
