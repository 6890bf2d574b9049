//! Writing a message in an existing conversation.

use super::ChatService;
use super::send_group::{SendGroup, SendJob};
use crate::domain::{Actor, ClientMsgId, MessageBody, MessageId, Side, Status};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::{self, Conversation, Message};

/// A message to send, already parsed.
#[derive(Debug, Clone)]
pub struct SendMessage {
    /// The text.
    pub body: MessageBody,
    /// The client's id for it: a retry with the same id returns the stored
    /// message and writes nothing.
    pub client_msg_id: Option<ClientMsgId>,
    /// The message it answers, in the same conversation.
    pub reply_to: Option<MessageId>,
}

/// The outcome of a send.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The conversation after the message (status, counters).
    pub conversation: Conversation,
    /// The message.
    pub message: Message,
    /// False when this was a retry of a message already stored.
    pub created: bool,
}

/// The status a conversation takes when `writer` writes in it.
pub fn status_after_message(current: Status, writer: Side) -> Result<Status, ChatError> {
    match writer {
        Side::Customer if current == Status::Closed => Err(ChatError::Closed),
        // Also reopens a RESOLVED conversation.
        Side::Customer => Ok(Status::AwaitingAdmin),
        Side::Staff | Side::Vendor => Ok(Status::AwaitingUser),
        Side::System => Ok(current),
    }
}

impl ChatService {
    /// Sends a message as `actor`. Customers write in their own
    /// conversations (not CLOSED ones); staff write in any; vendors in those
    /// about their products. Idempotent on the client message id, also for
    /// concurrent retries.
    pub async fn send_message(
        &self,
        actor: &Actor,
        conversation_id: i64,
        input: SendMessage,
    ) -> Result<Sent, ChatError> {
        let sent = self.store_message(actor, conversation_id, input).await?;
        self.announce(&sent);
        Ok(sent)
    }

    /// [`send_message`](Self::send_message) without the announcement: the
    /// WebSocket pipeline stores several sends of one connection at once
    /// and announces them itself, in the order they were sent (their
    /// commits can wake it in another order).
    pub(crate) async fn store_message(
        &self,
        actor: &Actor,
        conversation_id: i64,
        input: SendMessage,
    ) -> Result<Sent, ChatError> {
        let retry_key = input.client_msg_id.clone().map(|c| (actor.id.clone(), c));
        let job = SendJob {
            writer: actor.clone(),
            conversation_id,
            input,
            mail: self.mail.clone(),
        };
        let result = self
            .db
            .write_grouped::<SendGroup>(conversation_id, job)
            .await;

        let sent = match (result, retry_key) {
            // A concurrent retry committed first: answer with what it stored.
            (Err(ChatError::Store(e)), Some((sender, client_id))) if e.is_unique_violation() => {
                self.db
                    .read(move |conn| {
                        let message =
                            store::messages::find_by_client_id(conn, &sender, client_id.as_str())?
                                .ok_or(ChatError::MessageNotFound)?;
                        let conversation =
                            store::conversations::find(conn, message.conversation_id)?
                                .ok_or(ChatError::ConversationNotFound)?;
                        replay(conversation_id, conversation, message)
                    })
                    .await?
            }
            (other, _) => other?,
        };
        Ok(sent)
    }

    /// Tells everyone of a stored message (a retry's replay is not news).
    pub(crate) fn announce(&self, sent: &Sent) {
        if sent.created {
            self.events.publish(ChatEvent::MessageCreated {
                conversation: sent.conversation.clone(),
                message: sent.message.clone(),
            });
        }
    }
}

/// A retry answers with the stored message, but only within the conversation
/// it was sent to: reusing a client id elsewhere is a client bug.
pub(super) fn replay(
    requested: i64,
    conversation: Conversation,
    message: Message,
) -> Result<Sent, ChatError> {
    if message.conversation_id != requested {
        return Err(crate::domain::ValidationError::new(
            "client_msg_id",
            "This client message id was already used for a message in another conversation.",
        )
        .into());
    }
    Ok(Sent {
        conversation,
        message,
        created: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_side_moves_the_status() {
        use Status::*;
        for from in [Open, AwaitingAdmin, AwaitingUser, Resolved] {
            assert_eq!(
                status_after_message(from, Side::Customer).ok(),
                Some(AwaitingAdmin)
            );
        }
        assert!(matches!(
            status_after_message(Closed, Side::Customer),
            Err(ChatError::Closed)
        ));
        for from in Status::ALL {
            assert_eq!(
                status_after_message(from, Side::Staff).ok(),
                Some(AwaitingUser)
            );
            assert_eq!(
                status_after_message(from, Side::Vendor).ok(),
                Some(AwaitingUser)
            );
        }
    }
}
