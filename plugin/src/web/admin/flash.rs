//! One-shot messages after a form post ("3 conversations marked read"),
//! carried across the redirect in a short-lived cookie, as Django's messages
//! framework does. Works without JavaScript.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::{HttpRequest, HttpResponse};

const COOKIE: &str = "storechat_flash";

/// A message for the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    /// True for a refusal, false for a success.
    pub error: bool,
    /// The words.
    pub text: String,
}

/// A redirect to `location` that shows `text` there.
pub fn redirect(location: &str, error: bool, text: &str) -> HttpResponse {
    let value = format!("{}{}", if error { 'e' } else { 'o' }, text);
    let cookie = Cookie::build(COOKIE, urlencoding::encode(&value).into_owned())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .max_age(Duration::minutes(5))
        .finish();
    HttpResponse::SeeOther()
        .insert_header(("Location", location))
        .cookie(cookie)
        .finish()
}

/// The message waiting for this page, if any.
pub fn take(req: &HttpRequest) -> Option<Flash> {
    let cookie = req.cookie(COOKIE)?;
    let value = urlencoding::decode(cookie.value()).ok()?.into_owned();
    let mut chars = value.chars();
    let error = chars.next()? == 'e';
    Some(Flash {
        error,
        text: chars.collect::<String>().chars().take(2000).collect(),
    })
}

/// Clears the message once a page has shown it.
pub fn clear(response: &mut HttpResponse) {
    let mut cookie = Cookie::new(COOKIE, "");
    cookie.set_path("/");
    let _ = response.add_removal_cookie(&cookie);
}
