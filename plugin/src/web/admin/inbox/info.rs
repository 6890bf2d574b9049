//! The customer info panel of the inbox: what the change view's side column
//! shows (the host's customer card, recent orders and panel sections, the
//! order or product card) plus the status and a way to change it. The host
//! is asked here, never inside a transaction.

use crate::Storechat;
use crate::adapter::{OrderCard, PanelSection, ProductCard, UserCard};
use crate::domain::Status;
use crate::error::ChatError;
use crate::store::Conversation;

/// How many of the customer's orders the panel lists.
const RECENT_ORDERS: usize = 3;

/// A status the panel's form offers.
pub(super) struct StatusChoice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// Everything the panel shows.
pub(super) struct InfoView {
    pub customer: Option<UserCard>,
    pub joined: Option<String>,
    pub orders: Vec<OrderCard>,
    pub order: Option<OrderCard>,
    pub product: Option<ProductCard>,
    pub sections: Vec<PanelSection>,
    pub statuses: Vec<StatusChoice>,
}

/// Asks the host about the conversation's customer, order and product.
/// A vendor (`staff` false) gets neither the customer's other orders nor
/// the store's own customer tools.
pub(super) async fn load(
    chat: &Storechat,
    c: &Conversation,
    staff: bool,
) -> Result<InfoView, ChatError> {
    let host = chat.service().host();
    let customer = host.user(&c.customer_id).await?;
    let orders = if staff {
        host.orders_of(&c.customer_id, RECENT_ORDERS).await?
    } else {
        Vec::new()
    };
    let order = match &c.order_id {
        Some(id) => host.order(id).await?,
        None => None,
    };
    let product = match &c.product_id {
        Some(id) => host.product(id).await?,
        None => None,
    };
    let sections = if staff {
        host.customer_sections(&c.customer_id).await?
    } else {
        Vec::new()
    };
    Ok(InfoView {
        joined: customer
            .as_ref()
            .and_then(|u| u.joined_at)
            .map(|at| at.format("%-d %b %Y").to_string()),
        customer,
        orders,
        order,
        product,
        sections,
        statuses: Status::ALL
            .into_iter()
            .map(|s| StatusChoice {
                value: s.as_str(),
                label: s.label(),
                selected: s == c.status,
            })
            .collect(),
    })
}
