//! `GET /mail/` — the e-mail outbox for staff: how many e-mails are waiting,
//! sent, skipped and dead, the dead letters with the server's reason, and a
//! button to try one again.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::flash::{self, Flash};
use super::form::Fields;
use super::{parse_id, staff_only};
use crate::Storechat;
use crate::adapter::PageArea;
use crate::error::ChatError;
use crate::store::{self, outbox::OutboxRow};
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::format::exact_time;
use crate::web::page::Page;

const SHOWN: i64 = 100;

struct Row {
    id: i64,
    conversation_href: String,
    conversation_id: i64,
    to: String,
    error: String,
    attempts: i32,
    when: String,
}

#[derive(Template)]
#[template(path = "conversation_mail.html")]
struct MailPage<'a> {
    base: &'a str,
    csrf: String,
    pending: i64,
    sent: i64,
    skipped: i64,
    dead: i64,
    dead_rows: Vec<Row>,
    retrying: Vec<Row>,
    flash: Option<Flash>,
}

fn rows(base: &str, rows: Vec<OutboxRow>, retrying: bool) -> Vec<Row> {
    rows.into_iter()
        .filter(|r| !retrying || r.attempts > 0)
        .map(|r| Row {
            id: r.id,
            conversation_href: format!("{base}/{}/change/", r.conversation_id),
            conversation_id: r.conversation_id,
            to: r
                .recipient_email
                .unwrap_or_else(|| format!("the {}", r.recipient_side)),
            error: r.last_error.unwrap_or_default(),
            attempts: r.attempts,
            when: exact_time(if retrying {
                r.next_attempt_at
            } else {
                r.created_at
            }),
        })
        .collect()
}

pub(super) async fn show(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    let result = async {
        staff_only(&actor)?;
        let (counts, dead, pending) = chat
            .service()
            .db()
            .read(|conn| {
                Ok::<_, ChatError>((
                    store::outbox::counts(conn)?,
                    store::outbox::with_status(conn, "dead", SHOWN)?,
                    store::outbox::with_status(conn, "pending", SHOWN)?,
                ))
            })
            .await?;
        let count = |status: &str| {
            counts
                .iter()
                .find(|(s, _)| s == status)
                .map(|(_, n)| *n)
                .unwrap_or(0)
        };
        let base = chat.config().routes.admin.as_str();
        let content = MailPage {
            base,
            csrf: csrf::token(&chat.config().secret, &actor),
            pending: count("pending"),
            sent: count("sent"),
            skipped: count("skipped"),
            dead: count("dead"),
            dead_rows: rows(base, dead, false),
            retrying: rows(base, pending, true),
            flash: flash::take(page.req),
        };
        Ok::<_, ChatError>(page.render(StatusCode::OK, "E-mail", &content).await)
    }
    .await;
    let mut response = page.outcome(result).await;
    flash::clear(&mut response);
    response
}

/// Try a dead e-mail again now.
pub(super) async fn retry(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Err(e) = staff_only(&actor) {
        return page.error(e).await;
    }
    if !csrf::verify(&chat.config().secret, &actor, fields.csrf()) {
        return page.forbidden_form().await;
    }
    let here = format!("{}/mail/", chat.config().routes.admin);
    let result = async {
        let id = parse_id(&path)?;
        let revived = chat
            .service()
            .db()
            .write(move |conn| Ok::<_, ChatError>(store::outbox::revive(conn, id, store::now())?))
            .await?;
        chat.service().mail_queue().wake.notify_one();
        Ok::<_, ChatError>(if revived {
            flash::redirect(&here, false, "The e-mail will be sent again now.")
        } else {
            flash::redirect(&here, true, "That e-mail is not waiting to be retried (a newer one already carries its messages, or it was sent).")
        })
    }
    .await;
    page.outcome(result).await
}
