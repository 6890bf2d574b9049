//! Operations of the admin panels: the filtered list, assignment, priority,
//! removing a message. Staff only (vendors see their own conversations in
//! the list).

use super::{ChatService, load_for_write, require_all};
use crate::domain::{Actor, ConversationId, MessageId, Role, Side, ValidationError};
use crate::error::ChatError;
use crate::events::ChatEvent;
use crate::store::admin_list::{self, AdminFilter, Keyset, PageAt, SortKey};
use crate::store::{self, Conversation, Message};

/// What the admin list shows: filters, sort and page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminQuery {
    /// Filters and search.
    pub filter: AdminFilter,
    /// Sort column.
    pub sort: SortKey,
    /// Newest / largest first.
    pub descending: bool,
    /// Which page.
    pub page: PageAt,
    /// Rows per page (1 to 500).
    pub per_page: i64,
}

impl Default for AdminQuery {
    fn default() -> Self {
        AdminQuery {
            filter: AdminFilter::default(),
            sort: SortKey::LastMessage,
            descending: true,
            page: PageAt::First,
            per_page: 50,
        }
    }
}

/// A page of the admin list.
#[derive(Debug, Clone)]
pub struct AdminPage {
    /// The rows.
    pub rows: Vec<Conversation>,
    /// The cursor of the next page, when there is one.
    pub next: Option<Keyset>,
    /// The cursor of the previous page, when there is one.
    pub previous: Option<Keyset>,
}

/// Who a conversation goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignment {
    /// The acting member of staff.
    ToMe,
    /// Nobody.
    Nobody,
}

/// How urgent a conversation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Priority {
    /// Can wait.
    Low,
    /// The default.
    Normal,
    /// Soon.
    High,
    /// Now.
    Urgent,
}

impl Priority {
    /// Every priority, lowest first.
    pub const ALL: [Priority; 4] = [
        Priority::Low,
        Priority::Normal,
        Priority::High,
        Priority::Urgent,
    ];

    /// The stored number.
    pub fn value(self) -> i32 {
        match self {
            Priority::Low => -1,
            Priority::Normal => 0,
            Priority::High => 1,
            Priority::Urgent => 2,
        }
    }

    /// The priority of a stored number (out-of-range numbers are clamped).
    pub fn from_value(value: i32) -> Priority {
        match value {
            i32::MIN..=-1 => Priority::Low,
            0 => Priority::Normal,
            1 => Priority::High,
            _ => Priority::Urgent,
        }
    }

    /// The form and URL name.
    pub fn name(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// The label.
    pub fn label(self) -> &'static str {
        match self {
            Priority::Low => "Low",
            Priority::Normal => "Normal",
            Priority::High => "High",
            Priority::Urgent => "Urgent",
        }
    }

    /// Reads the form name.
    pub fn parse(name: &str) -> Result<Priority, ValidationError> {
        Priority::ALL
            .into_iter()
            .find(|p| p.name() == name.trim())
            .ok_or_else(|| ValidationError::new("priority", "Choose low, normal, high or urgent."))
    }
}

fn staff_only(actor: &Actor, what: &'static str) -> Result<(), ChatError> {
    if actor.is_staff() {
        Ok(())
    } else {
        Err(ChatError::Forbidden(what))
    }
}

impl ChatService {
    /// A page of the admin list. Staff see every conversation; vendors only
    /// those about their products; customers are refused. One query per page.
    pub async fn admin_list(
        &self,
        actor: &Actor,
        mut query: AdminQuery,
    ) -> Result<AdminPage, ChatError> {
        match actor.role {
            Role::Staff => {}
            Role::Vendor => query.filter.vendor_id = Some(actor.id.clone()),
            Role::Customer => {
                return Err(ChatError::Forbidden(
                    "The conversation list is for the store's staff.",
                ));
            }
        }
        let per_page = query.per_page.clamp(1, 500);
        self.db
            .read(move |conn| {
                let rows = admin_list::page(
                    conn,
                    &query.filter,
                    query.sort,
                    query.descending,
                    &query.page,
                    per_page,
                )?;
                let cursor = |c: &Conversation| Keyset {
                    value: query.sort.value_of(c),
                    id: c.id,
                };
                Ok::<_, ChatError>(AdminPage {
                    next: rows
                        .more_after
                        .then(|| rows.rows.last().map(cursor))
                        .flatten(),
                    previous: rows
                        .more_before
                        .then(|| rows.rows.first().map(cursor))
                        .flatten(),
                    rows: rows.rows,
                })
            })
            .await
    }

    /// Conversations by id for an export, in the order asked; every id must
    /// exist.
    pub async fn conversations_by_id(
        &self,
        actor: &Actor,
        ids: &[ConversationId],
    ) -> Result<Vec<Conversation>, ChatError> {
        staff_only(actor, "Only staff can export conversations.")?;
        let wanted = super::distinct_ids(ids)?;
        let order: Vec<ConversationId> = ids.to_vec();
        let mut found = self.db.read(move |conn| require_all(conn, &wanted)).await?;
        found.sort_by_key(|c| order.iter().position(|id| *id == c.id));
        Ok(found)
    }

    /// Assigns conversations to the acting member of staff, or to nobody, in
    /// one transaction: all exist or nothing changes.
    pub async fn assign(
        &self,
        actor: &Actor,
        ids: &[ConversationId],
        to: Assignment,
    ) -> Result<Vec<Conversation>, ChatError> {
        staff_only(actor, "Only staff can assign conversations.")?;
        let (by, ids) = (actor.clone(), super::distinct_ids(ids)?);
        let updated = self
            .db
            .write(move |conn| {
                require_all(conn, &ids)?;
                let assignee = match to {
                    Assignment::ToMe => Some((by.id.as_str(), by.name.as_str())),
                    Assignment::Nobody => None,
                };
                let mut updated = Vec::new();
                for id in ids {
                    load_for_write(conn, &by, id)?;
                    updated.push(store::conversations::set_assignee(
                        conn,
                        id,
                        assignee,
                        store::now(),
                    )?);
                }
                Ok::<_, ChatError>(updated)
            })
            .await?;
        for conversation in &updated {
            self.events.publish(ChatEvent::ConversationUpdated {
                conversation: conversation.clone(),
            });
        }
        Ok(updated)
    }

    /// Sets a conversation's priority.
    pub async fn set_priority(
        &self,
        actor: &Actor,
        conversation_id: ConversationId,
        priority: Priority,
    ) -> Result<Conversation, ChatError> {
        staff_only(actor, "Only staff can set a conversation's priority.")?;
        let by = actor.clone();
        let updated = self
            .db
            .write(move |conn| {
                load_for_write(conn, &by, conversation_id)?;
                Ok::<_, ChatError>(store::conversations::set_priority(
                    conn,
                    conversation_id,
                    priority.value(),
                    store::now(),
                )?)
            })
            .await?;
        self.events.publish(ChatEvent::ConversationUpdated {
            conversation: updated.clone(),
        });
        Ok(updated)
    }

    /// Removes an inappropriate message: the row stays (who removed it and
    /// when), its text is no longer shown, and unread counters forget it.
    pub async fn remove_message(
        &self,
        actor: &Actor,
        conversation_id: ConversationId,
        message_id: MessageId,
    ) -> Result<(Conversation, Message), ChatError> {
        staff_only(actor, "Only staff can remove messages.")?;
        self.remove_as(actor, conversation_id, message_id).await
    }

    /// Removes a message once the caller has checked that `actor` may.
    pub(crate) async fn remove_as(
        &self,
        actor: &Actor,
        conversation_id: ConversationId,
        message_id: MessageId,
    ) -> Result<(Conversation, Message), ChatError> {
        let by = actor.clone();
        let (conversation, message) = self
            .db
            .write(move |conn| {
                let conversation = load_for_write(conn, &by, conversation_id)?;
                let message = store::messages::find(conn, message_id)?
                    .filter(|m| {
                        m.conversation_id == conversation_id && m.sender_side != Side::System
                    })
                    .ok_or(ChatError::MessageNotFound)?;
                if message.is_deleted() {
                    return Ok((conversation, message));
                }
                let now = store::now();
                let message = store::messages::mark_removed(conn, message_id, &by.id, now)?;
                let unread_admin = store::messages::count_after(
                    conn,
                    conversation_id,
                    conversation.admin_read_up_to,
                    &[Side::Customer],
                )?;
                let unread_user = store::messages::count_after(
                    conn,
                    conversation_id,
                    conversation.user_read_up_to,
                    &[Side::Staff, Side::Vendor],
                )?;
                let was_last = conversation.last_message_id == Some(message_id);
                let conversation = store::conversations::set_counters_after_removal(
                    conn,
                    conversation_id,
                    i32::try_from(unread_admin).unwrap_or(i32::MAX),
                    i32::try_from(unread_user).unwrap_or(i32::MAX),
                    was_last.then_some("This message was removed."),
                    now,
                )?;
                Ok::<_, ChatError>((conversation, message))
            })
            .await?;
        self.events.publish(ChatEvent::MessageRemoved {
            conversation: conversation.clone(),
            message: message.clone(),
        });
        Ok((conversation, message))
    }
}
