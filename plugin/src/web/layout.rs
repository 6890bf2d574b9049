//! Putting a plugin page into the host's frame, and the plain frame used
//! when the host has none.

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use askama::Template;

use crate::Storechat;
use crate::adapter::{PageArea, PageFrame};
use crate::domain::{Actor, Role};

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

/// Renders `content` inside the host's customer or admin frame.
pub(crate) fn frame(
    chat: &Storechat,
    actor: &Actor,
    area: PageArea,
    title: &str,
    content: &str,
) -> String {
    let head = head(chat);
    let frame = PageFrame {
        title,
        head: &head,
        body: content,
        actor,
        area,
    };
    let host = chat.service().host();
    match (area, actor.role) {
        (PageArea::AdminConversations, _) | (_, Role::Staff) => host.admin_page(frame),
        _ => host.customer_page(frame),
    }
}

/// An HTML response of a framed page.
pub(crate) fn respond(
    chat: &Storechat,
    actor: &Actor,
    area: PageArea,
    status: StatusCode,
    title: &str,
    content: &str,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(header::CacheControl(vec![header::CacheDirective::NoStore]))
        .content_type("text/html; charset=utf-8")
        .body(frame(chat, actor, area, title, content))
}

/// A redirect after a successful form post (POST, redirect, GET).
pub(crate) fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish()
}
