//! The admin site: staff only. Anonymous visitors are sent to sign in;
//! signed-in people who are not staff get a 403 page.

pub(super) mod catalog;
pub(super) mod dashboard;
pub(super) mod orders;

use actix_web::{HttpRequest, HttpResponse};

use super::message;
use super::render::{WebError, see_other, sign_in_redirect};
use super::visitor::Visitor;
use crate::shop::User;

/// `/admin` without the slash.
pub(super) async fn home() -> HttpResponse {
    see_other("/admin/")
}

/// The staff member behind the request, or the response to send instead.
pub(super) async fn staff(
    req: &HttpRequest,
    visitor: &Visitor,
) -> Result<Result<User, HttpResponse>, WebError> {
    match &visitor.user {
        Some(user) if user.is_staff() => Ok(Ok(user.clone())),
        Some(_) => Ok(Err(message::forbidden(
            visitor,
            "The admin site is for the store's staff. If you work here, sign in with your staff account.",
        )
        .await?)),
        None => {
            // After a refused form post, come back to the page, not to the post's URL.
            let return_to = if req.method() == actix_web::http::Method::GET { req.uri().to_string() } else { "/admin/".to_owned() };
            Ok(Err(sign_in_redirect(&return_to)))
        }
    }
}
