//! Queries on `storechat_notifications`: the in-app inboxes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::storechat_notifications as n;
use super::{AnyConnection, Notification, StoreError};
use crate::domain::{ConversationId, MessageId, Side};

/// The kind of alert created for every message: the wire and stored name.
pub const NEW_MESSAGE: &str = "NEW_MESSAGE";

/// Whose inbox a notification goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbox {
    /// The side of the recipient.
    pub side: Side,
    /// The recipient; `None` for the shared staff inbox.
    pub id: Option<String>,
}

/// The values of a new notification.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = n)]
// One shape for every row (see `NewMessage`).
#[diesel(treat_none_as_default_value = false)]
pub struct NewNotification {
    /// Recipient side.
    pub recipient_side: String,
    /// Recipient id.
    pub recipient_id: Option<String>,
    /// Kind.
    pub kind: String,
    /// Conversation.
    pub conversation_id: ConversationId,
    /// Message.
    pub message_id: Option<MessageId>,
    /// Title.
    pub title: String,
    /// Body preview.
    pub body: String,
    /// Created at.
    pub created_at: NaiveDateTime,
    /// Read at: set when its reader answered in the same transaction (a
    /// group of sends in which they replied after it), else `None`.
    pub read_at: Option<NaiveDateTime>,
}

/// Inserts a notification.
pub fn insert(conn: &mut AnyConnection, new: &NewNotification) -> Result<Notification, StoreError> {
    let insert = diesel::insert_into(n::table)
        .values(new)
        .returning(n::all_columns);
    Ok(super::on_backend!(conn, |c| super::CacheBySql(insert)
        .get_result::<Notification>(
        c
    ))?)
}

/// SQLite's one-row insert of [`insert_many`], written out: its text never
/// varies, so diesel finds the prepared statement without building the
/// INSERT from its columns for every row, and nothing reads the new ids
/// back (nobody needs them).
const SQLITE_INSERT: &str = "INSERT INTO storechat_notifications \
     (recipient_side, recipient_id, kind, conversation_id, message_id, title, body, created_at, \
     read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// Inserts several notifications with one statement.
pub fn insert_many(conn: &mut AnyConnection, new: &[NewNotification]) -> Result<(), StoreError> {
    if new.is_empty() {
        return Ok(());
    }
    // Loaded, not executed, so that the statements stay prepared (see
    // `CacheBySql`).
    let inserted = match conn {
        // As in `messages::insert_many`: one cached statement per row.
        AnyConnection::Sqlite(c) => {
            use diesel::sql_types::{BigInt, Nullable, Text};
            let mut stamp = super::sqlite_write::Stamp::default();
            let mut stored = 0;
            for one in new {
                let insert = diesel::sql_query(SQLITE_INSERT)
                    .bind::<Text, _>(&one.recipient_side)
                    .bind::<Nullable<Text>, _>(one.recipient_id.as_deref())
                    .bind::<Text, _>(&one.kind)
                    .bind::<BigInt, _>(one.conversation_id)
                    .bind::<Nullable<BigInt>, _>(one.message_id)
                    .bind::<Text, _>(&one.title)
                    .bind::<Text, _>(&one.body)
                    .bind::<Text, _>(stamp.of(one.created_at))
                    .bind::<Nullable<Text>, _>(one.read_at.map(|at| stamp.of(at)));
                stored += super::sqlite_write::execute(c, insert)?;
            }
            usize::try_from(stored).unwrap_or(0)
        }
        AnyConnection::Postgresql(c) => {
            let insert = diesel::insert_into(n::table).values(new).returning(n::id);
            super::CacheBySql(insert).load::<i64>(c)?.len()
        }
    };
    if inserted != new.len() {
        return Err(StoreError::Unavailable(format!(
            "{inserted} of {} notifications stored",
            new.len()
        )));
    }
    Ok(())
}

/// An unread notification, as far as marking it read needs to know.
#[derive(Debug, Clone, Queryable, QueryableByName)]
#[diesel(table_name = n)]
pub struct Unread {
    /// Its id.
    pub id: i64,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Its recipient's side (stored form).
    pub recipient_side: String,
    /// Its recipient; `None` for the shared staff inbox.
    pub recipient_id: Option<String>,
    /// The message it is about.
    pub message_id: Option<MessageId>,
}

impl Inbox {
    /// Whether a notification addressed to (`side`, `recipient_id`) is in
    /// this inbox. Staff members read the shared staff inbox too.
    pub fn holds(&self, side: &str, recipient_id: Option<&str>) -> bool {
        if side != self.side.as_str() {
            return false;
        }
        match (&self.side, &self.id) {
            (Side::Staff, Some(id)) => recipient_id.is_none_or(|r| r == id),
            (_, Some(id)) => recipient_id == Some(id.as_str()),
            (_, None) => recipient_id.is_none(),
        }
    }
}

/// The unread notifications about each (conversation, recipient side)
/// pair.
///
/// On PostgreSQL the pairs are joined to the index by (conversation, side,
/// read time): asked with `conversation_id = ANY(..) AND recipient_side =
/// ANY(..)`, the writers' generic plan used the index for the conversation
/// only and read every unread notification of the other side (hundreds in
/// a busy conversation staff have not opened) to find the writer's few.
pub fn unread_about(
    conn: &mut AnyConnection,
    pairs: &[(ConversationId, &str)],
) -> Result<Vec<Unread>, StoreError> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    match conn {
        AnyConnection::Postgresql(pg) => {
            use diesel::sql_types::{Array, BigInt, Text};
            let query = diesel::sql_query(UNREAD_ABOUT_SQL)
                .bind::<Array<BigInt>, _>(pairs.iter().map(|(c, _)| *c).collect::<Vec<_>>())
                .bind::<Array<Text>, _>(pairs.iter().map(|(_, s)| *s).collect::<Vec<_>>());
            Ok(super::CacheBySql(query).load(pg)?)
        }
        AnyConnection::Sqlite(c) => {
            let mut found = Vec::new();
            for (conversation_id, side) in pairs {
                let query = n::table
                    .filter(n::conversation_id.eq(conversation_id))
                    .filter(n::recipient_side.eq(side))
                    .filter(n::read_at.is_null())
                    .select((
                        n::id,
                        n::conversation_id,
                        n::recipient_side,
                        n::recipient_id,
                        n::message_id,
                    ));
                found.extend(query.load::<Unread>(c)?);
            }
            Ok(found)
        }
    }
}

/// [`unread_about`]'s statement on PostgreSQL.
const UNREAD_ABOUT_SQL: &str = "SELECT n.id, n.conversation_id, n.recipient_side, \
    n.recipient_id, n.message_id \
    FROM unnest($1::bigint[], $2::text[]) AS p(conversation_id, side) \
    JOIN storechat_notifications n \
    ON n.conversation_id = p.conversation_id AND n.recipient_side = p.side \
    WHERE n.read_at IS NULL";

/// Marks these notifications read (those not read yet).
pub fn mark_ids_read(
    conn: &mut AnyConnection,
    ids: &[i64],
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    if ids.is_empty() {
        return Ok(0);
    }
    // Every reply runs this: loaded, so that it stays prepared (see
    // `CacheBySql`).
    let update = diesel::update(
        n::table
            .filter(n::id.eq_any(ids))
            .filter(n::read_at.is_null()),
    )
    .set(n::read_at.eq(Some(at)))
    .returning(n::id);
    let marked: Vec<i64> = super::on_backend!(conn, |c| super::CacheBySql(update).load(c))?;
    Ok(marked.len())
}

// Boxed queries over the multi-backend need the backend type spelled out.
type Multi = <AnyConnection as diesel::Connection>::Backend;

/// A page of `reader`'s notifications, newest first.
pub fn page(
    conn: &mut AnyConnection,
    reader: &Inbox,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Notification>, StoreError> {
    let mut query = inbox_query(reader)
        .select(Notification::as_select())
        .order(n::id.desc())
        .limit(limit);
    if let Some(before) = before {
        query = query.filter(n::id.lt(before));
    }
    Ok(query.load(conn)?)
}

/// How many of `reader`'s notifications are unread.
pub fn unread_count(conn: &mut AnyConnection, reader: &Inbox) -> Result<i64, StoreError> {
    Ok(inbox_query(reader)
        .filter(n::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks one of `reader`'s notifications read; `false` when it is not theirs.
pub fn mark_read(
    conn: &mut AnyConnection,
    reader: &Inbox,
    id: i64,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let found: Option<i64> = inbox_query(reader)
        .filter(n::id.eq(id))
        .select(n::id)
        .first(conn)
        .optional()?;
    if found.is_none() {
        return Ok(false);
    }
    diesel::update(n::table.find(id).filter(n::read_at.is_null()))
        .set(n::read_at.eq(Some(at)))
        .execute(conn)?;
    Ok(true)
}

/// Marks all of `reader`'s notifications read; returns how many changed.
pub fn mark_all_read(
    conn: &mut AnyConnection,
    reader: &Inbox,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    let ids: Vec<i64> = inbox_query(reader)
        .filter(n::read_at.is_null())
        .select(n::id)
        .load(conn)?;
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(n::table.filter(n::id.eq_any(ids)))
        .set(n::read_at.eq(Some(at)))
        .execute(conn)?)
}

/// Marks `reader`'s notifications about a conversation read up to a message.
pub fn mark_conversation_read(
    conn: &mut AnyConnection,
    reader: &Inbox,
    conversation_id: ConversationId,
    up_to: MessageId,
    at: NaiveDateTime,
) -> Result<usize, StoreError> {
    // Every message runs this for its writer: a query of a static shape
    // per kind of inbox (see `on_backend!`), usually finding nothing.
    let of_conversation = n::conversation_id
        .eq(conversation_id)
        .and(n::recipient_side.eq(reader.side.as_str()))
        .and(n::message_id.le(up_to))
        .and(n::read_at.is_null());
    let ids: Vec<i64> = match (&reader.side, &reader.id) {
        (Side::Staff, Some(id)) => super::on_backend!(conn, |c| n::table
            .filter(of_conversation)
            .filter(n::recipient_id.is_null().or(n::recipient_id.eq(id)))
            .select(n::id)
            .load(c))?,
        (_, Some(id)) => super::on_backend!(conn, |c| n::table
            .filter(of_conversation)
            .filter(n::recipient_id.eq(id))
            .select(n::id)
            .load(c))?,
        (_, None) => super::on_backend!(conn, |c| n::table
            .filter(of_conversation)
            .filter(n::recipient_id.is_null())
            .select(n::id)
            .load(c))?,
    };
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(n::table.filter(n::id.eq_any(ids)))
        .set(n::read_at.eq(Some(at)))
        .execute(conn)?)
}

fn inbox_query(reader: &Inbox) -> n::BoxedQuery<'static, Multi> {
    let side = reader.side.as_str();
    match (&reader.side, &reader.id) {
        (Side::Staff, Some(id)) => n::table
            .filter(n::recipient_side.eq(side))
            .filter(n::recipient_id.is_null().or(n::recipient_id.eq(id.clone())))
            .into_boxed(),
        (_, Some(id)) => n::table
            .filter(n::recipient_side.eq(side))
            .filter(n::recipient_id.eq(id.clone()))
            .into_boxed(),
        (_, None) => n::table
            .filter(n::recipient_side.eq(side))
            .filter(n::recipient_id.is_null())
            .into_boxed(),
    }
}
