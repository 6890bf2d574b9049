//! The chat service's error type. Every surface maps it once: pages through
//! `web::page_error`, later JSON and WebSocket frames through their own
//! shapes, all from [`ChatError::code`] and [`ChatError::http_status`].
//! Causes of internal failures are logged, never shown.

use actix_web::http::StatusCode;

use crate::adapter::HostError;
use crate::domain::{ConversationId, Status, ValidationError};
use crate::store::StoreError;

/// A conversation that blocks a delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// Its id.
    pub id: ConversationId,
    /// Its subject.
    pub subject: String,
    /// Its status (anything but CLOSED).
    pub status: Status,
}

/// Why a chat operation did not happen. Nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// A typed value cannot be accepted.
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    /// Nobody is signed in.
    #[error("Please sign in to continue.")]
    Unauthenticated,
    /// Signed in, but this operation is not theirs to do.
    #[error("{0}")]
    Forbidden(&'static str),
    /// No such conversation, or not one this person may see.
    #[error("This conversation does not exist or is not yours.")]
    ConversationNotFound,
    /// No such message in this conversation.
    #[error("This message does not exist in this conversation.")]
    MessageNotFound,
    /// No such notification in this person's inbox.
    #[error("This notification does not exist or is not yours.")]
    NotificationNotFound,
    /// Customers cannot write in a CLOSED conversation.
    #[error("This conversation is closed. Please open a new conversation if you need more help.")]
    Closed,
    /// A delete named conversations that are not CLOSED; nothing was deleted.
    #[error("Only closed conversations can be deleted; nothing was deleted. Not closed: {}", describe(.0))]
    NotClosed(Vec<Blocker>),
    /// A bulk operation named conversations that do not exist; nothing was done.
    #[error("These conversations do not exist: {}; nothing was changed.", ids(.0))]
    UnknownConversations(Vec<ConversationId>),
    /// The database failed.
    #[error("Something went wrong on our side; please try again.")]
    Store(#[from] StoreError),
    /// The host's adapter failed.
    #[error("Something went wrong on our side; please try again.")]
    Host(#[from] HostError),
}

fn describe(blockers: &[Blocker]) -> String {
    blockers
        .iter()
        .map(|b| format!("#{} \"{}\" ({})", b.id, b.subject, b.status))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ids(ids: &[ConversationId]) -> String {
    ids.iter()
        .map(|id| format!("#{id}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl ChatError {
    /// A stable machine-readable code, e.g. `conversation_not_found`.
    pub fn code(&self) -> &'static str {
        match self {
            ChatError::Invalid(_) => "invalid",
            ChatError::Unauthenticated => "unauthenticated",
            ChatError::Forbidden(_) => "forbidden",
            ChatError::ConversationNotFound => "conversation_not_found",
            ChatError::MessageNotFound => "message_not_found",
            ChatError::NotificationNotFound => "notification_not_found",
            ChatError::Closed => "conversation_closed",
            ChatError::NotClosed(_) => "not_closed",
            ChatError::UnknownConversations(_) => "unknown_conversations",
            ChatError::Store(_) => "unavailable",
            ChatError::Host(_) => "host_error",
        }
    }

    /// The HTTP status every surface answers with.
    pub fn http_status(&self) -> StatusCode {
        match self {
            ChatError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ChatError::Unauthenticated => StatusCode::UNAUTHORIZED,
            ChatError::Forbidden(_) => StatusCode::FORBIDDEN,
            ChatError::ConversationNotFound
            | ChatError::MessageNotFound
            | ChatError::NotificationNotFound
            | ChatError::UnknownConversations(_) => StatusCode::NOT_FOUND,
            ChatError::Closed | ChatError::NotClosed(_) => StatusCode::CONFLICT,
            ChatError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
            ChatError::Host(_) => StatusCode::BAD_GATEWAY,
        }
    }

    /// True for failures of ours rather than the caller's; these are logged.
    pub fn is_internal(&self) -> bool {
        matches!(self, ChatError::Store(_) | ChatError::Host(_))
    }
}
