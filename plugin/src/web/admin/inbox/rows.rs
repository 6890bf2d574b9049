//! The inbox's conversation list: the admin list's service query (its
//! search over customer name and e-mail, its read filter, its keyset pages),
//! newest activity first, as rows for the page and for `rows.json`.

use serde::Serialize;

use super::super::params::{decode_cursor, encode_cursor};
use super::super::spec::status_class;
use super::{InboxParams, ROWS_PER_PAGE};
use crate::Storechat;
use crate::domain::{Actor, Side};
use crate::error::ChatError;
use crate::service::AdminQuery;
use crate::store::Conversation;
use crate::store::admin_list::{AdminFilter, PageAt, SortKey};
use crate::web::format::{badge, exact_time, relative_time};

/// One conversation in the list.
#[derive(Debug, Serialize)]
pub(super) struct RowView {
    pub id: i64,
    pub subject: String,
    pub customer_name: String,
    pub customer_email: String,
    /// The letter on the avatar.
    pub initial: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub status_class: &'static str,
    /// Customer messages the store has not read.
    pub unread: i32,
    /// The badge: nothing at 0, "99+" above 99.
    pub badge: Option<String>,
    /// Who wrote the last message when it was the store ("Store", "Vendor").
    pub preview_by: Option<&'static str>,
    pub preview: String,
    /// The order number or product name it is about.
    pub context: Option<String>,
    pub when: String,
    pub when_exact: String,
    pub last_message_at: String,
    /// The inbox with this conversation open, keeping the list as it is.
    pub href: String,
    /// The open conversation.
    pub active: bool,
}

impl RowView {
    pub fn new(
        c: &Conversation,
        params: &InboxParams,
        base: &str,
        now: chrono::NaiveDateTime,
    ) -> Self {
        let preview_by = match c.last_message_side.as_deref() {
            Some(side) if side == Side::Staff.as_str() => Some("Store"),
            Some(side) if side == Side::Vendor.as_str() => Some("Vendor"),
            _ => None,
        };
        RowView {
            id: c.id,
            subject: c.subject.clone(),
            customer_name: c.customer_name.clone(),
            customer_email: c.customer_email.clone(),
            initial: initial(&c.customer_name),
            status: c.status.as_str(),
            status_label: c.status.label(),
            status_class: status_class(c.status),
            unread: c.unread_for_admin,
            badge: badge(i64::from(c.unread_for_admin)),
            preview_by,
            preview: c.last_message_preview.clone(),
            context: c.order_number.clone().or_else(|| c.product_name.clone()),
            when: relative_time(c.last_message_at, now),
            when_exact: exact_time(c.last_message_at),
            last_message_at: c.last_message_at.and_utc().to_rfc3339(),
            href: params.href(base, Some(c.id)),
            active: params.open == Some(c.id),
        }
    }
}

/// The first letter of a name, for the avatar.
pub(super) fn initial(name: &str) -> String {
    name.trim()
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_else(|| "?".to_owned())
}

/// A page of the list.
pub(super) struct RowsPage {
    pub rows: Vec<RowView>,
    /// The cursor of the next page, when there is one.
    pub next: Option<String>,
}

/// The page of the list `params` asks for.
pub(super) async fn load(
    chat: &Storechat,
    actor: &Actor,
    params: &InboxParams,
) -> Result<RowsPage, ChatError> {
    let sort = SortKey::LastMessage;
    let query = AdminQuery {
        filter: AdminFilter {
            search: Some(params.q.clone()).filter(|q| !q.trim().is_empty()),
            read_by_admin: params.unread.then_some(false),
            ..AdminFilter::default()
        },
        sort,
        descending: true,
        page: params
            .after
            .as_deref()
            .and_then(|raw| decode_cursor(raw, sort))
            .map_or(PageAt::First, PageAt::After),
        per_page: ROWS_PER_PAGE,
    };
    let page = chat.service().admin_list(actor, query).await?;
    let base = chat.config().routes.admin.as_str();
    let now = crate::store::now();
    Ok(RowsPage {
        rows: page
            .rows
            .iter()
            .map(|c| RowView::new(c, params, base, now))
            .collect(),
        next: page.next.as_ref().map(encode_cursor),
    })
}

#[cfg(test)]
mod tests {
    use super::initial;

    #[test]
    fn avatars_show_the_first_letter() {
        assert_eq!(initial(" alice"), "A");
        assert_eq!(initial("émile"), "É");
        assert_eq!(initial(""), "?");
    }
}
