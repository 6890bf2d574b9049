//! The customers' activity feed: the store's own notification centre. The
//! host adapter's event hook adds a line for each chat event a shopper
//! cares about (a reply, a status change); `/account/activity/` lists them
//! and the header counts the unread ones.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storechat::store::AnyConnection;

use super::ShopError;
use super::schema::shop_activity as a;
use super::schema::shop_users as u;

/// What a line is about; it picks the line's icon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    /// The store started a conversation with the customer.
    Opened,
    /// The store replied.
    Reply,
    /// The store resolved, closed or reopened a conversation.
    Status,
    /// Someone at the store took the conversation on.
    Assigned,
    /// The store removed one of the customer's messages.
    Removed,
}

impl ActivityKind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::Opened => "opened",
            ActivityKind::Reply => "reply",
            ActivityKind::Status => "status",
            ActivityKind::Assigned => "assigned",
            ActivityKind::Removed => "removed",
        }
    }

    fn parse(stored: &str) -> Result<Self, ShopError> {
        match stored {
            "opened" => Ok(ActivityKind::Opened),
            "reply" => Ok(ActivityKind::Reply),
            "status" => Ok(ActivityKind::Status),
            "assigned" => Ok(ActivityKind::Assigned),
            "removed" => Ok(ActivityKind::Removed),
            other => Err(ShopError::Corrupt(format!(
                "unknown activity kind {other:?}"
            ))),
        }
    }

    /// The icon beside the line.
    pub fn icon(self) -> &'static str {
        match self {
            ActivityKind::Opened => "✉️",
            ActivityKind::Reply => "💬",
            ActivityKind::Status => "✅",
            ActivityKind::Assigned => "🙋",
            ActivityKind::Removed => "🗑️",
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = a)]
struct ActivityRow {
    id: i64,
    kind: String,
    conversation_id: Option<i64>,
    text: String,
    detail: String,
    href: Option<String>,
    created_at: NaiveDateTime,
    read_at: Option<NaiveDateTime>,
}

/// One line of a customer's feed.
#[derive(Debug, Clone)]
pub struct Activity {
    /// Id; grows with time.
    pub id: i64,
    /// What it is about.
    pub kind: ActivityKind,
    /// The chat conversation it concerns.
    pub conversation_id: Option<i64>,
    /// The line ("Ann Admin replied to “Gift wrapping”"); plain text.
    pub text: String,
    /// Context under it (the start of the reply); plain text, may be empty.
    pub detail: String,
    /// Where it leads; `None` once the conversation is gone.
    pub href: Option<String>,
    /// When it happened.
    pub created_at: NaiveDateTime,
    /// When the customer saw it.
    pub read_at: Option<NaiveDateTime>,
}

impl Activity {
    /// Not seen yet.
    pub fn is_unread(&self) -> bool {
        self.read_at.is_none()
    }

    fn from_row(row: ActivityRow) -> Result<Activity, ShopError> {
        Ok(Activity {
            id: row.id,
            kind: ActivityKind::parse(&row.kind)?,
            conversation_id: row.conversation_id,
            text: row.text,
            detail: row.detail,
            href: row.href,
            created_at: row.created_at,
            read_at: row.read_at,
        })
    }
}

/// A line to add.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The customer it is for.
    pub user_id: i64,
    /// What it is about.
    pub kind: ActivityKind,
    /// The chat conversation it concerns.
    pub conversation_id: Option<i64>,
    /// The line.
    pub text: String,
    /// Context under it.
    pub detail: String,
    /// Where it leads.
    pub href: Option<String>,
    /// When it happened.
    pub created_at: NaiveDateTime,
}

/// Adds a line for a customer; returns its id, or `None` when `user_id` is
/// not a customer of the store (the feed is theirs alone). With `once`, a
/// line that says the same about the same conversation is not repeated.
pub fn record(
    conn: &mut AnyConnection,
    new: &NewActivity,
    once: bool,
) -> Result<Option<i64>, ShopError> {
    let is_customer: bool = diesel::select(diesel::dsl::exists(
        u::table
            .filter(u::id.eq(new.user_id))
            .filter(u::role.eq("customer")),
    ))
    .get_result(conn)?;
    if !is_customer {
        return Ok(None);
    }
    if once {
        let said: bool = diesel::select(diesel::dsl::exists(
            a::table
                .filter(a::user_id.eq(new.user_id))
                .filter(a::conversation_id.eq(new.conversation_id))
                .filter(a::kind.eq(new.kind.as_str()))
                .filter(a::text.eq(&new.text)),
        ))
        .get_result(conn)?;
        if said {
            return Ok(None);
        }
    }
    let id = diesel::insert_into(a::table)
        .values((
            a::user_id.eq(new.user_id),
            a::kind.eq(new.kind.as_str()),
            a::conversation_id.eq(new.conversation_id),
            a::text.eq(&new.text),
            a::detail.eq(&new.detail),
            a::href.eq(&new.href),
            a::created_at.eq(new.created_at),
        ))
        .returning(a::id)
        .get_result(conn)?;
    Ok(Some(id))
}

/// A customer's newest lines, newest first.
pub fn recent_of(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> Result<Vec<Activity>, ShopError> {
    a::table
        .filter(a::user_id.eq(user_id))
        .order((a::created_at.desc(), a::id.desc()))
        .limit(limit)
        .select(ActivityRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Activity::from_row)
        .collect()
}

/// How many lines a customer has not seen.
pub fn count_unread(conn: &mut AnyConnection, user_id: i64) -> Result<i64, ShopError> {
    Ok(a::table
        .filter(a::user_id.eq(user_id))
        .filter(a::read_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Marks a customer's unread lines up to `up_to` (an id) as seen at `at`;
/// returns how many. Lines that arrive meanwhile stay unread.
pub fn mark_read(
    conn: &mut AnyConnection,
    user_id: i64,
    up_to: i64,
    at: NaiveDateTime,
) -> Result<usize, ShopError> {
    Ok(diesel::update(
        a::table
            .filter(a::user_id.eq(user_id))
            .filter(a::id.le(up_to))
            .filter(a::read_at.is_null()),
    )
    .set(a::read_at.eq(Some(at)))
    .execute(conn)?)
}

/// The conversations are gone: their lines stay, but lead nowhere.
pub fn unlink_conversations(conn: &mut AnyConnection, ids: &[i64]) -> Result<usize, ShopError> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(
        diesel::update(a::table.filter(a::conversation_id.eq_any(ids)))
            .set(a::href.eq(None::<String>))
            .execute(conn)?,
    )
}
