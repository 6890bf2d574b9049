//! `GET /new/` and `POST /new/` — opening a conversation. A rejected post
//! re-renders the form with the message and everything that was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::Storechat;
use crate::adapter::{OrderCard, PageArea, ProductCard};
use crate::domain::{Actor, ClientMsgId, ValidationError};
use crate::error::ChatError;
use crate::service::OpenConversation;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::layout::{respond, see_other};
use crate::web::page_error::PageError;

/// Orders offered in the picker.
const ORDER_CHOICES: usize = 50;

#[derive(Deserialize, Default)]
pub(super) struct Prefill {
    order_id: Option<String>,
    product_id: Option<String>,
}

#[derive(Deserialize, Default)]
pub(super) struct NewForm {
    #[serde(default)]
    subject: String,
    #[serde(default)]
    order_id: String,
    #[serde(default)]
    product_id: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    client_msg_id: String,
    #[serde(default)]
    csrf_token: String,
}

struct OrderChoice {
    id: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "customer/new.html")]
struct NewPage<'a> {
    prefix: &'a str,
    csrf: String,
    client_msg_id: String,
    subject: &'a str,
    body: &'a str,
    orders: Vec<OrderChoice>,
    product: Option<ProductCard>,
    error: Option<ValidationError>,
    subject_max: usize,
    body_max: usize,
}

impl NewPage<'_> {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

pub(super) async fn form(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    prefill: web::Query<Prefill>,
) -> Result<HttpResponse, PageError> {
    let form = NewForm {
        order_id: prefill.order_id.clone().unwrap_or_default(),
        product_id: prefill.product_id.clone().unwrap_or_default(),
        ..NewForm::default()
    };
    render(&chat, &actor, &form, None, StatusCode::OK).await
}

pub(super) async fn submit(
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    form: web::Form<NewForm>,
) -> Result<HttpResponse, PageError> {
    let area = PageArea::CustomerMessages;
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return Err(PageError::forbidden_form(&chat, &actor, area));
    }
    let parsed = OpenConversation::parse(
        &form.subject,
        &form.body,
        Some(&form.order_id),
        Some(&form.product_id),
    )
    .and_then(|mut open| {
        if !form.client_msg_id.is_empty() {
            open.client_msg_id = Some(ClientMsgId::parse(&form.client_msg_id)?);
        }
        Ok(open)
    });
    let input = match parsed {
        Ok(input) => input,
        Err(invalid) => {
            return render(
                &chat,
                &actor,
                &form,
                Some(invalid),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match chat.service().open_conversation(&actor, input).await {
        Ok(opened) => Ok(see_other(&format!(
            "{}/{}/",
            chat.config().routes.customer,
            opened.conversation.id
        ))),
        Err(ChatError::Invalid(invalid)) => {
            render(
                &chat,
                &actor,
                &form,
                Some(invalid),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError::from_chat(&chat, &actor, area, e)),
    }
}

async fn render(
    chat: &Storechat,
    actor: &Actor,
    form: &NewForm,
    error: Option<ValidationError>,
    status: StatusCode,
) -> Result<HttpResponse, PageError> {
    let area = PageArea::CustomerMessages;
    let host = chat.service().host();
    let orders: Vec<OrderCard> = host
        .orders_of(&actor.id, ORDER_CHOICES)
        .await
        .map_err(|e| PageError::from_chat(chat, actor, area, e.into()))?;
    let product = match form.product_id.trim() {
        "" => None,
        id => host
            .product(id)
            .await
            .map_err(|e| PageError::from_chat(chat, actor, area, e.into()))?,
    };
    let chosen = form.order_id.trim();
    let client_msg_id = match form.client_msg_id.as_str() {
        "" => ClientMsgId::random().to_string(),
        kept => kept.to_owned(),
    };
    let content = NewPage {
        prefix: &chat.config().routes.customer,
        csrf: csrf::token(&chat.config().secret, actor),
        client_msg_id,
        subject: &form.subject,
        body: &form.body,
        orders: orders
            .into_iter()
            .map(|o| OrderChoice {
                selected: o.id == chosen,
                label: format!("Order {} · {} · {}", o.number, o.status, o.total),
                id: o.id,
            })
            .collect(),
        product,
        error,
        subject_max: crate::domain::Subject::MAX_CHARS,
        body_max: crate::domain::MessageBody::MAX_CHARS,
    }
    .render()
    .map_err(|_| PageError::standalone_internal())?;
    Ok(respond(
        chat,
        actor,
        area,
        status,
        "New conversation",
        &content,
    ))
}
