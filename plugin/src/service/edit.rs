//! Changing a message after it was sent: its writer edits or deletes it;
//! anyone in the conversation reacts to it.

use serde::Serialize;

use super::{ChatService, load_for_write};
use crate::domain::{Actor, MessageBody, MessageId, Role, Status, ValidationError, preview_text};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::{self, AnyConnection, Conversation, Message, MessageKind};

/// The reactions a message can get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reaction {
    /// 👍
    ThumbsUp,
    /// ❤️
    Heart,
    /// 😆
    Laughing,
    /// 😮
    Surprised,
    /// 😢
    Sad,
    /// 🔥
    Fire,
}

impl Reaction {
    /// Every reaction, in menu order.
    pub const ALL: [Reaction; 6] = [
        Reaction::ThumbsUp,
        Reaction::Heart,
        Reaction::Laughing,
        Reaction::Surprised,
        Reaction::Sad,
        Reaction::Fire,
    ];

    /// The wire and stored name.
    pub fn name(self) -> &'static str {
        match self {
            Reaction::ThumbsUp => "thumbs_up",
            Reaction::Heart => "heart",
            Reaction::Laughing => "laughing",
            Reaction::Surprised => "surprised",
            Reaction::Sad => "sad",
            Reaction::Fire => "fire",
        }
    }

    /// The emoji it shows as.
    pub fn glyph(self) -> &'static str {
        match self {
            Reaction::ThumbsUp => "\u{1f44d}",
            Reaction::Heart => "\u{2764}\u{fe0f}",
            Reaction::Laughing => "\u{1f606}",
            Reaction::Surprised => "\u{1f62e}",
            Reaction::Sad => "\u{1f622}",
            Reaction::Fire => "\u{1f525}",
        }
    }

    /// Its name for people (tooltips, screen readers).
    pub fn label(self) -> &'static str {
        match self {
            Reaction::ThumbsUp => "Thumbs up",
            Reaction::Heart => "Heart",
            Reaction::Laughing => "Laughing",
            Reaction::Surprised => "Surprised",
            Reaction::Sad => "Sad",
            Reaction::Fire => "Fire",
        }
    }

    /// Reads a wire name.
    pub fn parse(name: &str) -> Result<Reaction, ValidationError> {
        Reaction::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| {
                ValidationError::new(
                    "emoji",
                    "Choose one of thumbs_up, heart, laughing, surprised, sad, fire.",
                )
            })
    }
}

/// Loads a message and its conversation for `actor`, locking the conversation.
fn message_for_write(
    conn: &mut AnyConnection,
    actor: &Actor,
    message_id: MessageId,
) -> Result<(Conversation, Message), ChatError> {
    let message = store::messages::find(conn, message_id)?.ok_or(ChatError::MessageNotFound)?;
    // A stranger's message id reads as "not found", like a conversation's.
    let conversation =
        load_for_write(conn, actor, message.conversation_id).map_err(|e| match e {
            ChatError::ConversationNotFound => ChatError::MessageNotFound,
            other => other,
        })?;
    let message = store::messages::find(conn, message_id)?.ok_or(ChatError::MessageNotFound)?;
    Ok((conversation, message))
}

fn own(actor: &Actor, conversation: &Conversation, message: &Message) -> Result<(), ChatError> {
    let mine = message.sender_id.as_deref() == Some(actor.id.as_str())
        && message.sender_side == actor.side();
    if !mine || message.kind != MessageKind::Text {
        return Err(ChatError::Forbidden(
            "You can only change messages you wrote.",
        ));
    }
    if message.is_deleted() {
        return Err(ChatError::MessageNotFound);
    }
    if actor.role == Role::Customer && conversation.status == Status::Closed {
        return Err(ChatError::Closed);
    }
    Ok(())
}

impl ChatService {
    /// The writer changes the text of their message; it shows as edited.
    pub async fn edit_message(
        &self,
        actor: &Actor,
        message_id: MessageId,
        body: MessageBody,
    ) -> Result<(Conversation, Message), ChatError> {
        let writer = actor.clone();
        let (conversation, message) = self
            .db
            .write(move |conn| {
                let (conversation, message) = message_for_write(conn, &writer, message_id)?;
                own(&writer, &conversation, &message)?;
                let now = store::now();
                let message = store::messages::edit(conn, message_id, body.as_str(), now)?;
                let conversation = if conversation.last_message_id == Some(message_id) {
                    store::conversations::set_preview(
                        conn,
                        conversation.id,
                        &preview_text(&message.body, 140),
                        now,
                    )?
                } else {
                    conversation
                };
                Ok::<_, ChatError>((conversation, message))
            })
            .await?;
        self.events.publish(ChatEvent::MessageEdited {
            conversation: conversation.clone(),
            message: message.clone(),
        });
        Ok((conversation, message))
    }

    /// Deletes a message: its writer may delete their own, staff any (see
    /// [`ChatService::remove_message`]). The row is kept; its text is not
    /// shown, and unread counters forget it.
    pub async fn delete_message(
        &self,
        actor: &Actor,
        message_id: MessageId,
    ) -> Result<(Conversation, Message), ChatError> {
        if actor.is_staff() {
            let conversation_id = self.message_conversation(actor, message_id).await?;
            return self
                .remove_message(actor, conversation_id, message_id)
                .await;
        }
        let writer = actor.clone();
        let conversation_id = self
            .db
            .read(move |conn| {
                let (conversation, message) = {
                    let message = store::messages::find(conn, message_id)?
                        .ok_or(ChatError::MessageNotFound)?;
                    let conversation = store::conversations::find(conn, message.conversation_id)?
                        .ok_or(ChatError::MessageNotFound)?;
                    super::authorize_view(&writer, &conversation)
                        .map_err(|_| ChatError::MessageNotFound)?;
                    (conversation, message)
                };
                own(&writer, &conversation, &message)?;
                Ok::<_, ChatError>(conversation.id)
            })
            .await?;
        self.remove_as(actor, conversation_id, message_id).await
    }

    /// The conversation of a message `actor` may see; a message they may
    /// not see is "not found".
    pub async fn message_conversation(
        &self,
        actor: &Actor,
        message_id: MessageId,
    ) -> Result<i64, ChatError> {
        let reader = actor.clone();
        self.db
            .read(move |conn| {
                let message =
                    store::messages::find(conn, message_id)?.ok_or(ChatError::MessageNotFound)?;
                let conversation = store::conversations::find(conn, message.conversation_id)?
                    .ok_or(ChatError::MessageNotFound)?;
                super::authorize_view(&reader, &conversation)
                    .map_err(|_| ChatError::MessageNotFound)?;
                Ok::<_, ChatError>(conversation.id)
            })
            .await
    }

    /// Adds or takes back a reaction. Returns whether anything changed.
    pub async fn react(
        &self,
        actor: &Actor,
        message_id: MessageId,
        reaction: Reaction,
        add: bool,
    ) -> Result<bool, ChatError> {
        let who = actor.clone();
        let changed = self
            .db
            .write(move |conn| {
                let (conversation, message) = message_for_write(conn, &who, message_id)?;
                if message.is_deleted() || message.kind != MessageKind::Text {
                    return Err(ChatError::MessageNotFound);
                }
                let changed = if add {
                    store::messages::add_reaction(
                        conn,
                        message_id,
                        &who.id,
                        reaction.name(),
                        store::now(),
                    )?
                } else {
                    store::messages::remove_reaction(conn, message_id, &who.id, reaction.name())?
                };
                Ok::<_, ChatError>(changed.then_some(conversation))
            })
            .await?;
        if let Some(conversation) = &changed {
            self.events.publish(ChatEvent::ReactionChanged {
                conversation: conversation.clone(),
                message_id,
                user_id: actor.id.clone(),
                user_name: actor.name.clone(),
                side: actor.side(),
                emoji: reaction,
                added: add,
            });
        }
        Ok(changed.is_some())
    }

    /// The messages of a conversation after `after`, oldest first, up to
    /// `limit`, and whether more follow: what a reconnecting client missed.
    pub async fn messages_after(
        &self,
        actor: &Actor,
        conversation_id: i64,
        after: MessageId,
        limit: i64,
    ) -> Result<(Conversation, Vec<Message>, bool), ChatError> {
        let reader = actor.clone();
        self.db
            .read(move |conn| {
                let conversation = store::conversations::find(conn, conversation_id)?
                    .ok_or(ChatError::ConversationNotFound)?;
                super::authorize_view(&reader, &conversation)?;
                let mut messages = store::messages::after(conn, conversation_id, after, limit + 1)?;
                let more = messages.len() as i64 > limit;
                messages.truncate(usize::try_from(limit).unwrap_or(0));
                Ok((conversation, messages, more))
            })
            .await
    }
}
