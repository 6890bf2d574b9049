//! The conversation list, declared as data in the spirit of a Django
//! ModelAdmin: its columns, filters, search fields and bulk actions. The
//! list handler and template render whatever is declared here.

use chrono::NaiveDateTime;

use crate::store::Conversation;
use crate::store::admin_list::SortKey;
use crate::web::format::{exact_time, relative_time};

/// A column of the list.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Its name in CSS and in the cell function.
    pub key: &'static str,
    /// Its heading.
    pub label: &'static str,
    /// The sort behind its heading, if it is sortable.
    pub sort: Option<SortKey>,
    /// Hidden until the "show dates" toggle is on.
    pub optional: bool,
    /// Right-aligned numbers.
    pub numeric: bool,
}

const fn column(key: &'static str, label: &'static str, sort: SortKey) -> Column {
    Column {
        key,
        label,
        sort: Some(sort),
        optional: false,
        numeric: false,
    }
}

/// The columns, in order: what staff scan first comes first, so it stays
/// in view when a narrow screen scrolls the table.
pub const COLUMNS: [Column; 11] = [
    column("subject", "Subject", SortKey::Subject),
    column("customer", "Customer", SortKey::Customer),
    column("status", "Status", SortKey::Status),
    Column {
        numeric: true,
        ..column("unread", "Unread", SortKey::Unread)
    },
    column("last_message", "Last message", SortKey::LastMessage),
    Column {
        numeric: true,
        ..column("messages", "Messages", SortKey::Messages)
    },
    column("context", "Order / product", SortKey::Context),
    column("vendor", "Vendor", SortKey::Vendor),
    column("assignee", "Assignee", SortKey::Assignee),
    Column {
        optional: true,
        ..column("created", "Created", SortKey::Created)
    },
    Column {
        optional: true,
        ..column("updated", "Updated", SortKey::Updated)
    },
];

/// What the search box looks in, for its hint.
pub const SEARCH_FIELDS: [&str; 5] = [
    "subject",
    "customer name",
    "customer e-mail",
    "product name",
    "order number",
];

/// A bulk action on the checked rows.
#[derive(Debug, Clone, Copy)]
pub struct BulkAction {
    /// The form value.
    pub key: &'static str,
    /// The label.
    pub label: &'static str,
}

/// The bulk actions, in menu order.
pub const ACTIONS: [BulkAction; 7] = [
    BulkAction {
        key: "mark_read",
        label: "Mark all messages read",
    },
    BulkAction {
        key: "resolve",
        label: "Set status: Resolved",
    },
    BulkAction {
        key: "close",
        label: "Set status: Closed",
    },
    BulkAction {
        key: "assign_me",
        label: "Assign to me",
    },
    BulkAction {
        key: "delete",
        label: "Delete selected (closed only)…",
    },
    BulkAction {
        key: "export_csv",
        label: "Export selected as CSV",
    },
    BulkAction {
        key: "export_xlsx",
        label: "Export selected as Excel (.xlsx)",
    },
];

/// Longest order or product text before it is cut (the full text is on hover).
pub const CONTEXT_CHARS: usize = 30;

/// One cell, ready for the template.
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// What it says.
    pub text: String,
    /// The tooltip.
    pub title: Option<String>,
    /// A link, e.g. the filter for this value.
    pub href: Option<String>,
    /// Extra CSS classes.
    pub class: &'static str,
}

impl Cell {
    fn text(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            ..Cell::default()
        }
    }

    fn time(at: NaiveDateTime, now: NaiveDateTime) -> Cell {
        Cell {
            text: relative_time(at, now),
            title: Some(exact_time(at)),
            ..Cell::default()
        }
    }
}

/// What a cell needs besides its row: links to filter by its value.
pub struct CellLinks<'a> {
    /// The list URL with one more filter, e.g. `filter("customer", id)`.
    pub filter: &'a dyn Fn(&str, &str) -> String,
    /// The row's change view.
    pub change: String,
    /// Now, for relative times.
    pub now: NaiveDateTime,
}

fn shorten(text: &str, max: usize) -> (String, Option<String>) {
    if text.chars().count() <= max {
        (text.to_owned(), None)
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        (format!("{cut}…"), Some(text.to_owned()))
    }
}

/// The cell of `column` for a row.
pub fn cell(column: &Column, row: &Conversation, links: &CellLinks<'_>) -> Cell {
    match column.key {
        "subject" => Cell {
            href: Some(links.change.clone()),
            class: "sc-strong",
            ..Cell::text(row.subject.clone())
        },
        "customer" => Cell {
            title: Some(row.customer_email.clone()),
            href: Some((links.filter)("customer", &row.customer_id)),
            ..Cell::text(row.customer_name.clone())
        },
        "context" => {
            let (text, param, value) = match (&row.order_number, &row.product_name) {
                (Some(number), _) => (format!("Order {number}"), None, None),
                (None, Some(name)) => (name.clone(), Some("product"), row.product_id.clone()),
                (None, None) => {
                    return Cell {
                        class: "sc-muted sc-none",
                        ..Cell::text("—")
                    };
                }
            };
            let (short, full) = shorten(&text, CONTEXT_CHARS);
            Cell {
                title: full.or(Some(text)),
                href: param.zip(value).map(|(p, v)| (links.filter)(p, &v)),
                ..Cell::text(short)
            }
        }
        "vendor" => match (&row.vendor_id, &row.vendor_name) {
            (Some(id), name) => Cell {
                href: Some((links.filter)("vendor", id)),
                ..Cell::text(name.clone().unwrap_or_else(|| format!("Vendor {id}")))
            },
            _ => Cell {
                class: "sc-muted sc-none",
                ..Cell::text("—")
            },
        },
        "status" => Cell {
            class: status_class(row.status),
            href: Some((links.filter)("status", row.status.as_str())),
            ..Cell::text(row.status.label())
        },
        "assignee" => match &row.assignee_name {
            Some(name) => Cell::text(name.clone()),
            None => Cell {
                class: "sc-muted",
                ..Cell::text("Unassigned")
            },
        },
        "messages" => Cell {
            class: "sc-count",
            ..Cell::text(row.message_count.to_string())
        },
        "unread" => Cell {
            class: if row.unread_for_admin > 0 {
                "sc-count sc-count-unread"
            } else {
                "sc-count sc-count-read"
            },
            ..Cell::text(row.unread_for_admin.to_string())
        },
        "last_message" => Cell::time(row.last_message_at, links.now),
        "created" => Cell::time(row.created_at, links.now),
        "updated" => Cell::time(row.updated_at, links.now),
        _ => Cell::default(),
    }
}

/// The coloured chip of a status.
pub fn status_class(status: crate::domain::Status) -> &'static str {
    match status {
        crate::domain::Status::Open => "sc-status sc-status-open",
        crate::domain::Status::AwaitingAdmin => "sc-status sc-status-awaiting-admin",
        crate::domain::Status::AwaitingUser => "sc-status sc-status-awaiting-user",
        crate::domain::Status::Resolved => "sc-status sc-status-resolved",
        crate::domain::Status::Closed => "sc-status sc-status-closed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_context_is_cut_with_the_full_text_on_hover() {
        let (short, full) = shorten("Hand-thrown Ceramic Bowl, large, glazed", CONTEXT_CHARS);
        assert_eq!(short.chars().count(), CONTEXT_CHARS);
        assert!(short.ends_with('…'));
        assert_eq!(
            full.as_deref(),
            Some("Hand-thrown Ceramic Bowl, large, glazed")
        );
        assert_eq!(
            shorten("Order #10001", CONTEXT_CHARS),
            ("Order #10001".into(), None)
        );
    }

    #[test]
    fn every_column_but_the_dates_is_shown_by_default() {
        let optional: Vec<&str> = COLUMNS
            .iter()
            .filter(|c| c.optional)
            .map(|c| c.key)
            .collect();
        assert_eq!(optional, vec!["created", "updated"]);
        assert!(
            COLUMNS.iter().all(|c| c.sort.is_some()),
            "every column sorts"
        );
    }
}
