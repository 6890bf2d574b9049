//! The plain frame used when the host has none, and the plugin's `<head>`.

use actix_web::HttpResponse;
use actix_web::http::header;
use askama::Template;

use crate::Storechat;
use crate::adapter::PageFrame;

#[derive(Template)]
#[template(path = "standalone.html")]
struct Standalone<'a> {
    title: &'a str,
    head: &'a str,
    body: &'a str,
}

/// A complete HTML page around a plugin body, for hosts without a layout.
pub fn standalone(frame: PageFrame<'_>) -> String {
    Standalone {
        title: frame.title,
        head: frame.head,
        body: frame.body,
    }
    .render()
    .unwrap_or_default()
}

/// The plugin's `<head>` markup: its stylesheet.
pub(crate) fn head(chat: &Storechat) -> String {
    format!(
        "<link rel=\"stylesheet\" href=\"{}/storechat.css?v={}\">",
        chat.config().routes.assets,
        env!("CARGO_PKG_VERSION")
    )
}

/// A redirect after a successful form post (POST, redirect, GET).
pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
