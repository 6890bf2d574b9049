//! The chat service: one function per operation. Each function authorizes
//! the [`Actor`], asks the host what it needs *before* its transaction, runs
//! exactly one transaction, and publishes its event only after commit. Pages,
//! the JSON API and the WebSocket channel all come through here.

mod admin;
mod delete;
mod edit;
mod history;
mod inbox;
mod open;
mod order_update;
mod read;
mod send;
mod send_group;
mod settings;
mod status;
mod view;

use std::sync::Arc;

use crate::adapter::HostAdapter;
use crate::domain::{Actor, Role, Side};
use crate::error::ChatError;
use crate::events::EventBus;
use crate::mail::MailQueue;
use crate::store::notifications::{Inbox, NEW_MESSAGE, NewNotification};
use crate::store::{self, AnyConnection, Conversation, Db, Message};

pub use admin::{AdminPage, AdminQuery, Assignment, Priority};
pub use edit::Reaction;
pub use history::{History, HistoryEntry};
pub use open::{Handler, OpenConversation, Opened};
pub use order_update::OrderUpdated;
pub use send::{SendMessage, Sent};
pub use settings::{LiveSettings, REFRESH as SETTINGS_REFRESH, SettingsChange};
pub use view::{ConversationPage, ConversationView, PageCursor, ReactionCount};

/// How many messages a history page holds unless asked otherwise.
pub const HISTORY_PAGE: i64 = 50;

/// The chat operations, shared by every surface. Cheap to clone.
#[derive(Clone)]
pub struct ChatService {
    db: Db,
    host: Arc<dyn HostAdapter>,
    events: EventBus,
    mail: MailQueue,
    settings: LiveSettings,
}

impl ChatService {
    /// A service over `db`, asking `host` about people and orders,
    /// publishing to `events`, queueing e-mail in `mail`; `mail` reads the
    /// same live settings.
    pub fn new(db: Db, host: Arc<dyn HostAdapter>, events: EventBus, mail: MailQueue) -> Self {
        ChatService {
            settings: mail.settings.clone(),
            db,
            host,
            events,
            mail,
        }
    }

    /// The e-mail queue settings.
    pub fn mail_queue(&self) -> &MailQueue {
        &self.mail
    }

    /// The database handle.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// The host adapter.
    pub fn host(&self) -> &Arc<dyn HostAdapter> {
        &self.host
    }

    /// The event bus.
    pub fn events(&self) -> &EventBus {
        &self.events
    }
}

/// May `actor` see this conversation? Strangers get "not found", never
/// "forbidden", so that ids reveal nothing.
pub(crate) fn authorize_view(actor: &Actor, conversation: &Conversation) -> Result<(), ChatError> {
    let allowed = match actor.role {
        Role::Staff => true,
        Role::Customer => conversation.customer_id == actor.id,
        Role::Vendor => conversation.vendor_id.as_deref() == Some(actor.id.as_str()),
    };
    if allowed {
        Ok(())
    } else {
        Err(ChatError::ConversationNotFound)
    }
}

/// Loads a conversation `actor` may see, taking its write lock first.
pub(crate) fn load_for_write(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
) -> Result<Conversation, ChatError> {
    let conversation =
        store::conversations::find_for_write(conn, id)?.ok_or(ChatError::ConversationNotFound)?;
    authorize_view(actor, &conversation)?;
    Ok(conversation)
}

/// The ids of a bulk operation, each once; none is an error.
pub(crate) fn distinct_ids(ids: &[i64]) -> Result<Vec<i64>, ChatError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Err(crate::domain::ValidationError::new(
            "ids",
            "Choose at least one conversation.",
        )
        .into());
    }
    Ok(ids)
}

/// Loads every conversation of a bulk operation; if any does not exist the
/// whole operation is refused, naming the missing ids.
pub(crate) fn require_all(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<Vec<Conversation>, ChatError> {
    let found = store::conversations::find_many(conn, ids)?;
    let missing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !found.iter().any(|c| c.id == *id))
        .collect();
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(ChatError::UnknownConversations(missing))
    }
}

/// The inbox that hears about a message written from `writer`'s side.
pub(crate) fn inbox_of_other_side(conversation: &Conversation, writer: Side) -> Inbox {
    if writer == Side::Customer {
        match &conversation.vendor_id {
            Some(vendor) => Inbox {
                side: Side::Vendor,
                id: Some(vendor.clone()),
            },
            None => Inbox {
                side: Side::Staff,
                id: conversation.assignee_id.clone(),
            },
        }
    } else {
        Inbox {
            side: Side::Customer,
            id: Some(conversation.customer_id.clone()),
        }
    }
}

/// Queues the e-mail about a message for the other side, inside the
/// message's transaction: a recap after the delay, or at once for a
/// conversation staff opened. Returns true when it is due now.
pub(crate) fn queue_email(
    conn: &mut AnyConnection,
    mail: &MailQueue,
    conversation: &Conversation,
    message: &Message,
    opened_by_staff: bool,
) -> Result<bool, ChatError> {
    if !mail.is_on() {
        return Ok(false);
    }
    let recipient = inbox_of_other_side(conversation, message.sender_side).side;
    let (kind, due) = if opened_by_staff {
        ("opened", message.created_at)
    } else {
        ("replies", mail.due(message.created_at))
    };
    store::outbox::enqueue(
        conn,
        conversation.id,
        recipient,
        kind,
        message.id,
        due,
        message.created_at,
    )?;
    Ok(opened_by_staff)
}

/// The inbox an actor reads.
pub(crate) fn inbox_of(actor: &Actor) -> Inbox {
    Inbox {
        side: actor.side(),
        id: Some(actor.id.clone()),
    }
}

/// Writes the `NEW_MESSAGE` notification for the other side of a message,
/// inside the message's transaction.
pub(crate) fn notify_other_side(
    conn: &mut AnyConnection,
    conversation: &Conversation,
    message: &Message,
    opened: bool,
) -> Result<(), ChatError> {
    store::notifications::insert(
        conn,
        &new_message_notification(conversation, message, opened),
    )?;
    Ok(())
}

/// The `NEW_MESSAGE` notification the other side of a message gets.
pub(crate) fn new_message_notification(
    conversation: &Conversation,
    message: &Message,
    opened: bool,
) -> NewNotification {
    let inbox = inbox_of_other_side(conversation, message.sender_side);
    let title = match (message.sender_side, opened) {
        (Side::Customer, true) => format!(
            "New conversation from {}: {}",
            message.sender_name, conversation.subject
        ),
        (Side::Customer, false) => {
            format!("{} wrote: {}", message.sender_name, conversation.subject)
        }
        (_, true) => format!(
            "{} started a conversation: {}",
            message.sender_name, conversation.subject
        ),
        (_, false) => format!("{} replied: {}", message.sender_name, conversation.subject),
    };
    NewNotification {
        recipient_side: inbox.side.as_str().to_owned(),
        recipient_id: inbox.id,
        kind: NEW_MESSAGE.to_owned(),
        conversation_id: conversation.id,
        message_id: Some(message.id),
        title: crate::domain::preview_text(&title, 160),
        body: crate::domain::preview_text(&message.body, 200),
        created_at: message.created_at,
        read_at: None,
    }
}
