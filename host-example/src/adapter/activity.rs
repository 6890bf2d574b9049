//! Chat events into the store's own notification centre (the customers'
//! activity feed, `shop::activity`).
//!
//! The plugin calls the hook after its transaction has committed, on the
//! task that made the change, so the hook only decides what to write (pure
//! and quick) and leaves the writing to a spawned task with its own
//! transaction: nothing of the store runs inside the plugin's transactions,
//! and a slow or failed write never holds up a chat request.

use chrono::NaiveDateTime;
use storechat::store::{Conversation, Db, Message, MessageKind};
use storechat::{ChatEvent, Side, Status};

use crate::shop::ShopError;
use crate::shop::activity::{self, ActivityKind, NewActivity};

/// Where the customer's conversations are (the plugin's default route,
/// which the example store keeps).
const MESSAGES: &str = "/dashboard/messages";

/// Subjects and previews longer than this are cut with "…".
const SUBJECT_CHARS: usize = 80;
const PREVIEW_CHARS: usize = 140;

/// What one event does to the feed.
#[derive(Debug)]
pub(super) enum Change {
    /// A line for a customer; with `once`, not repeated if already there.
    Add { line: NewActivity, once: bool },
    /// Deleted conversations: their lines lead nowhere now.
    Unlink(Vec<i64>),
}

impl Change {
    fn apply(self, conn: &mut storechat::store::AnyConnection) -> Result<(), ShopError> {
        match self {
            Change::Add { line, once } => activity::record(conn, &line, once).map(|_| ()),
            Change::Unlink(ids) => activity::unlink_conversations(conn, &ids).map(|_| ()),
        }
    }
}

/// Hands the event's change to a task of its own and returns at once.
pub(super) fn record(db: &Db, event: &ChatEvent) {
    let Some(change) = change_for(event, crate::shop::now()) else {
        return;
    };
    // The hook runs inside the server's (or a test's) tokio runtime; without
    // one there is nowhere to write from, and the chat must not fail for it.
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        tracing::warn!(?change, "no tokio runtime: activity line dropped");
        return;
    };
    let db = db.clone();
    runtime.spawn(async move {
        if let Err(e) = db.write(move |conn| change.apply(conn)).await {
            tracing::warn!(error = %e, "could not record a chat event in the activity feed");
        }
    });
}

/// The feed's view of a chat event: a line for the customer when the store
/// did something they would want to know about, nothing for their own
/// doings or for reads.
pub(super) fn change_for(event: &ChatEvent, now: NaiveDateTime) -> Option<Change> {
    match event {
        ChatEvent::ConversationOpened {
            conversation,
            message,
        } if message.sender_side.is_store() => Some(line(
            conversation,
            ActivityKind::Opened,
            format!(
                "{} started a conversation with you: “{}”",
                message.sender_name,
                subject(conversation)
            ),
            preview(&message.body),
            Some(message),
            now,
        )),
        ChatEvent::MessageCreated {
            conversation,
            message,
        } if message.sender_side.is_store() && message.kind == MessageKind::Text => Some(line(
            conversation,
            ActivityKind::Reply,
            format!(
                "{} replied to “{}”",
                message.sender_name,
                subject(conversation)
            ),
            preview(&message.body),
            Some(message),
            now,
        )),
        ChatEvent::StatusChanged {
            conversation, from, ..
        } => {
            let subject = subject(conversation);
            let (text, detail) = match (conversation.status, from) {
                (Status::Resolved, _) => (
                    format!("Your conversation “{subject}” was marked Resolved"),
                    "Reply in it if you still need help: that reopens it.",
                ),
                (Status::Closed, _) => (
                    format!("Your conversation “{subject}” was closed"),
                    "It is read-only now; start a new one whenever you need us.",
                ),
                (_, Status::Resolved | Status::Closed) => {
                    (format!("Your conversation “{subject}” was reopened"), "")
                }
                // Moves between the open statuses are the store's bookkeeping.
                _ => return None,
            };
            Some(line(
                conversation,
                ActivityKind::Status,
                text,
                detail.to_owned(),
                None,
                now,
            ))
        }
        ChatEvent::ConversationUpdated { conversation } => {
            // The event does not say whether the assignee or the priority
            // changed: say who looks after it once, and nothing about
            // priorities (they are the store's business).
            let name = conversation.assignee_name.as_deref()?;
            Some(Change::Add {
                line: new_line(
                    conversation,
                    ActivityKind::Assigned,
                    format!("{name} is now looking after “{}”", subject(conversation)),
                    String::new(),
                    None,
                    now,
                ),
                once: true,
            })
        }
        ChatEvent::MessageRemoved {
            conversation,
            message,
        } if message.sender_side == Side::Customer => Some(line(
            conversation,
            ActivityKind::Removed,
            format!(
                "The store removed one of your messages in “{}”",
                subject(conversation)
            ),
            String::new(),
            None,
            now,
        )),
        ChatEvent::ConversationsDeleted { ids } => Some(Change::Unlink(ids.clone())),
        // Reads, the customer's own messages and system messages.
        _ => None,
    }
}

/// A line for the conversation's customer, added every time.
fn line(
    conversation: &Conversation,
    kind: ActivityKind,
    text: String,
    detail: String,
    message: Option<&Message>,
    now: NaiveDateTime,
) -> Change {
    Change::Add {
        line: new_line(conversation, kind, text, detail, message, now),
        once: false,
    }
}

/// A line for the conversation's customer, leading to the conversation (at
/// `message` when there is one).
fn new_line(
    conversation: &Conversation,
    kind: ActivityKind,
    text: String,
    detail: String,
    message: Option<&Message>,
    now: NaiveDateTime,
) -> NewActivity {
    let anchor = message.map(|m| format!("#m{}", m.id)).unwrap_or_default();
    NewActivity {
        // A customer id that is not one of ours finds no customer and
        // records nothing.
        user_id: conversation.customer_id.trim().parse().unwrap_or(-1),
        kind,
        conversation_id: Some(conversation.id),
        text,
        detail,
        href: Some(format!("{MESSAGES}/{}/{anchor}", conversation.id)),
        created_at: now,
    }
}

fn subject(conversation: &Conversation) -> String {
    cut(&conversation.subject, SUBJECT_CHARS)
}

fn preview(body: &str) -> String {
    cut(body, PREVIEW_CHARS)
}

/// On one line, at most `max` characters, "…" where it was cut.
fn cut(text: &str, max: usize) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    let kept: String = one_line.chars().take(max - 1).collect();
    format!("{}…", kept.trim_end())
}
