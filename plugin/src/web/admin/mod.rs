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
mod settings;
mod spec;

use actix_web::error::InternalError;
use actix_web::{HttpResponse, web};

use crate::domain::Actor;
use crate::error::ChatError;

/// Largest form post accepted (a 10,000-character reply, percent-encoded,
/// plus up to a few thousand bulk ids).
const FORM_LIMIT: usize = 512 * 1024;

crate::web::route_table::page_routes! {
    ROUTES, mount;
    get "" => to_root,
    get "/" => list::list,
    get "/columns/" => list::toggle_dates,
    get "/badge.json" => list::badge,
    get "/mail/" => mail::show,
    get "/settings/" => settings::show,
    post "/settings/" => settings::save,
    post "/mail/{id}/retry/" => mail::retry,
    post "/bulk/" => bulk::run,
    post "/bulk/delete/" => bulk::delete_confirmed,
    get "/add/" => create::form,
    post "/add/" => create::submit,
    get "/{id}/change/" => change::show,
    post "/{id}/change/" => change::save,
    post "/{id}/assign/" => change::assign,
    post "/{id}/priority/" => change::priority,
    post "/{id}/customer-action/" => change::customer_action,
    post "/{id}/messages/{message}/remove/" => change::remove_message,
    post "/{id}/messages/{message}/read/" => change::read_up_to,
    get "/{id}/preview/" => preview::show,
    get "/{id}/delete/" => delete::confirm,
    post "/{id}/delete/" => delete::delete,
}

/// The inbox's prefix under the admin prefix.
pub(crate) const INBOX: &str = "/inbox";
pub(crate) use inbox::ROUTES as INBOX_ROUTES;

pub(crate) fn scope(prefix: &str) -> actix_web::Scope {
    // The inbox first: its paths would otherwise match `/{id}/…`.
    let scope = web::scope(prefix)
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
        .service(inbox::scope());
    mount(scope)
}

/// The prefix without its slash goes to the list.
async fn to_root(chat: web::Data<crate::Storechat>) -> HttpResponse {
    crate::web::layout::see_other(&format!("{}/", chat.config().routes.admin))
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

/// The store's side: staff, and vendors for the conversations about their
/// own products (the service scopes what a vendor sees). Customers get 403.
fn store_side(actor: &Actor) -> Result<(), ChatError> {
    if actor.role == crate::domain::Role::Customer {
        Err(ChatError::Forbidden(
            "The conversation panels are for the store's staff and vendors.",
        ))
    } else {
        Ok(())
    }
}

/// Path ids that are not numbers are simply not found.
fn parse_id(raw: &str) -> Result<i64, ChatError> {
    raw.parse::<i64>()
        .map_err(|_| ChatError::ConversationNotFound)
}
