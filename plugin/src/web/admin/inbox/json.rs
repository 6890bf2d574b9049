//! The JSON the live inbox asks for: `rows.json` (a page of the list, with
//! the page's own `q`, `unread` and `after`) and `{id}/history.json` (a page
//! of one conversation's messages, `before` and `limit`). Same access as the
//! pages: anonymous visitors are sent to sign in, anyone but staff gets 403.
//! Errors are `{"error": code, "message": text}` from the chat error, mapped
//! once in [`outcome`].

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

use super::super::{parse_id, store_side};
use super::rows::{self, RowView};
use super::thread::MessageView;
use super::{InboxParams, MESSAGES_PER_PAGE};
use crate::Storechat;
use crate::domain::Actor;
use crate::error::ChatError;
use crate::service::History;
use crate::web::SignedIn;

/// The answer of a handler, or its error as JSON.
fn outcome<T: Serialize>(result: Result<T, ChatError>) -> HttpResponse {
    match result {
        Ok(body) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(body),
        Err(e) => {
            if e.is_internal() {
                tracing::error!(error = ?e, "inbox JSON request failed");
            }
            let mut body = serde_json::json!({ "error": e.code(), "message": e.to_string() });
            if let ChatError::Invalid(invalid) = &e {
                body["field"] = serde_json::Value::from(invalid.field);
            }
            HttpResponse::build(e.http_status())
                .insert_header(("Cache-Control", "no-store"))
                .json(body)
        }
    }
}

#[derive(Serialize)]
struct RowsBody {
    rows: Vec<RowView>,
    /// The `after` of the next page, when there is one.
    next_after: Option<String>,
}

/// `GET inbox/rows.json?q=&unread=1&after=&c=`.
pub(super) async fn rows(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
) -> HttpResponse {
    let params = InboxParams::parse(req.query_string());
    let result = async {
        store_side(&actor)?;
        let page = rows::load(&chat, &actor, &params).await?;
        Ok::<_, ChatError>(RowsBody {
            rows: page.rows,
            next_after: page.next,
        })
    }
    .await;
    outcome(result)
}

#[derive(Deserialize)]
pub(super) struct HistoryQuery {
    before: Option<i64>,
    limit: Option<i64>,
}

/// The open conversation's state that the page follows.
#[derive(Serialize)]
struct ConversationBody {
    id: i64,
    subject: String,
    status: &'static str,
    status_label: &'static str,
    customer_name: String,
    admin_read_up_to: i64,
    user_read_up_to: i64,
    unread_for_admin: i32,
}

#[derive(Serialize)]
struct HistoryBody {
    conversation: ConversationBody,
    /// Oldest first.
    messages: Vec<MessageView>,
    has_earlier: bool,
}

impl HistoryBody {
    fn new(reader: &Actor, history: History) -> HistoryBody {
        let now = crate::store::now();
        let c = &history.conversation;
        let mut messages: Vec<MessageView> = history
            .entries
            .iter()
            .map(|e| MessageView::new(reader, c, e, now))
            .collect();
        super::thread::group(&mut messages);
        HistoryBody {
            messages,
            conversation: ConversationBody {
                id: c.id,
                subject: c.subject.clone(),
                status: c.status.as_str(),
                status_label: c.status.label(),
                customer_name: c.customer_name.clone(),
                admin_read_up_to: c.admin_read_up_to,
                user_read_up_to: c.user_read_up_to,
                unread_for_admin: c.unread_for_admin,
            },
            has_earlier: history.has_earlier,
        }
    }
}

/// `GET inbox/{id}/history.json?before=&limit=`: reading marks nothing read.
pub(super) async fn history(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> HttpResponse {
    let result = async {
        store_side(&actor)?;
        let id = parse_id(&path)?;
        let limit = query.limit.unwrap_or(MESSAGES_PER_PAGE).clamp(1, 100);
        let history = chat
            .service()
            .history(&actor, id, query.before, limit)
            .await?;
        Ok(HistoryBody::new(&actor, history))
    }
    .await;
    outcome(result)
}
