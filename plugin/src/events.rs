//! Chat events, published only after the change they describe has committed:
//! to in-process subscribers (the real-time hub) and to the host's hook.

use std::sync::{Arc, OnceLock};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::adapter::HostAdapter;
use crate::domain::{ConversationId, MessageId, Side, Status};
use crate::store::{Conversation, Message};

/// Something that happened in a conversation.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChatEvent {
    /// A conversation was opened with its first message.
    ConversationOpened {
        /// The conversation as committed.
        conversation: Conversation,
        /// Its first message.
        message: Message,
    },
    /// A message was written in an existing conversation.
    MessageCreated {
        /// The conversation as committed (status, counters).
        conversation: Conversation,
        /// The message.
        message: Message,
    },
    /// Staff set the status by hand.
    StatusChanged {
        /// The conversation as committed.
        conversation: Conversation,
        /// The status before.
        from: Status,
        /// The system message recording the change.
        message: Message,
    },
    /// One side read up to a message.
    ConversationRead {
        /// The conversation as committed.
        conversation: Conversation,
        /// Who read.
        reader: Side,
        /// Up to which message.
        up_to: MessageId,
    },
    /// Staff changed the assignee or the priority.
    ConversationUpdated {
        /// The conversation as committed.
        conversation: Conversation,
    },
    /// Staff removed a message; the row stays, its text is hidden.
    MessageRemoved {
        /// The conversation as committed (counters).
        conversation: Conversation,
        /// The removed message.
        message: Message,
    },
    /// A writer changed their message's text.
    MessageEdited {
        /// The conversation as committed (preview).
        conversation: Conversation,
        /// The message after the edit.
        message: Message,
    },
    /// Someone added or took back a reaction.
    ReactionChanged {
        /// The conversation (for routing).
        conversation: Conversation,
        /// The message reacted to.
        message_id: MessageId,
        /// Who reacted.
        user_id: String,
        /// Their name.
        user_name: String,
        /// Their side.
        side: Side,
        /// Which reaction.
        emoji: crate::service::Reaction,
        /// Added (true) or taken back.
        added: bool,
    },
    /// Conversations were deleted.
    ConversationsDeleted {
        /// Their ids.
        ids: Vec<ConversationId>,
    },
}

/// What this process runs on each event as it is published.
type Local = Box<dyn Fn(&ChatEvent) + Send + Sync>;

/// Hands events to subscribers and to the host after commit.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<ChatEvent>>,
    host: Arc<dyn HostAdapter>,
    local: Arc<OnceLock<Local>>,
}

impl EventBus {
    /// A bus that keeps up to `capacity` events for slow subscribers.
    pub fn new(host: Arc<dyn HostAdapter>, capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(16));
        EventBus {
            sender,
            host,
            local: Arc::new(OnceLock::new()),
        }
    }

    /// Runs `deliver` on every event, in the publishing task, before the
    /// subscribers hear of it; set once (the real-time hub). Handing the
    /// live frames over here rather than through a subscription spares
    /// each message a wake-up of another thread on its way to the sockets.
    pub(crate) fn deliver_locally(&self, deliver: impl Fn(&ChatEvent) + Send + Sync + 'static) {
        if self.local.set(Box::new(deliver)).is_err() {
            tracing::warn!("the event bus already delivers locally");
        }
    }

    /// Publishes a committed change.
    pub fn publish(&self, event: ChatEvent) {
        self.host.on_event(&event);
        if let Some(deliver) = self.local.get() {
            deliver(&event);
        }
        // No subscriber is not an error: nobody is listening live.
        let _ = self.sender.send(Arc::new(event));
    }

    /// A new subscription; it sees events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<ChatEvent>> {
        self.sender.subscribe()
    }
}
