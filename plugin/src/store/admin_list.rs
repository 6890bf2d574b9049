//! The admin conversation list as one query per page: filters, a search over
//! the database-maintained `search_text`, any sort column both ways, and
//! keyset pagination on `(sort value, id)`, so a deep page costs what the
//! first one does. Every sort column has an index (migration 0002).

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text, Timestamp};

use super::schema::storechat_conversations as c;
use super::{AnyConnection, Backend, Conversation, StoreError};
use crate::domain::Status;

type Multi = <AnyConnection as diesel::Connection>::Backend;
type Condition = Box<dyn BoxableExpression<c::table, Multi, SqlType = Bool>>;

/// A column the list can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// Subject.
    Subject,
    /// Customer name.
    Customer,
    /// Linked order number, else product name.
    Context,
    /// Vendor name.
    Vendor,
    /// Status (alphabetical by stored name).
    Status,
    /// Assignee name.
    Assignee,
    /// Message count.
    Messages,
    /// Unread for admin.
    Unread,
    /// Last message time.
    LastMessage,
    /// Created time.
    Created,
    /// Updated time.
    Updated,
}

/// The type of a sort column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortType {
    /// Text.
    Text,
    /// Integer.
    Int,
    /// Time.
    Time,
}

impl SortKey {
    /// Every key, in column order.
    pub const ALL: [SortKey; 11] = [
        SortKey::Subject,
        SortKey::Customer,
        SortKey::Context,
        SortKey::Vendor,
        SortKey::Status,
        SortKey::Assignee,
        SortKey::Messages,
        SortKey::Unread,
        SortKey::LastMessage,
        SortKey::Created,
        SortKey::Updated,
    ];

    /// The name used in URLs.
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Subject => "subject",
            SortKey::Customer => "customer",
            SortKey::Context => "context",
            SortKey::Vendor => "vendor",
            SortKey::Status => "status",
            SortKey::Assignee => "assignee",
            SortKey::Messages => "messages",
            SortKey::Unread => "unread",
            SortKey::LastMessage => "last_message",
            SortKey::Created => "created",
            SortKey::Updated => "updated",
        }
    }

    /// The key with this URL name.
    pub fn from_name(name: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The SQL expression sorted on; it matches an index expression exactly.
    fn expr(self) -> &'static str {
        match self {
            SortKey::Subject => "subject",
            SortKey::Customer => "customer_name",
            SortKey::Context => "COALESCE(order_number, product_name, '')",
            SortKey::Vendor => "COALESCE(vendor_name, '')",
            SortKey::Status => "status",
            SortKey::Assignee => "COALESCE(assignee_name, '')",
            SortKey::Messages => "message_count",
            SortKey::Unread => "unread_for_admin",
            SortKey::LastMessage => "last_message_at",
            SortKey::Created => "created_at",
            SortKey::Updated => "updated_at",
        }
    }

    /// The type of its values.
    pub fn sort_type(self) -> SortType {
        match self {
            SortKey::Messages | SortKey::Unread => SortType::Int,
            SortKey::LastMessage | SortKey::Created | SortKey::Updated => SortType::Time,
            _ => SortType::Text,
        }
    }

    /// This key's value in a row, for the cursor of the next page.
    pub fn value_of(self, row: &Conversation) -> SortValue {
        let text = |s: Option<&String>| SortValue::Text(s.cloned().unwrap_or_default());
        match self {
            SortKey::Subject => SortValue::Text(row.subject.clone()),
            SortKey::Customer => SortValue::Text(row.customer_name.clone()),
            SortKey::Context => text(row.order_number.as_ref().or(row.product_name.as_ref())),
            SortKey::Vendor => text(row.vendor_name.as_ref()),
            SortKey::Status => SortValue::Text(row.status.as_str().to_owned()),
            SortKey::Assignee => text(row.assignee_name.as_ref()),
            SortKey::Messages => SortValue::Int(i64::from(row.message_count)),
            SortKey::Unread => SortValue::Int(i64::from(row.unread_for_admin)),
            SortKey::LastMessage => SortValue::Time(row.last_message_at),
            SortKey::Created => SortValue::Time(row.created_at),
            SortKey::Updated => SortValue::Time(row.updated_at),
        }
    }
}

/// A sort column's value in one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortValue {
    /// Text.
    Text(String),
    /// Integer.
    Int(i64),
    /// Time.
    Time(NaiveDateTime),
}

/// Where a page starts: just past a row, in one direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    /// The row's sort value.
    pub value: SortValue,
    /// The row's id (ties).
    pub id: i64,
}

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PageAt {
    /// The first page.
    #[default]
    First,
    /// The page after this row.
    After(Keyset),
    /// The page before this row.
    Before(Keyset),
}

/// Who a conversation is assigned to, as a filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Nobody.
    Unassigned,
    /// This member of staff.
    Staff(String),
}

/// Everything the admin list filters on. Empty means everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AdminFilter {
    /// Any of these statuses.
    pub statuses: Vec<Status>,
    /// `Some(true)`: read by the store; `Some(false)`: unread by the store.
    pub read_by_admin: Option<bool>,
    /// One customer's.
    pub customer_id: Option<String>,
    /// One vendor's.
    pub vendor_id: Option<String>,
    /// About one product.
    pub product_id: Option<String>,
    /// Assigned to someone, or to nobody.
    pub assignee: Option<AssigneeFilter>,
    /// With unread messages on either side.
    pub has_unread: bool,
    /// With a message since this time.
    pub active_since: Option<NaiveDateTime>,
    /// Words to find in subject, customer name or e-mail, order number or product name.
    pub search: Option<String>,
    /// Only these conversations (bulk export).
    pub ids: Option<Vec<i64>>,
}

/// One page of the admin list.
#[derive(Debug, Clone)]
pub struct AdminRows {
    /// The rows, in sort order.
    pub rows: Vec<Conversation>,
    /// True when rows exist past the last one (in sort order).
    pub more_after: bool,
    /// True when rows exist before the first one.
    pub more_before: bool,
}

/// `%` and `_` typed by a person are letters, not wildcards.
fn like_pattern(words: &str) -> String {
    let mut pattern = String::from("%");
    for ch in words.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(ch);
    }
    pattern.push('%');
    pattern
}

fn filters(filter: &AdminFilter, backend: Backend) -> Vec<Condition> {
    let mut conditions: Vec<Condition> = Vec::new();
    if !filter.statuses.is_empty() {
        let names: Vec<&'static str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        conditions.push(Box::new(c::status.eq_any(names)));
    }
    match filter.read_by_admin {
        Some(true) => conditions.push(Box::new(c::unread_for_admin.eq(0))),
        Some(false) => conditions.push(Box::new(c::unread_for_admin.gt(0))),
        None => {}
    }
    if let Some(id) = &filter.customer_id {
        conditions.push(Box::new(c::customer_id.eq(id.clone())));
    }
    if let Some(id) = &filter.vendor_id {
        conditions.push(Box::new(c::vendor_id.eq(id.clone()).assume_not_null()));
    }
    if let Some(id) = &filter.product_id {
        conditions.push(Box::new(c::product_id.eq(id.clone()).assume_not_null()));
    }
    match &filter.assignee {
        Some(AssigneeFilter::Unassigned) => conditions.push(Box::new(c::assignee_id.is_null())),
        Some(AssigneeFilter::Staff(id)) => {
            conditions.push(Box::new(c::assignee_id.eq(id.clone()).assume_not_null()))
        }
        None => {}
    }
    if filter.has_unread {
        conditions.push(Box::new(
            c::unread_for_admin.gt(0).or(c::unread_for_user.gt(0)),
        ));
    }
    if let Some(since) = filter.active_since {
        conditions.push(Box::new(c::last_message_at.ge(since)));
    }
    if let Some(words) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        conditions.push(search(words, backend));
    }
    if let Some(ids) = &filter.ids {
        conditions.push(Box::new(c::id.eq_any(ids.clone())));
    }
    conditions
}

/// The search condition. On SQLite a term of 3 characters or more without
/// wildcards of its own goes through the FTS5 trigram table; on PostgreSQL
/// the search table of migration 0006, whose trigram index the planner
/// uses for the LIKE (or not, for a term most conversations match, where
/// walking the sort order and probing by id is cheaper).
fn search(words: &str, backend: Backend) -> Condition {
    if backend == Backend::Postgres {
        return Box::new(
            sql::<Bool>(
                "id IN (SELECT conversation_id FROM storechat_conversation_search \
                 WHERE search_text LIKE ",
            )
            .bind::<Text, _>(like_pattern(words))
            .sql(" ESCAPE '\\')"),
        );
    }
    let literal = !words.contains(['%', '_', '\\']);
    if backend == Backend::Sqlite && literal && words.chars().count() >= 3 {
        return Box::new(
            sql::<Bool>(
                "id IN (SELECT rowid FROM storechat_conversations_fts WHERE search_text LIKE ",
            )
            .bind::<Text, _>(format!("%{}%", words.to_lowercase()))
            .sql(")"),
        );
    }
    Box::new(
        sql::<Bool>("search_text LIKE ")
            .bind::<Text, _>(like_pattern(words))
            .sql(" ESCAPE '\\'"),
    )
}

/// `(expr, id)` strictly past `at` in the direction `cmp` (`<` or `>`),
/// written so the index on `(expr, id)` serves it: a range on `expr`, then
/// a check on the tie.
fn past(key: SortKey, at: &Keyset, cmp: &str) -> Condition {
    let expr = key.expr();
    let first = format!("({expr} {cmp}= ");
    let second = format!(" AND ({expr} {cmp} ");
    let third = format!(" OR id {cmp} ");
    match &at.value {
        SortValue::Text(v) => Box::new(
            sql::<Bool>(&first)
                .bind::<Text, _>(v.clone())
                .sql(&second)
                .bind::<Text, _>(v.clone())
                .sql(&third)
                .bind::<BigInt, _>(at.id)
                .sql("))"),
        ),
        SortValue::Int(v) => {
            let v = i32::try_from(*v).unwrap_or(i32::MAX);
            Box::new(
                sql::<Bool>(&first)
                    .bind::<Integer, _>(v)
                    .sql(&second)
                    .bind::<Integer, _>(v)
                    .sql(&third)
                    .bind::<BigInt, _>(at.id)
                    .sql("))"),
            )
        }
        SortValue::Time(v) => Box::new(
            sql::<Bool>(&first)
                .bind::<Timestamp, _>(*v)
                .sql(&second)
                .bind::<Timestamp, _>(*v)
                .sql(&third)
                .bind::<BigInt, _>(at.id)
                .sql("))"),
        ),
    }
}

/// One page of the admin list: `limit` rows sorted by `key` (descending
/// when `descending`), starting at `page`.
pub fn page(
    conn: &mut AnyConnection,
    filter: &AdminFilter,
    key: SortKey,
    descending: bool,
    page: &PageAt,
    limit: i64,
) -> Result<AdminRows, StoreError> {
    // Reading backwards (the page before a row) walks the index the other way.
    let backwards = matches!(page, PageAt::Before(_));
    let walk_descending = descending != backwards;
    let direction = if walk_descending { "DESC" } else { "ASC" };
    let mut query = c::table
        .select(Conversation::as_select())
        .order(sql::<Text>(&format!("{} {direction}", key.expr())))
        .then_order_by(sql::<Text>(&format!("id {direction}")))
        .limit(limit + 1)
        .into_boxed();
    let backend = match conn {
        AnyConnection::Sqlite(_) => Backend::Sqlite,
        AnyConnection::Postgresql(_) => Backend::Postgres,
    };
    for condition in filters(filter, backend) {
        query = query.filter(condition);
    }
    match page {
        PageAt::First => {}
        PageAt::After(at) | PageAt::Before(at) => {
            query = query.filter(past(key, at, if walk_descending { "<" } else { ">" }));
        }
    }
    let mut rows: Vec<Conversation> = query.load(conn)?;
    let more = rows.len() as i64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(0));
    if backwards {
        rows.reverse();
    }
    Ok(AdminRows {
        rows,
        more_after: if backwards { true } else { more },
        more_before: match page {
            PageAt::First => false,
            PageAt::After(_) => true,
            PageAt::Before(_) => more,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_wildcards_are_letters() {
        assert_eq!(like_pattern("50% OFF_now"), "%50\\% off\\_now%");
        assert_eq!(like_pattern("a\\b"), "%a\\\\b%");
    }

    #[test]
    fn sort_keys_round_trip_by_name() {
        for key in SortKey::ALL {
            assert_eq!(SortKey::from_name(key.name()), Some(key));
        }
        assert_eq!(SortKey::from_name("password"), None);
    }
}
