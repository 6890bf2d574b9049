//! `GET /` — the conversation list, rendered from the declaration in
//! [`super::spec`]. One database query per page whatever its size; the
//! filter chips may ask the host for a name or two.

use actix_web::cookie::{Cookie, SameSite, time::Duration};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::flash::{self, Flash};
use super::params::{ListParams, PAGE_SIZES, encode_cursor};
use super::spec::{self, ACTIONS, BulkAction, COLUMNS, Cell, CellLinks};
use super::store_side;
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::{Role, Status};
use crate::error::ChatError;
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::format::badge as badge_text;
use crate::web::page::Page;

const DATES_COOKIE: &str = "storechat_admin_dates";

struct Head {
    label: &'static str,
    key: &'static str,
    href: String,
    sorted: &'static str,
    numeric: bool,
}

struct Row {
    id: i64,
    subject: String,
    cells: Vec<(&'static str, &'static str, bool, Cell)>,
    change_href: String,
    preview_href: String,
    delete_href: String,
    unread: bool,
}

struct Choice {
    value: String,
    label: String,
    checked: bool,
}

struct Chip {
    label: String,
    remove_href: String,
}

struct Match {
    label: String,
    href: String,
}

#[derive(Template)]
#[template(path = "conversation_list.html")]
struct ListPage<'a> {
    base: &'a str,
    list_href: String,
    csrf: String,
    q: &'a str,
    search_hint: String,
    heads: Vec<Head>,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    read_choices: Vec<Choice>,
    assignee_choices: Vec<Choice>,
    has_unread: bool,
    recent: bool,
    customer_chip: Option<Chip>,
    customer_q: &'a str,
    customer_matches: Vec<Match>,
    hidden: Vec<(&'static str, String)>,
    chips: Vec<Chip>,
    clear_href: Option<String>,
    actions: &'static [BulkAction],
    next_href: Option<String>,
    previous_href: Option<String>,
    first_href: Option<String>,
    page_sizes: Vec<Choice>,
    show_dates: bool,
    dates_href: String,
    flash: Option<Flash>,
    filtered: bool,
    unread_total: Option<String>,
    dead_mail: i64,
    /// Staff see the store's tools (bulk actions, delete, e-mail, settings,
    /// create); a vendor sees the list of their products' conversations.
    staff: bool,
}

pub(super) async fn list(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    let params = ListParams::parse(req.query_string());
    let result = render(&page, &params).await;
    let mut response = page.outcome(result).await;
    flash::clear(&mut response);
    response
}

async fn render(page: &Page<'_>, params: &ListParams) -> Result<HttpResponse, ChatError> {
    store_side(page.actor)?;
    let (chat, actor) = (page.chat, page.actor);
    let base = chat.config().routes.admin.as_str();
    let list_root = format!("{base}/");
    let service = chat.service();
    let host = service.host();
    let result = service.admin_list(actor, params.to_query(actor)).await?;
    let unread_total = service.unread_for_admin(actor).await?;
    let dead_mail = service
        .db()
        .read(|conn| Ok::<_, ChatError>(crate::store::outbox::dead_count(conn)?))
        .await?;

    // Filter chips name people and products: ask the host, once each.
    let mut chips = Vec::new();
    let without = |change: &dyn Fn(&mut ListParams)| {
        let mut p = params.first_page();
        change(&mut p);
        p.href(&list_root)
    };
    let customer_chip = match &params.customer {
        Some(id) => {
            let name = host
                .user(id)
                .await?
                .map(|u| format!("{} ({})", u.name, u.email));
            Some(Chip {
                label: name.unwrap_or_else(|| format!("Customer {id}")),
                remove_href: without(&|p| p.customer = None),
            })
        }
        None => None,
    };
    if let Some(chip) = &customer_chip {
        chips.push(Chip {
            label: format!("Customer: {}", chip.label),
            remove_href: chip.remove_href.clone(),
        });
    }
    if let Some(id) = &params.vendor {
        let name = host
            .user(id)
            .await?
            .map(|u| u.name)
            .unwrap_or_else(|| format!("Vendor {id}"));
        chips.push(Chip {
            label: format!("Vendor: {name}"),
            remove_href: without(&|p| p.vendor = None),
        });
    }
    if let Some(id) = &params.product {
        let name = host
            .product(id)
            .await?
            .map(|p| p.name)
            .unwrap_or_else(|| format!("Product {id}"));
        chips.push(Chip {
            label: format!("Product: {name}"),
            remove_href: without(&|p| p.product = None),
        });
    }
    if !params.q.is_empty() {
        chips.push(Chip {
            label: format!("Search: “{}”", params.q),
            remove_href: without(&|p| p.q.clear()),
        });
    }
    for status in &params.status {
        let status = *status;
        chips.push(Chip {
            label: format!("Status: {}", status.label()),
            remove_href: without(&move |p| p.status.retain(|s| *s != status)),
        });
    }
    if let Some(read) = params.read {
        let label = if read {
            "Read by the store"
        } else {
            "Unread by the store"
        };
        chips.push(Chip {
            label: label.into(),
            remove_href: without(&|p| p.read = None),
        });
    }
    if let Some(assignee) = &params.assignee {
        let label = match assignee.as_str() {
            "me" => "Assigned to me".to_owned(),
            "none" => "Unassigned".to_owned(),
            id => format!(
                "Assigned to {}",
                host.user(id)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_else(|| id.to_owned())
            ),
        };
        chips.push(Chip {
            label,
            remove_href: without(&|p| p.assignee = None),
        });
    }
    if params.has_unread {
        chips.push(Chip {
            label: "Has unread messages".into(),
            remove_href: without(&|p| p.has_unread = false),
        });
    }
    if params.recent {
        chips.push(Chip {
            label: "Active in the last 7 days".into(),
            remove_href: without(&|p| p.recent = false),
        });
    }
    let customer_matches = if params.customer.is_none() && !params.customer_q.trim().is_empty() {
        host.search_users(params.customer_q.trim(), 10)
            .await?
            .into_iter()
            .filter(|u| u.role == Role::Customer)
            .map(|u| Match {
                label: format!("{} · {}", u.name, u.email),
                href: without(&|p| {
                    p.customer = Some(u.id.clone());
                    p.customer_q.clear();
                }),
            })
            .collect()
    } else {
        Vec::new()
    };

    let show_dates = page
        .req
        .cookie(DATES_COOKIE)
        .is_some_and(|c| c.value() == "1");
    let (sort, descending) = params.sort();
    // A column empty on every row of the page (no vendors, nobody assigned)
    // is left out unless the list is sorted or filtered by it.
    let any_vendor = result.rows.iter().any(|c| c.vendor_id.is_some()) || params.vendor.is_some();
    let any_assignee =
        result.rows.iter().any(|c| c.assignee_id.is_some()) || params.assignee.is_some();
    let shown = |c: &&spec::Column| {
        let sorted = c.sort == Some(sort);
        let has_values = match c.key {
            "vendor" => any_vendor,
            "assignee" => any_assignee,
            _ => true,
        };
        (show_dates || !c.optional || sorted) && (has_values || sorted)
    };
    let heads = COLUMNS
        .iter()
        .filter(shown)
        .map(|c| {
            let key = c.sort.unwrap_or(sort);
            let current = key == sort;
            // The first click sorts text A→Z and numbers and times largest first.
            let natural_desc = c.numeric || matches!(c.key, "last_message" | "created" | "updated");
            let next_desc = if current { !descending } else { natural_desc };
            let mut p = params.first_page();
            p.sort = Some((key, next_desc));
            Head {
                label: c.label,
                key: c.key,
                href: p.href(&list_root),
                sorted: match (current, descending) {
                    (false, _) => "",
                    (true, true) => "descending",
                    (true, false) => "ascending",
                },
                numeric: c.numeric,
            }
        })
        .collect();

    let now = crate::store::now();
    let filter_link = |param: &str, value: &str| {
        let mut p = params.first_page();
        match param {
            "customer" => p.customer = Some(value.to_owned()),
            "vendor" => p.vendor = Some(value.to_owned()),
            "product" => p.product = Some(value.to_owned()),
            "status" => {
                if let Ok(status) = value.parse::<Status>() {
                    p.status = vec![status];
                }
            }
            _ => {}
        }
        p.href(&list_root)
    };
    let rows = result
        .rows
        .iter()
        .map(|c| {
            let links = CellLinks {
                filter: &filter_link,
                change: format!("{base}/{}/change/", c.id),
                now,
            };
            Row {
                id: c.id,
                subject: c.subject.clone(),
                cells: COLUMNS
                    .iter()
                    .filter(shown)
                    .map(|col| (col.key, col.label, col.numeric, spec::cell(col, c, &links)))
                    .collect(),
                change_href: links.change.clone(),
                preview_href: format!("{base}/{}/preview/", c.id),
                delete_href: format!("{base}/{}/delete/", c.id),
                unread: c.unread_for_admin > 0,
            }
        })
        .collect();

    let page_link = |after: Option<String>, before: Option<String>| {
        let mut p = params.first_page();
        p.after = after;
        p.before = before;
        p.href(&list_root)
    };
    let statuses = Status::ALL
        .into_iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.label().into(),
            checked: params.status.contains(&s),
        })
        .collect();
    let read_choices = [
        ("", "All", None),
        ("unread", "Unread", Some(false)),
        ("read", "Read", Some(true)),
    ]
    .into_iter()
    .map(|(value, label, read)| Choice {
        value: value.into(),
        label: label.into(),
        checked: params.read == read,
    })
    .collect();
    let mut assignee_choices: Vec<Choice> = [("", "Anyone"), ("me", "Me"), ("none", "Unassigned")]
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.into(),
            label: label.into(),
            checked: params.assignee.as_deref().unwrap_or("") == value,
        })
        .collect();
    if let Some(other) = params
        .assignee
        .as_deref()
        .filter(|a| !matches!(*a, "me" | "none"))
    {
        assignee_choices.push(Choice {
            value: other.into(),
            label: format!("Staff {other}"),
            checked: true,
        });
    }
    // The filter form is a GET form: carry what it does not show.
    let mut hidden = Vec::new();
    if let Some((key, desc)) = params.sort {
        hidden.push((
            "o",
            format!("{}{}", if desc { "-" } else { "" }, key.name()),
        ));
    }
    if let Some(n) = params.per_page {
        hidden.push(("per_page", n.to_string()));
    }
    for (name, value) in [
        ("customer", &params.customer),
        ("vendor", &params.vendor),
        ("product", &params.product),
    ] {
        if let Some(value) = value {
            hidden.push((name, value.clone()));
        }
    }
    let list_href = params.href(&list_root);
    let content = ListPage {
        staff: actor.is_staff(),
        base,
        csrf: csrf::token(&chat.config().secret, actor),
        q: &params.q,
        search_hint: format!("Search {}", spec::SEARCH_FIELDS.join(", ")),
        heads,
        rows,
        statuses,
        read_choices,
        assignee_choices,
        has_unread: params.has_unread,
        recent: params.recent,
        customer_chip,
        customer_q: &params.customer_q,
        customer_matches,
        hidden,
        clear_href: params.is_filtered().then(|| {
            let mut p = ListParams {
                sort: params.sort,
                per_page: params.per_page,
                ..ListParams::default()
            };
            p.after = None;
            p.href(&list_root)
        }),
        chips,
        actions: &ACTIONS,
        next_href: result
            .next
            .as_ref()
            .map(|k| page_link(Some(encode_cursor(k)), None)),
        previous_href: result
            .previous
            .as_ref()
            .map(|k| page_link(None, Some(encode_cursor(k)))),
        first_href: result.previous.as_ref().map(|_| page_link(None, None)),
        page_sizes: PAGE_SIZES
            .into_iter()
            .map(|n| Choice {
                value: n.to_string(),
                label: n.to_string(),
                checked: params.per_page() == n,
            })
            .collect(),
        show_dates,
        dates_href: format!(
            "{base}/columns/?dates={}&next={}",
            if show_dates { 0 } else { 1 },
            urlencoding::encode(&list_href)
        ),
        flash: flash::take(page.req),
        filtered: params.is_filtered(),
        unread_total: badge_text(unread_total),
        dead_mail,
        list_href,
    };
    Ok(page.render(StatusCode::OK, "Conversations", &content).await)
}

#[derive(Deserialize)]
pub(super) struct DatesQuery {
    dates: Option<u8>,
    next: Option<String>,
}

/// Shows or hides the Created and Updated columns and remembers the choice.
pub(super) async fn toggle_dates(
    chat: web::Data<Storechat>,
    query: web::Query<DatesQuery>,
) -> HttpResponse {
    let base = &chat.config().routes.admin;
    // Only ever go back into the list: never an open redirect.
    let next = query
        .next
        .as_deref()
        .filter(|n| n.starts_with(&format!("{base}/")))
        .map(str::to_owned);
    let cookie = Cookie::build(DATES_COOKIE, if query.dates == Some(1) { "1" } else { "0" })
        .path(base.to_owned())
        .same_site(SameSite::Lax)
        .max_age(Duration::days(365))
        .finish();
    HttpResponse::SeeOther()
        .insert_header(("Location", next.unwrap_or_else(|| format!("{base}/"))))
        .cookie(cookie)
        .finish()
}

/// `{"unread": n}`: the admin nav badge, from one indexed sum.
pub(super) async fn badge(chat: web::Data<Storechat>, SignedIn(actor): SignedIn) -> HttpResponse {
    match chat.service().unread_for_admin(&actor).await {
        Ok(unread) => HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(serde_json::json!({ "unread": unread, "badge": badge_text(unread) })),
        Err(e) => HttpResponse::build(e.http_status())
            .json(serde_json::json!({"error": e.code(), "message": e.to_string()})),
    }
}
