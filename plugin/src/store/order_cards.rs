//! Queries on `storechat_order_cards`: which order status already has its
//! card, and which conversation an order update goes to.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::storechat_conversations as c;
use super::schema::storechat_order_cards as oc;
use super::{AnyConnection, StoreError};
use crate::domain::{ConversationId, MessageId, Status};

/// The card already posted for this order status: `(conversation, message)`.
pub fn find(
    conn: &mut AnyConnection,
    order_id: &str,
    order_status: &str,
) -> Result<Option<(ConversationId, MessageId)>, StoreError> {
    Ok(oc::table
        .filter(oc::order_id.eq(order_id))
        .filter(oc::order_status.eq(order_status))
        .select((oc::conversation_id, oc::message_id))
        .first(conn)
        .optional()?)
}

/// Records the card of an order status. A second record of the same
/// `(order, status)` fails with a unique violation: the caller replays.
pub fn insert(
    conn: &mut AnyConnection,
    order_id: &str,
    order_status: &str,
    conversation_id: ConversationId,
    message_id: MessageId,
    at: NaiveDateTime,
) -> Result<(), StoreError> {
    diesel::insert_into(oc::table)
        .values((
            oc::order_id.eq(order_id),
            oc::order_status.eq(order_status),
            oc::conversation_id.eq(conversation_id),
            oc::message_id.eq(message_id),
            oc::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// The conversation an update of this order goes to: the customer's most
/// recent not-CLOSED conversation linked to the order, else their most
/// recent not-CLOSED one. A CLOSED conversation is finished business, so it
/// never gets a card.
pub fn target_conversation(
    conn: &mut AnyConnection,
    customer_id: &str,
    order_id: &str,
) -> Result<Option<ConversationId>, StoreError> {
    let open = c::table
        .filter(c::customer_id.eq(customer_id))
        .filter(c::status.ne(Status::Closed.as_str()));
    // The query is `Copy`: both lookups start from it.
    let linked = open
        .filter(c::order_id.eq(order_id))
        .order((c::last_message_at.desc(), c::id.desc()))
        .select(c::id)
        .first::<ConversationId>(conn)
        .optional()?;
    if linked.is_some() {
        return Ok(linked);
    }
    Ok(open
        .order((c::last_message_at.desc(), c::id.desc()))
        .select(c::id)
        .first::<ConversationId>(conn)
        .optional()?)
}
