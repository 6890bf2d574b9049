//! Queries on `storechat_conversations`. Counters and read cursors are kept
//! here, in the same transaction as each message, so that no list ever
//! counts rows per conversation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::storechat_conversations as c;
use super::{AnyConnection, CacheBySql, Conversation, StoreError, on_backend};
use crate::domain::{ConversationId, MessageId, Side, Status};

/// The values of a new conversation.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = c)]
pub struct NewConversation {
    /// Subject.
    pub subject: String,
    /// Customer id.
    pub customer_id: String,
    /// Customer name.
    pub customer_name: String,
    /// Customer e-mail.
    pub customer_email: String,
    /// Vendor id.
    pub vendor_id: Option<String>,
    /// Vendor name.
    pub vendor_name: Option<String>,
    /// Order id.
    pub order_id: Option<String>,
    /// Order number.
    pub order_number: Option<String>,
    /// Product id.
    pub product_id: Option<String>,
    /// Product name.
    pub product_name: Option<String>,
    /// Stored status.
    pub status: String,
    /// Created at.
    pub created_at: NaiveDateTime,
    /// Updated at.
    pub updated_at: NaiveDateTime,
    /// Last message at.
    pub last_message_at: NaiveDateTime,
}

/// Inserts a conversation with zeroed counters.
pub fn insert(conn: &mut AnyConnection, new: &NewConversation) -> Result<Conversation, StoreError> {
    Ok(diesel::insert_into(c::table)
        .values(new)
        .returning(c::all_columns)
        .get_result::<Conversation>(conn)?)
}

/// One conversation by id.
pub fn find(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Option<Conversation>, StoreError> {
    // By key: at most one row, so no `LIMIT` (see `store::first_of`).
    let rows: Vec<Conversation> = on_backend!(conn, |conn| c::table
        .find(id)
        .select(Conversation::as_select())
        .load(conn))?;
    Ok(super::first_of(rows))
}

/// Several conversations by id, in no particular order.
pub fn find_many(
    conn: &mut AnyConnection,
    ids: &[ConversationId],
) -> Result<Vec<Conversation>, StoreError> {
    // Cached by text: diesel prepares `IN` lists afresh every time, and
    // the writer's batches run this with every size up to the batch's.
    Ok(on_backend!(conn, |conn| CacheBySql(
        c::table
            .filter(c::id.eq_any(ids))
            .select(Conversation::as_select())
    )
    .load(conn))?)
}

/// One conversation by id, its row locked for the rest of the transaction
/// on PostgreSQL (one statement: the lock and the row). SQLite's write
/// transactions are exclusive already.
pub fn find_for_write(
    conn: &mut AnyConnection,
    id: ConversationId,
) -> Result<Option<Conversation>, StoreError> {
    let rows: Vec<Conversation> = match conn {
        AnyConnection::Postgresql(pg) => c::table
            .find(id)
            .select(Conversation::as_select())
            .for_update()
            .load(pg),
        AnyConnection::Sqlite(sqlite) => c::table
            .find(id)
            .select(Conversation::as_select())
            .load(sqlite),
    }?;
    Ok(super::first_of(rows))
}

/// Several conversations by id, their rows locked for the rest of the
/// transaction in id order on PostgreSQL: the lock and the rows in one
/// statement (one round trip). SQLite's write transactions are exclusive
/// already.
pub fn find_many_for_write(
    conn: &mut AnyConnection,
    ids: &[ConversationId],
) -> Result<Vec<Conversation>, StoreError> {
    match conn {
        // The lock is taken as the rows leave the sort, so in id order:
        // the same order as every other batch's (see `lock_rows`).
        AnyConnection::Postgresql(pg) => Ok(CacheBySql(
            c::table
                .filter(c::id.eq_any(ids))
                .select(Conversation::as_select())
                .order(c::id)
                .for_update(),
        )
        .load(pg)?),
        AnyConnection::Sqlite(_) => find_many(conn, ids),
    }
}

/// Locks these conversations' rows for the rest of the transaction, in id
/// order, on PostgreSQL (SQLite's write transactions are exclusive).
/// `= ANY($1)` is one prepared statement whatever the number of ids; an
/// `IN` list would be parsed and planned afresh for every length.
pub fn lock_rows(conn: &mut AnyConnection, ids: &[ConversationId]) -> Result<(), StoreError> {
    if let AnyConnection::Postgresql(pg) = conn {
        CacheBySql(
            c::table
                .select(c::id)
                .filter(c::id.eq_any(ids))
                .order(c::id)
                .for_update(),
        )
        .load::<i64>(pg)?;
    }
    Ok(())
}

/// Records a message written by a person: counters, the writer's own read
/// cursor, the other side's unread counter, the preview and the status.
pub fn record_message(
    conn: &mut AnyConnection,
    id: ConversationId,
    message_id: MessageId,
    side: Side,
    preview: &str,
    status: Status,
    at: NaiveDateTime,
) -> Result<Conversation, StoreError> {
    let target = c::table.find(id);
    let common = (
        c::status.eq(status.as_str()),
        c::message_count.eq(c::message_count + 1),
        c::last_message_id.eq(Some(message_id)),
        c::last_message_preview.eq(preview),
        c::last_message_side.eq(Some(side.as_str())),
        c::last_message_at.eq(at),
        c::updated_at.eq(at),
    );
    // The writer has seen everything up to their own message.
    let updated = if side == Side::Customer {
        let update = diesel::update(target)
            .set((
                common,
                c::unread_for_admin.eq(c::unread_for_admin + 1),
                c::unread_for_user.eq(0),
                c::user_read_up_to.eq(message_id),
            ))
            .returning(c::all_columns);
        on_backend!(conn, |conn| CacheBySql(update)
            .get_result::<Conversation>(conn))?
    } else {
        let update = diesel::update(target)
            .set((
                common,
                c::unread_for_user.eq(c::unread_for_user + 1),
                c::unread_for_admin.eq(0),
                c::admin_read_up_to.eq(message_id),
            ))
            .returning(c::all_columns);
        on_backend!(conn, |conn| CacheBySql(update)
            .get_result::<Conversation>(conn))?
    };
    Ok(updated)
}

/// What [`record_message`] does to a conversation, done to a copy in
/// memory: for writes that record several messages and store the outcome
/// once ([`store_activity`]). Must stay the same as `record_message`.
pub fn apply_message(
    conversation: &mut Conversation,
    message_id: MessageId,
    side: Side,
    preview: &str,
    status: Status,
    at: NaiveDateTime,
) {
    conversation.status = status;
    conversation.message_count += 1;
    conversation.last_message_id = Some(message_id);
    preview.clone_into(&mut conversation.last_message_preview);
    conversation.last_message_side = Some(side.as_str().to_owned());
    conversation.last_message_at = at;
    conversation.updated_at = at;
    if side == Side::Customer {
        conversation.unread_for_admin += 1;
        conversation.unread_for_user = 0;
        conversation.user_read_up_to = message_id;
    } else {
        conversation.unread_for_user += 1;
        conversation.unread_for_admin = 0;
        conversation.admin_read_up_to = message_id;
    }
}

/// Stores the counters, read cursors, last message and status of a
/// conversation as they are in memory (after [`apply_message`]); `before`
/// is the status it had when it was read. The row must be locked by the
/// caller's transaction since it was read.
///
/// SQLite rewrites the entry of every index whose columns the `SET` names,
/// changed or not: the status is only named when it changed (each message
/// otherwise rewrote a page of the (status, id) index for nothing).
pub fn store_activity(
    conn: &mut AnyConnection,
    conversation: &Conversation,
    before: Status,
) -> Result<(), StoreError> {
    let activity = || {
        (
            c::message_count.eq(conversation.message_count),
            c::last_message_id.eq(conversation.last_message_id),
            c::last_message_preview.eq(&conversation.last_message_preview),
            c::last_message_side.eq(conversation.last_message_side.as_deref()),
            c::last_message_at.eq(conversation.last_message_at),
            c::updated_at.eq(conversation.updated_at),
            c::unread_for_admin.eq(conversation.unread_for_admin),
            c::unread_for_user.eq(conversation.unread_for_user),
            c::admin_read_up_to.eq(conversation.admin_read_up_to),
            c::user_read_up_to.eq(conversation.user_read_up_to),
        )
    };
    let row = || diesel::update(c::table.find(conversation.id));
    let status = c::status.eq(conversation.status.as_str());
    let updated = match conn {
        AnyConnection::Sqlite(conn) => sqlite_store_activity(conn, conversation, before)?,
        // Loaded, not executed: see `CacheBySql`.
        AnyConnection::Postgresql(conn) => {
            CacheBySql(row().set((status, activity())).returning(c::id))
                .load::<i64>(conn)?
                .len() as i64
        }
    };
    if updated != 1 {
        return Err(StoreError::Unavailable(format!(
            "conversation {} was not updated",
            conversation.id
        )));
    }
    Ok(())
}

/// SQLite's activity update, written out (see `SQLITE_ACTIVITY`).
fn sqlite_store_activity(
    conn: &mut diesel::SqliteConnection,
    conversation: &Conversation,
    before: Status,
) -> Result<i64, StoreError> {
    use diesel::sql_types::{BigInt, Integer, Nullable, Text};
    let mut stamp = super::sqlite_write::Stamp::default();
    let sql = if conversation.status == before {
        SQLITE_ACTIVITY
    } else {
        SQLITE_ACTIVITY_AND_STATUS
    };
    let update = diesel::sql_query(sql)
        .bind::<Integer, _>(conversation.message_count)
        .bind::<Nullable<BigInt>, _>(conversation.last_message_id)
        .bind::<Text, _>(&conversation.last_message_preview)
        .bind::<Nullable<Text>, _>(conversation.last_message_side.as_deref())
        .bind::<Text, _>(stamp.of(conversation.last_message_at))
        .bind::<Text, _>(stamp.of(conversation.updated_at))
        .bind::<Integer, _>(conversation.unread_for_admin)
        .bind::<Integer, _>(conversation.unread_for_user)
        .bind::<BigInt, _>(conversation.admin_read_up_to)
        .bind::<BigInt, _>(conversation.user_read_up_to)
        .bind::<BigInt, _>(conversation.id);
    if conversation.status == before {
        super::sqlite_write::execute(conn, update)
    } else {
        super::sqlite_write::execute(conn, update.bind::<Text, _>(conversation.status.as_str()))
    }
}

/// The conversation's row after a message, on SQLite, as a fixed text:
/// diesel then finds its prepared statement without building the UPDATE
/// from its columns first, and the times are formatted once (`Stamp`).
/// The status is named only when it changed: SQLite rewrites the entry of
/// every index whose columns the `SET` names, changed or not, and the
/// status leads two indexes.
const SQLITE_ACTIVITY: &str = "UPDATE storechat_conversations SET message_count = ?1, \
     last_message_id = ?2, last_message_preview = ?3, last_message_side = ?4, \
     last_message_at = ?5, updated_at = ?6, unread_for_admin = ?7, unread_for_user = ?8, \
     admin_read_up_to = ?9, user_read_up_to = ?10 WHERE id = ?11";

/// [`SQLITE_ACTIVITY`] and the status, bound last (`?12`).
const SQLITE_ACTIVITY_AND_STATUS: &str = "UPDATE storechat_conversations SET \
     message_count = ?1, last_message_id = ?2, last_message_preview = ?3, \
     last_message_side = ?4, last_message_at = ?5, updated_at = ?6, unread_for_admin = ?7, \
     unread_for_user = ?8, admin_read_up_to = ?9, user_read_up_to = ?10, status = ?12 \
     WHERE id = ?11";

/// [`store_activity`] for several conversations at once: one statement on
/// PostgreSQL (a round trip and an executor start per conversation saved;
/// each is a fifth of a busy group's time there), one cached statement per
/// row on SQLite, where statements cost no round trip.
///
/// Each conversation comes with the status it had when it was read.
pub fn store_activity_many(
    conn: &mut AnyConnection,
    activity: &[(&Conversation, Status)],
) -> Result<(), StoreError> {
    let pg = match conn {
        AnyConnection::Postgresql(pg) if activity.len() > 1 => pg,
        _ => {
            for (one, before) in activity {
                store_activity(conn, one, *before)?;
            }
            return Ok(());
        }
    };
    let conversations: Vec<&Conversation> = activity.iter().map(|(c, _)| *c).collect();
    let update = bind_activity_arrays!(diesel::sql_query(ACTIVITY_SQL), &conversations);
    // Loaded, not executed: see `CacheBySql`.
    let updated = CacheBySql(update).load::<UpdatedId>(pg)?.len();
    if updated != conversations.len() {
        // The rows are locked by the batch: a missing one is a bug, and
        // the group's fallback runs the sends one by one.
        return Err(StoreError::Unavailable(format!(
            "{updated} of {} conversations updated",
            conversations.len()
        )));
    }
    Ok(())
}

/// [`store_activity_many`]'s statement on PostgreSQL: one row per
/// conversation from the arrays, joined on the primary key (a macro, so
/// that `send_writes` can build on its text).
macro_rules! activity_sql {
    () => {
        "UPDATE storechat_conversations AS c SET \
        status = v.status, message_count = v.message_count, \
        last_message_id = v.last_message_id, last_message_preview = v.last_message_preview, \
        last_message_side = v.last_message_side, last_message_at = v.last_message_at, \
        updated_at = v.updated_at, unread_for_admin = v.unread_for_admin, \
        unread_for_user = v.unread_for_user, admin_read_up_to = v.admin_read_up_to, \
        user_read_up_to = v.user_read_up_to \
        FROM unnest($1::bigint[], $2::text[], $3::int[], $4::bigint[], $5::text[], $6::text[], \
        $7::timestamp[], $8::timestamp[], $9::int[], $10::int[], $11::bigint[], $12::bigint[]) \
        AS v(id, status, message_count, last_message_id, last_message_preview, last_message_side, \
        last_message_at, updated_at, unread_for_admin, unread_for_user, admin_read_up_to, \
        user_read_up_to) \
        WHERE c.id = v.id RETURNING c.id"
    };
}
pub(crate) use activity_sql;

const ACTIVITY_SQL: &str = activity_sql!();

/// Binds the conversations' new activity to `$1`–`$12` of
/// [`activity_sql!`], as arrays.
macro_rules! bind_activity_arrays {
    ($query:expr, $conversations:expr) => {{
        use diesel::sql_types::{Array, BigInt, Integer, Nullable, Text, Timestamp};
        let conversations: &[&$crate::store::Conversation] = $conversations;
        let ids = |f: fn(&$crate::store::Conversation) -> i64| {
            conversations.iter().map(|c| f(c)).collect::<Vec<_>>()
        };
        let counts = |f: fn(&$crate::store::Conversation) -> i32| {
            conversations.iter().map(|c| f(c)).collect::<Vec<_>>()
        };
        $query
            .bind::<Array<BigInt>, _>(ids(|c| c.id))
            .bind::<Array<Text>, _>(
                conversations
                    .iter()
                    .map(|c| c.status.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Integer>, _>(counts(|c| c.message_count))
            .bind::<Array<Nullable<BigInt>>, _>(
                conversations
                    .iter()
                    .map(|c| c.last_message_id)
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Text>, _>(
                conversations
                    .iter()
                    .map(|c| c.last_message_preview.as_str())
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Nullable<Text>>, _>(
                conversations
                    .iter()
                    .map(|c| c.last_message_side.as_deref())
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Timestamp>, _>(
                conversations
                    .iter()
                    .map(|c| c.last_message_at)
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Timestamp>, _>(
                conversations
                    .iter()
                    .map(|c| c.updated_at)
                    .collect::<Vec<_>>(),
            )
            .bind::<Array<Integer>, _>(counts(|c| c.unread_for_admin))
            .bind::<Array<Integer>, _>(counts(|c| c.unread_for_user))
            .bind::<Array<BigInt>, _>(ids(|c| c.admin_read_up_to))
            .bind::<Array<BigInt>, _>(ids(|c| c.user_read_up_to))
    }};
}
pub(crate) use bind_activity_arrays;

/// A row of [`ACTIVITY_SQL`]'s `RETURNING`.
#[derive(QueryableByName)]
struct UpdatedId {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    #[allow(dead_code)]
    id: i64,
}

/// Sets the status by hand (no counters move).
pub fn set_status(
    conn: &mut AnyConnection,
    id: ConversationId,
    status: Status,
    at: NaiveDateTime,
) -> Result<Conversation, StoreError> {
    Ok(diesel::update(c::table.find(id))
        .set((c::status.eq(status.as_str()), c::updated_at.eq(at)))
        .returning(c::all_columns)
        .get_result::<Conversation>(conn)?)
}

/// Moves one side's read cursor and sets that side's unread counter.
pub fn set_read(
    conn: &mut AnyConnection,
    id: ConversationId,
    reader: Side,
    up_to: MessageId,
    unread: i32,
) -> Result<Conversation, StoreError> {
    let target = c::table.find(id);
    let updated = if reader == Side::Customer {
        diesel::update(target)
            .set((c::user_read_up_to.eq(up_to), c::unread_for_user.eq(unread)))
            .returning(c::all_columns)
            .get_result::<Conversation>(conn)?
    } else {
        diesel::update(target)
            .set((
                c::admin_read_up_to.eq(up_to),
                c::unread_for_admin.eq(unread),
            ))
            .returning(c::all_columns)
            .get_result::<Conversation>(conn)?
    };
    Ok(updated)
}

/// Assigns to a member of staff `(id, name)`, or to nobody.
pub fn set_assignee(
    conn: &mut AnyConnection,
    id: ConversationId,
    assignee: Option<(&str, &str)>,
    at: NaiveDateTime,
) -> Result<Conversation, StoreError> {
    Ok(diesel::update(c::table.find(id))
        .set((
            c::assignee_id.eq(assignee.map(|a| a.0)),
            c::assignee_name.eq(assignee.map(|a| a.1)),
            c::updated_at.eq(at),
        ))
        .returning(c::all_columns)
        .get_result::<Conversation>(conn)?)
}

/// Sets the priority.
pub fn set_priority(
    conn: &mut AnyConnection,
    id: ConversationId,
    priority: i32,
    at: NaiveDateTime,
) -> Result<Conversation, StoreError> {
    Ok(diesel::update(c::table.find(id))
        .set((c::priority.eq(priority), c::updated_at.eq(at)))
        .returning(c::all_columns)
        .get_result::<Conversation>(conn)?)
}

/// After a message was removed: recounted unread counters and, when it was
/// the newest, a preview that no longer quotes it.
pub fn set_counters_after_removal(
    conn: &mut AnyConnection,
    id: ConversationId,
    unread_for_admin: i32,
    unread_for_user: i32,
    preview: Option<&str>,
    at: NaiveDateTime,
) -> Result<Conversation, StoreError> {
    let target = c::table.find(id);
    let counters = (
        c::unread_for_admin.eq(unread_for_admin),
        c::unread_for_user.eq(unread_for_user),
        c::updated_at.eq(at),
    );
    let updated = match preview {
        Some(preview) => diesel::update(target)
            .set((counters, c::last_message_preview.eq(preview)))
            .returning(c::all_columns)
            .get_result::<Conversation>(conn)?,
        None => diesel::update(target)
            .set(counters)
            .returning(c::all_columns)
            .get_result::<Conversation>(conn)?,
    };
    Ok(updated)
}

/// Replaces the last-message preview (its message was edited).
pub fn set_preview(
    conn: &mut AnyConnection,
    id: ConversationId,
    preview: &str,
    at: NaiveDateTime,
) -> Result<Conversation, StoreError> {
    Ok(diesel::update(c::table.find(id))
        .set((c::last_message_preview.eq(preview), c::updated_at.eq(at)))
        .returning(c::all_columns)
        .get_result::<Conversation>(conn)?)
}

/// Refreshes the customer's name and e-mail copied from the host.
pub fn refresh_customer(
    conn: &mut AnyConnection,
    id: ConversationId,
    name: &str,
    email: &str,
) -> Result<(), StoreError> {
    diesel::update(
        c::table
            .find(id)
            .filter(c::customer_name.ne(name).or(c::customer_email.ne(email))),
    )
    .set((c::customer_name.eq(name), c::customer_email.eq(email)))
    .execute(conn)?;
    Ok(())
}

/// Deletes conversations (their messages, reactions and notifications go
/// with them through `ON DELETE CASCADE`).
pub fn delete_many(conn: &mut AnyConnection, ids: &[ConversationId]) -> Result<usize, StoreError> {
    Ok(diesel::delete(c::table.filter(c::id.eq_any(ids))).execute(conn)?)
}

/// A page of one customer's conversations, newest activity first, strictly
/// after the keyset cursor `(last_message_at, id)` when one is given.
pub fn page_for_customer(
    conn: &mut AnyConnection,
    customer_id: &str,
    after: Option<(NaiveDateTime, ConversationId)>,
    limit: i64,
) -> Result<Vec<Conversation>, StoreError> {
    let mut query = c::table
        .filter(c::customer_id.eq(customer_id))
        .select(Conversation::as_select())
        .order((c::last_message_at.desc(), c::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            c::last_message_at
                .lt(at)
                .or(c::last_message_at.eq(at).and(c::id.lt(id))),
        );
    }
    Ok(query.load(conn)?)
}

/// The sum of one customer's unread counters.
pub fn unread_for_customer(conn: &mut AnyConnection, customer_id: &str) -> Result<i64, StoreError> {
    let total: Option<i64> = c::table
        .filter(c::customer_id.eq(customer_id))
        .select(diesel::dsl::sum(c::unread_for_user))
        .first(conn)?;
    Ok(total.unwrap_or(0))
}

/// The sum of every conversation's unread-for-admin counter (the admin nav badge).
/// Customer messages a vendor has not read, over the conversations about
/// their products.
pub fn unread_for_vendor(conn: &mut AnyConnection, vendor: &str) -> Result<i64, StoreError> {
    let total: Option<i64> = c::table
        .filter(c::vendor_id.eq(vendor))
        .filter(c::unread_for_admin.gt(0))
        .select(diesel::dsl::sum(c::unread_for_admin))
        .first(conn)?;
    Ok(total.unwrap_or(0))
}

pub fn unread_for_admin_total(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    let total: Option<i64> = c::table
        .filter(c::unread_for_admin.gt(0))
        .select(diesel::dsl::sum(c::unread_for_admin))
        .first(conn)?;
    Ok(total.unwrap_or(0))
}
