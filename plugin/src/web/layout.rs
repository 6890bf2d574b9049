//! The plain frame used when the host has none, and the plugin's `<head>`.

use actix_web::HttpResponse;
use actix_web::http::header;
use askama::Template;

use crate::Storechat;
use crate::adapter::{PageArea, PageFrame};

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

/// The plugin's `<head>` markup: its stylesheet, and on admin pages the
/// small script that adds the preview dialog, check-all and auto-submitting
/// filters (every page works without it).
pub(crate) fn head(chat: &Storechat, area: PageArea) -> String {
    let assets = &chat.config().routes.assets;
    let version = env!("CARGO_PKG_VERSION");
    let mut head = format!("<link rel=\"stylesheet\" href=\"{assets}/storechat.css?v={version}\">");
    if area == PageArea::AdminConversations {
        head.push_str(&format!(
            "<script defer src=\"{assets}/storechat-admin.js?v={version}\"></script>"
        ));
    }
    head
}

/// A redirect after a successful form post (POST, redirect, GET).
pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A complete standalone page for visitors who are not signed in (the
/// unsubscribe link), with the plugin's stylesheet.
pub(crate) fn standalone_page(chat: &Storechat, title: &str, body: &str) -> String {
    let head = head(chat, PageArea::CustomerMessages);
    Standalone {
        title,
        head: &head,
        body,
    }
    .render()
    .unwrap_or_default()
}
