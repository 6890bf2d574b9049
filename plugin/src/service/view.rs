//! Reading conversations: a customer's list and one conversation with a page
//! of its history and the reactions to it (one query for the whole page,
//! never one per message).

use std::collections::HashMap;

use chrono::NaiveDateTime;

use super::{ChatService, HISTORY_PAGE, Reaction, authorize_view};
use crate::domain::{Actor, MessageId, Role};
use crate::error::ChatError;
use crate::store::{self, Conversation, Message};

/// Where the next page of a conversation list starts: the keyset of the last
/// row shown, `(last_message_at, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCursor {
    /// Last activity of the last row shown.
    pub last_message_at: NaiveDateTime,
    /// Its id.
    pub id: i64,
}

impl PageCursor {
    /// The compact URL form, `<micros>_<id>`.
    pub fn encode(&self) -> String {
        format!(
            "{}_{}",
            self.last_message_at.and_utc().timestamp_micros(),
            self.id
        )
    }

    /// Reads the URL form; `None` for anything malformed.
    pub fn decode(raw: &str) -> Option<PageCursor> {
        let (micros, id) = raw.split_once('_')?;
        let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
        Some(PageCursor {
            last_message_at: at,
            id: id.parse().ok()?,
        })
    }
}

/// A page of conversations, newest activity first.
#[derive(Debug, Clone)]
pub struct ConversationPage {
    /// The rows.
    pub items: Vec<Conversation>,
    /// Where the next page starts, when there is one.
    pub next: Option<PageCursor>,
}

/// How one reaction stands on one message, seen by one person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReactionCount {
    /// Which reaction.
    pub reaction: Reaction,
    /// How many people gave it (at least 1).
    pub count: i64,
    /// Whether the person looking gave it.
    pub mine: bool,
}

impl ReactionCount {
    /// The wire name (`thumbs_up`, …), as in the protocol.
    pub fn name(&self) -> &'static str {
        self.reaction.name()
    }

    /// The emoji it shows as.
    pub fn glyph(&self) -> &'static str {
        self.reaction.glyph()
    }

    /// Its name for people (tooltips, screen readers).
    pub fn label(&self) -> &'static str {
        self.reaction.label()
    }
}

/// One conversation and a page of its history.
#[derive(Debug, Clone)]
pub struct ConversationView {
    /// The conversation.
    pub conversation: Conversation,
    /// Messages, oldest first.
    pub messages: Vec<Message>,
    /// True when older messages exist before the first one here.
    pub has_earlier: bool,
    /// The reactions to the messages of this page that have any, in menu
    /// order, from the reader's point of view.
    pub reactions: HashMap<MessageId, Vec<ReactionCount>>,
}

impl ConversationView {
    /// The reactions to one message of the page (empty when none).
    pub fn reactions_of(&self, message_id: MessageId) -> &[ReactionCount] {
        self.reactions
            .get(&message_id)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// Counts `(message id, emoji, user id)` rows per message and reaction, in
/// menu order; `reader` marks their own. Names the service does not know
/// (written by a newer version, say) are left out rather than failing the page.
pub(super) fn count_reactions(
    rows: &[(MessageId, String, String)],
    reader: &str,
) -> HashMap<MessageId, Vec<ReactionCount>> {
    let mut counted: HashMap<MessageId, Vec<ReactionCount>> = HashMap::new();
    for (message_id, emoji, user_id) in rows {
        let Ok(reaction) = Reaction::parse(emoji) else {
            continue;
        };
        let counts = counted.entry(*message_id).or_default();
        let mine = user_id == reader;
        match counts.iter_mut().find(|c| c.reaction == reaction) {
            Some(count) => {
                count.count += 1;
                count.mine |= mine;
            }
            None => counts.push(ReactionCount {
                reaction,
                count: 1,
                mine,
            }),
        }
    }
    for counts in counted.values_mut() {
        counts.sort_by_key(|c| Reaction::ALL.iter().position(|r| *r == c.reaction));
    }
    counted
}

impl ChatService {
    /// The actor's own conversations (customers), newest activity first.
    pub async fn list_conversations(
        &self,
        actor: &Actor,
        after: Option<PageCursor>,
        limit: i64,
    ) -> Result<ConversationPage, ChatError> {
        if actor.role != Role::Customer {
            return Err(ChatError::Forbidden(
                "This list shows a customer's own conversations.",
            ));
        }
        let customer = actor.id.clone();
        let limit = limit.clamp(1, 100);
        self.db
            .read(move |conn| {
                let mut items = store::conversations::page_for_customer(
                    conn,
                    &customer,
                    after.map(|c| (c.last_message_at, c.id)),
                    limit + 1,
                )?;
                let next = if items.len() as i64 > limit {
                    items.truncate(limit as usize);
                    items.last().map(|c| PageCursor {
                        last_message_at: c.last_message_at,
                        id: c.id,
                    })
                } else {
                    None
                };
                Ok(ConversationPage { items, next })
            })
            .await
    }

    /// One conversation with up to `limit` messages before `before` (the
    /// newest when `None`). Reading does not mark anything read.
    pub async fn get_conversation(
        &self,
        actor: &Actor,
        conversation_id: i64,
        before: Option<MessageId>,
        limit: i64,
    ) -> Result<ConversationView, ChatError> {
        let viewer = actor.clone();
        let limit = if limit <= 0 {
            HISTORY_PAGE
        } else {
            limit.min(500)
        };
        self.db
            .read(move |conn| {
                let conversation = store::conversations::find(conn, conversation_id)?
                    .ok_or(ChatError::ConversationNotFound)?;
                authorize_view(&viewer, &conversation)?;
                let mut messages = store::messages::page(conn, conversation_id, before, limit + 1)?;
                let has_earlier = messages.len() as i64 > limit;
                if has_earlier {
                    messages.remove(0);
                }
                let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
                let rows = store::messages::reactions_of(conn, &ids)?;
                Ok(ConversationView {
                    conversation,
                    messages,
                    has_earlier,
                    reactions: count_reactions(&rows, &viewer.id),
                })
            })
            .await
    }

    /// The unread badge of a customer: store messages they have not read,
    /// over all their conversations.
    pub async fn unread_for_customer(&self, actor: &Actor) -> Result<i64, ChatError> {
        let customer = actor.id.clone();
        self.db
            .read(move |conn| Ok(store::conversations::unread_for_customer(conn, &customer)?))
            .await
    }

    /// The admin nav badge: customer messages the store has not read (a
    /// vendor: in the conversations about their products).
    pub async fn unread_for_admin(&self, actor: &Actor) -> Result<i64, ChatError> {
        match actor.role {
            Role::Staff => {
                self.db
                    .read(|conn| Ok(store::conversations::unread_for_admin_total(conn)?))
                    .await
            }
            Role::Vendor => {
                let vendor = actor.id.clone();
                self.db
                    .read(move |conn| Ok(store::conversations::unread_for_vendor(conn, &vendor)?))
                    .await
            }
            Role::Customer => Err(ChatError::Forbidden(
                "Only the store's side can see the store's unread count.",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_junk() {
        let at =
            chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456).map(|d| d.naive_utc());
        let cursor = at.map(|at| PageCursor {
            last_message_at: at,
            id: 42,
        });
        let decoded = cursor.and_then(|c| PageCursor::decode(&c.encode()));
        assert_eq!(decoded, cursor);
        assert_eq!(PageCursor::decode("nope"), None);
        assert_eq!(PageCursor::decode("12_x"), None);
    }

    #[test]
    fn reactions_are_counted_per_message_in_menu_order_with_the_readers_own() {
        let row = |m: i64, e: &str, u: &str| (m, e.to_owned(), u.to_owned());
        let rows = [
            row(1, "fire", "7"),
            row(1, "thumbs_up", "8"),
            row(1, "fire", "8"),
            row(2, "heart", "7"),
            row(2, "not_a_reaction", "7"),
        ];
        let counted = count_reactions(&rows, "8");
        let first: Vec<(&str, i64, bool)> = counted[&1]
            .iter()
            .map(|c| (c.name(), c.count, c.mine))
            .collect();
        assert_eq!(first, [("thumbs_up", 1, true), ("fire", 2, true)]);
        let second: Vec<(&str, i64, bool)> = counted[&2]
            .iter()
            .map(|c| (c.name(), c.count, c.mine))
            .collect();
        assert_eq!(second, [("heart", 1, false)]);
        assert!(!counted.contains_key(&3));
    }
}
