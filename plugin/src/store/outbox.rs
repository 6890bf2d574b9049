//! The e-mail outbox. Rows are written in the message's transaction and
//! drained by the mail worker: claimed with a lease (`FOR UPDATE SKIP
//! LOCKED` on PostgreSQL; SQLite's write transactions are already
//! exclusive), then marked sent the moment the server accepts the mail.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text, Timestamp};
use serde::Serialize;

use super::schema::storechat_outbox as o;
use super::{AnyConnection, StoreError};
use crate::domain::{ConversationId, MessageId, Side};

/// An outbox row.
#[derive(Debug, Clone, PartialEq, Serialize, Queryable, Selectable)]
#[diesel(table_name = o)]
pub struct OutboxRow {
    /// Its id.
    pub id: i64,
    /// `replies` (a recap of unseen replies) or `opened` (staff opened it).
    pub kind: String,
    /// The conversation.
    pub conversation_id: i64,
    /// Who hears: `customer`, `staff` or `vendor`.
    #[diesel(deserialize_as = String)]
    pub recipient_side: Side,
    /// The first message it is about.
    pub first_message_id: i64,
    /// `pending`, `sent`, `skipped` or `dead`.
    pub status: String,
    /// Not before.
    pub due_at: NaiveDateTime,
    /// Not before (after a temporary failure).
    pub next_attempt_at: NaiveDateTime,
    /// Temporary failures so far.
    pub attempts: i32,
    /// Held by a worker until then.
    pub claimed_until: Option<NaiveDateTime>,
    /// Which worker.
    pub claimed_by: Option<String>,
    /// Why it failed last, or why it was skipped.
    pub last_error: Option<String>,
    /// Where it went.
    pub recipient_email: Option<String>,
    /// How many messages it recapped.
    pub message_count: i32,
    /// When it was queued.
    pub created_at: NaiveDateTime,
    /// When the server accepted it.
    pub sent_at: Option<NaiveDateTime>,
}

/// Queues an e-mail to `recipient` about a conversation unless one is
/// already waiting (it will include this message). Returns whether a row
/// was added. Runs inside the message's transaction, which holds the
/// conversation's lock.
pub fn enqueue(
    conn: &mut AnyConnection,
    conversation_id: ConversationId,
    recipient: Side,
    kind: &str,
    first_message_id: MessageId,
    due_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<bool, StoreError> {
    let waiting: i64 = super::on_backend!(conn, |c| o::table
        .filter(o::conversation_id.eq(conversation_id))
        .filter(o::recipient_side.eq(recipient.as_str()))
        .filter(o::status.eq("pending"))
        .count()
        .get_result(c))?;
    if waiting > 0 {
        return Ok(false);
    }
    super::on_backend!(conn, |c| diesel::insert_into(o::table)
        .values((
            o::kind.eq(kind),
            o::conversation_id.eq(conversation_id),
            o::recipient_side.eq(recipient.as_str()),
            o::first_message_id.eq(first_message_id),
            o::status.eq("pending"),
            o::due_at.eq(due_at),
            o::next_attempt_at.eq(due_at),
            o::created_at.eq(now),
        ))
        .execute(c))?;
    Ok(true)
}

/// Which of these conversations already have an e-mail waiting, and for
/// which side (stored form): (conversation, recipient side) pairs.
pub fn pending_for(
    conn: &mut AnyConnection,
    conversation_ids: &[ConversationId],
) -> Result<Vec<(ConversationId, String)>, StoreError> {
    if conversation_ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = o::table
        .filter(o::conversation_id.eq_any(conversation_ids))
        .filter(o::status.eq("pending"))
        .select((o::conversation_id, o::recipient_side));
    Ok(super::on_backend!(conn, |c| super::CacheBySql(query).load(c))?)
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Claims up to `limit` due rows for `worker` until `lease_until`; rows held
/// by a worker whose lease ran out (it died) are taken over.
pub fn claim_due(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    let lock = match conn {
        AnyConnection::Postgresql(_) => " FOR UPDATE SKIP LOCKED",
        AnyConnection::Sqlite(_) => "",
    };
    let sql = format!(
        "UPDATE storechat_outbox SET claimed_until = $1, claimed_by = $2 WHERE id IN (\
         SELECT id FROM storechat_outbox WHERE status = 'pending' AND next_attempt_at <= $3 \
         AND (claimed_until IS NULL OR claimed_until < $4) ORDER BY next_attempt_at, id LIMIT $5{lock}) \
         RETURNING id"
    );
    let sql = match conn {
        AnyConnection::Sqlite(_) => sql
            .replace("$1", "?")
            .replace("$2", "?")
            .replace("$3", "?")
            .replace("$4", "?")
            .replace("$5", "?"),
        AnyConnection::Postgresql(_) => sql,
    };
    let ids: Vec<Id> = diesel::sql_query(sql)
        .bind::<Timestamp, _>(lease_until)
        .bind::<Text, _>(worker)
        .bind::<Timestamp, _>(now)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(limit)
        .load(conn)?;
    let ids: Vec<i64> = ids.into_iter().map(|i| i.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(o::table
        .filter(o::id.eq_any(ids))
        .order(o::id)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// When the next pending row falls due, if any.
pub fn next_due(conn: &mut AnyConnection) -> Result<Option<NaiveDateTime>, StoreError> {
    Ok(o::table
        .filter(o::status.eq("pending"))
        .select(diesel::dsl::min(o::next_attempt_at))
        .first::<Option<NaiveDateTime>>(conn)?)
}

fn mine(
    id: i64,
    worker: &str,
) -> diesel::dsl::Filter<diesel::dsl::Find<o::table, i64>, diesel::dsl::Eq<o::claimed_by, String>> {
    o::table
        .find(id)
        .filter(o::claimed_by.eq(worker.to_owned()))
}

/// The server accepted it: never send it again.
pub fn mark_sent(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    email: &str,
    message_count: i32,
    at: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(mine(id, worker))
        .set((
            o::status.eq("sent"),
            o::sent_at.eq(Some(at)),
            o::claimed_until.eq(None::<NaiveDateTime>),
            o::recipient_email.eq(Some(email)),
            o::message_count.eq(message_count),
            o::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Nothing to send (seen in time, e-mail turned off, no address).
pub fn mark_skipped(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    reason: &str,
) -> Result<bool, StoreError> {
    let n = diesel::update(mine(id, worker))
        .set((
            o::status.eq("skipped"),
            o::claimed_until.eq(None::<NaiveDateTime>),
            o::last_error.eq(Some(reason)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// A temporary failure: try again at `next`.
pub fn mark_retry(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    error: &str,
    next: NaiveDateTime,
) -> Result<bool, StoreError> {
    let n = diesel::update(mine(id, worker))
        .set((
            o::attempts.eq(o::attempts + 1),
            o::next_attempt_at.eq(next),
            o::claimed_until.eq(None::<NaiveDateTime>),
            o::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// A permanent failure: kept for the admins to see, never retried by itself.
pub fn mark_dead(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    error: &str,
    email: Option<&str>,
) -> Result<bool, StoreError> {
    let n = diesel::update(mine(id, worker))
        .set((
            o::status.eq("dead"),
            o::claimed_until.eq(None::<NaiveDateTime>),
            o::last_error.eq(Some(error)),
            o::recipient_email.eq(email),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Staff asked to try a dead e-mail again; `false` when it is not dead.
pub fn revive(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> Result<bool, StoreError> {
    // A newer pending row for the same conversation and side already carries
    // these messages: reviving would break the one-pending rule.
    let row: Option<OutboxRow> = o::table
        .find(id)
        .select(OutboxRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row.filter(|r| r.status == "dead") else {
        return Ok(false);
    };
    let waiting: i64 = o::table
        .filter(o::conversation_id.eq(row.conversation_id))
        .filter(o::recipient_side.eq(row.recipient_side.as_str()))
        .filter(o::status.eq("pending"))
        .count()
        .get_result(conn)?;
    let status = if waiting > 0 { "skipped" } else { "pending" };
    diesel::update(o::table.find(id))
        .set((
            o::status.eq(status),
            o::attempts.eq(0),
            o::next_attempt_at.eq(now),
            o::due_at.eq(now),
            o::claimed_until.eq(None::<NaiveDateTime>),
            o::claimed_by.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(status == "pending")
}

/// Rows with this status, newest first.
pub fn with_status(
    conn: &mut AnyConnection,
    status: &str,
    limit: i64,
) -> Result<Vec<OutboxRow>, StoreError> {
    Ok(o::table
        .filter(o::status.eq(status))
        .order(o::id.desc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// How many rows have each status.
pub fn counts(conn: &mut AnyConnection) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(o::table
        .group_by(o::status)
        .select((o::status, diesel::dsl::count_star()))
        .load(conn)?)
}

/// How many e-mails are dead (the admin list's warning).
pub fn dead_count(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    Ok(o::table
        .filter(o::status.eq("dead"))
        .count()
        .get_result(conn)?)
}
