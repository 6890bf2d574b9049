//! `GET /{id}/` and `POST /{id}/send/` — one conversation. Opening it marks
//! it read by the customer.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::parse_id;
use super::views::MessageRow;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::{ClientMsgId, MessageBody, Status, ValidationError};
use crate::error::ChatError;
use crate::service::{HISTORY_PAGE, SendMessage};
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::layout::see_other;
use crate::web::page::Page;

#[derive(Deserialize)]
pub(super) struct ThreadQuery {
    before: Option<i64>,
}

#[derive(Deserialize, Default)]
pub(super) struct SendForm {
    #[serde(default)]
    body: String,
    #[serde(default)]
    client_msg_id: String,
    #[serde(default)]
    csrf_token: String,
}

#[derive(Template)]
#[template(path = "customer/thread.html")]
struct ThreadPage<'a> {
    prefix: &'a str,
    id: i64,
    subject: &'a str,
    status_label: &'static str,
    status_css: &'static str,
    order_number: Option<&'a str>,
    product_name: Option<&'a str>,
    messages: Vec<MessageRow>,
    earlier_href: Option<String>,
    closed: bool,
    csrf: String,
    client_msg_id: String,
    draft: &'a str,
    error: Option<String>,
    body_max: usize,
    away: Option<crate::web::away::AwayNotice>,
}

pub(super) async fn show(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    query: web::Query<ThreadQuery>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::CustomerMessages);
    let result = render(
        &page,
        &path,
        query.before,
        &SendForm::default(),
        None,
        StatusCode::OK,
    )
    .await;
    page.outcome(result).await
}

pub(super) async fn send(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    form: web::Form<SendForm>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::CustomerMessages);
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return page.forbidden_form().await;
    }
    let result = submit(&page, &path, &form).await;
    page.outcome(result).await
}

async fn submit(page: &Page<'_>, raw_id: &str, form: &SendForm) -> Result<HttpResponse, ChatError> {
    let id = parse_id(raw_id)?;
    let parsed = MessageBody::parse(&form.body).and_then(|body| {
        let client_msg_id = match form.client_msg_id.as_str() {
            "" => None,
            raw => Some(ClientMsgId::parse(raw)?),
        };
        Ok(SendMessage {
            body,
            client_msg_id,
            reply_to: None,
        })
    });
    let input = match parsed {
        Ok(input) => input,
        Err(invalid) => {
            return render(
                page,
                raw_id,
                None,
                form,
                Some(invalid),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match page
        .chat
        .service()
        .send_message(page.actor, id, input)
        .await
    {
        Ok(sent) => Ok(see_other(&format!(
            "{}/{}/#m{}",
            page.chat.config().routes.customer,
            id,
            sent.message.id
        ))),
        Err(ChatError::Invalid(invalid)) => {
            render(
                page,
                raw_id,
                None,
                form,
                Some(invalid),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ChatError::Closed) => {
            let invalid = ValidationError::new("body", ChatError::Closed.to_string());
            render(
                page,
                raw_id,
                None,
                form,
                Some(invalid),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

async fn render(
    page: &Page<'_>,
    raw_id: &str,
    before: Option<i64>,
    form: &SendForm,
    error: Option<ValidationError>,
    status: StatusCode,
) -> Result<HttpResponse, ChatError> {
    let (chat, actor) = (page.chat, page.actor);
    let id = parse_id(raw_id)?;
    let service = chat.service();
    // Reading the newest page is what marks the conversation read.
    if before.is_none() {
        service.mark_read(actor, id, None).await?;
    }
    let view = service
        .get_conversation(actor, id, before, HISTORY_PAGE)
        .await?;
    let prefix = chat.config().routes.customer.as_str();
    let conversation = &view.conversation;
    let now = crate::store::now();
    let client_msg_id = match form.client_msg_id.as_str() {
        "" => ClientMsgId::random().to_string(),
        kept => kept.to_owned(),
    };
    let content = ThreadPage {
        away: crate::web::away::away_notice(&page.chat.service().settings(), chrono::Utc::now()),
        prefix,
        id,
        subject: &conversation.subject,
        status_label: conversation.status.customer_label(),
        status_css: conversation.status.customer_css(),
        order_number: conversation.order_number.as_deref(),
        product_name: conversation.product_name.as_deref(),
        messages: view
            .messages
            .iter()
            .map(|m| MessageRow::new(actor, conversation, m, view.reactions_of(m.id), now))
            .collect(),
        earlier_href: view
            .has_earlier
            .then(|| {
                view.messages
                    .first()
                    .map(|m| format!("{prefix}/{id}/?before={}", m.id))
            })
            .flatten(),
        closed: conversation.status == Status::Closed,
        csrf: csrf::token(&chat.config().secret, actor),
        client_msg_id,
        draft: &form.body,
        error: error.map(|e| e.message),
        body_max: MessageBody::MAX_CHARS,
    };
    Ok(page.render(status, &conversation.subject, &content).await)
}
