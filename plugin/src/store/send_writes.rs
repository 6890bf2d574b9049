//! What a group of sends writes once its messages are in: each
//! conversation's new activity, the new-message notifications, and the
//! writers' own notifications marked read up to what they answered.
//!
//! On PostgreSQL that is one statement (data-modifying `WITH` clauses): each
//! statement of a transaction is a round trip to the server, with a wake-up
//! of its process and of the writer on each side, and on a 2-core machine
//! those round trips were most of a message's cost there (the kernel's
//! share of PostgreSQL's CPU was 40 %). Three statements, four when a
//! writer had unread notifications, became one. On SQLite, where a
//! statement is a function call, the writes stay one cached statement each.
//!
//! The statement cannot see the notifications it inserts, so the ones their
//! reader already answered in this group (a customer's message, then a
//! staff reply in the same batch) are inserted read; the separate
//! statements found them unread and marked them. The end is the same.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::conversations::{self, activity_sql, bind_activity_arrays};
use super::notifications::{self, Inbox, NewNotification};
use super::{AnyConnection, CacheBySql, Conversation, StoreError};
use crate::domain::{ConversationId, MessageId, Status};

/// The writes of a group of sends after its messages.
#[derive(Debug)]
pub struct AfterMessages<'a> {
    /// Each touched conversation, as it is now, with the status it had
    /// when the group read it.
    pub activity: Vec<(&'a Conversation, Status)>,
    /// The notifications of the new messages.
    pub notifications: Vec<NewNotification>,
    /// Each writer's inbox, conversation and newest message of the group:
    /// their notifications about it up to that message are read.
    pub read_up_to: Vec<(Inbox, ConversationId, MessageId)>,
    /// The group's time.
    pub now: NaiveDateTime,
}

/// Writes them; an error sends the group back to run one send at a time.
pub fn write(conn: &mut AnyConnection, mut after: AfterMessages<'_>) -> Result<(), StoreError> {
    // A notification whose reader answered after it in this group is read.
    for n in &mut after.notifications {
        let answered = after.read_up_to.iter().any(|(inbox, conversation, up_to)| {
            n.conversation_id == *conversation
                && n.message_id.is_some_and(|m| m <= *up_to)
                && inbox.holds(&n.recipient_side, n.recipient_id.as_deref())
        });
        if answered {
            n.read_at = Some(after.now);
        }
    }
    match conn {
        AnyConnection::Postgresql(pg) if !after.activity.is_empty() => write_postgres(pg, &after),
        _ => {
            conversations::store_activity_many(conn, &after.activity)?;
            notifications::insert_many(conn, &after.notifications)?;
            mark_read(conn, &after.read_up_to, after.now)
        }
    }
}

/// Marks each writer's notifications about the conversation read up to
/// their newest message of the group (statement by statement).
fn mark_read(
    conn: &mut AnyConnection,
    read_up_to: &[(Inbox, ConversationId, MessageId)],
    now: NaiveDateTime,
) -> Result<(), StoreError> {
    if read_up_to.is_empty() {
        return Ok(());
    }
    let mut pairs: Vec<(i64, &str)> = read_up_to
        .iter()
        .map(|(inbox, c, _)| (*c, inbox.side.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let unread = notifications::unread_about(conn, &pairs)?;
    let ids: Vec<i64> = unread
        .iter()
        .filter(|n| {
            read_up_to.iter().any(|(inbox, conversation, up_to)| {
                n.conversation_id == *conversation
                    && n.message_id.is_some_and(|m| m <= *up_to)
                    && inbox.holds(&n.recipient_side, n.recipient_id.as_deref())
            })
        })
        .map(|n| n.id)
        .collect();
    notifications::mark_ids_read(conn, &ids, now)?;
    Ok(())
}

/// What the statement counted.
#[derive(QueryableByName)]
struct Written {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    conversations: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    notifications: i64,
}

fn write_postgres(
    pg: &mut diesel::PgConnection,
    after: &AfterMessages<'_>,
) -> Result<(), StoreError> {
    use diesel::sql_types::{Array, BigInt, Nullable, Text, Timestamp};
    let n = &after.notifications;
    let w = &after.read_up_to;
    let conversations: Vec<&Conversation> = after.activity.iter().map(|(c, _)| *c).collect();
    let query = bind_activity_arrays!(diesel::sql_query(POSTGRES_SQL), &conversations)
        .bind::<Array<Text>, _>(
            n.iter()
                .map(|x| x.recipient_side.as_str())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Nullable<Text>>, _>(
            n.iter()
                .map(|x| x.recipient_id.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Text>, _>(n.iter().map(|x| x.kind.as_str()).collect::<Vec<_>>())
        .bind::<Array<BigInt>, _>(n.iter().map(|x| x.conversation_id).collect::<Vec<_>>())
        .bind::<Array<Nullable<BigInt>>, _>(n.iter().map(|x| x.message_id).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(n.iter().map(|x| x.title.as_str()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(n.iter().map(|x| x.body.as_str()).collect::<Vec<_>>())
        .bind::<Array<Timestamp>, _>(n.iter().map(|x| x.created_at).collect::<Vec<_>>())
        .bind::<Array<Nullable<Timestamp>>, _>(n.iter().map(|x| x.read_at).collect::<Vec<_>>())
        .bind::<Array<BigInt>, _>(w.iter().map(|(_, c, _)| *c).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(
            w.iter()
                .map(|(i, _, _)| i.side.as_str())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<Nullable<Text>>, _>(
            w.iter()
                .map(|(i, _, _)| i.id.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind::<Array<BigInt>, _>(w.iter().map(|(_, _, up_to)| *up_to).collect::<Vec<_>>())
        .bind::<Timestamp, _>(after.now);
    // Loaded, not executed: see `CacheBySql`.
    let written: Written = CacheBySql(query).get_result(pg)?;
    let wanted = (after.activity.len(), after.notifications.len());
    if (written.conversations, written.notifications) != (wanted.0 as i64, wanted.1 as i64) {
        // The conversations are locked by the batch: a missing one is a
        // bug, and the group's fallback runs the sends one by one.
        return Err(StoreError::Unavailable(format!(
            "{} of {} conversations and {} of {} notifications written",
            written.conversations, wanted.0, written.notifications, wanted.1
        )));
    }
    Ok(())
}

/// The three writes as one statement: `$1`–`$12` are the activity arrays
/// of `conversations::ACTIVITY_SQL`, `$13`–`$21` the notifications' columns,
/// `$22`–`$25` the writers' (conversation, side, id, up to) and `$26` now.
/// A writer's inbox holds the notifications addressed to them, and staff's
/// also those addressed to no one (the shared staff inbox), as
/// `Inbox::holds` says.
const POSTGRES_SQL: &str = concat!(
    "WITH activity AS (",
    activity_sql!(),
    "), notified AS (INSERT INTO storechat_notifications \
     (recipient_side, recipient_id, kind, conversation_id, message_id, title, body, \
     created_at, read_at) \
     SELECT * FROM unnest($13::text[], $14::text[], $15::text[], $16::bigint[], \
     $17::bigint[], $18::text[], $19::text[], $20::timestamp[], $21::timestamp[]) \
     RETURNING 1), \
     marked AS (UPDATE storechat_notifications AS n SET read_at = $26 \
     FROM unnest($22::bigint[], $23::text[], $24::text[], $25::bigint[]) \
     AS w(conversation_id, side, reader, up_to) \
     WHERE n.conversation_id = w.conversation_id AND n.recipient_side = w.side \
     AND n.read_at IS NULL AND n.message_id <= w.up_to \
     AND (n.recipient_id IS NOT DISTINCT FROM w.reader \
     OR (w.side = 'staff' AND w.reader IS NOT NULL AND n.recipient_id IS NULL)) \
     RETURNING 1) \
     SELECT (SELECT count(*) FROM activity) AS conversations, \
     (SELECT count(*) FROM notified) AS notifications"
);
