//! Turning templates into responses, and the store's error responses.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use crate::shop::ShopError;

/// A failure a handler cannot turn into a page of its own. The cause goes to
/// the log; the visitor sees a short apology.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// The store's database failed.
    #[error(transparent)]
    Shop(#[from] ShopError),
    /// The chat service failed.
    #[error(transparent)]
    Chat(#[from] storechat::ChatError),
    /// A template failed to render.
    #[error("template: {0}")]
    Template(#[from] askama::Error),
    /// Anything else that should not happen (a session that cannot be
    /// written, a blocking task that died).
    #[error("{0}")]
    Internal(String),
    /// The application data is missing (a wiring bug).
    #[error("the store's state is not registered")]
    Misconfigured,
}

#[derive(Template)]
#[template(path = "plain_error.html")]
struct PlainError {
    status: u16,
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            WebError::Shop(ShopError::Store(_))
            | WebError::Chat(storechat::ChatError::Store(_)) => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        tracing::error!(error = %self, "request failed");
        let status = self.status_code();
        let body = PlainError {
            status: status.as_u16(),
        }
        .render()
        .unwrap_or_else(|_| "Something went wrong.".into());
        html(status, body)
    }
}

/// An HTML response that no cache keeps: every page shows personal data.
pub fn html(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(header::CacheControl(vec![header::CacheDirective::NoStore]))
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// Renders a page template.
pub fn page(status: StatusCode, template: &impl Template) -> Result<HttpResponse, WebError> {
    Ok(html(status, template.render()?))
}

/// A redirect after a form post, or to another page (303 See Other).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// Where to send someone who must sign in first.
pub fn sign_in_redirect(return_to: &str) -> HttpResponse {
    see_other(&format!("/login?next={}", urlencoding::encode(return_to)))
}
