//! The plugin's static files, compiled into the crate.

use actix_web::body::MessageBody;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

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

fn asset(content_type: &str, body: impl MessageBody + 'static) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .content_type(content_type)
        .body(body)
}

fn script(body: impl MessageBody + 'static) -> HttpResponse {
    asset("text/javascript; charset=utf-8", body)
}

pub(crate) async fn stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", STYLESHEET)
}

pub(crate) async fn admin_script() -> HttpResponse {
    script(ADMIN_SCRIPT)
}

/// The shared real-time client, connecting to the configured WebSocket
/// path unless the page names another.
pub(crate) async fn live_script(chat: web::Data<Storechat>) -> HttpResponse {
    let ws = &chat.config().routes.ws;
    if ws == "/storechat/ws" {
        return script(LIVE_SCRIPT);
    }
    let quoted = serde_json::to_string(ws).unwrap_or_else(|_| LIVE_DEFAULT_WS.to_owned());
    script(LIVE_SCRIPT.replacen(LIVE_DEFAULT_WS, &quoted, 1))
}

/// Live updates of the plugin's own pages (customer and admin).
pub(crate) async fn pages_script() -> HttpResponse {
    script(PAGES_SCRIPT)
}

/// The storefront chat widget.
pub(crate) async fn widget_script() -> HttpResponse {
    script(WIDGET_SCRIPT)
}

/// The widget's styles (the widget links them itself).
pub(crate) async fn widget_stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", WIDGET_STYLESHEET)
}

/// The staff inbox's live behaviour (it loads `storechat-live.js` itself).
pub(crate) async fn inbox_script() -> HttpResponse {
    script(INBOX_SCRIPT)
}

/// The staff inbox's layout (the inbox page links it itself).
pub(crate) async fn inbox_stylesheet() -> HttpResponse {
    asset("text/css; charset=utf-8", INBOX_STYLESHEET)
}
