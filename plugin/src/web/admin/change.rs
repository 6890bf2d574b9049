//! `/{id}/change/` — one conversation for staff: the MessageHistoryPanel,
//! the `reply_body` reply box and the status (the only editable field of the
//! conversation), the order or product card, the customer info panel with
//! the host's sections and actions, assignment and priority, and
//! per-message actions. Opening it marks the conversation read by the store.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::flash::{self, Flash};
use super::form::Fields;
use super::{parse_id, staff_only, store_side};
use crate::Storechat;
use crate::adapter::{ActionOutcome, OrderCard, PageArea, PanelSection, ProductCard, UserCard};
use crate::domain::{ClientMsgId, MessageBody, Side, Status, ValidationError};
use crate::error::ChatError;
use crate::service::{Assignment, HISTORY_PAGE, Priority, ReactionCount, SendMessage};
use crate::store::{Conversation, Message, MessageKind};
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::format::{exact_time, relative_time};
use crate::web::page::Page;

/// How many of the customer's orders the info panel lists.
const RECENT_ORDERS: usize = 5;

struct HistoryRow {
    id: i64,
    side: &'static str,
    sender: String,
    body: String,
    when: String,
    when_exact: String,
    edited: bool,
    deleted: bool,
    system: bool,
    /// The order progress card, for an order update.
    card: Option<crate::domain::OrderCardView>,
    receipt: Option<&'static str>,
    can_remove: bool,
    unread: bool,
    /// Reactions so far, in menu order, "mine" meaning this member of staff.
    reactions: Vec<ReactionCount>,
    reactable: bool,
}

impl HistoryRow {
    fn new(
        c: &Conversation,
        m: &Message,
        reactions: &[ReactionCount],
        now: chrono::NaiveDateTime,
    ) -> HistoryRow {
        let system = m.kind == MessageKind::System || m.sender_side == Side::System;
        let (side, sender) = match m.sender_side {
            Side::Customer => ("customer", format!("{} · Customer", m.sender_name)),
            Side::Staff => ("staff", format!("{} · Staff", m.sender_name)),
            Side::Vendor => ("staff", format!("{} · Vendor", m.sender_name)),
            Side::System => ("system", String::new()),
        };
        HistoryRow {
            id: m.id,
            side: if system { "system" } else { side },
            sender,
            body: m.display_text(),
            when: relative_time(m.created_at, now),
            when_exact: exact_time(m.created_at),
            edited: m.edited_at.is_some(),
            deleted: m.is_deleted(),
            system,
            card: m.order_card(),
            receipt: (m.sender_side.is_store() && !system).then_some(
                if c.user_read_up_to >= m.id {
                    "Seen"
                } else {
                    "Sent"
                },
            ),
            can_remove: !system && !m.is_deleted(),
            unread: m.sender_side == Side::Customer && m.id > c.admin_read_up_to && !m.is_deleted(),
            reactions: reactions.to_vec(),
            reactable: !system && !m.is_deleted() && m.kind == MessageKind::Text,
        }
    }
}

struct Choice {
    value: &'static str,
    label: &'static str,
    selected: bool,
}

#[derive(Template)]
#[template(path = "conversation_change.html")]
struct ChangePage<'a> {
    base: &'a str,
    c: &'a Conversation,
    status_class: &'static str,
    created: String,
    history: Vec<HistoryRow>,
    earlier_href: Option<String>,
    newest_href: Option<String>,
    csrf: String,
    client_msg_id: String,
    draft: &'a str,
    reply_error: Option<String>,
    statuses: Vec<Choice>,
    priorities: Vec<Choice>,
    customer: Option<UserCard>,
    joined: Option<String>,
    orders: Vec<OrderCard>,
    order: Option<OrderCard>,
    product: Option<ProductCard>,
    sections: Vec<PanelSection>,
    assigned_to_me: bool,
    flash: Option<Flash>,
    /// Staff see the store's tools; a vendor sees the conversation, the
    /// reply box and the product.
    staff: bool,
}

#[derive(Deserialize)]
pub(super) struct HistoryQuery {
    before: Option<i64>,
}

pub(super) async fn show(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    let result = render(&page, &path, query.before, "", None, StatusCode::OK).await;
    let mut response = page.outcome(result).await;
    flash::clear(&mut response);
    response
}

async fn render(
    page: &Page<'_>,
    raw_id: &str,
    before: Option<i64>,
    draft: &str,
    reply_error: Option<ValidationError>,
    status: StatusCode,
) -> Result<HttpResponse, ChatError> {
    store_side(page.actor)?;
    let (chat, actor) = (page.chat, page.actor);
    let staff = actor.is_staff();
    let id = parse_id(raw_id)?;
    let service = chat.service();
    // Opening the newest page is reading it: counters and the nav badge drop.
    if before.is_none() {
        service.mark_read(actor, id, None).await?;
    }
    let view = service
        .get_conversation(actor, id, before, HISTORY_PAGE)
        .await?;
    let c = &view.conversation;
    let host = service.host();
    let customer = host.user(&c.customer_id).await?;
    // A vendor answers about their product: the customer's other orders
    // and the store's own customer tools are not theirs to see.
    let orders = if staff {
        host.orders_of(&c.customer_id, RECENT_ORDERS).await?
    } else {
        Vec::new()
    };
    let order = match &c.order_id {
        Some(order_id) => host.order(order_id).await?,
        None => None,
    };
    let product = match &c.product_id {
        Some(product_id) => host.product(product_id).await?,
        None => None,
    };
    let sections = if staff {
        host.customer_sections(&c.customer_id).await?
    } else {
        Vec::new()
    };
    let base = chat.config().routes.admin.as_str();
    let now = crate::store::now();
    let content = ChangePage {
        staff,
        base,
        c,
        status_class: super::spec::status_class(c.status),
        created: exact_time(c.created_at),
        history: view
            .messages
            .iter()
            .map(|m| {
                let mut row = HistoryRow::new(c, m, view.reactions_of(m.id), now);
                // Removing others' messages is moderation: staff only.
                row.can_remove &= staff;
                row
            })
            .collect(),
        earlier_href: view
            .has_earlier
            .then(|| {
                view.messages
                    .first()
                    .map(|m| format!("{base}/{id}/change/?before={}#history", m.id))
            })
            .flatten(),
        newest_href: before.map(|_| format!("{base}/{id}/change/")),
        csrf: csrf::token(&chat.config().secret, actor),
        client_msg_id: ClientMsgId::random().to_string(),
        draft,
        reply_error: reply_error.map(|e| e.message),
        statuses: Status::ALL
            .into_iter()
            .map(|s| Choice {
                value: s.as_str(),
                label: s.label(),
                selected: s == c.status,
            })
            .collect(),
        priorities: Priority::ALL
            .into_iter()
            .map(|p| Choice {
                value: p.name(),
                label: p.label(),
                selected: p == Priority::from_value(c.priority),
            })
            .collect(),
        joined: customer
            .as_ref()
            .and_then(|u| u.joined_at)
            .map(|at| at.format("%-d %b %Y").to_string()),
        customer,
        orders,
        order,
        product,
        sections,
        assigned_to_me: c.assignee_id.as_deref() == Some(actor.id.as_str()),
        flash: flash::take(page.req),
    };
    Ok(page.render(status, &c.subject, &content).await)
}

/// The change form: `reply_body` and `status`.
pub(super) async fn save(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refused) = guarded(&page, &fields, store_side).await {
        return refused;
    }
    let result = save_form(&page, &path, &fields).await;
    page.outcome(result).await
}

async fn save_form(
    page: &Page<'_>,
    raw_id: &str,
    fields: &Fields,
) -> Result<HttpResponse, ChatError> {
    let (chat, actor) = (page.chat, page.actor);
    let id = parse_id(raw_id)?;
    let here = format!("{}/{id}/change/", chat.config().routes.admin);
    let reply = fields.get("reply_body").unwrap_or("");
    let chosen = fields.get("status").unwrap_or("").parse::<Status>();
    let was = fields
        .get("status_was")
        .unwrap_or("")
        .parse::<Status>()
        .ok();
    let chosen = match chosen {
        Ok(status) => status,
        Err(invalid) => {
            return render(
                page,
                raw_id,
                None,
                reply,
                Some(invalid),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let status_changed = was != Some(chosen);
    if reply.trim().is_empty() && !status_changed {
        return Ok(flash::redirect(
            &here,
            false,
            "Nothing was sent: the reply was empty and the status unchanged.",
        ));
    }
    let service = chat.service();
    let mut done = Vec::new();
    if !reply.trim().is_empty() {
        let message = match MessageBody::parse(reply) {
            Ok(body) => SendMessage {
                body,
                client_msg_id: fields
                    .get("client_msg_id")
                    .and_then(|raw| ClientMsgId::parse(raw).ok()),
                reply_to: None,
            },
            Err(invalid) => {
                return render(
                    page,
                    raw_id,
                    None,
                    reply,
                    Some(invalid),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        };
        service.send_message(actor, id, message).await?;
        done.push("Reply sent to the customer.".to_owned());
    }
    if status_changed {
        let (_, changed) = service.set_status(actor, id, chosen).await?;
        if changed {
            done.push(format!("Status set to {}.", chosen.label()));
        }
    }
    Ok(flash::redirect(
        &format!("{here}#reply"),
        false,
        &done.join(" "),
    ))
}

/// Refuses a post by someone `allowed` refuses, or without a valid form token.
async fn guarded(
    page: &Page<'_>,
    fields: &Fields,
    allowed: fn(&crate::domain::Actor) -> Result<(), ChatError>,
) -> Option<HttpResponse> {
    if let Err(e) = allowed(page.actor) {
        return Some(page.error(e).await);
    }
    if !csrf::verify(&page.chat.config().secret, page.actor, fields.csrf()) {
        return Some(page.forbidden_form().await);
    }
    None
}

fn done(
    page: &Page<'_>,
    id: i64,
    result: Result<String, ChatError>,
) -> Result<HttpResponse, ChatError> {
    let here = format!("{}/{id}/change/", page.chat.config().routes.admin);
    match result {
        Ok(message) => Ok(flash::redirect(&here, false, &message)),
        Err(e @ (ChatError::Invalid(_) | ChatError::MessageNotFound)) => {
            Ok(flash::redirect(&here, true, &e.to_string()))
        }
        Err(e) => Err(e),
    }
}

/// Assign to me / unassign.
pub(super) async fn assign(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refused) = guarded(&page, &fields, staff_only).await {
        return refused;
    }
    let result = async {
        let id = parse_id(&path)?;
        let to = if fields.get("to") == Some("nobody") {
            Assignment::Nobody
        } else {
            Assignment::ToMe
        };
        let outcome = chat
            .service()
            .assign(&actor, &[id], to)
            .await
            .map(|_| match to {
                Assignment::ToMe => "Assigned to you.".to_owned(),
                Assignment::Nobody => "Unassigned.".to_owned(),
            });
        done(&page, id, outcome)
    }
    .await;
    page.outcome(result).await
}

/// Sets the priority.
pub(super) async fn priority(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refused) = guarded(&page, &fields, staff_only).await {
        return refused;
    }
    let result = async {
        let id = parse_id(&path)?;
        let outcome = match Priority::parse(fields.get("priority").unwrap_or("")) {
            Ok(p) => chat
                .service()
                .set_priority(&actor, id, p)
                .await
                .map(|_| format!("Priority set to {}.", p.label())),
            Err(invalid) => Err(invalid.into()),
        };
        done(&page, id, outcome)
    }
    .await;
    page.outcome(result).await
}

/// A host action from the customer info panel (give points, …).
pub(super) async fn customer_action(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<String>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refused) = guarded(&page, &fields, staff_only).await {
        return refused;
    }
    let result = async {
        let id = parse_id(&path)?;
        let service = chat.service();
        let c = service
            .get_conversation(&actor, id, None, 1)
            .await?
            .conversation;
        let value = fields.get("value").map(str::trim).filter(|v| !v.is_empty());
        let action = fields.get("action").unwrap_or("");
        let here = format!("{}/{id}/change/", chat.config().routes.admin);
        Ok(
            match service
                .host()
                .customer_action(&actor, &c.customer_id, action, value)
                .await?
            {
                ActionOutcome::Done(message) => flash::redirect(&here, false, &message),
                ActionOutcome::Refused(message) => flash::redirect(&here, true, &message),
            },
        )
    }
    .await;
    page.outcome(result).await
}

/// Removes an inappropriate message (kept, shown as removed).
pub(super) async fn remove_message(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refused) = guarded(&page, &fields, staff_only).await {
        return refused;
    }
    let result = async {
        let id = parse_id(&path.0)?;
        let message = path
            .1
            .parse::<i64>()
            .map_err(|_| ChatError::MessageNotFound)?;
        let outcome = chat
            .service()
            .remove_message(&actor, id, message)
            .await
            .map(|_| "Message removed.".to_owned());
        done(&page, id, outcome)
    }
    .await;
    page.outcome(result).await
}

/// Marks the conversation read by the store up to a message.
pub(super) async fn read_up_to(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
    path: web::Path<(String, String)>,
    fields: Fields,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    if let Some(refused) = guarded(&page, &fields, store_side).await {
        return refused;
    }
    let result = async {
        let id = parse_id(&path.0)?;
        let message = path
            .1
            .parse::<i64>()
            .map_err(|_| ChatError::MessageNotFound)?;
        let outcome = chat
            .service()
            .mark_read(&actor, id, Some(message))
            .await
            .map(|_| "Marked read.".to_owned());
        done(&page, id, outcome)
    }
    .await;
    page.outcome(result).await
}
