//! What the API reads and writes: its own types, so the wire format is a
//! decision of this version of the API and not a side effect of a row.

use std::fmt;

use serde::de::{self, Unexpected};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::schema::{
    AssigneeName, ClientMsgIdText, HostId, MessageText, PriorityName, ReactionName, SubjectText,
};
use crate::domain::{Actor, OrderCardView, Role, Side, Status};
use crate::service::{HistoryEntry, Priority, ReactionCount};
use crate::store::{Conversation, Message, MessageKind, Notification};

fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A person named on a conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct PersonRef {
    /// The host's id.
    pub id: String,
    /// Their name.
    pub name: String,
}

/// The customer of a conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerRef {
    /// The host's id.
    pub id: String,
    /// Their name.
    pub name: String,
    /// Their e-mail address (shown to the store's side only; empty for customers).
    pub email: String,
}

/// The order a conversation is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderRef {
    /// The host's id.
    pub id: String,
    /// The number customers know it by.
    pub number: Option<String>,
}

/// The product a conversation is about.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductRef {
    /// The host's id.
    pub id: String,
    /// Its name.
    pub name: Option<String>,
}

/// The newest message of a conversation, in short.
#[derive(Debug, Serialize, ToSchema)]
pub struct LastMessage {
    /// Its id.
    pub id: i64,
    /// Its first words (no more than 140 characters).
    pub preview: String,
    /// Who wrote it.
    pub side: Option<String>,
    /// When.
    #[schema(format = DateTime)]
    pub at: String,
}

/// A conversation as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationOut {
    /// Its id.
    pub id: i64,
    /// Its subject.
    pub subject: String,
    /// Its status.
    pub status: Status,
    /// The status in words for the customer ("Waiting for the store").
    pub status_label: String,
    /// The customer.
    pub customer: CustomerRef,
    /// The marketplace vendor it goes to, if it is about a vendor's product.
    pub vendor: Option<PersonRef>,
    /// The order it is about.
    pub order: Option<OrderRef>,
    /// The product it is about.
    pub product: Option<ProductRef>,
    /// The member of staff it is assigned to (store side only).
    pub assignee: Option<PersonRef>,
    /// `low`, `normal`, `high` or `urgent`.
    #[schema(value_type = PriorityName)]
    pub priority: String,
    /// Messages written in it.
    pub message_count: i32,
    /// Messages the caller's side has not read.
    pub unread: i32,
    /// Messages the customer has not read.
    pub unread_for_customer: i32,
    /// Messages the store has not read.
    pub unread_for_store: i32,
    /// The newest message the customer has read (0: none).
    pub customer_read_up_to: i64,
    /// The newest message the store has read (0: none).
    pub store_read_up_to: i64,
    /// The newest message.
    pub last_message: Option<LastMessage>,
    /// When it was opened.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When anything about it last changed.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl ConversationOut {
    /// `c` as `viewer` sees it.
    pub fn of(viewer: &Actor, c: &Conversation) -> ConversationOut {
        let store_side = viewer.role != Role::Customer;
        ConversationOut {
            id: c.id,
            subject: c.subject.clone(),
            status: c.status,
            status_label: if store_side {
                c.status.label().to_owned()
            } else {
                c.status.customer_label().to_owned()
            },
            customer: CustomerRef {
                id: c.customer_id.clone(),
                name: c.customer_name.clone(),
                email: if store_side || viewer.id == c.customer_id {
                    c.customer_email.clone()
                } else {
                    String::new()
                },
            },
            vendor: c.vendor_id.as_ref().map(|id| PersonRef {
                id: id.clone(),
                name: c.vendor_name.clone().unwrap_or_else(|| id.clone()),
            }),
            order: c.order_id.as_ref().map(|id| OrderRef {
                id: id.clone(),
                number: c.order_number.clone(),
            }),
            product: c.product_id.as_ref().map(|id| ProductRef {
                id: id.clone(),
                name: c.product_name.clone(),
            }),
            assignee: match (store_side, &c.assignee_id) {
                (true, Some(id)) => Some(PersonRef {
                    id: id.clone(),
                    name: c.assignee_name.clone().unwrap_or_else(|| id.clone()),
                }),
                _ => None,
            },
            priority: Priority::from_value(c.priority).name().to_owned(),
            message_count: c.message_count,
            unread: if store_side {
                c.unread_for_admin
            } else {
                c.unread_for_user
            },
            unread_for_customer: c.unread_for_user,
            unread_for_store: c.unread_for_admin,
            customer_read_up_to: c.user_read_up_to,
            store_read_up_to: c.admin_read_up_to,
            last_message: c.last_message_id.map(|id| LastMessage {
                id,
                preview: c.last_message_preview.clone(),
                side: c.last_message_side.clone(),
                at: rfc3339(c.last_message_at),
            }),
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
        }
    }
}

/// A page of conversations.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationPage {
    /// The conversations.
    pub items: Vec<ConversationOut>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A page of the admin list, which pages both ways.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminConversationPage {
    /// The conversations.
    pub items: Vec<ConversationOut>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `before` for the page before; `null` on the first page.
    pub previous_cursor: Option<String>,
}

/// A reaction to a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReactionOut {
    /// `thumbs_up`, `heart`, `laughing`, `surprised`, `sad` or `fire`.
    #[schema(value_type = ReactionName)]
    pub emoji: String,
    /// How many people gave it.
    pub count: i64,
    /// Whether the caller gave it.
    pub mine: bool,
}

impl ReactionOut {
    fn of(r: &ReactionCount) -> ReactionOut {
        ReactionOut {
            emoji: r.name().to_owned(),
            count: r.count,
            mine: r.mine,
        }
    }
}

/// A step of an order's progress.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderStepOut {
    /// Its name ("Shipped").
    pub label: String,
    /// `done`, `current` or `todo`.
    pub state: String,
}

/// An order progress card, posted by the plugin when an order changes.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderCardOut {
    /// The host's order id.
    pub order_id: String,
    /// The order number.
    pub number: String,
    /// The status it reached.
    pub status: String,
    /// The total.
    pub total: String,
    /// The steps with the current one marked; empty once the order ended.
    pub steps: Vec<OrderStepOut>,
    /// The status that ended the order ("Cancelled"), if it did.
    pub ended: Option<String>,
}

impl From<OrderCardView> for OrderCardOut {
    fn from(card: OrderCardView) -> Self {
        OrderCardOut {
            order_id: card.order_id,
            number: card.number,
            status: card.status,
            total: card.total,
            steps: card
                .steps
                .iter()
                .map(|s| OrderStepOut {
                    label: s.label.to_owned(),
                    state: s.state.to_owned(),
                })
                .collect(),
            ended: card.ended,
        }
    }
}

/// The message a reply quotes.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteOut {
    /// Its id.
    pub id: i64,
    /// Who wrote it.
    pub sender_name: String,
    /// Its text (empty when it was removed).
    pub body: String,
}

/// A message.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageOut {
    /// Its id (ids grow with time).
    pub id: i64,
    /// The conversation.
    pub conversation_id: i64,
    /// Who wrote it.
    pub sender_side: Side,
    /// The writer's name.
    pub sender_name: String,
    /// `text`, `system` (a status change) or `order_card`.
    pub kind: String,
    /// The text; empty once removed.
    pub body: String,
    /// The card of an `order_card` message.
    pub order_card: Option<OrderCardOut>,
    /// The client's id for it, on the writer's own messages.
    pub client_msg_id: Option<String>,
    /// The message it answers.
    pub reply_to: Option<QuoteOut>,
    /// When it was written.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it was last edited.
    #[schema(format = DateTime)]
    pub edited_at: Option<String>,
    /// True once removed; the message keeps its place.
    pub deleted: bool,
    /// True for the caller's own messages.
    pub mine: bool,
    /// Its reactions, in menu order.
    pub reactions: Vec<ReactionOut>,
}

impl MessageOut {
    /// `m` as `reader` sees it.
    pub fn of(
        reader: &Actor,
        m: &Message,
        quoted: Option<&Message>,
        reactions: &[ReactionCount],
    ) -> MessageOut {
        let system = m.kind == MessageKind::System || m.sender_side == Side::System;
        let mine = !system
            && m.sender_side == reader.side()
            && m.sender_id.as_deref() == Some(reader.id.as_str());
        MessageOut {
            id: m.id,
            conversation_id: m.conversation_id,
            sender_side: m.sender_side,
            sender_name: m.sender_name.clone(),
            kind: m.kind.as_str().to_owned(),
            body: if m.is_deleted() {
                String::new()
            } else {
                m.body.clone()
            },
            order_card: m.order_card().map(Into::into),
            client_msg_id: if mine { m.client_msg_id.clone() } else { None },
            reply_to: quoted.map(|q| QuoteOut {
                id: q.id,
                sender_name: q.sender_name.clone(),
                body: if q.is_deleted() {
                    String::new()
                } else {
                    q.body.clone()
                },
            }),
            created_at: rfc3339(m.created_at),
            edited_at: m.edited_at.map(rfc3339),
            deleted: m.is_deleted(),
            mine,
            reactions: reactions.iter().map(ReactionOut::of).collect(),
        }
    }

    /// A history entry as `reader` sees it.
    pub fn of_entry(reader: &Actor, e: &HistoryEntry) -> MessageOut {
        MessageOut::of(reader, &e.message, e.quoted.as_ref(), &e.reactions)
    }
}

/// A conversation with a page of its history.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationDetail {
    /// The conversation.
    pub conversation: ConversationOut,
    /// The newest messages, oldest first.
    pub messages: Vec<MessageOut>,
    /// Pass as `cursor` to `…/messages` for older messages; `null` when
    /// these are the first.
    pub earlier_cursor: Option<String>,
}

/// A page of a conversation's history, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    /// The messages, oldest first.
    pub items: Vec<MessageOut>,
    /// Pass as `cursor` for the page of older messages; `null` when these
    /// are the first.
    pub next_cursor: Option<String>,
}

/// A conversation just opened, with its first message.
#[derive(Debug, Serialize, ToSchema)]
pub struct Opened {
    /// The conversation.
    pub conversation: ConversationOut,
    /// Its first message.
    pub message: MessageOut,
    /// False when a retry (the same `client_msg_id`) found it already opened.
    pub created: bool,
}

/// A message just sent, with the conversation after it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SentOut {
    /// The message.
    pub message: MessageOut,
    /// The conversation (its new status and counters).
    pub conversation: ConversationOut,
    /// False when a retry (the same `client_msg_id`) found it already stored.
    pub created: bool,
}

/// An in-app notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationOut {
    /// Its id.
    pub id: i64,
    /// `NEW_MESSAGE`.
    pub kind: String,
    /// The conversation it is about.
    pub conversation_id: i64,
    /// The message it is about.
    pub message_id: Option<i64>,
    /// Its title.
    pub title: String,
    /// Its text.
    pub body: String,
    /// When it was made.
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When it was read; `null` while unread.
    #[schema(format = DateTime)]
    pub read_at: Option<String>,
}

impl From<&Notification> for NotificationOut {
    fn from(n: &Notification) -> Self {
        NotificationOut {
            id: n.id,
            kind: n.kind.clone(),
            conversation_id: n.conversation_id,
            message_id: n.message_id,
            title: n.title.clone(),
            body: n.body.clone(),
            created_at: rfc3339(n.created_at),
            read_at: n.read_at.map(rfc3339),
        }
    }
}

/// A page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    /// The notifications.
    pub items: Vec<NotificationOut>,
    /// Unread notifications in all.
    pub unread: i64,
    /// Pass as `cursor` for older ones; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// The caller's unread badges.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unread {
    /// Unread messages: for a customer, store messages in their
    /// conversations; for the store's side, customer messages.
    pub messages: i64,
    /// Unread notifications.
    pub notifications: i64,
}

/// How many things an operation changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Changed {
    /// How many.
    pub changed: usize,
}

/// Open a conversation (customers: with the store).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenIn {
    /// Its subject (1 to 200 characters).
    #[schema(value_type = SubjectText)]
    pub subject: String,
    /// The first message (1 to 10,000 characters).
    #[schema(value_type = MessageText)]
    pub body: String,
    /// The client's id for the first message (1 to 64 of `A-Z a-z 0-9 - _ . :`):
    /// a retry with the same id opens nothing new.
    #[schema(value_type = Option<ClientMsgIdText>)]
    pub client_msg_id: Option<String>,
    /// An order of the customer's it is about.
    pub order_id: Option<String>,
    /// A product it is about (sends it to the product's vendor).
    pub product_id: Option<String>,
}

/// Open a conversation with a customer (staff).
#[derive(Debug, Deserialize, ToSchema)]
pub struct AdminOpenIn {
    /// The customer's host id.
    #[schema(value_type = HostId)]
    pub customer_id: String,
    /// Who answers it: left out or `null` for the product's vendor (the
    /// store when the product has none), `""` for the store's staff, or a
    /// vendor's host id.
    pub vendor_id: Option<String>,
    /// Subject, first message and what it is about, as for customers.
    #[serde(flatten)]
    pub conversation: OpenIn,
}

/// Send a message.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SendIn {
    /// The text (1 to 10,000 characters).
    #[schema(value_type = MessageText)]
    pub body: String,
    /// The client's id for it: a retry after a lost answer returns the
    /// stored message instead of a second one.
    #[schema(value_type = Option<ClientMsgIdText>)]
    pub client_msg_id: Option<String>,
    /// The message it answers, in the same conversation.
    #[schema(value_type = Option<i64>)]
    pub reply_to: Option<WholeNumber>,
}

/// Change the text of one's own message.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EditIn {
    /// The new text (1 to 10,000 characters).
    #[schema(value_type = MessageText)]
    pub body: String,
}

/// Mark a conversation read.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReadIn {
    /// Read up to this message; the newest when left out.
    #[schema(value_type = Option<i64>)]
    pub up_to: Option<WholeNumber>,
}

/// Set a conversation's status.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StatusIn {
    /// The new status.
    pub status: Status,
}

/// Assign a conversation.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssignIn {
    /// `me` to take it, `null` to unassign.
    #[schema(value_type = Option<AssigneeName>)]
    pub assignee: Option<String>,
}

/// Set a conversation's priority.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PriorityIn {
    /// `low`, `normal`, `high` or `urgent`.
    #[schema(value_type = PriorityName)]
    pub priority: String,
}

/// What a bulk operation does.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BulkAction {
    /// Mark read by the store.
    MarkRead,
    /// Set RESOLVED.
    Resolve,
    /// Set CLOSED.
    Close,
    /// Assign to the caller.
    AssignToMe,
    /// Delete (every one must be CLOSED, or nothing is deleted).
    Delete,
}

/// A bulk operation on conversations: all of them, or none.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BulkIn {
    /// What to do.
    pub action: BulkAction,
    /// Which conversations (1 to 1,000).
    #[schema(value_type = Vec<i64>, min_items = 1, max_items = 1000)]
    pub ids: Vec<WholeNumber>,
}

/// The spreadsheet format of an export.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// CSV, UTF-8.
    Csv,
    /// Excel workbook.
    Xlsx,
}

/// Export conversations.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ExportIn {
    /// Which conversations (1 to 1,000), in the order of the file.
    #[schema(value_type = Vec<i64>, min_items = 1, max_items = 1000)]
    pub ids: Vec<WholeNumber>,
    /// `csv` or `xlsx`.
    pub format: ExportFormat,
}

/// An integer in a request body, such as an id. JSON has one kind of number
/// and JSON Schema counts `5.0` as the integer 5, so a whole number written
/// with a decimal point (as some JSON encoders write every number) is read
/// as that integer; `5.5` is refused like any other value that is not one.
/// So is a float past 2^53, which no longer names one integer (an integer
/// too large for an i64 arrives as such a float).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WholeNumber(pub i64);

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Whole;

        impl de::Visitor<'_> for Whole {
            type Value = WholeNumber;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number")
            }

            fn visit_i64<E: de::Error>(self, n: i64) -> Result<WholeNumber, E> {
                Ok(WholeNumber(n))
            }

            fn visit_u64<E: de::Error>(self, n: u64) -> Result<WholeNumber, E> {
                i64::try_from(n)
                    .map(WholeNumber)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
            }

            fn visit_f64<E: de::Error>(self, n: f64) -> Result<WholeNumber, E> {
                const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
                if n.fract() == 0.0 && n.abs() <= EXACT {
                    Ok(WholeNumber(n as i64))
                } else {
                    Err(E::invalid_value(Unexpected::Float(n), &self))
                }
            }
        }

        deserializer.deserialize_i64(Whole)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Option<i64> {
        serde_json::from_str::<WholeNumber>(json).ok().map(|n| n.0)
    }

    #[test]
    fn whole_numbers_may_have_a_decimal_point() {
        assert_eq!(read("5"), Some(5));
        assert_eq!(read("-5.0"), Some(-5));
        assert_eq!(read("1e3"), Some(1000));
        assert_eq!(read("9223372036854775807"), Some(i64::MAX));
        // Read exactly (serde_json's float_roundtrip), not a fraction off.
        assert_eq!(read("2246981677270715.0"), Some(2_246_981_677_270_715));
        assert_eq!(read("5.5"), None);
        assert_eq!(read("\"5\""), None);
        // Past i64, and past the floats that name one integer.
        assert_eq!(read("9223372036854775808"), None);
        assert_eq!(read("-9223372036854775809"), None);
        assert_eq!(read("9007199254740994.0"), None);
    }
}
