//! Deleting conversations: staff only, CLOSED only, all or nothing.

use super::ChatService;
use crate::domain::{Actor, ConversationId, Status};
use crate::error::{Blocker, ChatError};
use crate::events::ChatEvent;
use crate::store;

impl ChatService {
    /// Deletes conversations with their messages. Every one must exist and
    /// be CLOSED; otherwise nothing is deleted and the error names the
    /// conversations in the way. Returns how many were deleted.
    pub async fn delete_conversations(
        &self,
        actor: &Actor,
        ids: &[ConversationId],
    ) -> Result<usize, ChatError> {
        if !actor.is_staff() {
            return Err(ChatError::Forbidden("Only staff can delete conversations."));
        }
        let ids = super::distinct_ids(ids)?;
        let wanted = ids.clone();
        let deleted = self
            .db
            .write(move |conn| {
                let found = super::require_all(conn, &wanted)?;
                let mut blockers: Vec<Blocker> = found
                    .iter()
                    .filter(|c| c.status != Status::Closed)
                    .map(|c| Blocker {
                        id: c.id,
                        subject: c.subject.clone(),
                        status: c.status,
                    })
                    .collect();
                if !blockers.is_empty() {
                    blockers.sort_by_key(|b| b.id);
                    return Err(ChatError::NotClosed(blockers));
                }
                Ok(store::conversations::delete_many(conn, &wanted)?)
            })
            .await?;
        self.events.publish(ChatEvent::ConversationsDeleted { ids });
        Ok(deleted)
    }
}
