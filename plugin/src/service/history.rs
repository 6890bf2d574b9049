//! A page of a conversation's history as the staff inbox shows it: each
//! message with the reactions it got (counted, and whether the reader gave
//! them) and the message it quotes. One read transaction; the same
//! authorization as every other read of a conversation.

use super::view::{ReactionCount, count_reactions};
use super::{ChatService, HISTORY_PAGE, authorize_view};
use crate::domain::{Actor, ConversationId, MessageId};
use crate::error::ChatError;
use crate::store::{self, Conversation, Message};

/// One message of a history page with what is shown beside it.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    /// The message.
    pub message: Message,
    /// The message it answers, when it quotes one of the same conversation.
    pub quoted: Option<Message>,
    /// Its reactions, in menu order; only those given at least once.
    pub reactions: Vec<ReactionCount>,
}

/// A conversation and a page of its history, oldest first.
#[derive(Debug, Clone)]
pub struct History {
    /// The conversation.
    pub conversation: Conversation,
    /// The messages of the page.
    pub entries: Vec<HistoryEntry>,
    /// True when older messages exist before the first one here.
    pub has_earlier: bool,
}

impl ChatService {
    /// Up to `limit` messages before `before` (the newest when `None`) with
    /// their reactions and quotes. Reading marks nothing read.
    pub async fn history(
        &self,
        actor: &Actor,
        conversation_id: ConversationId,
        before: Option<MessageId>,
        limit: i64,
    ) -> Result<History, ChatError> {
        let reader = actor.clone();
        let limit = if limit <= 0 {
            HISTORY_PAGE
        } else {
            limit.min(200)
        };
        self.db
            .read(move |conn| {
                let conversation = store::conversations::find(conn, conversation_id)?
                    .ok_or(ChatError::ConversationNotFound)?;
                authorize_view(&reader, &conversation)?;
                let mut messages = store::messages::page(conn, conversation_id, before, limit + 1)?;
                let has_earlier = messages.len() as i64 > limit;
                if has_earlier {
                    messages.remove(0);
                }
                let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
                let mut reactions =
                    count_reactions(&store::messages::reactions_of(conn, &ids)?, &reader.id);
                let mut wanted: Vec<MessageId> =
                    messages.iter().filter_map(|m| m.reply_to_id).collect();
                wanted.sort_unstable();
                wanted.dedup();
                let quoted = store::history::messages_by_id(conn, conversation_id, &wanted)?;
                let entries = messages
                    .into_iter()
                    .map(|message| HistoryEntry {
                        quoted: message
                            .reply_to_id
                            .and_then(|id| quoted.iter().find(|q| q.id == id).cloned()),
                        reactions: reactions.remove(&message.id).unwrap_or_default(),
                        message,
                    })
                    .collect();
                Ok(History {
                    conversation,
                    entries,
                    has_earlier,
                })
            })
            .await
    }
}
