//! `GET /{id}/` and `POST /{id}/send/` — one conversation. Opening it marks
//! it read by the customer.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::parse_id;
use super::views::MessageRow;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::{Actor, ClientMsgId, MessageBody, Status, ValidationError};
use crate::error::ChatError;
use crate::service::{HISTORY_PAGE, SendMessage};
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::layout::{respond, see_other};
use crate::web::page_error::PageError;

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
}

pub(super) async fn show(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    query: web::Query<ThreadQuery>,
) -> Result<HttpResponse, PageError> {
    render(
        &chat,
        &actor,
        &path,
        query.before,
        &SendForm::default(),
        None,
        StatusCode::OK,
    )
    .await
}

pub(super) async fn send(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    form: web::Form<SendForm>,
) -> Result<HttpResponse, PageError> {
    let area = PageArea::CustomerMessages;
    let id = parse_id(&path).map_err(|e| PageError::from_chat(&chat, &actor, area, e))?;
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return Err(PageError::forbidden_form(&chat, &actor, area));
    }
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
                &chat,
                &actor,
                &path,
                None,
                &form,
                Some(invalid),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match chat.service().send_message(&actor, id, input).await {
        Ok(sent) => Ok(see_other(&format!(
            "{}/{}/#m{}",
            chat.config().routes.customer,
            id,
            sent.message.id
        ))),
        Err(ChatError::Invalid(invalid)) => {
            render(
                &chat,
                &actor,
                &path,
                None,
                &form,
                Some(invalid),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(ChatError::Closed) => {
            let invalid = ValidationError::new("body", ChatError::Closed.to_string());
            render(
                &chat,
                &actor,
                &path,
                None,
                &form,
                Some(invalid),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(PageError::from_chat(&chat, &actor, area, e)),
    }
}

async fn render(
    chat: &Storechat,
    actor: &Actor,
    raw_id: &str,
    before: Option<i64>,
    form: &SendForm,
    error: Option<ValidationError>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let area = PageArea::CustomerMessages;
    let fail = |e: ChatError| PageError::from_chat(chat, actor, area, e);
    let id = parse_id(raw_id).map_err(fail)?;
    let service = chat.service();
    // Reading the newest page is what marks the conversation read.
    if before.is_none() {
        service.mark_read(actor, id, None).await.map_err(fail)?;
    }
    let view = service
        .get_conversation(actor, id, before, HISTORY_PAGE)
        .await
        .map_err(fail)?;
    let prefix = chat.config().routes.customer.as_str();
    let conversation = &view.conversation;
    let now = crate::store::now();
    let client_msg_id = match form.client_msg_id.as_str() {
        "" => ClientMsgId::random().to_string(),
        kept => kept.to_owned(),
    };
    let content = ThreadPage {
        prefix,
        id,
        subject: &conversation.subject,
        status_label: conversation.status.customer_label(),
        status_css: conversation.status.css(),
        order_number: conversation.order_number.as_deref(),
        product_name: conversation.product_name.as_deref(),
        messages: view
            .messages
            .iter()
            .map(|m| MessageRow::new(actor, conversation, m, now))
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
    }
    .render()
    .map_err(|_| PageError::standalone_internal())?;
    Ok(respond(
        chat,
        actor,
        area,
        status,
        &conversation.subject,
        &content,
    ))
}
