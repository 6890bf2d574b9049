//! The plugin's static files, compiled into the crate.
//!
//! The plugin's own pages link them with `?v={crate version}`: those URLs
//! never change content and are cached for a year. A store's own tags
//! (the widget, the live badges) have no version to bump on an upgrade, so
//! without `v` the browser revalidates each time (`no-cache` with an ETag;
//! unchanged files answer 304 with no body).

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::Storechat;

const STYLESHEET: &str = include_str!("../../assets/storechat.css");
const ADMIN_SCRIPT: &str = include_str!("../../assets/storechat-admin.js");
const LIVE_SCRIPT: &str = include_str!("../../assets/storechat-live.js");
const PAGES_SCRIPT: &str = include_str!("../../assets/storechat-pages.js");
const WIDGET_SCRIPT: &str = include_str!("../../assets/storechat-widget.js");
const WIDGET_STYLESHEET: &str = include_str!("../../assets/storechat-widget.css");
const INBOX_SCRIPT: &str = include_str!("../../assets/storechat-inbox.js");
const INBOX_STYLESHEET: &str = include_str!("../../assets/storechat-inbox.css");

/// The WebSocket path written in `storechat-live.js`; replaced by the
/// configured one when it differs.
const LIVE_DEFAULT_WS: &str = "\"/storechat/ws\"";

const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// A strong validator for a body: FNV-1a over its bytes.
fn etag_of(body: &str) -> String {
    let hash = body.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("\"{hash:016x}\"")
}

fn asset(req: &HttpRequest, content_type: &str, body: Cow<'static, str>) -> HttpResponse {
    let versioned = req
        .query_string()
        .split('&')
        .any(|pair| pair.starts_with("v="));
    if versioned {
        return HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
            .content_type(content_type)
            .body(body);
    }
    let etag = etag_of(&body);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CACHE_CONTROL, "public, no-cache"))
        .insert_header((header::ETAG, etag));
    if unchanged {
        response.finish()
    } else {
        response.content_type(content_type).body(body)
    }
}

pub(crate) async fn stylesheet(req: HttpRequest) -> HttpResponse {
    asset(&req, CSS, STYLESHEET.into())
}

pub(crate) async fn admin_script(req: HttpRequest) -> HttpResponse {
    asset(&req, JS, ADMIN_SCRIPT.into())
}

/// The shared real-time client, connecting to the configured WebSocket
/// path unless the page names another.
pub(crate) async fn live_script(req: HttpRequest, chat: web::Data<Storechat>) -> HttpResponse {
    let ws = &chat.config().routes.ws;
    if ws == "/storechat/ws" {
        return asset(&req, JS, LIVE_SCRIPT.into());
    }
    let quoted = serde_json::to_string(ws).unwrap_or_else(|_| LIVE_DEFAULT_WS.to_owned());
    asset(
        &req,
        JS,
        LIVE_SCRIPT.replacen(LIVE_DEFAULT_WS, &quoted, 1).into(),
    )
}

/// Live updates of the plugin's own pages (customer and admin).
pub(crate) async fn pages_script(req: HttpRequest) -> HttpResponse {
    asset(&req, JS, PAGES_SCRIPT.into())
}

/// The storefront chat widget.
pub(crate) async fn widget_script(req: HttpRequest) -> HttpResponse {
    asset(&req, JS, WIDGET_SCRIPT.into())
}

/// The widget's styles (the widget links them itself).
pub(crate) async fn widget_stylesheet(req: HttpRequest) -> HttpResponse {
    asset(&req, CSS, WIDGET_STYLESHEET.into())
}

/// The staff inbox's live behaviour (it loads `storechat-live.js` itself).
pub(crate) async fn inbox_script(req: HttpRequest) -> HttpResponse {
    asset(&req, JS, INBOX_SCRIPT.into())
}

/// The staff inbox's layout (the inbox page links it itself).
pub(crate) async fn inbox_stylesheet(req: HttpRequest) -> HttpResponse {
    asset(&req, CSS, INBOX_STYLESHEET.into())
}
