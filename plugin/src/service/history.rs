//! A page of a conversation's history as the staff inbox shows it: each
//! message with the reactions it got (counted, and whether the reader gave
//! them) and the message it quotes. One read transaction; the same
//! authorization as every other read of a conversation.

use std::collections::HashMap;

use super::{ChatService, HISTORY_PAGE, Reaction, authorize_view};
use crate::domain::{Actor, ConversationId, MessageId};
use crate::error::ChatError;
use crate::store::history::ReactionRow;
use crate::store::{self, Conversation, Message};

/// How many people gave one reaction to one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReactionCount {
    /// Which reaction.
    pub reaction: Reaction,
    /// How many people gave it.
    pub count: usize,
    /// Whether the reader is one of them (so they can take it back).
    pub mine: bool,
}

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

/// Counts reactions per message, in [`Reaction::ALL`] order. Names the
/// service does not know (a later version's) are left out.
fn count_reactions(rows: &[ReactionRow], reader: &str) -> HashMap<MessageId, Vec<ReactionCount>> {
    let mut counted: HashMap<MessageId, Vec<ReactionCount>> = HashMap::new();
    for row in rows {
        let Ok(reaction) = Reaction::parse(&row.emoji) else {
            continue;
        };
        let list = counted.entry(row.message_id).or_default();
        match list.iter_mut().find(|c| c.reaction == reaction) {
            Some(c) => {
                c.count += 1;
                c.mine |= row.user_id == reader;
            }
            None => list.push(ReactionCount {
                reaction,
                count: 1,
                mine: row.user_id == reader,
            }),
        }
    }
    for list in counted.values_mut() {
        list.sort_by_key(|c| Reaction::ALL.iter().position(|r| *r == c.reaction));
    }
    counted
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
                    count_reactions(&store::history::reactions_of(conn, &ids)?, &reader.id);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(message_id: MessageId, user_id: &str, emoji: &str) -> ReactionRow {
        ReactionRow {
            message_id,
            user_id: user_id.into(),
            emoji: emoji.into(),
        }
    }

    #[test]
    fn reactions_are_counted_in_menu_order_with_the_readers_own_marked() {
        let rows = [
            row(1, "7", "fire"),
            row(1, "8", "thumbs_up"),
            row(1, "9", "thumbs_up"),
            row(2, "9", "heart"),
            row(2, "9", "a-later-emoji"),
        ];
        let counted = count_reactions(&rows, "9");
        let first: Vec<(Reaction, usize, bool)> = counted[&1]
            .iter()
            .map(|c| (c.reaction, c.count, c.mine))
            .collect();
        assert_eq!(
            first,
            [(Reaction::ThumbsUp, 2, true), (Reaction::Fire, 1, false)]
        );
        assert_eq!(counted[&2].len(), 1, "unknown names are left out");
    }
}
