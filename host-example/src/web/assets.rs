//! The store's static files, compiled into the binary.

use actix_web::HttpResponse;
use actix_web::http::header;

const STYLESHEET: &str = include_str!("../../assets/northwind.css");

/// Goes in the files' URLs (`?v=`), so that a day of caching never serves
/// an old file after a change: a hash of their content, computed at build.
pub(crate) const VERSION: u64 = fnv1a(STYLESHEET.as_bytes());

const CACHE: &str = "public, max-age=86400";

const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

pub(super) async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, CACHE))
        .content_type("text/css; charset=utf-8")
        .body(STYLESHEET)
}
