//! `GET inbox/` — the page itself. Opening a conversation (`?c={id}`) on
//! its newest page reads it, as the change view does; `before`, `reply_to`
//! and `edit` are the no-JS forms of "load earlier", "reply" and "edit".

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::super::flash::{self, Flash};
use super::super::spec::status_class;
use super::super::store_side;
use super::info::{self, InfoView};
use super::rows::{self, RowView};
use super::thread::{Composer, MessageView, QuoteView, ReactionChoice, reaction_menu};
use super::{InboxParams, MESSAGES_PER_PAGE};
use crate::Storechat;
use crate::adapter::PageArea;
use crate::domain::{Actor, ClientMsgId};
use crate::error::ChatError;
use crate::store::{Conversation, Message};
use crate::web::SignedIn;
use crate::web::csrf;
use crate::web::page::Page;

/// The open conversation and what surrounds it.
struct Open {
    c: Conversation,
    status_class: &'static str,
    messages: Vec<MessageView>,
    earlier_href: Option<String>,
    newest_href: Option<String>,
    composer: Composer,
    info: InfoView,
    initial: String,
}

#[derive(Template)]
#[template(path = "conversation_inbox.html")]
struct InboxPage<'a> {
    base: &'a str,
    assets: &'a str,
    version: &'static str,
    me: &'a str,
    csrf: String,
    q: &'a str,
    unread_only: bool,
    /// This page's URL without one-off parameters: where forms come back to.
    here: String,
    /// The list alone (the way back on a phone).
    list_href: String,
    unread_href: String,
    /// The whole list again (shown only while it is narrowed).
    clear_href: String,
    rows: Vec<RowView>,
    more_href: Option<String>,
    more_after: Option<String>,
    open: Option<Open>,
    flash: Option<Flash>,
    reactions: Vec<ReactionChoice>,
    /// Staff set statuses; a vendor answers.
    staff: bool,
}

/// A refused reply, shown again in the box with the reason.
pub(super) struct Draft {
    pub text: String,
    pub error: String,
}

pub(super) async fn show(
    req: HttpRequest,
    chat: web::Data<Storechat>,
    SignedIn(actor): SignedIn,
) -> HttpResponse {
    let page = Page::new(&req, &chat, &actor, PageArea::AdminConversations);
    let params = InboxParams::parse(req.query_string());
    let result = render(&page, &params, None, StatusCode::OK).await;
    let mut response = page.outcome(result).await;
    flash::clear(&mut response);
    response
}

/// One message of a conversation the actor may see, wherever it is in the
/// history: the first message after the one before it.
async fn message_of(
    chat: &Storechat,
    actor: &Actor,
    conversation_id: i64,
    message_id: i64,
) -> Result<Option<Message>, ChatError> {
    let (_, messages, _) = chat
        .service()
        .messages_after(actor, conversation_id, message_id - 1, 1)
        .await?;
    Ok(messages.into_iter().find(|m| m.id == message_id))
}

/// The inbox as `params` asks for it; `draft` puts a refused reply back in
/// the box.
pub(super) async fn render(
    page: &Page<'_>,
    params: &InboxParams,
    draft: Option<Draft>,
    status: StatusCode,
) -> Result<HttpResponse, ChatError> {
    store_side(page.actor)?;
    let (chat, actor) = (page.chat, page.actor);
    let base = chat.config().routes.admin.as_str();
    let open = match params.open {
        Some(id) => Some(open(chat, actor, params, id, draft).await?),
        None => None,
    };
    // After the open conversation was read, so that its row counts 0.
    let list = rows::load(chat, actor, params).await?;
    let title = open.as_ref().map_or_else(
        || "Inbox".to_owned(),
        |o| format!("{} · Inbox", o.c.subject),
    );
    let content = InboxPage {
        staff: page.actor.is_staff(),
        base,
        assets: chat.config().routes.assets.as_str(),
        version: env!("CARGO_PKG_VERSION"),
        me: &actor.id,
        csrf: csrf::token(&chat.config().secret, actor),
        q: &params.q,
        unread_only: params.unread,
        here: params.href(base, params.open),
        list_href: params.href(base, None),
        unread_href: params.toggled_href(base),
        clear_href: InboxParams::default().href(base, params.open),
        more_href: list.next.as_ref().map(|after| {
            InboxParams {
                after: Some(after.clone()),
                ..params.clone()
            }
            .href(base, params.open)
        }),
        more_after: list.next,
        rows: list.rows,
        open,
        flash: flash::take(page.req),
        reactions: reaction_menu(),
    };
    Ok(page.render(status, &title, &content).await)
}

async fn open(
    chat: &Storechat,
    actor: &Actor,
    params: &InboxParams,
    id: i64,
    draft: Option<Draft>,
) -> Result<Open, ChatError> {
    let service = chat.service();
    let base = chat.config().routes.admin.as_str();
    // Opening the newest page is reading it: counters and badges drop.
    if params.before.is_none() {
        service.mark_read(actor, id, None).await?;
    }
    let history = service
        .history(actor, id, params.before, MESSAGES_PER_PAGE)
        .await?;
    let c = history.conversation;
    let info = info::load(chat, &c, actor.is_staff()).await?;
    let now = crate::store::now();
    let mut messages: Vec<MessageView> = history
        .entries
        .iter()
        .map(|entry| MessageView::new(actor, &c, entry, now))
        .collect();
    super::thread::group(&mut messages);
    let earlier_href = history
        .has_earlier
        .then(|| messages.first())
        .flatten()
        .map(|m| params.with(base, id, "before", m.id, "history"));
    let here = params.href(base, Some(id));

    // The reply box: editing one's own message, or a reply that may quote one.
    let editing = match params.edit {
        Some(mid) => message_of(chat, actor, id, mid).await?.filter(|m| {
            !m.is_deleted()
                && m.sender_side == actor.side()
                && m.sender_id.as_deref() == Some(actor.id.as_str())
        }),
        None => None,
    };
    let quoted = match (&editing, params.reply_to) {
        (None, Some(mid)) => message_of(chat, actor, id, mid)
            .await?
            .filter(|m| !m.is_deleted()),
        _ => None,
    };
    let composer = Composer {
        action: match &editing {
            Some(m) => format!("{base}/inbox/{id}/messages/{}/edit/", m.id),
            None => format!("{base}/inbox/{id}/reply/"),
        },
        editing: editing.as_ref().map(|m| m.id),
        quote: quoted.as_ref().map(QuoteView::of),
        cancel_href: format!("{here}#composer"),
        draft: match (&draft, &editing) {
            (Some(d), _) => d.text.clone(),
            (None, Some(m)) => m.body.clone(),
            (None, None) => String::new(),
        },
        error: draft.map(|d| d.error),
        client_msg_id: ClientMsgId::random().to_string(),
    };
    Ok(Open {
        status_class: status_class(c.status),
        initial: super::rows::initial(&c.customer_name),
        newest_href: params.before.map(|_| format!("{here}#history")),
        messages,
        earlier_href,
        composer,
        info,
        c,
    })
}
