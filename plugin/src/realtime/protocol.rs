//! The frames of protocol version 1, as serde types. See `docs/PROTOCOL.md`.

use serde::{Deserialize, Serialize};

use crate::events::ChatEvent;
use crate::store::{Conversation, Message};

/// The protocol version this server speaks.
pub const VERSION: u32 = 1;

/// A frame from a client. `ref` is the client's own label, echoed in the
/// answer (`ack`, `error`, `pong`).
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ClientFrame {
    /// Write a message.
    Send {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        conversation_id: i64,
        client_msg_id: String,
        body: String,
        #[serde(default)]
        reply_to: Option<i64>,
    },
    /// I am typing (or stopped).
    Typing {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        conversation_id: i64,
        typing: bool,
    },
    /// I have read up to this message (the newest when absent).
    Read {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        conversation_id: i64,
        #[serde(default)]
        up_to: Option<i64>,
    },
    /// Change the text of a message I wrote.
    Edit {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        message_id: i64,
        body: String,
    },
    /// Delete a message I wrote (staff: any message).
    Delete {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        message_id: i64,
    },
    /// Add a reaction.
    React {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        message_id: i64,
        emoji: String,
    },
    /// Take a reaction back.
    Unreact {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        message_id: i64,
        emoji: String,
    },
    /// My client has the messages up to this one (a "delivered" receipt).
    Delivered {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        conversation_id: i64,
        up_to: i64,
    },
    /// After a reconnect: the last message id I have per conversation.
    Resume {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
        conversations: std::collections::BTreeMap<String, i64>,
    },
    /// Are you there?
    Ping {
        #[serde(rename = "ref", default)]
        reference: Option<String>,
    },
}

impl ClientFrame {
    /// The client's label, if any.
    pub fn reference(&self) -> Option<&str> {
        match self {
            ClientFrame::Send { reference, .. }
            | ClientFrame::Typing { reference, .. }
            | ClientFrame::Read { reference, .. }
            | ClientFrame::Edit { reference, .. }
            | ClientFrame::Delete { reference, .. }
            | ClientFrame::React { reference, .. }
            | ClientFrame::Unreact { reference, .. }
            | ClientFrame::Delivered { reference, .. }
            | ClientFrame::Resume { reference, .. }
            | ClientFrame::Ping { reference } => reference.as_deref(),
        }
    }
}

/// Who someone is, as frames show them.
#[derive(Debug, Clone, Serialize)]
pub struct Person<'a> {
    /// Host id.
    pub id: &'a str,
    /// Display name.
    pub name: &'a str,
    /// `customer`, `staff` or `vendor`.
    pub side: &'static str,
}

/// A frame from the server.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame<'a> {
    /// First frame of every connection: who you are, whether the store is
    /// online, and your unread total.
    Hello {
        protocol: u32,
        user: Person<'a>,
        store_online: bool,
        unread: i64,
    },
    /// A `send` was stored (or had been: `created` false).
    Ack {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
        client_msg_id: &'a str,
        conversation_id: i64,
        message_id: i64,
        created: bool,
    },
    /// A new message, with the conversation as it now stands.
    Message {
        conversation: &'a Conversation,
        message: &'a Message,
        /// For an order update: the card, ready to show.
        #[serde(skip_serializing_if = "Option::is_none")]
        order_card: Option<crate::domain::OrderCardView>,
    },
    /// The conversation changed (status, assignee, counters).
    Conversation { conversation: &'a Conversation },
    /// A message was removed.
    MessageDeleted {
        conversation_id: i64,
        message_id: i64,
    },
    /// Someone's client has (`delivered`) or has read (`seen`) up to a message.
    Receipt {
        conversation_id: i64,
        state: &'static str,
        side: &'static str,
        up_to: i64,
    },
    /// Someone is typing.
    Typing {
        conversation_id: i64,
        user: Person<'a>,
        typing: bool,
    },
    /// Conversations were deleted.
    ConversationsDeleted { ids: &'a [i64] },
    /// A message's text changed.
    MessageEdited {
        conversation_id: i64,
        message: &'a Message,
    },
    /// A reaction was added or taken back.
    Reaction {
        conversation_id: i64,
        message_id: i64,
        emoji: &'static str,
        user: Person<'a>,
        added: bool,
    },
    /// A customer came online or went offline (to staff); the store came
    /// online or went offline (to customers: `user.side` is `store`).
    Presence { user: Person<'a>, online: bool },
    /// A frame with a `ref` that needs no other answer was done.
    Done {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// The end of a resume: every missed message of these conversations was
    /// sent, in order.
    Resumed {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
        conversations: &'a [i64],
    },
    /// Too much was missed in a conversation: reload it over HTTP.
    Reload {
        conversation_id: i64,
        reason: &'a str,
    },
    /// The answer to `ping`.
    Pong {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
    },
    /// A frame could not be done; nothing was changed.
    Error {
        #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
        reference: Option<&'a str>,
        code: &'a str,
        message: &'a str,
    },
}

impl ServerFrame<'_> {
    /// The frame as sent.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self)
            .unwrap_or_else(|_| "{\"type\":\"error\",\"code\":\"internal\"}".into())
    }
}

/// The frame that tells clients about a committed event, and the
/// conversation it concerns (for routing); `None` for events clients do not
/// need.
pub fn frame_of(event: &ChatEvent) -> Option<(String, Option<&Conversation>)> {
    match event {
        ChatEvent::ConversationOpened {
            conversation,
            message,
        }
        | ChatEvent::MessageCreated {
            conversation,
            message,
        } => Some((
            ServerFrame::Message {
                conversation,
                message,
                order_card: message.order_card(),
            }
            .to_json(),
            Some(conversation),
        )),
        ChatEvent::StatusChanged {
            conversation,
            message,
            ..
        } => Some((
            ServerFrame::Message {
                conversation,
                message,
                order_card: message.order_card(),
            }
            .to_json(),
            Some(conversation),
        )),
        ChatEvent::ConversationUpdated { conversation } => Some((
            ServerFrame::Conversation { conversation }.to_json(),
            Some(conversation),
        )),
        ChatEvent::ConversationRead {
            conversation,
            reader,
            up_to,
        } => Some((
            ServerFrame::Receipt {
                conversation_id: conversation.id,
                state: "seen",
                side: if *reader == crate::domain::Side::Customer {
                    "customer"
                } else {
                    "store"
                },
                up_to: *up_to,
            }
            .to_json(),
            Some(conversation),
        )),
        ChatEvent::MessageRemoved {
            conversation,
            message,
        } => Some((
            ServerFrame::MessageDeleted {
                conversation_id: conversation.id,
                message_id: message.id,
            }
            .to_json(),
            Some(conversation),
        )),
        ChatEvent::MessageEdited {
            conversation,
            message,
        } => Some((
            ServerFrame::MessageEdited {
                conversation_id: conversation.id,
                message,
            }
            .to_json(),
            Some(conversation),
        )),
        ChatEvent::ReactionChanged {
            conversation,
            message_id,
            user_id,
            user_name,
            side,
            emoji,
            added,
        } => Some((
            ServerFrame::Reaction {
                conversation_id: conversation.id,
                message_id: *message_id,
                emoji: emoji.name(),
                user: Person {
                    id: user_id,
                    name: user_name,
                    side: side.as_str(),
                },
                added: *added,
            }
            .to_json(),
            Some(conversation),
        )),
        ChatEvent::ConversationsDeleted { ids } => {
            Some((ServerFrame::ConversationsDeleted { ids }.to_json(), None))
        }
    }
}
