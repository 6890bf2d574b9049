//! The open conversation of the inbox: its messages as the page and
//! `history.json` show them (side, receipt, edited and removed markers, the
//! quoted message, reactions, and which actions the reader may take), and
//! the reply box (replying, quoting, or editing one's own message).

use serde::Serialize;

use crate::domain::{Actor, Side};
use crate::service::{HistoryEntry, Reaction};
use crate::store::{Conversation, Message, MessageKind};
use crate::web::format::{exact_time, relative_time};

/// How much of a quoted message is shown.
const QUOTE_CHARS: usize = 140;

/// One reaction of the menu every message offers.
#[derive(Debug, Clone, Copy, Serialize)]
pub(super) struct ReactionChoice {
    pub name: &'static str,
    pub glyph: &'static str,
    pub label: &'static str,
}

/// The six reactions of the protocol, in menu order.
pub(super) fn reaction_menu() -> Vec<ReactionChoice> {
    Reaction::ALL
        .into_iter()
        .map(|r| ReactionChoice {
            name: r.name(),
            glyph: r.glyph(),
            label: r.label(),
        })
        .collect()
}

/// A reaction a message got.
#[derive(Debug, Serialize)]
pub(super) struct ReactionView {
    pub name: &'static str,
    pub glyph: &'static str,
    pub label: &'static str,
    pub count: i64,
    /// The reader gave it (clicking takes it back).
    pub mine: bool,
}

/// The message another one answers.
#[derive(Debug, Serialize)]
pub(super) struct QuoteView {
    pub id: i64,
    pub sender: String,
    /// The start of its text; empty when it was removed.
    pub text: String,
    pub deleted: bool,
}

impl QuoteView {
    pub fn of(m: &Message) -> QuoteView {
        QuoteView {
            id: m.id,
            sender: m.sender_name.clone(),
            text: if m.is_deleted() {
                String::new()
            } else {
                crate::domain::preview_text(&m.body, QUOTE_CHARS)
            },
            deleted: m.is_deleted(),
        }
    }
}

/// One message of the open conversation.
#[derive(Debug, Serialize)]
pub(super) struct MessageView {
    pub id: i64,
    /// `customer`, `staff`, `vendor` or `system`.
    pub side: &'static str,
    /// Where it sits: customers on the left (`theirs`), the store on the
    /// right (`mine`), status changes in the middle (`system`).
    pub align: &'static str,
    pub sender: String,
    /// Its text; empty once removed.
    pub body: String,
    pub system: bool,
    /// The order progress card, for an order update.
    pub card: Option<crate::domain::OrderCardView>,
    pub deleted: bool,
    pub edited: bool,
    /// The reader wrote it: they may edit and delete it.
    pub own: bool,
    /// A text message still shown: it can be answered and reacted to.
    pub actionable: bool,
    pub created_at: String,
    pub when: String,
    pub when_exact: String,
    /// For the store's messages: `sent`, or `seen` once the customer read it.
    pub receipt: Option<&'static str>,
    /// A customer message the store has not read.
    pub unread: bool,
    /// It follows a message of the same writer: its name is not repeated.
    pub grouped: bool,
    pub quote: Option<QuoteView>,
    pub reactions: Vec<ReactionView>,
}

impl MessageView {
    pub fn new(
        reader: &Actor,
        c: &Conversation,
        entry: &HistoryEntry,
        now: chrono::NaiveDateTime,
    ) -> MessageView {
        let m = &entry.message;
        let system = m.kind == MessageKind::System || m.sender_side == Side::System;
        let text = !system && m.kind == MessageKind::Text;
        let own = text
            && m.sender_side == reader.side()
            && m.sender_id.as_deref() == Some(reader.id.as_str());
        MessageView {
            id: m.id,
            side: m.sender_side.as_str(),
            align: if system {
                "system"
            } else if m.sender_side.is_store() {
                "mine"
            } else {
                "theirs"
            },
            sender: m.sender_name.clone(),
            body: if m.is_deleted() {
                String::new()
            } else {
                m.display_text()
            },
            system,
            card: m.order_card(),
            deleted: m.is_deleted(),
            edited: m.edited_at.is_some(),
            own: own && !m.is_deleted(),
            actionable: text && !m.is_deleted(),
            created_at: m.created_at.and_utc().to_rfc3339(),
            when: relative_time(m.created_at, now),
            when_exact: exact_time(m.created_at),
            receipt: (m.sender_side.is_store() && !system).then_some(
                if c.user_read_up_to >= m.id {
                    "seen"
                } else {
                    "sent"
                },
            ),
            unread: m.sender_side == Side::Customer && m.id > c.admin_read_up_to && !m.is_deleted(),
            grouped: false,
            quote: entry.quoted.as_ref().map(QuoteView::of),
            reactions: entry
                .reactions
                .iter()
                .map(|r| ReactionView {
                    name: r.reaction.name(),
                    glyph: r.glyph(),
                    label: r.label(),
                    count: r.count,
                    mine: r.mine,
                })
                .collect(),
        }
    }
}

/// Marks the messages that follow one of the same writer, so that a run of
/// messages carries its writer's name once.
pub(super) fn group(messages: &mut [MessageView]) {
    for i in 1..messages.len() {
        let (before, rest) = messages.split_at_mut(i);
        let (prev, m) = (&before[i - 1], &mut rest[0]);
        m.grouped = !m.system && !prev.system && prev.side == m.side && prev.sender == m.sender;
    }
}

/// What the reply box is doing.
#[derive(Debug)]
pub(super) struct Composer {
    /// Where it posts: the reply, or the edit of one message.
    pub action: String,
    /// Editing one's own message rather than replying.
    pub editing: Option<i64>,
    /// The message the reply quotes.
    pub quote: Option<QuoteView>,
    /// The link that stops quoting or editing.
    pub cancel_href: String,
    /// What is in the box.
    pub draft: String,
    /// Why the last post was refused.
    pub error: Option<String>,
    /// A fresh id, so that a double submit stores one message.
    pub client_msg_id: String,
}
