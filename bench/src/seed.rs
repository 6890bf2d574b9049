//! Writes a [`Plan`] into the plugin's tables with multi-row INSERTs in big
//! transactions, checks that the counters agree with the messages, and
//! reads back what the timed requests need.

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Timestamp};
use indicatif::{MultiProgress, ProgressBar, ProgressState, ProgressStyle};
use storechat::store::{AnyConnection, Backend, Db};

use crate::data::{self, Plan};
use crate::each_backend;
use crate::sql::{self, quote, quote_opt, time};

/// Rows per INSERT statement.
const ROWS_PER_STATEMENT: usize = 500;
/// Conversations per transaction.
const CONVERSATIONS_PER_TRANSACTION: usize = 25_000;
/// Messages per transaction.
const MESSAGES_PER_TRANSACTION: usize = 50_000;

/// How long each part of the seeding took.
#[derive(Debug, Clone, Copy)]
pub struct SeedTimes {
    /// Conversations.
    pub conversations: Duration,
    /// Messages.
    pub messages: Duration,
    /// ANALYZE (and VACUUM on PostgreSQL) and sequences.
    pub analyze: Duration,
}

impl SeedTimes {
    /// All of it.
    pub fn total(&self) -> Duration {
        self.conversations + self.messages + self.analyze
    }
}

fn bar(multi: &MultiProgress, prefix: &'static str, len: usize) -> ProgressBar {
    let bar = multi.add(ProgressBar::new(len as u64));
    let style = ProgressStyle::with_template(
        "{prefix:>13} [{bar:40.cyan/blue}] {human_pos:>9}/{human_len:9} {rate:>10} {elapsed_precise} eta {eta}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .with_key("rate", |state: &ProgressState, w: &mut dyn std::fmt::Write| {
        let _ = write!(w, "{:.0}/s", state.per_sec());
    })
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(prefix);
    bar
}

/// Writes every conversation and message of `plan`, with a progress bar,
/// then runs ANALYZE.
pub async fn write(db: &Db, plan: Arc<Plan>) -> anyhow::Result<SeedTimes> {
    let multi = MultiProgress::new();
    let conversations = bar(&multi, "conversations", plan.conversations.len());
    let messages = bar(&multi, "messages", plan.messages.len());

    let started = Instant::now();
    for range in chunks(plan.conversations.len(), CONVERSATIONS_PER_TRANSACTION) {
        let (plan, progress) = (plan.clone(), conversations.clone());
        db.write(move |conn| insert_conversations(conn, &plan, range, &progress))
            .await?;
    }
    conversations.finish();
    let conversations_took = started.elapsed();

    let started = Instant::now();
    messages.reset_elapsed();
    for range in chunks(plan.messages.len(), MESSAGES_PER_TRANSACTION) {
        let (plan, progress) = (plan.clone(), messages.clone());
        db.write(move |conn| insert_messages(conn, &plan, range, &progress))
            .await?;
    }
    messages.finish();
    let messages_took = started.elapsed();

    let started = Instant::now();
    let backend = db.backend();
    db.with_connection(move |conn| -> anyhow::Result<()> {
        match backend {
            Backend::Postgres => {
                // Rows were inserted with their ids: move the sequences past them.
                sql::run(
                    conn,
                    "SELECT setval(pg_get_serial_sequence('storechat_conversations', 'id'), (SELECT MAX(id) FROM storechat_conversations));
                     SELECT setval(pg_get_serial_sequence('storechat_messages', 'id'), (SELECT MAX(id) FROM storechat_messages));",
                )?;
                // VACUUM must run alone (not in the implicit transaction of a
                // multi-statement string); it also sets the visibility map
                // autovacuum would set on a live table.
                sql::run(conn, "VACUUM (ANALYZE)")
            }
            Backend::Sqlite => sql::run(conn, "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);"),
        }
    })
    .await?;
    Ok(SeedTimes {
        conversations: conversations_took,
        messages: messages_took,
        analyze: started.elapsed(),
    })
}

fn chunks(len: usize, size: usize) -> Vec<Range<usize>> {
    (0..len)
        .step_by(size)
        .map(|start| start..(start + size).min(len))
        .collect()
}

fn insert_conversations(
    conn: &mut AnyConnection,
    plan: &Plan,
    range: Range<usize>,
    progress: &ProgressBar,
) -> anyhow::Result<()> {
    let head = "INSERT INTO storechat_conversations (id, subject, customer_id, customer_name, \
        customer_email, vendor_id, vendor_name, order_id, order_number, product_id, product_name, \
        status, assignee_id, assignee_name, priority, message_count, unread_for_admin, \
        unread_for_user, admin_read_up_to, user_read_up_to, last_message_id, \
        last_message_preview, last_message_side, created_at, updated_at, last_message_at) VALUES\n";
    for part in chunks(range.len(), ROWS_PER_STATEMENT) {
        let rows = &plan.conversations[range.start + part.start..range.start + part.end];
        let mut statement = String::with_capacity(head.len() + rows.len() * 480);
        statement.push_str(head);
        for (i, c) in rows.iter().enumerate() {
            if i > 0 {
                statement.push_str(",\n");
            }
            let customer = &plan.customers[c.customer];
            let (order_id, order_number) = c.order_ids().unzip();
            let vendor = c.product.and_then(|p| p.vendor());
            let assignee = c.assignee.and_then(|a| plan.staff.get(a));
            statement.push_str(&format!(
                "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                c.id,
                quote(&c.subject),
                quote(&customer.id),
                quote(&customer.name),
                quote(&customer.email),
                quote_opt(vendor.as_ref().map(|v| v.0.as_str())),
                quote_opt(vendor.as_ref().map(|v| v.1)),
                quote_opt(order_id.as_deref()),
                quote_opt(order_number.as_deref()),
                quote_opt(c.product.map(|p| p.id()).as_deref()),
                quote_opt(c.product.map(|p| p.name())),
                quote(c.status),
                quote_opt(assignee.map(|a| a.id.as_str())),
                quote_opt(assignee.map(|a| a.name.as_str())),
                c.priority,
                c.message_count,
                c.unread_for_admin,
                c.unread_for_user,
                c.admin_read_up_to,
                c.user_read_up_to,
                c.last_message_id,
                quote(&c.last_message_preview),
                quote(c.last_message_side.as_str()),
                time(c.created_at),
                time(c.updated_at),
                time(c.last_message_at),
            ));
        }
        sql::run(conn, &statement)?;
        progress.inc(rows.len() as u64);
    }
    Ok(())
}

fn insert_messages(
    conn: &mut AnyConnection,
    plan: &Plan,
    range: Range<usize>,
    progress: &ProgressBar,
) -> anyhow::Result<()> {
    let head = "INSERT INTO storechat_messages (id, conversation_id, sender_id, sender_side, \
        sender_name, kind, body, created_at) VALUES\n";
    for part in chunks(range.len(), ROWS_PER_STATEMENT) {
        let start = range.start + part.start;
        let rows = &plan.messages[start..range.start + part.end];
        let mut statement = String::with_capacity(head.len() + rows.len() * 260);
        statement.push_str(head);
        for (i, m) in rows.iter().enumerate() {
            if i > 0 {
                statement.push_str(",\n");
            }
            let id = plan.message_id(start + i);
            let c = &plan.conversations[m.conversation as usize];
            let writer = match m.side {
                data::Side::Customer => &plan.customers[c.customer],
                data::Side::Staff => &plan.staff[c.staff],
            };
            statement.push_str(&format!(
                "({id}, {}, {}, {}, {}, 'text', {}, {})",
                c.id,
                quote(&writer.id),
                quote(m.side.as_str()),
                quote(&writer.name),
                quote(&data::body(id)),
                time(data::time_of(m.at)),
            ));
        }
        sql::run(conn, &statement)?;
        progress.inc(rows.len() as u64);
    }
    Ok(())
}

/// The first free conversation and message ids.
pub async fn next_ids(db: &Db) -> anyhow::Result<(i64, i64)> {
    db.read(|conn| -> anyhow::Result<(i64, i64)> {
        let c = sql::int(
            conn,
            "SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) AS v FROM storechat_conversations",
        )?;
        let m = sql::int(
            conn,
            "SELECT CAST(COALESCE(MAX(id), 0) + 1 AS BIGINT) AS v FROM storechat_messages",
        )?;
        Ok((c, m))
    })
    .await
}

/// What the checks found.
#[derive(Debug, Clone)]
pub struct Verified {
    /// Conversations in the table (demo ones included).
    pub conversations: i64,
    /// Messages in the table (demo ones included).
    pub messages: i64,
    /// Seeded conversations whose counters, cursors or times disagree with their messages.
    pub inconsistent: i64,
    /// Seeded messages whose id order disagrees with their time order.
    pub out_of_order: i64,
    /// Rows per status.
    pub statuses: Vec<(String, i64)>,
    /// Conversations unread by the store.
    pub unread_by_admin: i64,
    /// Unassigned conversations.
    pub unassigned: i64,
    /// Conversations with an order, a product, a vendor.
    pub with_order: i64,
    /// With a product.
    pub with_product: i64,
    /// With a vendor.
    pub with_vendor: i64,
    /// Distinct customers.
    pub customers: i64,
}

/// Checks every seeded conversation against its messages, the way the
/// plugin keeps the counters.
pub async fn verify(
    db: &Db,
    first_conversation: i64,
    first_message: i64,
) -> anyhow::Result<Verified> {
    db.read(move |conn| -> anyhow::Result<Verified> {
        let count = |conn: &mut AnyConnection, filter: &str| {
            sql::int(
                conn,
                &format!("SELECT CAST(COUNT(*) AS BIGINT) AS v FROM storechat_conversations WHERE {filter}"),
            )
        };
        let inconsistent = sql::int(
            conn,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS v FROM storechat_conversations c WHERE c.id >= {first_conversation} AND (
                   c.message_count <> (SELECT COUNT(*) FROM storechat_messages m
                       WHERE m.conversation_id = c.id AND m.kind <> 'system')
                OR c.last_message_id IS DISTINCT FROM (SELECT MAX(m.id) FROM storechat_messages m
                       WHERE m.conversation_id = c.id AND m.kind <> 'system')
                OR c.last_message_at <> (SELECT m.created_at FROM storechat_messages m WHERE m.id = c.last_message_id)
                OR c.last_message_side IS DISTINCT FROM (SELECT m.sender_side FROM storechat_messages m WHERE m.id = c.last_message_id)
                OR c.unread_for_admin <> (SELECT COUNT(*) FROM storechat_messages m
                       WHERE m.conversation_id = c.id AND m.id > c.admin_read_up_to
                         AND m.sender_side = 'customer' AND m.kind <> 'system' AND m.deleted_at IS NULL)
                OR c.unread_for_user <> (SELECT COUNT(*) FROM storechat_messages m
                       WHERE m.conversation_id = c.id AND m.id > c.user_read_up_to
                         AND m.sender_side IN ('staff', 'vendor') AND m.kind <> 'system' AND m.deleted_at IS NULL)
                OR (c.admin_read_up_to <> 0 AND NOT EXISTS (SELECT 1 FROM storechat_messages m
                       WHERE m.id = c.admin_read_up_to AND m.conversation_id = c.id))
                OR (c.user_read_up_to <> 0 AND NOT EXISTS (SELECT 1 FROM storechat_messages m
                       WHERE m.id = c.user_read_up_to AND m.conversation_id = c.id))
                OR c.updated_at < c.last_message_at
                OR c.created_at > c.last_message_at
                OR c.search_text = '')"
            ),
        )?;
        let out_of_order = sql::int(
            conn,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS v FROM storechat_messages a
                 JOIN storechat_messages b ON b.id = a.id + 1
                 WHERE a.id >= {first_message} AND b.created_at < a.created_at"
            ),
        )?;
        let mut statuses = Vec::new();
        for status in ["OPEN", "AWAITING_ADMIN", "AWAITING_USER", "RESOLVED", "CLOSED"] {
            statuses.push((status.to_owned(), count(conn, &format!("status = '{status}'"))?));
        }
        Ok(Verified {
            conversations: count(conn, "1 = 1")?,
            messages: sql::int(conn, "SELECT CAST(COUNT(*) AS BIGINT) AS v FROM storechat_messages")?,
            inconsistent,
            out_of_order,
            statuses,
            unread_by_admin: count(conn, "unread_for_admin > 0")?,
            unassigned: count(conn, "assignee_id IS NULL")?,
            with_order: count(conn, "order_id IS NOT NULL")?,
            with_product: count(conn, "product_id IS NOT NULL")?,
            with_vendor: count(conn, "vendor_id IS NOT NULL")?,
            customers: sql::int(
                conn,
                "SELECT CAST(COUNT(DISTINCT customer_id) AS BIGINT) AS v FROM storechat_conversations",
            )?,
        })
    })
    .await
}

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Timestamp)]
    at: NaiveDateTime,
}

/// The `(id, last_message_at)` of the row at `offset` in the default order
/// of the admin list (last message, newest first).
pub async fn row_at(db: &Db, offset: i64) -> anyhow::Result<(i64, NaiveDateTime)> {
    db.read(move |conn| -> anyhow::Result<(i64, NaiveDateTime)> {
        let query = format!(
            "SELECT id, last_message_at AS at FROM storechat_conversations \
             ORDER BY last_message_at DESC, id DESC LIMIT 1 OFFSET {offset}"
        );
        let row: Row = each_backend!(conn, c => diesel::sql_query(&query).get_result(c))?;
        Ok((row.id, row.at))
    })
    .await
}

/// How many conversations a search for `words` matches (as the list does it).
pub async fn matches(db: &Db, words: &str) -> anyhow::Result<i64> {
    let pattern = format!("%{}%", words.to_lowercase());
    db.read(move |conn| {
        sql::int(
            conn,
            &format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS v FROM storechat_conversations WHERE search_text LIKE {}",
                quote(&pattern)
            ),
        )
    })
    .await
}

/// The database's version string.
pub async fn version(db: &Db) -> anyhow::Result<String> {
    let backend = db.backend();
    db.read(move |conn| -> anyhow::Result<String> {
        let query = match backend {
            Backend::Sqlite => "SELECT 'SQLite ' || sqlite_version() AS v",
            Backend::Postgres => "SELECT 'PostgreSQL ' || current_setting('server_version') AS v",
        };
        Ok(sql::lines(conn, query)?.join(" "))
    })
    .await
}
