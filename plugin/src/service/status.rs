//! Staff setting a conversation's status by hand, one or many at a time.

use super::{ChatService, load_for_write, require_all};
use crate::domain::{Actor, ConversationId, Side, Status};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::{self, AnyConnection, Conversation, Message, MessageKind};

/// A status change that happened: the conversation after, the status before
/// and the system message recording it.
type Changed = (Conversation, Status, Message);

/// Sets one conversation's status inside the caller's transaction; `Ok(None)`
/// when it already had it.
fn set_in_tx(
    conn: &mut AnyConnection,
    by: &Actor,
    conversation_id: ConversationId,
    status: Status,
) -> Result<Result<Changed, Conversation>, ChatError> {
    let before = load_for_write(conn, by, conversation_id)?;
    if before.status == status {
        return Ok(Err(before));
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
    Ok(Ok((after, before.status, message)))
}

fn staff_only(actor: &Actor) -> Result<(), ChatError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(ChatError::Forbidden(
            "Only staff can change a conversation's status.",
        ))
    }
}

impl ChatService {
    /// Sets the status (staff only; any status to any). The change is
    /// recorded in the history as a system message ("Status set to RESOLVED
    /// by Ann"); setting the status it already has changes nothing and
    /// returns `false`.
    pub async fn set_status(
        &self,
        actor: &Actor,
        conversation_id: ConversationId,
        status: Status,
    ) -> Result<(Conversation, bool), ChatError> {
        staff_only(actor)?;
        let by = actor.clone();
        let outcome = self
            .db
            .write(move |conn| set_in_tx(conn, &by, conversation_id, status))
            .await?;
        match outcome {
            Ok(changed) => {
                let conversation = changed.0.clone();
                self.publish_status(changed);
                Ok((conversation, true))
            }
            Err(unchanged) => Ok((unchanged, false)),
        }
    }

    /// Sets the status of several conversations in one transaction: all
    /// exist or nothing changes. Returns how many changed.
    pub async fn set_status_many(
        &self,
        actor: &Actor,
        ids: &[ConversationId],
        status: Status,
    ) -> Result<usize, ChatError> {
        staff_only(actor)?;
        let (by, ids) = (actor.clone(), super::distinct_ids(ids)?);
        let changed = self
            .db
            .write(move |conn| {
                require_all(conn, &ids)?;
                let mut changed = Vec::new();
                for id in ids {
                    if let Ok(change) = set_in_tx(conn, &by, id, status)? {
                        changed.push(change);
                    }
                }
                Ok::<_, ChatError>(changed)
            })
            .await?;
        let count = changed.len();
        for change in changed {
            self.publish_status(change);
        }
        Ok(count)
    }

    fn publish_status(&self, (conversation, from, message): Changed) {
        self.events.publish(ChatEvent::StatusChanged {
            conversation,
            from,
            message,
        });
    }
}
