//! `GET /login`, `POST /login` and `POST /logout`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::chrome::Chrome;
use super::message;
use super::render::{WebError, page, see_other};
use super::visitor::Visitor;
use crate::auth::{csrf, password, session};
use crate::demo;
use crate::shop::User;

const WRONG_CREDENTIALS: &str = "Wrong e-mail or password";

#[derive(Deserialize)]
pub(super) struct LoginQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    form_token: String,
}

#[derive(Deserialize)]
pub(super) struct TokenForm {
    #[serde(default)]
    form_token: String,
}

struct DemoRow {
    name: &'static str,
    role: &'static str,
    email: &'static str,
    password: &'static str,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    chrome: Chrome,
    csrf: String,
    email: &'a str,
    next: &'a str,
    error: Option<&'a str>,
    demo_logins: Vec<DemoRow>,
}

/// Only paths of this site: `next` comes from the URL, and an absolute or
/// protocol-relative URL there would turn sign-in into an open redirect.
fn safe_next(next: &str) -> Option<&str> {
    let next = next.trim();
    let local = next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\");
    (local && next.len() <= 2048 && !next.chars().any(char::is_control)).then_some(next)
}

/// Where someone lands after signing in without a `next`.
fn home_of(user: &User) -> &'static str {
    match user.role {
        crate::shop::UserRole::Staff => "/admin/",
        crate::shop::UserRole::Vendor => "/vendor/",
        crate::shop::UserRole::Customer => "/",
    }
}

async fn render(
    visitor: &Visitor,
    email: &str,
    next: &str,
    error: Option<&str>,
    status: StatusCode,
) -> Result<HttpResponse, WebError> {
    let chrome = visitor.chrome("").await;
    let demo_logins = if visitor.state.show_demo_logins {
        demo::USERS
            .iter()
            .map(|d| DemoRow {
                name: d.name,
                role: d.role_label(),
                email: d.email,
                password: d.password,
            })
            .collect()
    } else {
        Vec::new()
    };
    let csrf = csrf::token(&visitor.session);
    page(
        status,
        &LoginPage {
            chrome,
            csrf,
            email,
            next,
            error,
            demo_logins,
        },
    )
}

pub(super) async fn form(
    visitor: Visitor,
    query: web::Query<LoginQuery>,
) -> Result<HttpResponse, WebError> {
    let next = query.next.as_deref().and_then(safe_next).unwrap_or("");
    if let Some(user) = &visitor.user {
        let target = if next.is_empty() { home_of(user) } else { next };
        return Ok(see_other(target));
    }
    render(&visitor, "", next, None, StatusCode::OK).await
}

pub(super) async fn submit(
    visitor: Visitor,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, WebError> {
    let form = form.into_inner();
    let next = safe_next(&form.next).unwrap_or("");
    if !csrf::verify(&visitor.session, &form.form_token) {
        let error = "Your sign-in form had expired. Please try again.";
        return render(
            &visitor,
            &form.email,
            next,
            Some(error),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    if form.email.trim().is_empty() || form.password.is_empty() {
        let error = "Enter your e-mail and password.";
        return render(
            &visitor,
            &form.email,
            next,
            Some(error),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let user = password::sign_in(&visitor.state.db, &form.email, form.password)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let Some(user) = user else {
        return render(
            &visitor,
            &form.email,
            next,
            Some(WRONG_CREDENTIALS),
            StatusCode::UNAUTHORIZED,
        )
        .await;
    };
    session::sign_in(&visitor.session, user.id)
        .map_err(|e| WebError::Internal(format!("session: {e}")))?;
    tracing::info!(user_id = user.id, "signed in");
    let target = if next.is_empty() {
        home_of(&user)
    } else {
        next
    };
    Ok(see_other(target))
}

pub(super) async fn logout(
    visitor: Visitor,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, WebError> {
    if visitor.user.is_some() && !csrf::verify(&visitor.session, &form.form_token) {
        return message::form_expired(&visitor).await;
    }
    session::sign_out(&visitor.session);
    // Their open chat windows must not keep talking as them (close code 1008).
    if let Some(user) = &visitor.user {
        visitor.state.chat.disconnect_user(&user.id.to_string());
    }
    Ok(see_other("/"))
}
