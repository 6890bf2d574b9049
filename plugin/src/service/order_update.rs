//! An order placed or moved to a new status: the host says so with one call
//! and the plugin posts an order progress card in the customer's
//! conversation. One card per (order, status), also when the host calls
//! twice or two calls race. A card is a system message: it counts as
//! nobody's unread message and never moves the conversation's status.

use super::ChatService;
use crate::adapter::OrderCard;
use crate::domain::{ConversationId, MessageId, OrderProgress, Side};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::{self, Conversation, Message, MessageKind};

/// The name order cards are signed with in the history.
const CARD_SENDER: &str = "Order update";

/// What [`ChatService::order_updated`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum OrderUpdated {
    /// A card was posted in this conversation.
    Posted {
        /// The conversation (unchanged by the card).
        conversation: Box<Conversation>,
        /// The card's message.
        message: Box<Message>,
    },
    /// This order status already has its card: nothing was written.
    AlreadyPosted {
        /// Where the card is.
        conversation_id: ConversationId,
        /// The card's message.
        message_id: MessageId,
    },
    /// The customer has no conversation that is not CLOSED: nothing was
    /// written (the plugin does not open conversations on its own).
    NoConversation,
    /// The host does not know this order: nothing was written.
    UnknownOrder,
}

/// What the transaction found.
enum Outcome {
    Posted(Box<(Conversation, Message)>),
    Already(ConversationId, MessageId),
    Gone,
}

impl ChatService {
    /// Tells the plugin that an order was placed or changed status. Asks the
    /// host for the order's card ([`crate::HostAdapter::order`]) and posts it
    /// in the customer's conversation linked to the order, else in their most
    /// recent conversation that is not CLOSED. Calling it again for the same
    /// status posts nothing.
    pub async fn order_updated(&self, order_id: &str) -> Result<OrderUpdated, ChatError> {
        match self.host.order(order_id).await? {
            Some(order) => self.post_order_card(&order).await,
            None => Ok(OrderUpdated::UnknownOrder),
        }
    }

    /// [`ChatService::order_updated`] with the order's card given by the
    /// host, for a host that has it at hand.
    pub async fn post_order_card(&self, order: &OrderCard) -> Result<OrderUpdated, ChatError> {
        let card = OrderProgress::of(order);
        let (order_id, status_key, customer) = (
            card.order_id.clone(),
            card.status_key(),
            order.owner_id.clone(),
        );

        // Which conversation: a read first, because the group-commit writer
        // needs the conversation id before the transaction starts.
        let target = {
            let (order_id, status_key) = (order_id.clone(), status_key.clone());
            self.db
                .read(move |conn| {
                    if let Some((c, m)) = store::order_cards::find(conn, &order_id, &status_key)? {
                        return Ok::<_, ChatError>(Err((c, m)));
                    }
                    Ok(Ok(store::order_cards::target_conversation(
                        conn, &customer, &order_id,
                    )?))
                })
                .await?
        };
        let conversation_id = match target {
            Err((conversation_id, message_id)) => {
                return Ok(OrderUpdated::AlreadyPosted {
                    conversation_id,
                    message_id,
                });
            }
            Ok(None) => return Ok(OrderUpdated::NoConversation),
            Ok(Some(id)) => id,
        };

        let key = (order_id.clone(), status_key.clone());
        let result = self
            .db
            .write_about(conversation_id, move |conn| {
                let Some(conversation) =
                    store::conversations::find_for_write(conn, conversation_id)?
                else {
                    // Deleted since the read above.
                    return Ok(Outcome::Gone);
                };
                // Checked again under the conversation's lock: a call that
                // committed meanwhile wins.
                if let Some((c, m)) = store::order_cards::find(conn, &order_id, &status_key)? {
                    return Ok(Outcome::Already(c, m));
                }
                let now = store::now();
                let message = store::messages::insert(
                    conn,
                    &store::messages::NewMessage {
                        conversation_id,
                        sender_id: None,
                        sender_side: Side::System.as_str().to_owned(),
                        sender_name: CARD_SENDER.to_owned(),
                        kind: MessageKind::OrderCard.as_str().to_owned(),
                        body: card.to_body(),
                        reply_to_id: None,
                        client_msg_id: None,
                        created_at: now,
                    },
                )?;
                store::order_cards::insert(
                    conn,
                    &order_id,
                    &status_key,
                    conversation_id,
                    message.id,
                    now,
                )?;
                Ok::<_, ChatError>(Outcome::Posted(Box::new((conversation, message))))
            })
            .await;

        let outcome = match result {
            // A concurrent call for the same status, in another conversation's
            // transaction, committed first: answer with its card.
            Err(ChatError::Store(e)) if e.is_unique_violation() => {
                let (order_id, status_key) = key;
                let found = self
                    .db
                    .read(move |conn| store::order_cards::find(conn, &order_id, &status_key))
                    .await?;
                match found {
                    Some((c, m)) => Outcome::Already(c, m),
                    None => return Err(ChatError::Store(e)),
                }
            }
            other => other?,
        };
        Ok(match outcome {
            Outcome::Posted(posted) => {
                let (conversation, message) = *posted;
                self.events.publish(ChatEvent::MessageCreated {
                    conversation: conversation.clone(),
                    message: message.clone(),
                });
                OrderUpdated::Posted {
                    conversation: Box::new(conversation),
                    message: Box::new(message),
                }
            }
            Outcome::Already(conversation_id, message_id) => OrderUpdated::AlreadyPosted {
                conversation_id,
                message_id,
            },
            Outcome::Gone => OrderUpdated::NoConversation,
        })
    }
}
