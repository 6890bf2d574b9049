//! What a page of history shows beside its messages: the reactions each one
//! got and the messages they quote. Read-only; the service decides who may
//! ask.

use diesel::prelude::*;

use super::schema::storechat_messages as m;
use super::schema::storechat_reactions as r;
use super::{AnyConnection, Message, StoreError};
use crate::domain::MessageId;

/// One person's reaction to one message.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ReactionRow {
    /// The message reacted to.
    pub message_id: MessageId,
    /// Who reacted (host id).
    pub user_id: String,
    /// The reaction's wire name (`thumbs_up`, …).
    pub emoji: String,
}

/// Every reaction to these messages, oldest first.
pub fn reactions_of(
    conn: &mut AnyConnection,
    message_ids: &[MessageId],
) -> Result<Vec<ReactionRow>, StoreError> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(r::table
        .filter(r::message_id.eq_any(message_ids))
        .order((r::created_at.asc(), r::message_id.asc()))
        .select((r::message_id, r::user_id, r::emoji))
        .load(conn)?)
}

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
