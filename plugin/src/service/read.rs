//! Read cursors: marking conversations read from one side.

use super::{ChatService, inbox_of, load_for_write, require_all};
use crate::domain::{Actor, ConversationId, MessageId, Side};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::{self, AnyConnection, Conversation};

/// Moves `reader`'s cursor inside the caller's transaction. Returns the
/// conversation and, when the cursor moved, where to.
fn read_in_tx(
    conn: &mut AnyConnection,
    reader: &Actor,
    conversation_id: ConversationId,
    up_to: Option<MessageId>,
) -> Result<(Conversation, Option<MessageId>), ChatError> {
    let conversation = load_for_write(conn, reader, conversation_id)?;
    let Some(last) = conversation.last_message_id else {
        return Ok((conversation, None));
    };
    let side = reader.side();
    let (cursor, writers): (i64, &[Side]) = if side == Side::Customer {
        (conversation.user_read_up_to, &[Side::Staff, Side::Vendor])
    } else {
        (conversation.admin_read_up_to, &[Side::Customer])
    };
    let target = up_to.unwrap_or(last).min(last);
    if target <= cursor {
        return Ok((conversation, None));
    }
    let unread = if target >= last {
        0
    } else {
        store::messages::count_after(conn, conversation_id, target, writers)?
    };
    let unread = i32::try_from(unread).unwrap_or(i32::MAX);
    let updated = store::conversations::set_read(conn, conversation_id, side, target, unread)?;
    store::notifications::mark_conversation_read(
        conn,
        &inbox_of(reader),
        conversation_id,
        target,
        store::now(),
    )?;
    Ok((updated, Some(target)))
}

impl ChatService {
    /// Marks the conversation read by `actor`'s side up to `up_to` (the
    /// newest message when `None`). The cursor never moves back; the side's
    /// unread counter and its `NEW_MESSAGE` notifications follow it.
    pub async fn mark_read(
        &self,
        actor: &Actor,
        conversation_id: ConversationId,
        up_to: Option<MessageId>,
    ) -> Result<Conversation, ChatError> {
        // Most opens find nothing new: answer those from a read, without
        // taking the write lock.
        let reader = actor.clone();
        let current = self
            .db
            .read(move |conn| {
                let c = store::conversations::find(conn, conversation_id)?
                    .ok_or(ChatError::ConversationNotFound)?;
                super::authorize_view(&reader, &c)?;
                Ok::<_, ChatError>(c)
            })
            .await?;
        let cursor = if actor.side() == Side::Customer {
            current.user_read_up_to
        } else {
            current.admin_read_up_to
        };
        let target = current
            .last_message_id
            .map(|last| up_to.unwrap_or(last).min(last));
        if target.is_none_or(|t| t <= cursor) {
            return Ok(current);
        }
        let reader = actor.clone();
        let (conversation, moved) = self
            .db
            .write(move |conn| read_in_tx(conn, &reader, conversation_id, up_to))
            .await?;
        if let Some(up_to) = moved {
            self.publish_read(actor, conversation.clone(), up_to);
        }
        Ok(conversation)
    }

    /// Marks several conversations read by the actor's side, in one
    /// transaction: all exist or nothing changes. Returns how many moved.
    pub async fn mark_read_many(
        &self,
        actor: &Actor,
        ids: &[ConversationId],
    ) -> Result<usize, ChatError> {
        let (reader, ids) = (actor.clone(), super::distinct_ids(ids)?);
        let moved = self
            .db
            .write(move |conn| {
                require_all(conn, &ids)?;
                let mut moved = Vec::new();
                for id in ids {
                    if let (conversation, Some(up_to)) = read_in_tx(conn, &reader, id, None)? {
                        moved.push((conversation, up_to));
                    }
                }
                Ok::<_, ChatError>(moved)
            })
            .await?;
        let count = moved.len();
        for (conversation, up_to) in moved {
            self.publish_read(actor, conversation, up_to);
        }
        Ok(count)
    }

    fn publish_read(&self, reader: &Actor, conversation: Conversation, up_to: MessageId) {
        self.events.publish(ChatEvent::ConversationRead {
            conversation,
            reader: reader.side(),
            up_to,
        });
    }
}
