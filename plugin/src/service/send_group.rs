//! Sends as the database writer runs them: every send waiting in a batch
//! at once, with set-based statements.
//!
//! Under load most of a send's cost was per statement (building, binding,
//! a round trip to PostgreSQL, a savepoint each), not per row. A group
//! reads and locks its conversations with one statement (the batch's only
//! lock when the group is the whole batch), reads the quoted messages with
//! one, inserts its messages and notifications with one statement each on
//! PostgreSQL (one cached statement per row on SQLite, where statements
//! cost no round trip) and writes each conversation's row once.
//!
//! Retries (a client id its writer already used) are found by the insert
//! itself, which skips them: alone, a send that turns out to be a retry is
//! answered with its first try; in a group, the group runs again one send
//! at a time. Only a send that would be refused is checked for an earlier
//! try first (a retry is answered even where a new message would not be). The outcome is the same as sending
//! the messages one after another in the order they were queued: the
//! writer checks nothing here is refused half-way (a refused send writes
//! nothing), and a statement that fails sends the whole group back to run
//! one send at a time (`store::GroupWrite`).

use std::collections::{HashMap, HashSet};

use super::send::{SendMessage, Sent, replay, status_after_message};
use super::{authorize_view, inbox_of, inbox_of_other_side, new_message_notification};
use crate::domain::{Actor, MessageId, Side, Status, preview_text};
use crate::error::ChatError;
use crate::mail::MailQueue;
use crate::store::messages::NewMessage;
use crate::store::notifications::Inbox;
use crate::store::{
    self, AnyConnection, Conversation, GroupWrite, Message, MessageKind, StoreError,
};

/// One send, queued for the writer.
pub(crate) struct SendJob {
    /// Who writes.
    pub writer: Actor,
    /// Where.
    pub conversation_id: i64,
    /// What.
    pub input: SendMessage,
    /// The e-mail queue (on or off, and the delay).
    pub mail: MailQueue,
}

/// What a group decided for one send before writing anything.
enum Plan {
    Refused(ChatError),
    Replay(Message),
    New(Status),
}

/// Sends, run together by the writer.
pub(crate) struct SendGroup;

impl GroupWrite for SendGroup {
    type Input = SendJob;
    type Output = Sent;
    type Error = ChatError;

    const LOCKS_OWN_ROWS: bool = true;

    fn run(
        conn: &mut AnyConnection,
        jobs: &[&SendJob],
    ) -> Result<Vec<Result<Sent, ChatError>>, ChatError> {
        let now = store::now();
        let mut conversations = load_conversations(conn, jobs)?;
        check_client_ids_distinct(jobs)?;
        let quoted = quoted_conversations(conn, jobs)?;

        // Decide every send first, in order, as if each ran alone: the
        // status each one sees is the one the previous sends left.
        let before: HashMap<i64, Status> = conversations
            .iter()
            .map(|(id, c)| (*id, c.status))
            .collect();
        let mut earlier = HashMap::new();
        let mut plans = decide_all(jobs, &conversations, &earlier, &quoted, &before);
        let refused_retry = jobs.iter().zip(&plans).any(|(job, plan)| {
            matches!(plan, Plan::Refused(_)) && job.input.client_msg_id.is_some()
        });
        if refused_retry {
            earlier = earlier_messages(conn, jobs)?;
            plans = decide_all(jobs, &conversations, &earlier, &quoted, &before);
        }
        let mut rows = Vec::new();
        for (job, plan) in jobs.iter().zip(&plans) {
            if let Plan::New(_) = plan {
                rows.push(NewMessage {
                    conversation_id: job.conversation_id,
                    sender_id: Some(job.writer.id.clone()),
                    sender_side: job.writer.side().as_str().to_owned(),
                    sender_name: job.writer.name.clone(),
                    kind: MessageKind::Text.as_str().to_owned(),
                    body: job.input.body.as_str().to_owned(),
                    reply_to_id: job.input.reply_to,
                    client_msg_id: job
                        .input
                        .client_msg_id
                        .as_ref()
                        .map(|c| c.as_str().to_owned()),
                    created_at: now,
                });
            }
        }

        let inserted = store::messages::insert_unless_retried(conn, &rows)?;
        if inserted.iter().any(Option::is_none) {
            return match jobs {
                // Nothing is written yet: answer with the first try.
                [job] => Ok(vec![replay_alone(conn, job, &conversations)?]),
                // Later sends were decided as if this one were new: the
                // writer runs the group again one send at a time.
                _ => Err(StoreError::Unavailable(
                    "a retry came in a group; its sends run one by one".into(),
                )
                .into()),
            };
        }
        let mut inserted = inserted.into_iter().flatten();
        let mut outcomes = Vec::with_capacity(jobs.len());
        let mut touched: Vec<i64> = Vec::new();
        let mut notifications = Vec::new();
        let mut emails: Vec<(i64, Side, MessageId, chrono::NaiveDateTime)> = Vec::new();
        let mut read_up_to: Vec<(Inbox, i64, MessageId)> = Vec::new();
        for (job, plan) in jobs.iter().zip(plans) {
            let id = job.conversation_id;
            let outcome = match plan {
                Plan::Refused(e) => Err(e),
                Plan::Replay(message) => match conversations.get(&id) {
                    Some(c) => replay(id, c.clone(), message),
                    None => Err(ChatError::ConversationNotFound),
                },
                Plan::New(status) => {
                    let (Some(message), Some(conversation)) =
                        (inserted.next(), conversations.get_mut(&id))
                    else {
                        return Err(
                            StoreError::Unavailable("a sent message went missing".into()).into(),
                        );
                    };
                    let side = job.writer.side();
                    store::conversations::apply_message(
                        conversation,
                        message.id,
                        side,
                        &preview_text(&message.body, 140),
                        status,
                        now,
                    );
                    if !touched.contains(&id) {
                        touched.push(id);
                    }
                    notifications.push(new_message_notification(conversation, &message, false));
                    if job.mail.is_on() {
                        let recipient = inbox_of_other_side(conversation, side).side;
                        emails.push((id, recipient, message.id, job.mail.due(message.created_at)));
                    }
                    // Answering means the writer has seen what they answer.
                    let inbox = inbox_of(&job.writer);
                    match read_up_to
                        .iter_mut()
                        .find(|(i, c, _)| *c == id && *i == inbox)
                    {
                        Some(entry) => entry.2 = message.id,
                        None => read_up_to.push((inbox, id, message.id)),
                    }
                    Ok(Sent {
                        conversation: conversation.clone(),
                        message,
                        created: true,
                    })
                }
            };
            outcomes.push(outcome);
        }

        let activity: Vec<(&Conversation, Status)> = touched
            .iter()
            .filter_map(|id| Some((conversations.get(id)?, *before.get(id)?)))
            .collect();
        store::send_writes::write(
            conn,
            store::send_writes::AfterMessages {
                activity,
                notifications,
                read_up_to,
                now,
            },
        )?;
        queue_emails(conn, &touched, &emails, now)?;
        // Last: what the group wrote is what its next batch would read.
        store::written_rows::keep(conn, conversations.values())?;
        Ok(outcomes)
    }
}

/// The group's conversations by id, their rows locked in id order on
/// PostgreSQL (see `GroupWrite::LOCKS_OWN_ROWS`; SQLite's write transaction
/// is exclusive), or as the SQLite writer kept them from its last sends
/// when nothing changed since (`store::written_rows`).
fn load_conversations(
    conn: &mut AnyConnection,
    jobs: &[&SendJob],
) -> Result<HashMap<i64, Conversation>, StoreError> {
    let mut ids: Vec<i64> = jobs.iter().map(|j| j.conversation_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let found = store::written_rows::conversations_for_write(conn, &ids)?;
    Ok(found.into_iter().map(|c| (c.id, c)).collect())
}

/// Refuses a group in which one writer's client id comes twice (a retry
/// racing its first try): one by one, the second finds the first.
fn check_client_ids_distinct(jobs: &[&SendJob]) -> Result<(), StoreError> {
    let mut pairs = HashSet::new();
    for job in jobs {
        if let Some(client_id) = &job.input.client_msg_id
            && !pairs.insert((job.writer.id.as_str(), client_id.as_str()))
        {
            return Err(StoreError::Unavailable(
                "a client id came twice in one group".into(),
            ));
        }
    }
    Ok(())
}

/// Decides every send in order, as if each ran alone: the status each one
/// sees is the one the previous sends left.
fn decide_all(
    jobs: &[&SendJob],
    conversations: &HashMap<i64, Conversation>,
    earlier: &HashMap<(String, String), Message>,
    quoted: &HashMap<MessageId, i64>,
    before: &HashMap<i64, Status>,
) -> Vec<Plan> {
    let mut statuses = before.clone();
    jobs.iter()
        .map(|job| decide(job, conversations, earlier, quoted, &mut statuses))
        .collect()
}

/// A lone send whose insert found its client id taken: the answer is the
/// first try.
fn replay_alone(
    conn: &mut AnyConnection,
    job: &SendJob,
    conversations: &HashMap<i64, Conversation>,
) -> Result<Result<Sent, ChatError>, ChatError> {
    let first_try = match &job.input.client_msg_id {
        Some(client_id) => {
            store::messages::find_by_client_id(conn, &job.writer.id, client_id.as_str())?
        }
        None => None,
    };
    match (first_try, conversations.get(&job.conversation_id)) {
        (Some(message), Some(conversation)) => {
            Ok(replay(job.conversation_id, conversation.clone(), message))
        }
        _ => Err(StoreError::Unavailable("a retried message went missing".into()).into()),
    }
}

/// The messages the group's retries already stored, by (writer, client id).
fn earlier_messages(
    conn: &mut AnyConnection,
    jobs: &[&SendJob],
) -> Result<HashMap<(String, String), Message>, StoreError> {
    let pairs: HashSet<(&str, &str)> = jobs
        .iter()
        .filter_map(|job| {
            let client_id = job.input.client_msg_id.as_ref()?;
            Some((job.writer.id.as_str(), client_id.as_str()))
        })
        .collect();
    if pairs.is_empty() {
        return Ok(HashMap::new());
    }
    let list: Vec<(&str, &str)> = pairs.iter().copied().collect();
    let found = store::messages::find_by_client_ids(conn, &list)?;
    Ok(found
        .into_iter()
        .filter_map(|m| {
            let key = (m.sender_id.clone()?, m.client_msg_id.clone()?);
            pairs
                .contains(&(key.0.as_str(), key.1.as_str()))
                .then_some((key, m))
        })
        .collect())
}

/// The conversation of every message the group quotes.
fn quoted_conversations(
    conn: &mut AnyConnection,
    jobs: &[&SendJob],
) -> Result<HashMap<MessageId, i64>, StoreError> {
    let ids: Vec<MessageId> = jobs.iter().filter_map(|j| j.input.reply_to).collect();
    Ok(store::messages::conversations_of(conn, &ids)?
        .into_iter()
        .collect())
}

/// What one send does, checked in the order a send alone checks it.
fn decide(
    job: &SendJob,
    conversations: &HashMap<i64, Conversation>,
    earlier: &HashMap<(String, String), Message>,
    quoted: &HashMap<MessageId, i64>,
    statuses: &mut HashMap<i64, Status>,
) -> Plan {
    let id = job.conversation_id;
    let Some(conversation) = conversations.get(&id) else {
        return Plan::Refused(ChatError::ConversationNotFound);
    };
    if let Err(e) = authorize_view(&job.writer, conversation) {
        return Plan::Refused(e);
    }
    if let Some(client_id) = &job.input.client_msg_id
        && let Some(message) = earlier.get(&(job.writer.id.clone(), client_id.as_str().to_owned()))
    {
        return Plan::Replay(message.clone());
    }
    let current = statuses.get(&id).copied().unwrap_or(conversation.status);
    let status = match status_after_message(current, job.writer.side()) {
        Ok(status) => status,
        Err(e) => return Plan::Refused(e),
    };
    if let Some(reply_to) = job.input.reply_to
        && quoted.get(&reply_to) != Some(&id)
    {
        return Plan::Refused(ChatError::MessageNotFound);
    }
    statuses.insert(id, status);
    Plan::New(status)
}

/// Queues the e-mail for each conversation and side that has none waiting
/// (a waiting one will recap these messages too).
fn queue_emails(
    conn: &mut AnyConnection,
    conversation_ids: &[i64],
    emails: &[(i64, Side, MessageId, chrono::NaiveDateTime)],
    now: chrono::NaiveDateTime,
) -> Result<(), StoreError> {
    if emails.is_empty() {
        return Ok(());
    }
    let mut waiting: HashSet<(i64, String)> = store::outbox::pending_for(conn, conversation_ids)?
        .into_iter()
        .collect();
    for (conversation_id, recipient, first_message_id, due) in emails {
        if waiting.insert((*conversation_id, recipient.as_str().to_owned())) {
            store::outbox::enqueue(
                conn,
                *conversation_id,
                *recipient,
                "replies",
                *first_message_id,
                *due,
                now,
            )?;
        }
    }
    Ok(())
}
