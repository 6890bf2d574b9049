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
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Err(crate::domain::ValidationError::new(
                "ids",
                "Choose at least one conversation to delete.",
            )
            .into());
        }
        let wanted = ids.clone();
        let deleted = self
            .db
            .write(move |conn| {
                let found = store::conversations::find_many(conn, &wanted)?;
                let missing: Vec<ConversationId> = wanted
                    .iter()
                    .copied()
                    .filter(|id| !found.iter().any(|c| c.id == *id))
                    .collect();
                if !missing.is_empty() {
                    return Err(ChatError::UnknownConversations(missing));
                }
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
