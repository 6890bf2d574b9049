//! Queries on `storechat_messages`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::storechat_messages as m;
use super::{AnyConnection, CacheBySql, Message, StoreError, on_backend};
use crate::domain::{ConversationId, MessageId, Side};

/// The values of a new message.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = m)]
// `NULL` rather than `DEFAULT` for absent values (the same thing here):
// every row then has one shape, so several rows go in one statement on
// SQLite too, and the statement's text does not vary with the values.
#[diesel(treat_none_as_default_value = false)]
pub struct NewMessage {
    /// Conversation.
    pub conversation_id: ConversationId,
    /// Writer id; `None` for system messages.
    pub sender_id: Option<String>,
    /// Writer side (stored form).
    pub sender_side: String,
    /// Writer name.
    pub sender_name: String,
    /// Kind (stored form).
    pub kind: String,
    /// Text.
    pub body: String,
    /// Answered message.
    pub reply_to_id: Option<MessageId>,
    /// Client id for retries.
    pub client_msg_id: Option<String>,
    /// Written at.
    pub created_at: NaiveDateTime,
}

impl NewMessage {
    /// The row this message became under `id`: what reading it back would
    /// give (nothing else writes a message's row in its transaction, and
    /// its other columns start empty).
    fn stored_as(&self, id: MessageId) -> Result<Message, StoreError> {
        let invalid = |e: crate::domain::ValidationError| {
            StoreError::Unavailable(format!("a message was stored with {e}"))
        };
        Ok(Message {
            id,
            conversation_id: self.conversation_id,
            sender_id: self.sender_id.clone(),
            sender_side: Side::try_from(self.sender_side.clone()).map_err(invalid)?,
            sender_name: self.sender_name.clone(),
            kind: super::MessageKind::try_from(self.kind.clone()).map_err(invalid)?,
            body: self.body.clone(),
            reply_to_id: self.reply_to_id,
            client_msg_id: self.client_msg_id.clone(),
            created_at: self.created_at,
            edited_at: None,
            deleted_at: None,
            deleted_by: None,
        })
    }
}

/// SQLite's one-row insert of `insert_unless_retried`, written out: its
/// text never varies, so diesel finds the prepared statement without
/// building the statement from its parts for every message first (with the
/// read of the row back that `stored_as` replaces, a sixth of the writer's
/// time at 6,000 messages a second). The timestamp is bound as the text
/// diesel writes for a `Timestamp` on SQLite (`Stamp`).
const SQLITE_INSERT_UNLESS_RETRIED: &str = "INSERT INTO storechat_messages \
     (conversation_id, sender_id, sender_side, sender_name, kind, body, reply_to_id, \
     client_msg_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
     ON CONFLICT (sender_id, client_msg_id) DO NOTHING";

/// Inserts a message.
pub fn insert(conn: &mut AnyConnection, new: &NewMessage) -> Result<Message, StoreError> {
    let insert = diesel::insert_into(m::table).values(new);
    match conn {
        AnyConnection::Sqlite(c) => {
            let id = super::sqlite_write::insert(c, insert)?;
            Ok(m::table.find(id).first::<Message>(c)?)
        }
        AnyConnection::Postgresql(c) => {
            Ok(CacheBySql(insert.returning(m::all_columns)).get_result::<Message>(c)?)
        }
    }
}

/// Inserts several messages, each unless its writer already used its client
/// id, and returns one entry per row in the order given: the stored
/// message, or `None` where the client id was taken (a retry, whose first
/// try is stored). Ids grow in the order of the rows.
///
/// A retry is rare, and checking for it first cost every batch a statement
/// (a round trip on PostgreSQL); the unique index on (writer, client id)
/// answers the question as part of the insert instead.
pub fn insert_unless_retried(
    conn: &mut AnyConnection,
    new: &[NewMessage],
) -> Result<Vec<Option<Message>>, StoreError> {
    if new.is_empty() {
        return Ok(Vec::new());
    }
    let mut rows: Vec<Message> = match conn {
        // Diesel does not cache SQLite's multi-row INSERT; statements cost
        // no round trip there, so each row uses the cached one-row INSERT.
        AnyConnection::Sqlite(c) => {
            let mut rows = Vec::with_capacity(new.len());
            let mut stamp = super::sqlite_write::Stamp::default();
            for n in new {
                let insert = diesel::sql_query(SQLITE_INSERT_UNLESS_RETRIED)
                    .bind::<diesel::sql_types::BigInt, _>(n.conversation_id)
                    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(
                        n.sender_id.as_deref(),
                    )
                    .bind::<diesel::sql_types::Text, _>(&n.sender_side)
                    .bind::<diesel::sql_types::Text, _>(&n.sender_name)
                    .bind::<diesel::sql_types::Text, _>(&n.kind)
                    .bind::<diesel::sql_types::Text, _>(&n.body)
                    .bind::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>, _>(
                        n.reply_to_id,
                    )
                    .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(
                        n.client_msg_id.as_deref(),
                    )
                    .bind::<diesel::sql_types::Text, _>(stamp.of(n.created_at));
                if let Some(id) = super::sqlite_write::insert_unless_present(c, insert)? {
                    rows.push(n.stored_as(id)?);
                }
            }
            rows
        }
        AnyConnection::Postgresql(c) => CacheBySql(
            diesel::insert_into(m::table)
                .values(new)
                .on_conflict((m::sender_id, m::client_msg_id))
                .do_nothing()
                .returning(m::all_columns),
        )
        .get_results::<Message>(c)?,
    };
    // Neither database promises RETURNING's order; ids are handed out in
    // the order of the rows, so the stored rows sorted by id are the rows
    // given minus the skipped ones. Checked rather than trusted: a mismatch
    // fails the statement's group, whose writes then run one by one.
    rows.sort_by_key(|r| r.id);
    let mut stored = rows.into_iter().peekable();
    let mut out = Vec::with_capacity(new.len());
    for n in new {
        let matches = stored.peek().is_some_and(|row| {
            row.conversation_id == n.conversation_id
                && row.sender_id == n.sender_id
                && row.client_msg_id == n.client_msg_id
                && row.body == n.body
        });
        if matches {
            out.push(stored.next());
        } else if n.sender_id.is_some() && n.client_msg_id.is_some() {
            out.push(None);
        } else {
            // Without a client id nothing can conflict: it must be there.
            break;
        }
    }
    if out.len() != new.len() || stored.next().is_some() {
        return Err(StoreError::Unavailable(
            "the inserted messages came back in an unexpected order".into(),
        ));
    }
    Ok(out)
}

/// The messages stored under these (writer, client id) pairs.
///
/// On PostgreSQL one statement for all the pairs (one round trip), written
/// as an `OR` of exact pairs: each is a probe of the unique index, where
/// `sender_id = ANY(..) AND client_msg_id = ANY(..)` was planned as a scan
/// of every message of those writers. On SQLite, where a statement costs no
/// round trip, one cached look-up per pair.
pub fn find_by_client_ids(
    conn: &mut AnyConnection,
    pairs: &[(&str, &str)],
) -> Result<Vec<Message>, StoreError> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        AnyConnection::Postgresql(pg) => {
            let mut query = m::table
                .select(Message::as_select())
                .into_boxed::<diesel::pg::Pg>();
            for (sender, client_id) in pairs {
                query = query.or_filter(
                    m::sender_id
                        .eq(*sender)
                        .and(m::client_msg_id.eq(*client_id)),
                );
            }
            Ok(CacheBySql(query).load(pg)?)
        }
        AnyConnection::Sqlite(_) => {
            let mut found = Vec::with_capacity(pairs.len());
            for (sender, client_id) in pairs {
                found.extend(find_by_client_id(conn, sender, client_id)?);
            }
            Ok(found)
        }
    }
}

/// The conversation of each of these messages that exists.
pub fn conversations_of(
    conn: &mut AnyConnection,
    ids: &[MessageId],
) -> Result<Vec<(MessageId, ConversationId)>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = m::table
        .filter(m::id.eq_any(ids))
        .select((m::id, m::conversation_id));
    Ok(on_backend!(conn, |c| CacheBySql(query).load(c))?)
}

/// The message a writer already sent with this client id, if any.
pub fn find_by_client_id(
    conn: &mut AnyConnection,
    sender_id: &str,
    client_msg_id: &str,
) -> Result<Option<Message>, StoreError> {
    // Unique: at most one row, so no `LIMIT` (see `store::first_of`).
    let rows: Vec<Message> = on_backend!(conn, |c| m::table
        .filter(m::sender_id.eq(sender_id))
        .filter(m::client_msg_id.eq(client_msg_id))
        .select(Message::as_select())
        .load(c))?;
    Ok(super::first_of(rows))
}

/// One message by id.
pub fn find(conn: &mut AnyConnection, id: MessageId) -> Result<Option<Message>, StoreError> {
    let rows: Vec<Message> = on_backend!(conn, |c| m::table
        .find(id)
        .select(Message::as_select())
        .load(c))?;
    Ok(super::first_of(rows))
}

/// Marks a message removed by `by`; the row and its text stay for the record.
pub fn mark_removed(
    conn: &mut AnyConnection,
    id: MessageId,
    by: &str,
    at: NaiveDateTime,
) -> Result<Message, StoreError> {
    Ok(diesel::update(m::table.find(id))
        .set((m::deleted_at.eq(Some(at)), m::deleted_by.eq(Some(by))))
        .returning(m::all_columns)
        .get_result::<Message>(conn)?)
}

/// Up to `limit` messages of a conversation older than `before` (or the
/// newest when `before` is `None`), returned oldest first.
pub fn page(
    conn: &mut AnyConnection,
    conversation_id: ConversationId,
    before: Option<MessageId>,
    limit: i64,
) -> Result<Vec<Message>, StoreError> {
    let mut query = m::table
        .filter(m::conversation_id.eq(conversation_id))
        .select(Message::as_select())
        .order(m::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(before) = before {
        query = query.filter(m::id.lt(before));
    }
    let mut rows: Vec<Message> = query.load(conn)?;
    rows.reverse();
    Ok(rows)
}

/// How many messages written by `writers` after `after` are not removed:
/// what a reader still has to read once their cursor sits at `after`.
pub fn count_after(
    conn: &mut AnyConnection,
    conversation_id: ConversationId,
    after: MessageId,
    writers: &[Side],
) -> Result<i64, StoreError> {
    let sides: Vec<&str> = writers.iter().map(|s| s.as_str()).collect();
    Ok(m::table
        .filter(m::conversation_id.eq(conversation_id))
        .filter(m::id.gt(after))
        .filter(m::sender_side.eq_any(sides))
        .filter(m::kind.ne("system"))
        .filter(m::deleted_at.is_null())
        .count()
        .get_result(conn)?)
}

/// The messages `writers` wrote after `after` that are not removed: what an
/// e-mail recaps. Returns up to `limit` of them, oldest first, and how many
/// there are in all.
pub fn unseen(
    conn: &mut AnyConnection,
    conversation_id: ConversationId,
    after: MessageId,
    writers: &[Side],
    limit: i64,
) -> Result<(Vec<Message>, i64), StoreError> {
    let total = count_after(conn, conversation_id, after, writers)?;
    let sides: Vec<&str> = writers.iter().map(|s| s.as_str()).collect();
    let mut rows: Vec<Message> = m::table
        .filter(m::conversation_id.eq(conversation_id))
        .filter(m::id.gt(after))
        .filter(m::sender_side.eq_any(sides))
        .filter(m::kind.ne("system"))
        .filter(m::deleted_at.is_null())
        .order(m::id.desc())
        .limit(limit)
        .select(Message::as_select())
        .load(conn)?;
    rows.reverse();
    Ok((rows, total))
}

/// Replaces a message's text and marks it edited.
pub fn edit(
    conn: &mut AnyConnection,
    id: MessageId,
    body: &str,
    at: NaiveDateTime,
) -> Result<Message, StoreError> {
    Ok(diesel::update(m::table.find(id))
        .set((m::body.eq(body), m::edited_at.eq(Some(at))))
        .returning(m::all_columns)
        .get_result::<Message>(conn)?)
}

/// Messages of a conversation after `after`, oldest first.
pub fn after(
    conn: &mut AnyConnection,
    conversation_id: ConversationId,
    after: MessageId,
    limit: i64,
) -> Result<Vec<Message>, StoreError> {
    Ok(m::table
        .filter(m::conversation_id.eq(conversation_id))
        .filter(m::id.gt(after))
        .order(m::id.asc())
        .limit(limit)
        .select(Message::as_select())
        .load(conn)?)
}

/// Adds a reaction; false when this person already gave it.
pub fn add_reaction(
    conn: &mut AnyConnection,
    message_id: MessageId,
    user_id: &str,
    emoji: &str,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    use super::schema::storechat_reactions as r;
    let exists: i64 = r::table
        .filter(r::message_id.eq(message_id))
        .filter(r::user_id.eq(user_id))
        .filter(r::emoji.eq(emoji))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    diesel::insert_into(r::table)
        .values((
            r::message_id.eq(message_id),
            r::user_id.eq(user_id),
            r::emoji.eq(emoji),
            r::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Takes a reaction back; false when there was none.
pub fn remove_reaction(
    conn: &mut AnyConnection,
    message_id: MessageId,
    user_id: &str,
    emoji: &str,
) -> Result<bool, StoreError> {
    use super::schema::storechat_reactions as r;
    let n = diesel::delete(
        r::table
            .filter(r::message_id.eq(message_id))
            .filter(r::user_id.eq(user_id))
            .filter(r::emoji.eq(emoji)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// Every reaction to these messages as `(message id, emoji, user id)`,
/// oldest first, in one query: what a page of history shows under its
/// messages. No ids, no query.
pub fn reactions_of(
    conn: &mut AnyConnection,
    message_ids: &[MessageId],
) -> Result<Vec<(MessageId, String, String)>, StoreError> {
    use super::schema::storechat_reactions as r;
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(r::table
        .filter(r::message_id.eq_any(message_ids.to_vec()))
        .order((r::message_id.asc(), r::created_at.asc()))
        .select((r::message_id, r::emoji, r::user_id))
        .load(conn)?)
}
