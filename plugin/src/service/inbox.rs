//! In-app `NEW_MESSAGE` notifications: the reader's inbox.

use super::{ChatService, inbox_of};
use crate::domain::Actor;
use crate::error::ChatError;
use crate::store::{self, Notification};

impl ChatService {
    /// A page of the actor's notifications, newest first, before id `before`.
    pub async fn notifications(
        &self,
        actor: &Actor,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>, ChatError> {
        let inbox = inbox_of(actor);
        let limit = limit.clamp(1, 100);
        self.db
            .read(move |conn| Ok(store::notifications::page(conn, &inbox, before, limit)?))
            .await
    }

    /// How many of the actor's notifications are unread (the account menu badge).
    pub async fn unread_notifications(&self, actor: &Actor) -> Result<i64, ChatError> {
        let inbox = inbox_of(actor);
        self.db
            .read(move |conn| Ok(store::notifications::unread_count(conn, &inbox)?))
            .await
    }

    /// Marks one notification read; strangers' ids are "not found".
    pub async fn mark_notification_read(&self, actor: &Actor, id: i64) -> Result<(), ChatError> {
        let inbox = inbox_of(actor);
        let found = self
            .db
            .write(move |conn| {
                Ok::<_, ChatError>(store::notifications::mark_read(
                    conn,
                    &inbox,
                    id,
                    store::now(),
                )?)
            })
            .await?;
        if found {
            Ok(())
        } else {
            Err(ChatError::NotificationNotFound)
        }
    }

    /// Marks all of the actor's notifications read; returns how many changed.
    pub async fn mark_all_notifications_read(&self, actor: &Actor) -> Result<usize, ChatError> {
        let inbox = inbox_of(actor);
        self.db
            .write(move |conn| {
                Ok::<_, ChatError>(store::notifications::mark_all_read(
                    conn,
                    &inbox,
                    store::now(),
                )?)
            })
            .await
    }
}
