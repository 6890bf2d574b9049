//! The plugin's static files, compiled into the crate.

use actix_web::HttpResponse;
use actix_web::http::header;

const STYLESHEET: &str = include_str!("../../assets/storechat.css");
const ADMIN_SCRIPT: &str = include_str!("../../assets/storechat-admin.js");

pub(crate) async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .content_type("text/css; charset=utf-8")
        .body(STYLESHEET)
}

pub(crate) async fn admin_script() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .content_type("text/javascript; charset=utf-8")
        .body(ADMIN_SCRIPT)
}
