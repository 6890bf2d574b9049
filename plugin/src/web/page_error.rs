//! Errors of the page surface: a sign-in redirect or an error page inside
//! the host's frame. Built once from [`ChatError`]; causes go to the log.

use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use askama::Template;

use super::layout;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::Actor;
use crate::error::ChatError;

/// A page-surface error, ready to be sent.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    body: String,
    location: Option<String>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorBody<'a> {
    title: &'a str,
    message: &'a str,
    back_href: &'a str,
    back_label: &'a str,
}

impl PageError {
    /// Send the person to sign in.
    pub fn sign_in(location: String) -> PageError {
        PageError {
            status: StatusCode::SEE_OTHER,
            body: String::new(),
            location: Some(location),
        }
    }

    /// The plugin's routes were mounted without its data.
    pub fn misconfigured() -> PageError {
        tracing::error!("storechat routes were mounted without Storechat::configure");
        Self::standalone_internal()
    }

    /// A failure before anyone is known: a standalone page.
    pub fn standalone_internal() -> PageError {
        let body = ErrorBody {
            title: "Something went wrong",
            message: "Something went wrong on our side; please try again.",
            back_href: "/",
            back_label: "Back to the shop",
        }
        .render()
        .unwrap_or_default();
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            body,
            location: None,
        }
    }

    /// A refused form post (missing or wrong CSRF token).
    pub fn forbidden_form(chat: &Storechat, actor: &Actor, area: PageArea) -> PageError {
        Self::page(
            chat,
            actor,
            area,
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form could not be accepted (its security token is missing or wrong). Nothing was changed. Please go back, reload the page and try again.",
        )
    }

    /// An error page for a chat error, inside the host's frame.
    pub fn from_chat(
        chat: &Storechat,
        actor: &Actor,
        area: PageArea,
        error: ChatError,
    ) -> PageError {
        if error.is_internal() {
            tracing::error!(error = ?error, "chat operation failed");
        }
        let title = match &error {
            ChatError::ConversationNotFound
            | ChatError::MessageNotFound
            | ChatError::NotificationNotFound => "Not found",
            ChatError::Forbidden(_) => "Not allowed",
            ChatError::Store(_) | ChatError::Host(_) => "Something went wrong",
            _ => "That did not work",
        };
        Self::page(
            chat,
            actor,
            area,
            error.http_status(),
            title,
            &error.to_string(),
        )
    }

    fn page(
        chat: &Storechat,
        actor: &Actor,
        area: PageArea,
        status: StatusCode,
        title: &str,
        message: &str,
    ) -> PageError {
        let (back_href, back_label) = match area {
            PageArea::AdminConversations => (
                format!("{}/", chat.config().routes.admin),
                "Back to conversations",
            ),
            _ => (
                format!("{}/", chat.config().routes.customer),
                "Back to your messages",
            ),
        };
        let content = ErrorBody {
            title,
            message,
            back_href: &back_href,
            back_label,
        }
        .render()
        .unwrap_or_default();
        let body = layout::frame(chat, actor, area, title, &content);
        PageError {
            status,
            body,
            location: None,
        }
    }
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "page error {}", self.status)
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(location) = &self.location {
            response.insert_header((header::LOCATION, location.as_str()));
        }
        response
            .insert_header(header::CacheControl(vec![header::CacheDirective::NoStore]))
            .content_type("text/html; charset=utf-8")
            .body(self.body.clone())
    }
}
