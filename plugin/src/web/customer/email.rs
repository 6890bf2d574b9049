//! E-mail preferences: the signed one-click unsubscribe link (no sign-in;
//! RFC 8058 `List-Unsubscribe=One-Click` posts land here too), and the
//! signed-in setting to turn e-mail on or off again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::Storechat;
use crate::adapter::PageArea;
use crate::error::ChatError;
use crate::mail::unsubscribe;
use crate::store;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::layout::{see_other, standalone_page};
use crate::web::page::Page;

#[derive(Deserialize)]
pub(super) struct Link {
    #[serde(default)]
    u: String,
    #[serde(default)]
    t: String,
}

#[derive(Template)]
#[template(path = "customer/unsubscribe.html")]
struct UnsubscribePage<'a> {
    store_name: &'a str,
    action: String,
    valid: bool,
    done: bool,
    settings_href: String,
}

fn page(
    chat: &Storechat,
    link: &Link,
    valid: bool,
    done: bool,
    status: StatusCode,
) -> HttpResponse {
    let prefix = &chat.config().routes.customer;
    let body = UnsubscribePage {
        store_name: &chat.config().store_name,
        action: format!(
            "{prefix}/email/unsubscribe/?u={}&t={}",
            urlencoding::encode(&link.u),
            urlencoding::encode(&link.t)
        ),
        valid,
        done,
        settings_href: format!("{prefix}/email/"),
    }
    .render()
    .unwrap_or_default();
    let title = if done { "Unsubscribed" } else { "Stop e-mails" };
    HttpResponse::build(status)
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .content_type("text/html; charset=utf-8")
        .body(standalone_page(chat, title, &body))
}

/// `GET /email/unsubscribe/`: a confirmation button (a link preview or a
/// mail scanner following the link must not unsubscribe anyone).
pub(super) async fn confirm(chat: web::Data<Storechat>, link: web::Query<Link>) -> HttpResponse {
    let valid = unsubscribe::verify(&chat.config().secret, &link.u, &link.t) && !link.u.is_empty();
    let status = if valid {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    };
    page(&chat, &link, valid, false, status)
}

/// `POST /email/unsubscribe/`: the button, or a mail client's one-click.
pub(super) async fn unsubscribe_now(
    chat: web::Data<Storechat>,
    link: web::Query<Link>,
) -> HttpResponse {
    if link.u.is_empty() || !unsubscribe::verify(&chat.config().secret, &link.u, &link.t) {
        return page(&chat, &link, false, false, StatusCode::FORBIDDEN);
    }
    let user = link.u.clone();
    let saved = chat
        .service()
        .db()
        .write(move |conn| {
            Ok::<_, ChatError>(store::prefs::set_email_enabled(
                conn,
                &user,
                false,
                store::now(),
            )?)
        })
        .await;
    match saved {
        Ok(()) => page(&chat, &link, true, true, StatusCode::OK),
        Err(e) => {
            tracing::error!(error = %e, "could not save an unsubscribe");
            HttpResponse::ServiceUnavailable()
                .body("Something went wrong on our side; please try again.")
        }
    }
}

#[derive(Template)]
#[template(path = "customer/email_settings.html")]
struct SettingsPage<'a> {
    prefix: &'a str,
    csrf: String,
    enabled: bool,
    saved: bool,
}

#[derive(Deserialize)]
pub(super) struct SettingsQuery {
    saved: Option<u8>,
}

/// `GET /email/`: e-mail on or off, for whoever is signed in.
pub(super) async fn settings(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    query: web::Query<SettingsQuery>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::CustomerNotifications);
    let result = async {
        let user = actor.id.clone();
        let enabled = chat
            .service()
            .db()
            .read(move |conn| Ok::<_, ChatError>(store::prefs::email_enabled(conn, &user)?))
            .await?;
        let content = SettingsPage {
            prefix: &chat.config().routes.customer,
            csrf: csrf::token(&chat.config().secret, &actor),
            enabled,
            saved: query.saved == Some(1),
        };
        Ok::<_, ChatError>(
            page.render(StatusCode::OK, "E-mail notifications", &content)
                .await,
        )
    }
    .await;
    page.outcome(result).await
}

#[derive(Deserialize)]
pub(super) struct SettingsForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    csrf_token: String,
}

/// `POST /email/`.
pub(super) async fn save_settings(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    form: web::Form<SettingsForm>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::CustomerNotifications);
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return page.forbidden_form().await;
    }
    let (user, enabled) = (actor.id.clone(), form.email == "on");
    let saved = chat
        .service()
        .db()
        .write(move |conn| {
            Ok::<_, ChatError>(store::prefs::set_email_enabled(
                conn,
                &user,
                enabled,
                store::now(),
            )?)
        })
        .await;
    match saved {
        Ok(()) => see_other(&format!("{}/email/?saved=1", chat.config().routes.customer)),
        Err(e) => page.error(e).await,
    }
}
