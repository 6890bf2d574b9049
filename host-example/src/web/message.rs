//! One-message pages in the storefront layout: not found, not allowed,
//! form expired.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use askama::Template;

use super::chrome::Chrome;
use super::render::{WebError, page};
use super::visitor::Visitor;

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    chrome: Chrome,
    icon: &'a str,
    heading: &'a str,
    text: &'a str,
    link_href: &'a str,
    link_label: &'a str,
}

async fn show(
    visitor: &Visitor,
    status: StatusCode,
    icon: &str,
    heading: &str,
    text: &str,
) -> Result<HttpResponse, WebError> {
    let chrome = visitor.chrome("").await;
    page(
        status,
        &MessagePage {
            chrome,
            icon,
            heading,
            text,
            link_href: "/",
            link_label: "Back to the shop",
        },
    )
}

/// 404.
pub async fn not_found(visitor: &Visitor) -> Result<HttpResponse, WebError> {
    show(
        visitor,
        StatusCode::NOT_FOUND,
        "🧭",
        "Page not found",
        "There is nothing at this address. It may have moved, or the link may be mistyped.",
    )
    .await
}

/// 403 for a signed-in person without the right role.
pub async fn forbidden(visitor: &Visitor, text: &str) -> Result<HttpResponse, WebError> {
    show(
        visitor,
        StatusCode::FORBIDDEN,
        "🔒",
        "You don't have access to this page",
        text,
    )
    .await
}

/// 403 for a form post whose token is missing or wrong.
pub async fn form_expired(visitor: &Visitor) -> Result<HttpResponse, WebError> {
    show(
        visitor,
        StatusCode::FORBIDDEN,
        "⏳",
        "This form has expired",
        "Nothing was changed. Please go back, reload the page and try again.",
    )
    .await
}
