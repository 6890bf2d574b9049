//! The order progress card: what a system message about an order shows
//! (number, status steps, total). It is stored as JSON in the message body,
//! so the card a customer saw stays as it was even when the host's order
//! changes later. Nothing here touches the database or the web.

use serde::{Deserialize, Serialize};

use crate::adapter::OrderCard;

/// The steps of an order that goes well, in order. Statuses outside them
/// (Cancelled, Refunded, …) end the order: the card shows them on their own.
pub const ORDER_STEPS: [&str; 4] = ["Placed", "Paid", "Shipped", "Delivered"];

/// An order at one status, as a card in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderProgress {
    /// The host's order id.
    pub order_id: String,
    /// The number customers know it by ("#10023").
    pub number: String,
    /// The host's status name ("Shipped").
    pub status: String,
    /// The total, formatted by the host.
    pub total: String,
}

/// One step of the card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderStep {
    /// Its name ("Shipped").
    pub label: &'static str,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
}

impl OrderProgress {
    /// The card of an order as the host describes it now.
    pub fn of(order: &OrderCard) -> Self {
        OrderProgress {
            order_id: order.id.clone(),
            number: order.number.clone(),
            status: order.status.trim().to_owned(),
            total: order.total.clone(),
        }
    }

    /// The stored form (a message body).
    pub fn to_body(&self) -> String {
        // Four strings always serialize; the fallback keeps this total.
        serde_json::to_string(self).unwrap_or_else(|_| self.summary())
    }

    /// Reads a stored card; `None` for a body that is not one.
    pub fn from_body(body: &str) -> Option<Self> {
        serde_json::from_str(body).ok()
    }

    /// The status as the idempotency key compares it: "Shipped" and
    /// "shipped " are the same status.
    pub fn status_key(&self) -> String {
        self.status.trim().to_lowercase()
    }

    /// Where the order stands among [`ORDER_STEPS`]; `None` for a status
    /// outside them (cancelled, refunded, a host's own).
    pub fn step_index(&self) -> Option<usize> {
        let key = self.status_key();
        ORDER_STEPS.iter().position(|s| s.to_lowercase() == key)
    }

    /// The steps with the current one marked. An order that left the steps
    /// (cancelled) shows none: [`OrderProgress::ended`] says why.
    pub fn steps(&self) -> Vec<OrderStep> {
        let Some(current) = self.step_index() else {
            return Vec::new();
        };
        ORDER_STEPS
            .iter()
            .enumerate()
            .map(|(i, label)| OrderStep {
                label,
                state: match i.cmp(&current) {
                    std::cmp::Ordering::Less => "done",
                    std::cmp::Ordering::Equal => "current",
                    std::cmp::Ordering::Greater => "todo",
                },
            })
            .collect()
    }

    /// The status of an order that left the steps ("Cancelled"), if it did.
    pub fn ended(&self) -> Option<&str> {
        self.step_index().is_none().then_some(self.status.as_str())
    }

    /// The card as one line of text, for previews and places without HTML.
    pub fn summary(&self) -> String {
        format!(
            "Order {}: {} · Total {}",
            self.number, self.status, self.total
        )
    }
}

/// A card ready to show: what pages, the JSON API and live frames render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderCardView {
    /// The host's order id.
    pub order_id: String,
    /// The order number.
    pub number: String,
    /// The status name.
    pub status: String,
    /// The total.
    pub total: String,
    /// The steps with the current one marked; empty once the order ended.
    pub steps: Vec<OrderStep>,
    /// The status that ended the order ("Cancelled"), if it did.
    pub ended: Option<String>,
    /// The card as one line of text.
    pub summary: String,
}

impl From<OrderProgress> for OrderCardView {
    fn from(card: OrderProgress) -> Self {
        OrderCardView {
            steps: card.steps(),
            ended: card.ended().map(str::to_owned),
            summary: card.summary(),
            order_id: card.order_id,
            number: card.number,
            status: card.status,
            total: card.total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(status: &str) -> OrderProgress {
        OrderProgress {
            order_id: "7".into(),
            number: "#1007".into(),
            status: status.into(),
            total: "€12.00".into(),
        }
    }

    #[test]
    fn marks_the_current_step() {
        let states: Vec<_> = card("shipped").steps().iter().map(|s| s.state).collect();
        assert_eq!(states, ["done", "done", "current", "todo"]);
        assert_eq!(card("Shipped").ended(), None);
    }

    #[test]
    fn a_cancelled_order_has_no_steps() {
        assert!(card("Cancelled").steps().is_empty());
        assert_eq!(card("Cancelled").ended(), Some("Cancelled"));
    }

    #[test]
    fn round_trips_through_the_body() {
        let c = card("Paid <b>");
        assert_eq!(OrderProgress::from_body(&c.to_body()), Some(c));
        assert_eq!(OrderProgress::from_body("Status set to OPEN"), None);
    }
}
