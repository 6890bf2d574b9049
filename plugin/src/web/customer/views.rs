//! What the customer templates show, computed once per row.

use chrono::NaiveDateTime;

use crate::domain::{Actor, Side};
use crate::service::ReactionCount;
use crate::store::{Conversation, Message, MessageKind};
use crate::web::format::{badge, exact_time, relative_time};

/// A row of the customer's list.
pub(super) struct ConversationRow {
    pub id: i64,
    /// The message the preview quotes: a live edit or removal of it
    /// changes the preview.
    pub last_message_id: i64,
    pub href: String,
    pub subject: String,
    pub status_label: &'static str,
    pub status_css: &'static str,
    pub order_number: Option<String>,
    pub product_name: Option<String>,
    pub preview: String,
    pub when: String,
    pub when_exact: String,
    pub unread: Option<String>,
}

impl ConversationRow {
    pub fn new(prefix: &str, c: &Conversation, now: NaiveDateTime) -> Self {
        let preview = match c.last_message_side.as_deref() {
            Some("customer") => format!("You: {}", c.last_message_preview),
            _ => c.last_message_preview.clone(),
        };
        ConversationRow {
            id: c.id,
            last_message_id: c.last_message_id.unwrap_or(0),
            href: format!("{prefix}/{}/", c.id),
            subject: c.subject.clone(),
            status_label: c.status.customer_label(),
            status_css: c.status.customer_css(),
            order_number: c.order_number.clone(),
            product_name: c.product_name.clone(),
            preview,
            when: relative_time(c.last_message_at, now),
            when_exact: exact_time(c.last_message_at),
            unread: badge(i64::from(c.unread_for_user)),
        }
    }
}

/// A message of a thread, from the reader's point of view.
pub(super) struct MessageRow {
    pub anchor: String,
    pub side: &'static str,
    pub sender: String,
    pub body: String,
    pub when: String,
    pub when_exact: String,
    pub edited: bool,
    pub deleted: bool,
    pub system: bool,
    /// The order progress card, for an order update.
    pub card: Option<crate::domain::OrderCardView>,
    pub receipt: Option<&'static str>,
    /// Reactions so far, in menu order.
    pub reactions: Vec<ReactionCount>,
    /// Whether people can react to it (text that is still shown).
    pub reactable: bool,
}

impl MessageRow {
    pub fn new(
        reader: &Actor,
        conversation: &Conversation,
        m: &Message,
        reactions: &[ReactionCount],
        now: NaiveDateTime,
    ) -> Self {
        let system = m.kind == MessageKind::System || m.sender_side == Side::System;
        let mine =
            m.sender_id.as_deref() == Some(reader.id.as_str()) && m.sender_side == reader.side();
        let side = if system {
            "system"
        } else if mine {
            "mine"
        } else {
            "theirs"
        };
        let receipt = (mine && !system).then(|| {
            let seen = if reader.side() == Side::Customer {
                conversation.admin_read_up_to >= m.id
            } else {
                conversation.user_read_up_to >= m.id
            };
            if seen { "Seen" } else { "Sent" }
        });
        let sender = match (system, m.sender_side) {
            (true, _) => String::new(),
            (false, Side::Staff) => format!("{} · Store", m.sender_name),
            (false, Side::Vendor) => format!("{} · Seller", m.sender_name),
            _ => m.sender_name.clone(),
        };
        MessageRow {
            anchor: format!("m{}", m.id),
            side,
            sender,
            body: if m.is_deleted() {
                String::new()
            } else {
                m.display_text()
            },
            when: relative_time(m.created_at, now),
            when_exact: exact_time(m.created_at),
            edited: m.edited_at.is_some(),
            deleted: m.is_deleted(),
            system,
            card: m.order_card(),
            receipt,
            reactions: reactions.to_vec(),
            reactable: !system && !m.is_deleted() && m.kind == MessageKind::Text,
        }
    }
}
