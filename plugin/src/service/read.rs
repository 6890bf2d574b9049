//! Read cursors: marking a conversation read from one side.

use super::{ChatService, inbox_of, load_for_write};
use crate::domain::{Actor, MessageId, Side};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::{self, Conversation};

impl ChatService {
    /// Marks the conversation read by `actor`'s side up to `up_to` (the
    /// newest message when `None`). The cursor never moves back; the side's
    /// unread counter and its `NEW_MESSAGE` notifications follow it.
    pub async fn mark_read(
        &self,
        actor: &Actor,
        conversation_id: i64,
        up_to: Option<MessageId>,
    ) -> Result<Conversation, ChatError> {
        let reader = actor.clone();
        let (conversation, moved) = self
            .db
            .write(move |conn| {
                let conversation = load_for_write(conn, &reader, conversation_id)?;
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
                let updated =
                    store::conversations::set_read(conn, conversation_id, side, target, unread)?;
                store::notifications::mark_conversation_read(
                    conn,
                    &inbox_of(&reader),
                    conversation_id,
                    target,
                    store::now(),
                )?;
                Ok::<_, ChatError>((updated, Some(target)))
            })
            .await?;
        if let Some(up_to) = moved {
            self.events.publish(ChatEvent::ConversationRead {
                conversation: conversation.clone(),
                reader: actor.side(),
                up_to,
            });
        }
        Ok(conversation)
    }
}
