//! Opening a conversation with its first message.

use super::{ChatService, notify_other_side, queue_email};
use crate::adapter::{OrderCard, ProductCard};
use crate::domain::{
    Actor, ClientMsgId, MessageBody, Role, Status, Subject, ValidationError, preview_text,
};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::{self, Conversation, Message, MessageKind};

/// What it takes to open a conversation, already parsed.
#[derive(Debug, Clone)]
pub struct OpenConversation {
    /// What it is about.
    pub subject: Subject,
    /// The first message.
    pub body: MessageBody,
    /// The customer it is with: required when staff open it, ignored (the
    /// customer themself) when a customer does.
    pub customer_id: Option<String>,
    /// An order of that customer's it is about.
    pub order_id: Option<String>,
    /// A product it is about.
    pub product_id: Option<String>,
    /// The client's id of the first message, so a re-submitted form opens
    /// one conversation, not two.
    pub client_msg_id: Option<ClientMsgId>,
    /// Who answers it for the store (staff may choose; customers always get
    /// the default).
    pub handler: Handler,
}

/// Who answers a conversation for the store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Handler {
    /// The linked product's marketplace vendor, or the store's staff when
    /// the product has none (or there is no product).
    #[default]
    ProductVendor,
    /// The store's staff, even about a vendor's product.
    Store,
    /// This marketplace vendor (host id).
    Vendor(String),
}

impl OpenConversation {
    /// Parses typed values; the first problem found is returned.
    pub fn parse(
        subject: &str,
        body: &str,
        order_id: Option<&str>,
        product_id: Option<&str>,
    ) -> Result<OpenConversation, ValidationError> {
        Ok(OpenConversation {
            subject: Subject::parse(subject)?,
            body: MessageBody::parse(body)?,
            customer_id: None,
            order_id: non_empty(order_id),
            product_id: non_empty(product_id),
            client_msg_id: None,
            handler: Handler::ProductVendor,
        })
    }
}

fn non_empty(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A conversation that was opened (or found again for a retried request).
#[derive(Debug, Clone)]
pub struct Opened {
    /// The conversation.
    pub conversation: Conversation,
    /// Its first message.
    pub message: Message,
    /// False when the same request had already opened it.
    pub created: bool,
}

impl ChatService {
    /// Opens a conversation. A customer opens one with the store (OPEN);
    /// staff open one with any customer (AWAITING_USER). A linked order must
    /// belong to that customer; a linked product sends the conversation to
    /// its vendor.
    pub async fn open_conversation(
        &self,
        actor: &Actor,
        input: OpenConversation,
    ) -> Result<Opened, ChatError> {
        let (customer_id, status) = match actor.role {
            Role::Customer => (actor.id.clone(), Status::Open),
            Role::Staff => match &input.customer_id {
                Some(id) if !id.trim().is_empty() => (id.trim().to_owned(), Status::AwaitingUser),
                _ => {
                    return Err(ValidationError::new(
                        "customer_id",
                        "Choose the customer to write to.",
                    )
                    .into());
                }
            },
            Role::Vendor => {
                return Err(ChatError::Forbidden(
                    "Vendors answer conversations about their products; they cannot open new ones.",
                ));
            }
        };

        // Everything the host must tell us, before the transaction.
        let customer = self
            .host
            .user(&customer_id)
            .await?
            .filter(|u| u.role == Role::Customer)
            .ok_or_else(|| ValidationError::new("customer_id", "That customer does not exist."))?;
        let order = match &input.order_id {
            Some(id) => Some(self.owned_order(id, &customer_id).await?),
            None => None,
        };
        let product = match &input.product_id {
            Some(id) => Some(self.existing_product(id).await?),
            None => None,
        };
        let vendor_id = match (&input.handler, actor.role) {
            (Handler::Store, Role::Staff) => None,
            (Handler::Vendor(id), Role::Staff) => {
                let vendor = self.host.user(id).await?.filter(|u| u.role == Role::Vendor);
                Some(
                    vendor
                        .ok_or_else(|| {
                            ValidationError::new("vendor_id", "That vendor does not exist.")
                        })?
                        .id,
                )
            }
            _ => product.as_ref().and_then(|p| p.vendor_id.clone()),
        };
        let vendor_name = match vendor_id.as_deref() {
            Some(vendor) => self.host.user(vendor).await?.map(|u| u.name),
            None => None,
        };

        let retry_key = input.client_msg_id.clone().map(|c| (actor.id.clone(), c));
        let staff_opened = actor.role == Role::Staff;
        let mail = self.mail.clone();
        let actor = actor.clone();
        let result = self
            .db
            .write(move |conn| {
                if let Some(client_id) = &input.client_msg_id
                    && let Some(message) =
                        store::messages::find_by_client_id(conn, &actor.id, client_id.as_str())?
                {
                    let conversation = store::conversations::find(conn, message.conversation_id)?
                        .ok_or(ChatError::ConversationNotFound)?;
                    return Ok(Opened {
                        conversation,
                        message,
                        created: false,
                    });
                }
                let now = store::now();
                let conversation = store::conversations::insert(
                    conn,
                    &store::conversations::NewConversation {
                        subject: input.subject.as_str().to_owned(),
                        customer_id: customer.id.clone(),
                        customer_name: customer.name.clone(),
                        customer_email: customer.email.clone(),
                        vendor_id,
                        vendor_name,
                        order_id: order.as_ref().map(|o: &OrderCard| o.id.clone()),
                        order_number: order.as_ref().map(|o| o.number.clone()),
                        product_id: product.as_ref().map(|p| p.id.clone()),
                        product_name: product.as_ref().map(|p| p.name.clone()),
                        status: status.as_str().to_owned(),
                        created_at: now,
                        updated_at: now,
                        last_message_at: now,
                    },
                )?;
                let message = store::messages::insert(
                    conn,
                    &store::messages::NewMessage {
                        conversation_id: conversation.id,
                        sender_id: Some(actor.id.clone()),
                        sender_side: actor.side().as_str().to_owned(),
                        sender_name: actor.name.clone(),
                        kind: MessageKind::Text.as_str().to_owned(),
                        body: input.body.as_str().to_owned(),
                        reply_to_id: None,
                        client_msg_id: input.client_msg_id.as_ref().map(|c| c.as_str().to_owned()),
                        created_at: now,
                    },
                )?;
                let conversation = store::conversations::record_message(
                    conn,
                    conversation.id,
                    message.id,
                    actor.side(),
                    &preview_text(&message.body, 140),
                    status,
                    now,
                )?;
                notify_other_side(conn, &conversation, &message, true)?;
                queue_email(conn, &mail, &conversation, &message, staff_opened)?;
                Ok::<_, ChatError>(Opened {
                    conversation,
                    message,
                    created: true,
                })
            })
            .await;

        let opened = match (result, retry_key) {
            // A concurrent retry committed first: answer with what it stored.
            (Err(ChatError::Store(e)), Some((sender, client_id))) if e.is_unique_violation() => {
                self.db
                    .read(move |conn| {
                        let message =
                            store::messages::find_by_client_id(conn, &sender, client_id.as_str())?
                                .ok_or(ChatError::ConversationNotFound)?;
                        let conversation =
                            store::conversations::find(conn, message.conversation_id)?
                                .ok_or(ChatError::ConversationNotFound)?;
                        Ok::<_, ChatError>(Opened {
                            conversation,
                            message,
                            created: false,
                        })
                    })
                    .await?
            }
            (other, _) => other?,
        };
        if opened.created && staff_opened {
            // E-mailed at once: wake the worker.
            self.mail.wake.notify_one();
        }
        if opened.created {
            self.events.publish(ChatEvent::ConversationOpened {
                conversation: opened.conversation.clone(),
                message: opened.message.clone(),
            });
        }
        Ok(opened)
    }

    async fn owned_order(&self, order_id: &str, customer_id: &str) -> Result<OrderCard, ChatError> {
        match self.host.order(order_id).await? {
            Some(order) if order.owner_id == customer_id => Ok(order),
            _ => Err(ValidationError::new(
                "order_id",
                "That order is not one of this customer's orders.",
            )
            .into()),
        }
    }

    async fn existing_product(&self, product_id: &str) -> Result<ProductCard, ChatError> {
        self.host.product(product_id).await?.ok_or_else(|| {
            ValidationError::new("product_id", "That product does not exist.").into()
        })
    }
}
