//! Failures before a page knows who is asking (the actor extractor): a
//! sign-in redirect, or a standalone error page. Everything after that goes
//! through [`super::page::Page`].

use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};

/// A failure of the actor extractor, ready to be sent.
#[derive(Debug)]
pub struct PageError {
    status: StatusCode,
    location: Option<String>,
}

impl PageError {
    /// Send the person to sign in.
    pub fn sign_in(location: String) -> PageError {
        PageError {
            status: StatusCode::SEE_OTHER,
            location: Some(location),
        }
    }

    /// The plugin's routes were mounted without its data.
    pub fn misconfigured() -> PageError {
        tracing::error!("storechat routes were mounted without Storechat::configure");
        Self::standalone_internal()
    }

    /// The host could not tell who is asking.
    pub fn standalone_internal() -> PageError {
        PageError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
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
        response.insert_header(header::CacheControl(vec![header::CacheDirective::NoStore]));
        match &self.location {
            Some(location) => response.insert_header((header::LOCATION, location.as_str())).finish(),
            None => response.content_type("text/html; charset=utf-8").body(
                "<!doctype html><meta charset=utf-8><title>Something went wrong</title>\
                 <p style=\"font:16px system-ui;margin:3em auto;max-width:30em\">Something went wrong on our side; \
                 please try again in a moment.</p>",
            ),
        }
    }
}
