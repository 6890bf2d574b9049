//! Several processes on one PostgreSQL database: committed events cross
//! processes through `LISTEN`/`NOTIFY` on the channel [`CHANNEL`].
//!
//! - **Sending.** A task subscribed to the event bus turns each event into a
//!   small JSON [`Notice`] (an instance id, the kind and ids only, never
//!   text) and sends it with `pg_notify` on a pooled connection, in a
//!   statement of its own *after* the event's transaction has committed:
//!   `NOTIFY` inside a transaction takes a database-wide lock at commit that
//!   would serialize every message transaction. Typing frames relayed by a
//!   connection go the same way ([`Fanout::relay`]).
//! - **Only when someone listens.** A process sends its notices only while
//!   another process on the same tables is known to listen ([`Peers`]): a
//!   lone process (the common install) would pay a statement, a transaction
//!   and the wake-up of its own listener for every batch of events, for
//!   nobody: on a 2-core machine at 1,000 msg/s, PostgreSQL's processes
//!   used 0.95–0.98 cores with them and 0.85–0.91 without, the plugin's
//!   0.52–0.54 and 0.47–0.49. A listener announces itself when
//!   it connects (`hello`, which every other process answers with `here`)
//!   and every 30 s after (`here`); any notice of another process counts
//!   too, and a process not heard of for [`PEER_TTL`] is forgotten.
//! - **Receiving.** One task per process holds a dedicated tokio-postgres
//!   connection that `LISTEN`s, reconnecting with backoff when it drops.
//!   Notices of another instance on the same tables are turned back into
//!   [`ChatEvent`]s by reading the rows they name, then handed to the local
//!   [`Hub::dispatch`] only: the host's `on_event` hook already ran in the
//!   process where the change happened, and this process's own notices are
//!   skipped (it dispatched them locally).
//!
//! Delivery across processes is at most once, while the listener is
//! connected; a client that reconnects reloads or resumes. On SQLite (one
//! process) none of this runs. See "Several processes" in `docs/PROTOCOL.md`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};
use tokio_postgres::{AsyncMessage, NoTls};

use super::hub::{Audience, Hub};
use crate::domain::{ConversationId, MessageId, Side, Status};
use crate::events::ChatEvent;
use crate::service::ChatService;
use crate::store::{self, AnyConnection, Backend, Conversation, Db, Message, StoreError};

/// The PostgreSQL notification channel (database-wide; notices carry the
/// id of the plugin's tables so that installs in other schemas ignore them).
pub const CHANNEL: &str = "storechat_events";

/// PostgreSQL refuses payloads of 8000 bytes or more; keep a margin for the
/// scope the sending statement adds.
const MAX_PAYLOAD: usize = 7_800;
/// Deleted conversation ids per notice: at most 20 characters each, so a
/// chunk stays far below [`MAX_PAYLOAD`].
const IDS_PER_NOTICE: usize = 200;
/// Notices sent in one statement when events come in bursts.
const BATCH: usize = 100;
/// Typing frames waiting for the sender; past this they are dropped.
const RELAY_QUEUE: usize = 1_024;
/// Notifications received but not yet dispatched; past this they are dropped
/// (and logged) rather than held in memory.
const RECEIVE_QUEUE: usize = 10_000;
const RETRY_MIN: Duration = Duration::from_millis(250);
const RETRY_MAX: Duration = Duration::from_secs(30);
/// Also how often a listening process says it is still there (`here`).
const KEEPALIVE: Duration = Duration::from_secs(30);
/// A process not heard of for this long (three missed `here`s and more) no
/// longer gets notices.
pub const PEER_TTL: Duration = Duration::from_secs(100);
const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends one notice per payload, after commit, in its own tiny transaction,
/// and counts them. The scope is the oid of this search path's
/// conversations table: the same for every process on these tables,
/// different for another schema. The notices are sent in a `WITH` clause:
/// one with a volatile function is always run in full, so counting its rows
/// cannot skip the calls, and a statement with a result can be loaded (see
/// `CacheBySql`).
const NOTIFY_SQL: &str = "WITH sent AS (SELECT pg_notify('storechat_events', \
     (jsonb_build_object('scope', 'storechat_conversations'::regclass::oid::bigint) \
     || p::jsonb)::text) FROM unnest($1::text[]) AS p) \
     SELECT count(*) AS sent FROM sent";
const SCOPE_SQL: &str = "'storechat_conversations'::regclass::oid::bigint";

/// The kinds of notices. A kind this process does not know (sent by a newer
/// version during a rolling deploy) is logged at debug and skipped.
mod kind {
    pub const CONVERSATION_OPENED: &str = "conversation_opened";
    pub const MESSAGE_CREATED: &str = "message_created";
    pub const STATUS_CHANGED: &str = "status_changed";
    pub const CONVERSATION_READ: &str = "conversation_read";
    pub const CONVERSATION_UPDATED: &str = "conversation_updated";
    pub const MESSAGE_REMOVED: &str = "message_removed";
    pub const CONVERSATIONS_DELETED: &str = "conversations_deleted";
    pub const MESSAGE_EDITED: &str = "message_edited";
    /// A frame relayed to a conversation's audience (typing).
    pub const RELAY: &str = "relay";
    /// A listener has just connected: every other process answers `here`.
    pub const HELLO: &str = "hello";
    /// A listening process, in answer to a `hello` and every 30 s.
    pub const HERE: &str = "here";
}

/// The other processes on these tables that listen, by instance, with when
/// they were last heard of.
#[derive(Debug, Default)]
pub struct Peers(Mutex<HashMap<String, Instant>>);

impl Peers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Instant>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Another process was heard of just now.
    pub fn heard(&self, instance: &str) {
        let mut peers = self.lock();
        match peers.get_mut(instance) {
            Some(at) => *at = Instant::now(),
            None => {
                peers.insert(instance.to_owned(), Instant::now());
            }
        }
    }

    /// Whether any other process was heard of within [`PEER_TTL`]; the
    /// others are forgotten.
    pub fn any(&self) -> bool {
        let mut peers = self.lock();
        peers.retain(|_, at| at.elapsed() < PEER_TTL);
        !peers.is_empty()
    }
}

/// What crosses processes: ids, never message text. Unused fields are left
/// out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    /// The sending [`Storechat`](crate::Storechat) instance.
    pub instance: String,
    /// What happened: one of the `kind` constants.
    pub kind: String,
    /// The oid of the sender's conversations table (set by the sending SQL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<i64>,
    /// The conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationId>,
    /// The message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageId>,
    /// The status before a status change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Status>,
    /// Who read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reader: Option<Side>,
    /// Read up to this message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<MessageId>,
    /// Deleted conversations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<ConversationId>,
    /// A relayed frame's audience: the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// A relayed frame's audience: the vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// A relayed frame, as sent to clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub frame: Option<String>,
}

impl Notice {
    fn new(instance: &str, kind: &str) -> Notice {
        Notice {
            instance: instance.to_owned(),
            kind: kind.to_owned(),
            ..Notice::default()
        }
    }

    fn about(instance: &str, kind: &str, conversation: &Conversation) -> Notice {
        Notice {
            conversation: Some(conversation.id),
            ..Notice::new(instance, kind)
        }
    }

    /// The payload, or `None` (logged) when it would be too large.
    fn payload(&self) -> Option<String> {
        let payload = serde_json::to_string(self).ok()?;
        if payload.len() > MAX_PAYLOAD {
            tracing::warn!(kind = %self.kind, bytes = payload.len(), "a notice is too large for NOTIFY; other processes miss it");
            return None;
        }
        Some(payload)
    }
}

/// The notices that tell other processes about an event. Add an arm here
/// for each new [`ChatEvent`] variant, and its reverse in [`remote_of`].
pub fn notices_of(instance: &str, event: &ChatEvent) -> Vec<Notice> {
    let about = |kind, conversation| Notice::about(instance, kind, conversation);
    match event {
        ChatEvent::ConversationOpened {
            conversation,
            message,
        } => vec![Notice {
            message: Some(message.id),
            ..about(kind::CONVERSATION_OPENED, conversation)
        }],
        ChatEvent::MessageCreated {
            conversation,
            message,
        } => vec![Notice {
            message: Some(message.id),
            ..about(kind::MESSAGE_CREATED, conversation)
        }],
        ChatEvent::StatusChanged {
            conversation,
            from,
            message,
        } => vec![Notice {
            message: Some(message.id),
            from: Some(*from),
            ..about(kind::STATUS_CHANGED, conversation)
        }],
        ChatEvent::ConversationRead {
            conversation,
            reader,
            up_to,
        } => vec![Notice {
            reader: Some(*reader),
            up_to: Some(*up_to),
            ..about(kind::CONVERSATION_READ, conversation)
        }],
        ChatEvent::ConversationUpdated { conversation } => {
            vec![about(kind::CONVERSATION_UPDATED, conversation)]
        }
        ChatEvent::MessageRemoved {
            conversation,
            message,
        } => vec![Notice {
            message: Some(message.id),
            ..about(kind::MESSAGE_REMOVED, conversation)
        }],
        ChatEvent::ConversationsDeleted { ids } => ids
            .chunks(IDS_PER_NOTICE)
            .map(|ids| Notice {
                ids: ids.to_vec(),
                ..Notice::new(instance, kind::CONVERSATIONS_DELETED)
            })
            .collect(),
        ChatEvent::MessageEdited {
            conversation,
            message,
        } => vec![Notice {
            message: Some(message.id),
            ..about(kind::MESSAGE_EDITED, conversation)
        }],
        // A reaction has no row to read back that says who and what: its
        // frame crosses as it is (it carries no message text).
        ChatEvent::ReactionChanged { conversation, .. } => match super::protocol::frame_of(event) {
            Some((frame, _)) => vec![Notice {
                customer: Some(conversation.customer_id.clone()),
                vendor: conversation.vendor_id.clone(),
                frame: Some(frame),
                ..Notice::new(instance, kind::RELAY)
            }],
            None => Vec::new(),
        },
        // Variants without a mapping yet stay in this process.
        #[allow(unreachable_patterns)]
        other => {
            let kind = serde_json::to_value(other)
                .ok()
                .and_then(|v| v.get("type")?.as_str().map(str::to_owned));
            tracing::debug!(?kind, "event not sent to other processes (no mapping)");
            Vec::new()
        }
    }
}

/// What a notice from another process becomes here.
#[derive(Debug)]
pub enum Remote {
    /// An event for [`Hub::dispatch`].
    Event(Box<ChatEvent>),
    /// A frame for [`Hub::relay`].
    Relay(Audience, String),
}

/// Rebuilds what a notice describes from the rows it names. `None` when it
/// is of an unknown kind, or its rows are gone (deleted since).
pub async fn remote_of(db: &Db, notice: Notice) -> Result<Option<Remote>, StoreError> {
    let event = match notice.kind.as_str() {
        kind::RELAY => {
            return Ok(match (notice.customer, notice.frame) {
                (Some(customer_id), Some(frame)) => Some(Remote::Relay(
                    Audience {
                        customer_id,
                        vendor_id: notice.vendor,
                    },
                    frame,
                )),
                _ => None,
            });
        }
        kind::CONVERSATION_OPENED => {
            let Some((conversation, message)) = with_message(db, &notice).await? else {
                return Ok(None);
            };
            ChatEvent::ConversationOpened {
                conversation,
                message,
            }
        }
        kind::MESSAGE_CREATED => {
            let Some((conversation, message)) = with_message(db, &notice).await? else {
                return Ok(None);
            };
            ChatEvent::MessageCreated {
                conversation,
                message,
            }
        }
        kind::STATUS_CHANGED => {
            let Some(from) = notice.from else {
                return Ok(None);
            };
            let Some((conversation, message)) = with_message(db, &notice).await? else {
                return Ok(None);
            };
            ChatEvent::StatusChanged {
                conversation,
                from,
                message,
            }
        }
        kind::CONVERSATION_READ => {
            let (Some(reader), Some(up_to)) = (notice.reader, notice.up_to) else {
                return Ok(None);
            };
            let Some(conversation) = conversation(db, &notice).await? else {
                return Ok(None);
            };
            ChatEvent::ConversationRead {
                conversation,
                reader,
                up_to,
            }
        }
        kind::CONVERSATION_UPDATED => {
            let Some(conversation) = conversation(db, &notice).await? else {
                return Ok(None);
            };
            ChatEvent::ConversationUpdated { conversation }
        }
        kind::MESSAGE_REMOVED => {
            let Some((conversation, message)) = with_message(db, &notice).await? else {
                return Ok(None);
            };
            ChatEvent::MessageRemoved {
                conversation,
                message,
            }
        }
        kind::CONVERSATIONS_DELETED => ChatEvent::ConversationsDeleted { ids: notice.ids },
        kind::MESSAGE_EDITED => {
            let Some((conversation, message)) = with_message(db, &notice).await? else {
                return Ok(None);
            };
            ChatEvent::MessageEdited {
                conversation,
                message,
            }
        }
        other => {
            tracing::debug!(kind = other, "notice of an unknown kind skipped");
            return Ok(None);
        }
    };
    Ok(Some(Remote::Event(Box::new(event))))
}

/// The conversation a notice names, as it stands now.
async fn conversation(db: &Db, notice: &Notice) -> Result<Option<Conversation>, StoreError> {
    let Some(id) = notice.conversation else {
        return Ok(None);
    };
    db.read(move |conn| store::conversations::find(conn, id))
        .await
}

/// The conversation and the message a notice names, as they stand now.
async fn with_message(
    db: &Db,
    notice: &Notice,
) -> Result<Option<(Conversation, Message)>, StoreError> {
    let (Some(conversation_id), Some(message_id)) = (notice.conversation, notice.message) else {
        return Ok(None);
    };
    db.read(move |conn| {
        let conversation = store::conversations::find(conn, conversation_id)?;
        let message = store::messages::find(conn, message_id)?;
        Ok(match (conversation, message) {
            (Some(c), Some(m)) if m.conversation_id == c.id => Some((c, m)),
            _ => None,
        })
    })
    .await
}

/// This process's side of the cross-process channel. Inert on SQLite.
pub struct Fanout {
    instance: Arc<str>,
    peers: Arc<Peers>,
    relays: Option<mpsc::Sender<String>>,
    /// Taken by [`Fanout::start`].
    pending: Mutex<Option<mpsc::Receiver<String>>>,
}

impl Fanout {
    /// A fanout with a random instance id; active on PostgreSQL only.
    pub fn new(backend: Backend) -> Fanout {
        let instance: Arc<str> = Arc::from(format!("{:016x}", rand::random::<u64>()));
        let (relays, pending) = match backend {
            Backend::Postgres => {
                let (tx, rx) = mpsc::channel(RELAY_QUEUE);
                (Some(tx), Some(rx))
            }
            Backend::Sqlite => (None, None),
        };
        Fanout {
            instance,
            peers: Arc::default(),
            relays,
            pending: Mutex::new(pending),
        }
    }

    /// This instance's id, as its notices carry it.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Starts the sender and the listener (once; PostgreSQL only). `url` is
    /// the database URL the listener connects to.
    pub fn start(
        &self,
        runtime: &tokio::runtime::Handle,
        url: &str,
        service: &ChatService,
        hub: &Arc<Hub>,
    ) {
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let Some(relays) = pending else {
            return;
        };
        let db = service.db().clone();
        runtime.spawn(send(
            db.clone(),
            self.instance.clone(),
            self.peers.clone(),
            service.events().subscribe(),
            relays,
        ));
        match listener_config(url) {
            Ok(config) => {
                runtime.spawn(listen(
                    config,
                    db,
                    self.instance.clone(),
                    self.peers.clone(),
                    Arc::downgrade(hub),
                ));
            }
            Err(e) => tracing::error!(
                error = %e,
                "storechat cannot listen for other processes' events: \
                 StorechatConfig::database_url must be the PostgreSQL URL"
            ),
        }
    }

    /// Sends a frame relayed to a conversation's audience (typing) to the
    /// other processes too. Best effort: dropped when the queue is full.
    pub fn relay(&self, audience: &Audience, frame: &str) {
        let Some(relays) = &self.relays else {
            return;
        };
        let notice = Notice {
            customer: Some(audience.customer_id.clone()),
            vendor: audience.vendor_id.clone(),
            frame: Some(frame.to_owned()),
            ..Notice::new(&self.instance, kind::RELAY)
        };
        if let Some(payload) = notice.payload()
            && relays.try_send(payload).is_err()
        {
            tracing::debug!("relay queue full; a typing frame stays in this process");
        }
    }
}

/// The sending task: events of this process (and relayed frames) to NOTIFY,
/// in batches when they come in bursts.
async fn send(
    db: Db,
    instance: Arc<str>,
    peers: Arc<Peers>,
    mut events: broadcast::Receiver<Arc<ChatEvent>>,
    mut relays: mpsc::Receiver<String>,
) {
    use broadcast::error::{RecvError, TryRecvError};
    let lagged = |missed| {
        tracing::warn!(
            missed,
            "the NOTIFY sender fell behind the event bus; other processes miss these events"
        );
    };
    loop {
        let mut batch: Vec<String> = Vec::new();
        tokio::select! {
            event = events.recv() => match event {
                Ok(event) => batch.extend(notices_of(&instance, &event).iter().filter_map(Notice::payload)),
                Err(RecvError::Lagged(missed)) => lagged(missed),
                Err(RecvError::Closed) => return,
            },
            relay = relays.recv() => match relay {
                Some(payload) => batch.push(payload),
                None => return,
            },
        }
        while batch.len() < BATCH {
            match events.try_recv() {
                Ok(event) => batch.extend(
                    notices_of(&instance, &event)
                        .iter()
                        .filter_map(Notice::payload),
                ),
                Err(TryRecvError::Lagged(missed)) => lagged(missed),
                Err(_) => break,
            }
        }
        while batch.len() < BATCH {
            match relays.try_recv() {
                Ok(payload) => batch.push(payload),
                Err(_) => break,
            }
        }
        // Nobody else listens: the batch is for nobody.
        if batch.is_empty() || !peers.any() {
            continue;
        }
        let count = batch.len();
        if let Err(e) = notify(&db, batch).await {
            tracing::warn!(error = %e, count, "NOTIFY failed; other processes miss these events");
        }
    }
}

/// What [`NOTIFY_SQL`] counted.
#[derive(QueryableByName)]
struct Sent {
    #[diesel(sql_type = BigInt)]
    sent: i64,
}

/// `pg_notify` for each payload, in one autocommit statement on a pooled
/// connection: never inside the event's own transaction. The statement is
/// prepared once per connection: parsed afresh, it cost a second round
/// trip and a parse for every batch of notices.
async fn notify(db: &Db, payloads: Vec<String>) -> Result<(), StoreError> {
    db.with_connection(move |conn| {
        if let AnyConnection::Postgresql(pg) = conn {
            let wanted = payloads.len();
            let counted: Sent =
                store::CacheBySql(diesel::sql_query(NOTIFY_SQL).bind::<Array<Text>, _>(payloads))
                    .get_result(pg)?;
            if counted.sent != wanted as i64 {
                return Err(StoreError::Unavailable(format!(
                    "{} of {wanted} notices sent",
                    counted.sent
                )));
            }
        }
        Ok(())
    })
    .await
}

/// The oid of the conversations table this process uses.
fn scope_of(conn: &mut AnyConnection) -> Result<i64, StoreError> {
    match conn {
        AnyConnection::Postgresql(pg) => {
            Ok(diesel::select(diesel::dsl::sql::<BigInt>(SCOPE_SQL)).get_result(pg)?)
        }
        AnyConnection::Sqlite(_) => Ok(0),
    }
}

/// The listening task: one dedicated connection, reconnected with doubling
/// delays (250 ms up to 30 s, back to 250 ms once listening again). Ends
/// when the hub is gone.
async fn listen(
    config: tokio_postgres::Config,
    db: Db,
    instance: Arc<str>,
    peers: Arc<Peers>,
    hub: Weak<Hub>,
) {
    let mut delay = RETRY_MIN;
    let mut listened = false;
    let me = Me {
        instance: &instance,
        peers: &peers,
    };
    while hub.strong_count() > 0 {
        match listen_once(&config, &db, me, &hub, &mut delay, &mut listened).await {
            Ok(()) => return,
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    retry_in = ?delay,
                    "storechat's PostgreSQL listener is not connected; \
                     events of other processes are not delivered here until it reconnects"
                );
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(RETRY_MAX);
            }
        }
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// This process, as its listener sees it.
#[derive(Clone, Copy)]
struct Me<'a> {
    instance: &'a str,
    peers: &'a Peers,
}

/// Sends a `hello` or `here` of this instance.
async fn announce(db: &Db, instance: &str, kind: &str) {
    let Some(payload) = Notice::new(instance, kind).payload() else {
        return;
    };
    if let Err(e) = notify(db, vec![payload]).await {
        tracing::warn!(error = %e, kind, "could not announce this process to the others");
    }
}

/// One connection's life: connect, LISTEN, dispatch until it fails (`Err`)
/// or the hub is gone (`Ok`).
async fn listen_once(
    config: &tokio_postgres::Config,
    db: &Db,
    me: Me<'_>,
    hub: &Weak<Hub>,
    delay: &mut Duration,
    listened: &mut bool,
) -> Result<(), String> {
    let (client, mut connection) = config
        .connect(NoTls)
        .await
        .map_err(|e| format!("connecting: {}", describe(&e)))?;
    let (tx, mut rx) = mpsc::channel(RECEIVE_QUEUE);
    // Drives the connection and drains notifications at once, so that the
    // server's notification queue never fills because of this process.
    let mut driver = AbortOnDrop(tokio::spawn(async move {
        let mut dropped = 0u64;
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(AsyncMessage::Notification(n))) => match tx.try_send(n) {
                    Ok(()) => {}
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        dropped += 1;
                        if dropped.is_power_of_two() {
                            tracing::warn!(dropped, "too many notifications waiting; dropping");
                        }
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => return "listener stopped".into(),
                },
                Some(Ok(message)) => tracing::debug!(?message, "listener connection message"),
                Some(Err(e)) => return describe(&e),
                None => return "the server closed the connection".to_owned(),
            }
        }
    }));
    let scope = db
        .read(scope_of)
        .await
        .map_err(|e| format!("finding the plugin's tables: {e}"))?;
    client
        .batch_execute(&format!("LISTEN {CHANNEL}"))
        .await
        .map_err(|e| format!("LISTEN: {}", describe(&e)))?;
    *delay = RETRY_MIN;
    // The others learn of this listener now, and answer: notices flow
    // both ways from then on.
    announce(db, me.instance, kind::HELLO).await;
    if std::mem::replace(listened, true) {
        tracing::info!("storechat's PostgreSQL listener reconnected");
    } else {
        tracing::debug!(
            channel = CHANNEL,
            "storechat listens for other processes' events"
        );
    }
    let mut keepalive = tokio::time::interval(KEEPALIVE);
    keepalive.tick().await;
    loop {
        tokio::select! {
            notification = rx.recv() => {
                let Some(notification) = notification else {
                    let reason = (&mut driver.0).await.unwrap_or_else(|e| e.to_string());
                    return Err(reason);
                };
                let Some(hub) = hub.upgrade() else { return Ok(()) };
                receive(db, me, scope, &hub, notification.payload()).await;
            }
            _ = keepalive.tick() => {
                if hub.strong_count() == 0 {
                    return Ok(());
                }
                match tokio::time::timeout(KEEPALIVE_TIMEOUT, client.simple_query("")).await {
                    Ok(Ok(_)) => announce(db, me.instance, kind::HERE).await,
                    Ok(Err(e)) => return Err(format!("keepalive: {}", describe(&e))),
                    Err(_) => return Err("no answer to a keepalive".to_owned()),
                }
            }
        }
    }
}

/// A driver error with its cause ("db error" alone says little).
fn describe(e: &tokio_postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Handles one notification: skips this instance's own and other schemas',
/// notes who else listens, reads the rows and dispatches locally.
async fn receive(db: &Db, me: Me<'_>, scope: i64, hub: &Hub, payload: &str) {
    let notice: Notice = match serde_json::from_str(payload) {
        Ok(notice) => notice,
        Err(e) => {
            tracing::debug!(error = %e, "a notification that is not a storechat notice");
            return;
        }
    };
    if notice.instance == me.instance || notice.scope != Some(scope) {
        return;
    }
    me.peers.heard(&notice.instance);
    match notice.kind.as_str() {
        kind::HELLO => return announce(db, me.instance, kind::HERE).await,
        kind::HERE => return,
        _ => {}
    }
    match remote_of(db, notice).await {
        Ok(Some(Remote::Event(event))) => hub.dispatch(&event),
        // No local connection has id 0: nobody is left out.
        Ok(Some(Remote::Relay(audience, frame))) => hub.relay(0, &audience, &frame),
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not read the rows of another process's event"),
    }
}

/// Query parameters tokio-postgres understands; others (libpq's `sslcert`,
/// `gssencmode`, `fallback_application_name`, …) are ignored by the listener.
const KNOWN_PARAMS: &[&str] = &[
    "user",
    "password",
    "dbname",
    "options",
    "application_name",
    "sslmode",
    "sslnegotiation",
    "host",
    "hostaddr",
    "port",
    "connect_timeout",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
];

/// The listener's connection settings from the URL diesel (libpq) uses.
///
/// tokio-postgres reads `postgres://user:pw@host:port/db?…` including
/// `options=-csearch_path%3D…` (harmless: channels are database-wide), but
/// refuses parameters it does not know: those are dropped. libpq's `sslmode`
/// values `allow` (→ `prefer`) and `verify-ca`/`verify-full` (→ `require`)
/// are mapped; the listener has no TLS, so a server that demands TLS refuses
/// it (logged). What the URL leaves out comes, as with libpq, from `PGHOST`,
/// `PGPORT`, `PGUSER`, `PGPASSWORD` and `PGDATABASE`; the host defaults to
/// the local socket directory.
pub fn listener_config(url: &str) -> Result<tokio_postgres::Config, String> {
    if Backend::of_url(url) != Backend::Postgres {
        return Err("not a postgres:// URL".to_owned());
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut kept = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        match (key, value) {
            ("sslmode", "allow") => kept.push("sslmode=prefer".to_owned()),
            ("sslmode", "verify-ca" | "verify-full") => kept.push("sslmode=require".to_owned()),
            _ if KNOWN_PARAMS.contains(&key) => kept.push(pair.to_owned()),
            _ => tracing::debug!(parameter = key, "ignored by the LISTEN connection"),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| format!("{}: {e}", store::redact(&url)))?;
    let env = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    if config.get_hosts().is_empty() && config.get_hostaddrs().is_empty() {
        match env("PGHOST") {
            Some(hosts) => hosts.split(',').for_each(|h| {
                config.host(h);
            }),
            None => {
                let socket = ["/var/run/postgresql", "/tmp"]
                    .into_iter()
                    .find(|dir| std::path::Path::new(dir).join(".s.PGSQL.5432").exists());
                config.host(socket.unwrap_or("localhost"));
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(port) = env("PGPORT").and_then(|p| p.parse().ok())
    {
        config.port(port);
    }
    if config.get_user().is_none()
        && let Some(user) = env("PGUSER")
    {
        config.user(user);
    }
    if config.get_password().is_none()
        && let Some(password) = env("PGPASSWORD")
    {
        config.password(password);
    }
    if config.get_dbname().is_none()
        && let Some(dbname) = env("PGDATABASE")
    {
        config.dbname(dbname);
    }
    if config.get_application_name().is_none() {
        config.application_name("storechat-listener");
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_suites_urls_are_understood() {
        let config =
            listener_config("postgres://postgres@127.0.0.1:5432/shop?options=-csearch_path%3Dt_1")
                .expect("parses");
        assert_eq!(config.get_user(), Some("postgres"));
        assert_eq!(config.get_dbname(), Some("shop"));
        assert_eq!(config.get_ports(), &[5432]);
        assert_eq!(config.get_options(), Some("-csearch_path=t_1"));
        assert_eq!(config.get_application_name(), Some("storechat-listener"));
    }

    #[test]
    fn libpq_only_parameters_are_dropped_and_ssl_modes_mapped() {
        let config = listener_config(
            "postgresql://app:p%40ss@db:6432/shop?sslrootcert=/x.pem&sslmode=verify-full&application_name=shop",
        )
        .expect("parses");
        assert_eq!(config.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(
            config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Require
        );
        assert_eq!(config.get_application_name(), Some("shop"));
        assert!(listener_config("data/shop.db").is_err());
    }

    #[test]
    fn notices_carry_ids_only_and_bulk_deletes_are_chunked() {
        let ids: Vec<i64> = (i64::MAX - 1_000..i64::MAX).collect();
        let notices = notices_of("abc", &ChatEvent::ConversationsDeleted { ids: ids.clone() });
        assert_eq!(notices.len(), 5);
        let payloads: Vec<String> = notices.iter().filter_map(Notice::payload).collect();
        assert_eq!(payloads.len(), 5, "each chunk fits");
        assert!(payloads.iter().all(|p| p.len() < 8_000 - 100));
        let back: Vec<i64> = payloads
            .iter()
            .map(|p| serde_json::from_str::<Notice>(p).expect("json"))
            .flat_map(|n| n.ids)
            .collect();
        assert_eq!(back, ids);
        assert!(
            payloads[0].starts_with(r#"{"instance":"abc","kind":"conversations_deleted","ids":["#)
        );
    }

    #[test]
    fn a_process_counts_as_listening_until_it_is_not_heard_of_for_a_while() {
        let peers = Peers::default();
        assert!(!peers.any(), "alone at first");
        peers.heard("b");
        assert!(peers.any());
        // (The monotonic clock starts at boot: a machine up for less than
        // the TTL cannot go back that far.)
        if let Some(long_ago) = Instant::now().checked_sub(PEER_TTL + Duration::from_secs(1)) {
            peers.lock().insert("b".into(), long_ago);
            assert!(!peers.any(), "forgotten after the TTL");
            peers.heard("b");
            assert!(peers.any(), "heard again");
        }
    }

    #[test]
    fn a_relayed_frame_names_its_audience() {
        let fanout = Fanout::new(Backend::Postgres);
        let audience = Audience {
            customer_id: "u-1".into(),
            vendor_id: None,
        };
        fanout.relay(&audience, r#"{"type":"typing"}"#);
        let mut pending = fanout.pending.lock().expect("lock").take().expect("queue");
        let notice: Notice =
            serde_json::from_str(&pending.try_recv().expect("queued")).expect("json");
        assert_eq!(
            (
                notice.kind.as_str(),
                notice.customer.as_deref(),
                notice.frame.as_deref()
            ),
            ("relay", Some("u-1"), Some(r#"{"type":"typing"}"#))
        );
        Fanout::new(Backend::Sqlite).relay(&audience, "{}");
    }
}
