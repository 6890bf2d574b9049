//! Staff setting a conversation's status by hand.

use super::{ChatService, load_for_write};
use crate::domain::{Actor, Side, Status};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::{self, Conversation, MessageKind};

impl ChatService {
    /// Sets the status (staff only; any status to any). The change is
    /// recorded in the history as a system message; setting the status it
    /// already has changes nothing and returns `false`.
    pub async fn set_status(
        &self,
        actor: &Actor,
        conversation_id: i64,
        status: Status,
    ) -> Result<(Conversation, bool), ChatError> {
        if !actor.is_staff() {
            return Err(ChatError::Forbidden(
                "Only staff can change a conversation's status.",
            ));
        }
        let by = actor.clone();
        let outcome = self
            .db
            .write(move |conn| {
                let before = load_for_write(conn, &by, conversation_id)?;
                if before.status == status {
                    return Ok((before, None));
                }
                let now = store::now();
                let message = store::messages::insert(
                    conn,
                    &store::messages::NewMessage {
                        conversation_id,
                        sender_id: None,
                        sender_side: Side::System.as_str().to_owned(),
                        sender_name: by.name.clone(),
                        kind: MessageKind::System.as_str().to_owned(),
                        body: format!("Status set to {} by {}", status.as_str(), by.name),
                        reply_to_id: None,
                        client_msg_id: None,
                        created_at: now,
                    },
                )?;
                let after = store::conversations::set_status(conn, conversation_id, status, now)?;
                Ok::<_, ChatError>((after, Some((before.status, message))))
            })
            .await?;
        match outcome {
            (conversation, Some((from, message))) => {
                self.events.publish(ChatEvent::StatusChanged {
                    conversation: conversation.clone(),
                    from,
                    message,
                });
                Ok((conversation, true))
            }
            (conversation, None) => Ok((conversation, false)),
        }
    }
}
