//! Rows as the service and the pages see them. Field order follows the
//! table definitions because diesel maps columns by position.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::schema::{storechat_conversations, storechat_messages, storechat_notifications};
use crate::domain::{Side, Status, ValidationError};

/// A conversation between one customer and the store.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = storechat_conversations)]
pub struct Conversation {
    /// Its id.
    pub id: i64,
    /// What it is about, as the opener wrote it.
    pub subject: String,
    /// The host id of the customer.
    pub customer_id: String,
    /// The customer's name when they last wrote (copied from the host).
    pub customer_name: String,
    /// The customer's e-mail (copied from the host).
    pub customer_email: String,
    /// The marketplace vendor the conversation goes to, if any.
    pub vendor_id: Option<String>,
    /// The host id of the linked order.
    pub order_id: Option<String>,
    /// The linked order's number as customers know it.
    pub order_number: Option<String>,
    /// The host id of the linked product.
    pub product_id: Option<String>,
    /// The linked product's name.
    pub product_name: Option<String>,
    /// Where it stands.
    #[diesel(deserialize_as = String)]
    pub status: Status,
    /// The member of staff it is assigned to.
    pub assignee_id: Option<String>,
    /// Their name.
    pub assignee_name: Option<String>,
    /// 0 normal; higher is more urgent.
    pub priority: i32,
    /// Messages written by people (system messages excluded).
    pub message_count: i32,
    /// Customer messages the store has not read.
    pub unread_for_admin: i32,
    /// Store messages the customer has not read.
    pub unread_for_user: i32,
    /// The store has read every message up to this id.
    pub admin_read_up_to: i64,
    /// The customer has read every message up to this id.
    pub user_read_up_to: i64,
    /// The newest message written by a person.
    pub last_message_id: Option<i64>,
    /// The start of that message, on one line.
    pub last_message_preview: String,
    /// Who wrote it.
    pub last_message_side: Option<String>,
    /// When it was opened.
    pub created_at: NaiveDateTime,
    /// When anything about it last changed.
    pub updated_at: NaiveDateTime,
    /// When a person last wrote in it.
    pub last_message_at: NaiveDateTime,
    /// The vendor's name (copied from the host).
    pub vendor_name: Option<String>,
}

impl Conversation {
    /// Every customer message has been read by the store.
    pub fn is_read_by_admin(&self) -> bool {
        self.unread_for_admin == 0
    }

    /// Every store message has been read by the customer.
    pub fn is_read_by_user(&self) -> bool {
        self.unread_for_user == 0
    }
}

/// What a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Written by a person.
    Text,
    /// Written by the plugin: a status change and the like.
    System,
    /// An order progress card.
    OrderCard,
}

impl MessageKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::System => "system",
            MessageKind::OrderCard => "order_card",
        }
    }
}

impl TryFrom<String> for MessageKind {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match value.as_str() {
            "text" => Ok(MessageKind::Text),
            "system" => Ok(MessageKind::System),
            "order_card" => Ok(MessageKind::OrderCard),
            other => Err(ValidationError::new(
                "kind",
                format!("unknown message kind \"{other}\""),
            )),
        }
    }
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = storechat_messages)]
pub struct Message {
    /// Its id; ids grow with time.
    pub id: i64,
    /// The conversation it belongs to.
    pub conversation_id: i64,
    /// The host id of the writer; `None` for system messages.
    pub sender_id: Option<String>,
    /// The writer's side.
    #[diesel(deserialize_as = String)]
    pub sender_side: Side,
    /// The writer's name when they wrote it.
    pub sender_name: String,
    /// What it is.
    #[diesel(deserialize_as = String)]
    pub kind: MessageKind,
    /// The text (plain text; escape it wherever it is shown).
    pub body: String,
    /// The message it answers.
    pub reply_to_id: Option<i64>,
    /// The writer's client id for idempotent retries.
    pub client_msg_id: Option<String>,
    /// When it was written.
    pub created_at: NaiveDateTime,
    /// When it was last edited.
    pub edited_at: Option<NaiveDateTime>,
    /// When it was removed; the row is kept, the text is not shown.
    pub deleted_at: Option<NaiveDateTime>,
    /// Who removed it.
    pub deleted_by: Option<String>,
}

impl Message {
    /// Removed messages keep their row but not their place in the thread.
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    /// The order progress card this message shows, if it is one (and is
    /// still shown).
    pub fn order_card(&self) -> Option<crate::domain::OrderCardView> {
        if self.kind != MessageKind::OrderCard || self.is_deleted() {
            return None;
        }
        crate::domain::OrderProgress::from_body(&self.body).map(Into::into)
    }

    /// The text to show where a message is one line: an order card's summary,
    /// else the body.
    pub fn display_text(&self) -> String {
        match self.order_card() {
            Some(card) => card.summary,
            None => self.body.clone(),
        }
    }
}

/// An in-app alert, e.g. `NEW_MESSAGE`.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = storechat_notifications)]
pub struct Notification {
    /// Its id.
    pub id: i64,
    /// Whose inbox it is in.
    #[diesel(deserialize_as = String)]
    pub recipient_side: Side,
    /// The recipient; `None` means the whole staff inbox.
    pub recipient_id: Option<String>,
    /// `NEW_MESSAGE`.
    pub kind: String,
    /// The conversation it is about.
    pub conversation_id: i64,
    /// The message it is about.
    pub message_id: Option<i64>,
    /// A one-line title ("Ann replied: Late parcel").
    pub title: String,
    /// A preview of the message.
    pub body: String,
    /// When it was created.
    pub created_at: NaiveDateTime,
    /// When it was read.
    pub read_at: Option<NaiveDateTime>,
}
