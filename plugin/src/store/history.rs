//! What a page of history shows beside its messages: the messages they
//! quote (their reactions: `messages::reactions_of`). Read-only; the
//! service decides who may ask.

use diesel::prelude::*;

use super::schema::storechat_messages as m;
use super::{AnyConnection, Message, StoreError};
use crate::domain::MessageId;

/// These messages of one conversation, by id, in no particular order. A
/// quoted id from another conversation is simply not found.
pub fn messages_by_id(
    conn: &mut AnyConnection,
    conversation_id: i64,
    ids: &[MessageId],
) -> Result<Vec<Message>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(m::table
        .filter(m::conversation_id.eq(conversation_id))
        .filter(m::id.eq_any(ids))
        .select(Message::as_select())
        .load(conn)?)
}
