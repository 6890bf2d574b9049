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
    /// First frame of every connection.
    Hello { protocol: u32, user: Person<'a> },
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
    },
    /// The conversation changed (status, assignee, counters).
    Conversation { conversation: &'a Conversation },
    /// A message was removed.
    MessageDeleted {
        conversation_id: i64,
        message_id: i64,
    },
    /// Someone read up to a message: `seen`.
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
        ChatEvent::ConversationsDeleted { ids } => {
            Some((ServerFrame::ConversationsDeleted { ids }.to_json(), None))
        }
    }
}
