//! The admin list's URL: every filter, the search, the sort and the page
//! live in the query string, so a list can be shared and the back button
//! works. Parsing never fails: an unknown or malformed value is ignored.

use chrono::TimeDelta;

use crate::domain::{Actor, Status};
use crate::service::AdminQuery;
use crate::store::admin_list::{
    AdminFilter, AssigneeFilter, Keyset, PageAt, SortKey, SortType, SortValue,
};

/// Rows per page a person may choose.
pub const PAGE_SIZES: [i64; 4] = [25, 50, 100, 200];

/// The list's query string, decoded. Field names are the URL's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    pub q: String,
    pub status: Vec<Status>,
    pub read: Option<bool>,
    pub customer: Option<String>,
    pub customer_q: String,
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub assignee: Option<String>,
    pub has_unread: bool,
    pub recent: bool,
    pub sort: Option<(SortKey, bool)>,
    pub per_page: Option<i64>,
    pub after: Option<String>,
    pub before: Option<String>,
}

fn non_empty(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

impl ListParams {
    /// Reads a raw query string (`status` may repeat).
    pub fn parse(query: &str) -> ListParams {
        let mut params = ListParams::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = urlencoding::decode(&value.replace('+', " "))
                .map(|v| v.into_owned())
                .unwrap_or_default();
            match key {
                "q" => params.q = value.trim().chars().take(200).collect(),
                "status" => {
                    if let Ok(status) = value.parse::<Status>()
                        && !params.status.contains(&status)
                    {
                        params.status.push(status);
                    }
                }
                "read" => {
                    params.read = match value.as_str() {
                        "read" => Some(true),
                        "unread" => Some(false),
                        _ => None,
                    }
                }
                "customer" => params.customer = non_empty(&value),
                "customer_q" => params.customer_q = value.trim().chars().take(100).collect(),
                "vendor" => params.vendor = non_empty(&value),
                "product" => params.product = non_empty(&value),
                "assignee" => params.assignee = non_empty(&value),
                "has_unread" => params.has_unread = value == "1",
                "recent" => params.recent = value == "7d",
                "o" => {
                    let (descending, name) = match value.strip_prefix('-') {
                        Some(name) => (true, name),
                        None => (false, value.as_str()),
                    };
                    params.sort = SortKey::from_name(name).map(|key| (key, descending));
                }
                "per_page" => {
                    params.per_page = value.parse().ok().filter(|n| PAGE_SIZES.contains(n))
                }
                "after" => params.after = non_empty(&value),
                "before" => params.before = non_empty(&value),
                _ => {}
            }
        }
        params
    }

    /// The sort in force: the default is the last message, newest first.
    pub fn sort(&self) -> (SortKey, bool) {
        self.sort.unwrap_or((SortKey::LastMessage, true))
    }

    /// Rows per page.
    pub fn per_page(&self) -> i64 {
        self.per_page.unwrap_or(50)
    }

    /// True when anything narrows the list.
    pub fn is_filtered(&self) -> bool {
        !self.q.is_empty()
            || !self.status.is_empty()
            || self.read.is_some()
            || self.customer.is_some()
            || self.vendor.is_some()
            || self.product.is_some()
            || self.assignee.is_some()
            || self.has_unread
            || self.recent
    }

    /// The service query for `actor` (who "me" is).
    pub fn to_query(&self, actor: &Actor) -> AdminQuery {
        let (sort, descending) = self.sort();
        let page = match (&self.after, &self.before) {
            (Some(after), _) => decode_cursor(after, sort).map(PageAt::After),
            (None, Some(before)) => decode_cursor(before, sort).map(PageAt::Before),
            (None, None) => None,
        };
        AdminQuery {
            filter: AdminFilter {
                statuses: self.status.clone(),
                read_by_admin: self.read,
                customer_id: self.customer.clone(),
                vendor_id: self.vendor.clone(),
                product_id: self.product.clone(),
                assignee: self.assignee.as_deref().map(|a| match a {
                    "none" => AssigneeFilter::Unassigned,
                    "me" => AssigneeFilter::Staff(actor.id.clone()),
                    other => AssigneeFilter::Staff(other.to_owned()),
                }),
                has_unread: self.has_unread,
                active_since: self
                    .recent
                    .then(|| crate::store::now() - TimeDelta::days(7)),
                search: (!self.q.is_empty()).then(|| self.q.clone()),
                ids: None,
            },
            sort,
            descending,
            page: page.unwrap_or_default(),
            per_page: self.per_page(),
        }
    }

    /// The query string of these parameters (page cursors included).
    pub fn to_query_string(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        for status in &self.status {
            pairs.push(("status", status.as_str().to_owned()));
        }
        match self.read {
            Some(true) => pairs.push(("read", "read".into())),
            Some(false) => pairs.push(("read", "unread".into())),
            None => {}
        }
        for (key, value) in [
            ("customer", &self.customer),
            ("vendor", &self.vendor),
            ("product", &self.product),
            ("assignee", &self.assignee),
        ] {
            if let Some(value) = value {
                pairs.push((key, value.clone()));
            }
        }
        if self.has_unread {
            pairs.push(("has_unread", "1".into()));
        }
        if self.recent {
            pairs.push(("recent", "7d".into()));
        }
        if let Some((key, descending)) = self.sort {
            pairs.push((
                "o",
                format!("{}{}", if descending { "-" } else { "" }, key.name()),
            ));
        }
        if let Some(n) = self.per_page {
            pairs.push(("per_page", n.to_string()));
        }
        if let Some(after) = &self.after {
            pairs.push(("after", after.clone()));
        }
        if let Some(before) = &self.before {
            pairs.push(("before", before.clone()));
        }
        pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// The same list from its first page (any filter change starts over).
    pub fn first_page(&self) -> ListParams {
        ListParams {
            after: None,
            before: None,
            ..self.clone()
        }
    }

    /// `{base}?{query}`, or just `base` when there is no query.
    pub fn href(&self, base: &str) -> String {
        match self.to_query_string() {
            q if q.is_empty() => base.to_owned(),
            q => format!("{base}?{q}"),
        }
    }
}

/// A page cursor in the URL: `<id>.<value>`, the value being the sort
/// column's text, integer, or time in microseconds since the epoch.
pub fn encode_cursor(at: &Keyset) -> String {
    let value = match &at.value {
        SortValue::Text(text) => text.clone(),
        SortValue::Int(n) => n.to_string(),
        SortValue::Time(t) => t.and_utc().timestamp_micros().to_string(),
    };
    format!("{}.{value}", at.id)
}

/// Reads a cursor for `sort`; `None` when it does not fit.
pub fn decode_cursor(raw: &str, sort: SortKey) -> Option<Keyset> {
    let (id, value) = raw.split_once('.')?;
    let id: i64 = id.parse().ok()?;
    let value = match sort.sort_type() {
        SortType::Text => SortValue::Text(value.to_owned()),
        SortType::Int => SortValue::Int(value.parse().ok()?),
        SortType::Time => SortValue::Time(
            chrono::DateTime::from_timestamp_micros(value.parse().ok()?)?.naive_utc(),
        ),
    };
    Some(Keyset { value, id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_round_trip() {
        let raw = "q=late+parcel&status=OPEN&status=CLOSED&read=unread&customer=7&assignee=none&has_unread=1&recent=7d&o=-subject&per_page=100";
        let params = ListParams::parse(raw);
        assert_eq!(params.q, "late parcel");
        assert_eq!(params.status, vec![Status::Open, Status::Closed]);
        assert_eq!(params.read, Some(false));
        assert_eq!(params.sort, Some((SortKey::Subject, true)));
        assert_eq!(ListParams::parse(&params.to_query_string()), params);
        assert!(params.is_filtered());
    }

    #[test]
    fn junk_is_ignored() {
        let params = ListParams::parse("status=DONE&o=password&per_page=7&read=maybe&x=1&after=zz");
        assert_eq!(params.status, vec![]);
        assert_eq!(params.sort(), (SortKey::LastMessage, true));
        assert_eq!(params.per_page(), 50);
        assert_eq!(params.read, None);
        let query = params.to_query(&Actor::staff("1", "Ann"));
        assert_eq!(
            query.page,
            PageAt::First,
            "a malformed cursor starts at the first page"
        );
    }

    #[test]
    fn cursors_round_trip_for_every_type() {
        let time =
            chrono::DateTime::from_timestamp_micros(1_790_000_000_123_456).map(|t| t.naive_utc());
        let cases = [
            (SortKey::Subject, SortValue::Text("a.b c".into())),
            (SortKey::Messages, SortValue::Int(42)),
            (
                SortKey::LastMessage,
                SortValue::Time(time.unwrap_or_default()),
            ),
        ];
        for (key, value) in cases {
            let at = Keyset { value, id: 9 };
            assert_eq!(decode_cursor(&encode_cursor(&at), key), Some(at));
        }
        assert_eq!(decode_cursor("9.x", SortKey::Messages), None);
    }
}
