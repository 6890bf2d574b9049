//! `GET /new/` and `POST /new/` — opening a conversation. A rejected post
//! re-renders the form with the message and everything that was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::Storechat;
use crate::adapter::{OrderCard, PageArea, ProductCard};
use crate::domain::{ClientMsgId, ValidationError};
use crate::error::ChatError;
use crate::service::OpenConversation;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::layout::see_other;
use crate::web::page::Page;

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
    away: Option<crate::web::away::AwayNotice>,
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
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    prefill: web::Query<Prefill>,
) -> HttpResponse {
    if actor.role == crate::domain::Role::Staff {
        return see_other(&format!("{}/add/", chat.config().routes.admin));
    }
    let page = Page::new(&req, &chat, &actor, PageArea::CustomerMessages);
    if let Err(e) = super::customers_only(&actor) {
        return page.error(e).await;
    }
    let form = NewForm {
        order_id: prefill.order_id.clone().unwrap_or_default(),
        product_id: prefill.product_id.clone().unwrap_or_default(),
        ..NewForm::default()
    };
    let result = render(&page, &form, None, StatusCode::OK).await;
    page.outcome(result).await
}

pub(super) async fn submit(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    form: web::Form<NewForm>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::CustomerMessages);
    if let Err(e) = super::customers_only(&actor) {
        return page.error(e).await;
    }
    if !csrf::verify(&chat.config().secret, &actor, &form.csrf_token) {
        return page.forbidden_form().await;
    }
    let result = open(&page, &form).await;
    page.outcome(result).await
}

async fn open(page: &Page<'_>, form: &NewForm) -> Result<HttpResponse, ChatError> {
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
            return render(page, form, Some(invalid), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match page
        .chat
        .service()
        .open_conversation(page.actor, input)
        .await
    {
        Ok(opened) => Ok(see_other(&format!(
            "{}/{}/",
            page.chat.config().routes.customer,
            opened.conversation.id
        ))),
        Err(ChatError::Invalid(invalid)) => {
            render(page, form, Some(invalid), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

async fn render(
    page: &Page<'_>,
    form: &NewForm,
    error: Option<ValidationError>,
    status: StatusCode,
) -> Result<HttpResponse, ChatError> {
    let (chat, actor) = (page.chat, page.actor);
    let host = chat.service().host();
    let orders: Vec<OrderCard> = host.orders_of(&actor.id, ORDER_CHOICES).await?;
    let product = match form.product_id.trim() {
        "" => None,
        id => host.product(id).await?,
    };
    let chosen = form.order_id.trim();
    let client_msg_id = match form.client_msg_id.as_str() {
        "" => ClientMsgId::random().to_string(),
        kept => kept.to_owned(),
    };
    let content = NewPage {
        away: crate::web::away::away_notice(&chat.service().settings(), chrono::Utc::now()),
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
    };
    Ok(page.render(status, "New conversation", &content).await)
}
