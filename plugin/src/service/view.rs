//! Reading conversations: a customer's list and one conversation with a page
//! of its history.

use chrono::NaiveDateTime;

use super::{ChatService, HISTORY_PAGE, authorize_view};
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

/// One conversation and a page of its history.
#[derive(Debug, Clone)]
pub struct ConversationView {
    /// The conversation.
    pub conversation: Conversation,
    /// Messages, oldest first.
    pub messages: Vec<Message>,
    /// True when older messages exist before the first one here.
    pub has_earlier: bool,
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
                Ok(ConversationView {
                    conversation,
                    messages,
                    has_earlier,
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

    /// The admin nav badge: customer messages the store has not read.
    pub async fn unread_for_admin(&self, actor: &Actor) -> Result<i64, ChatError> {
        if !actor.is_staff() {
            return Err(ChatError::Forbidden(
                "Only staff can see the store's unread count.",
            ));
        }
        self.db
            .read(|conn| Ok(store::conversations::unread_for_admin_total(conn)?))
            .await
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
}
