//! `{admin}/inbox/` — the staff's three-pane inbox: the conversation list
//! (search by customer, "show unread only", unread badges), the open
//! conversation (history, reply box, hover actions on each message) and the
//! customer info panel. Everything is server-rendered and works without
//! JavaScript: rows are links to `inbox/?c={id}`, actions are forms that post
//! and come back. `storechat-inbox.js` then makes the page live over the
//! WebSocket and asks the JSON endpoints here (`rows.json`,
//! `{id}/history.json`) for what it needs. Staff only, like every panel;
//! nothing here touches the store except through the chat service.

mod actions;
mod forms;
mod info;
mod json;
mod page;
mod rows;
mod thread;

use actix_web::web;

crate::web::route_table::page_routes! {
    ROUTES, mount;
    get "" => to_root,
    get "/" => page::show,
    get "/rows.json" => json::rows,
    get "/{id}/history.json" => json::history,
    post "/{id}/reply/" => forms::reply,
    post "/{id}/status/" => forms::status,
    post "/{id}/customer-action/" => forms::customer_action,
    post "/{id}/messages/{message}/edit/" => actions::edit,
    post "/{id}/messages/{message}/delete/" => actions::delete,
    post "/{id}/messages/{message}/react/" => actions::react,
}

/// The inbox's routes, mounted under the admin prefix.
pub(super) fn scope() -> actix_web::Scope {
    mount(web::scope(super::INBOX))
}

async fn to_root(chat: web::Data<crate::Storechat>) -> actix_web::HttpResponse {
    crate::web::layout::see_other(&format!("{}/inbox/", chat.config().routes.admin))
}

/// How many rows a page of the list holds.
const ROWS_PER_PAGE: i64 = 30;

/// How many messages a page of history holds.
const MESSAGES_PER_PAGE: i64 = 40;

/// The inbox's query string, decoded. Parsing never fails: a malformed
/// value is ignored, as in the admin list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct InboxParams {
    /// Words to find (customer name or e-mail; the admin list's search).
    pub q: String,
    /// Only conversations with customer messages the store has not read.
    pub unread: bool,
    /// The list page after this cursor (the admin list's keyset form).
    pub after: Option<String>,
    /// The open conversation.
    pub open: Option<i64>,
    /// Its history before this message.
    pub before: Option<i64>,
    /// The message the reply box quotes (the no-JS "Reply" action).
    pub reply_to: Option<i64>,
    /// The message being edited in the reply box (the no-JS "Edit" action).
    pub edit: Option<i64>,
}

impl InboxParams {
    /// Reads a raw query string.
    pub fn parse(query: &str) -> InboxParams {
        let mut params = InboxParams::default();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = urlencoding::decode(&value.replace('+', " "))
                .map(|v| v.into_owned())
                .unwrap_or_default();
            let id = || value.trim().parse::<i64>().ok().filter(|id| *id > 0);
            match key {
                "q" => params.q = value.trim().chars().take(200).collect(),
                "unread" => params.unread = value == "1",
                "after" => params.after = Some(value.trim().to_owned()).filter(|v| !v.is_empty()),
                "c" => params.open = id(),
                "before" => params.before = id(),
                "reply_to" => params.reply_to = id(),
                "edit" => params.edit = id(),
                _ => {}
            }
        }
        params
    }

    /// The list's own part of the URL: search, toggle and page.
    fn list_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = Vec::new();
        if !self.q.is_empty() {
            pairs.push(("q", self.q.clone()));
        }
        if self.unread {
            pairs.push(("unread", "1".to_owned()));
        }
        if let Some(after) = &self.after {
            pairs.push(("after", after.clone()));
        }
        pairs
    }

    /// The inbox URL with this list and `open` as the open conversation.
    pub fn href(&self, base: &str, open: Option<i64>) -> String {
        let mut pairs = self.list_pairs();
        if let Some(id) = open {
            pairs.push(("c", id.to_string()));
        }
        join(base, &pairs)
    }

    /// The same list with the unread toggle flipped, from its first page.
    pub fn toggled_href(&self, base: &str) -> String {
        let flipped = InboxParams {
            unread: !self.unread,
            after: None,
            ..self.clone()
        };
        flipped.href(base, self.open)
    }

    /// The open conversation's URL with one more parameter (`before`,
    /// `reply_to`, `edit`) and a fragment.
    pub fn with(&self, base: &str, open: i64, key: &'static str, value: i64, at: &str) -> String {
        let mut pairs = self.list_pairs();
        pairs.push(("c", open.to_string()));
        pairs.push((key, value.to_string()));
        format!("{}#{at}", join(base, &pairs))
    }
}

fn join(base: &str, pairs: &[(&'static str, String)]) -> String {
    let root = format!("{base}/inbox/");
    if pairs.is_empty() {
        return root;
    }
    let query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", urlencoding::encode(v)))
        .collect();
    format!("{root}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "/admin/dashboard/conversation";

    #[test]
    fn the_url_round_trips_and_ignores_junk() {
        let p = InboxParams::parse("q=alice+m%40x&unread=1&c=12&before=x&reply_to=-3&edit=7&z=1");
        assert_eq!(p.q, "alice m@x");
        assert!(p.unread);
        assert_eq!(
            (p.open, p.before, p.reply_to, p.edit),
            (Some(12), None, None, Some(7))
        );
        assert_eq!(
            p.href(BASE, p.open),
            format!("{BASE}/inbox/?q=alice%20m%40x&unread=1&c=12")
        );
        assert_eq!(
            p.toggled_href(BASE),
            format!("{BASE}/inbox/?q=alice%20m%40x&c=12")
        );
        assert_eq!(
            InboxParams::parse("").href(BASE, None),
            format!("{BASE}/inbox/")
        );
    }
}
