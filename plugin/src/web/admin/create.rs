//! `/add/` — staff start a conversation with any customer: a searchable
//! customer picker (through the host), an optional order of that customer's
//! or a product, the subject and the first message. Save, Save and add
//! another, Cancel. Works without JavaScript: the pickers' Find buttons
//! reload the form with what was typed.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::flash::{self, Flash};
use super::form::Fields;
use super::staff_only;
use crate::Storechat;
use crate::adapter::{PageArea, ProductCard, UserCard};
use crate::domain::{ClientMsgId, Role, ValidationError};
use crate::error::ChatError;
use crate::service::{Handler, OpenConversation};
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::page::Page;

const MATCHES: usize = 10;
const ORDER_CHOICES: usize = 50;

/// What the form holds, from the query string (GET) or the body (POST).
#[derive(Default)]
struct Draft {
    customer: String,
    customer_q: String,
    order: String,
    product: String,
    product_q: String,
    subject: String,
    body: String,
    client_msg_id: String,
    /// Who answers: empty for the product's vendor, `store`, or a vendor id.
    handled_by: String,
}

impl Draft {
    fn from(fields: &Fields) -> Draft {
        let get = |k: &str| fields.get(k).unwrap_or("").to_owned();
        Draft {
            customer: get("customer"),
            customer_q: get("customer_q"),
            order: get("order"),
            product: get("product"),
            product_q: get("product_q"),
            subject: get("subject"),
            body: get("body"),
            client_msg_id: get("client_msg_id"),
            handled_by: get("handled_by"),
        }
    }
}

struct Option_ {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "conversation_add.html")]
struct AddPage<'a> {
    base: &'a str,
    csrf: String,
    d: &'a Draft,
    client_msg_id: String,
    customer: Option<UserCard>,
    change_customer_href: String,
    customer_matches: Vec<UserCard>,
    orders: Vec<Option_>,
    product: Option<ProductCard>,
    product_matches: Vec<ProductCard>,
    /// Who may answer: the product's vendor (the default) or the store.
    handlers: Vec<Option_>,
    error: Option<ValidationError>,
    flash: Option<Flash>,
}

impl AddPage<'_> {
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
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    let draft = Draft::from(&Fields::parse(req.query_string()));
    let result = render(&page, &draft, None, StatusCode::OK).await;
    let mut response = page.outcome(result).await;
    flash::clear(&mut response);
    response
}

pub(super) async fn submit(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Err(e) = staff_only(&actor) {
        return page.error(e).await;
    }
    if !csrf::verify(&chat.config().secret, &actor, fields.csrf()) {
        return page.forbidden_form().await;
    }
    let draft = Draft::from(&fields);
    let another = fields.get("save") == Some("another");
    let result = open(&page, &draft, another).await;
    page.outcome(result).await
}

async fn open(page: &Page<'_>, d: &Draft, another: bool) -> Result<HttpResponse, ChatError> {
    let base = &page.chat.config().routes.admin;
    let parsed = OpenConversation::parse(&d.subject, &d.body, Some(&d.order), Some(&d.product))
        .and_then(|mut open| {
            if d.customer.trim().is_empty() {
                return Err(ValidationError::new(
                    "customer_id",
                    "Choose the customer to write to.",
                ));
            }
            open.customer_id = Some(d.customer.trim().to_owned());
            open.handler = match d.handled_by.trim() {
                "" => Handler::ProductVendor,
                "store" => Handler::Store,
                vendor => Handler::Vendor(vendor.to_owned()),
            };
            if !d.client_msg_id.is_empty() {
                open.client_msg_id = Some(ClientMsgId::parse(&d.client_msg_id)?);
            }
            Ok(open)
        });
    let input = match parsed {
        Ok(input) => input,
        Err(invalid) => {
            return render(page, d, Some(invalid), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match page
        .chat
        .service()
        .open_conversation(page.actor, input)
        .await
    {
        Ok(opened) => {
            let c = &opened.conversation;
            let message = format!(
                "Started “{}” with {}; they have been notified.",
                c.subject, c.customer_name
            );
            let next = if another {
                format!("{base}/add/")
            } else {
                format!("{base}/{}/change/", c.id)
            };
            Ok(flash::redirect(&next, false, &message))
        }
        Err(ChatError::Invalid(invalid)) => {
            render(page, d, Some(invalid), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e),
    }
}

async fn render(
    page: &Page<'_>,
    d: &Draft,
    error: Option<ValidationError>,
    status: StatusCode,
) -> Result<HttpResponse, ChatError> {
    staff_only(page.actor)?;
    let (chat, actor) = (page.chat, page.actor);
    let host = chat.service().host();
    let customer = match d.customer.trim() {
        "" => None,
        id => host.user(id).await?.filter(|u| u.role == Role::Customer),
    };
    let customer_matches = match (&customer, d.customer_q.trim()) {
        (None, q) if !q.is_empty() => host
            .search_users(q, MATCHES)
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Customer)
            .collect(),
        _ => Vec::new(),
    };
    let orders = match &customer {
        Some(u) => host
            .orders_of(&u.id, ORDER_CHOICES)
            .await?
            .into_iter()
            .map(|o| Option_ {
                selected: o.id == d.order.trim(),
                label: format!("Order {} · {} · {}", o.number, o.status, o.total),
                value: o.id,
            })
            .collect(),
        None => Vec::new(),
    };
    let product = match d.product.trim() {
        "" => None,
        id => host.product(id).await?,
    };
    let product_matches = match (&product, d.product_q.trim()) {
        (None, q) if !q.is_empty() => host.search_products(q, MATCHES).await?,
        _ => Vec::new(),
    };
    // A vendor's product goes to that vendor unless staff keep it.
    let vendor = match product.as_ref().and_then(|p| p.vendor_id.as_deref()) {
        Some(id) => host.user(id).await?.filter(|u| u.role == Role::Vendor),
        None => None,
    };
    let handlers = match vendor {
        Some(v) => vec![
            Option_ {
                selected: d.handled_by.trim() != "store",
                label: format!("{} (sells this product)", v.name),
                value: v.id,
            },
            Option_ {
                selected: d.handled_by.trim() == "store",
                label: "The store's staff".into(),
                value: "store".into(),
            },
        ],
        None => Vec::new(),
    };
    let base = chat.config().routes.admin.as_str();
    let keep = |pairs: &[(&str, &str)]| {
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
            .collect();
        format!("{base}/add/?{}", query.join("&"))
    };
    let content = AddPage {
        base,
        csrf: csrf::token(&chat.config().secret, actor),
        client_msg_id: match d.client_msg_id.as_str() {
            "" => ClientMsgId::random().to_string(),
            kept => kept.to_owned(),
        },
        change_customer_href: keep(&[
            ("product", &d.product),
            ("subject", &d.subject),
            ("body", &d.body),
        ]),
        customer,
        customer_matches,
        orders,
        product,
        product_matches,
        handlers,
        error,
        flash: flash::take(page.req),
        d,
    };
    Ok(page.render(status, "Start a conversation", &content).await)
}
