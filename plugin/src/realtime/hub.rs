//! The registry of open connections and the fan-out of committed events.
//! Customers get their own conversations only; staff get every
//! conversation; vendors those about their products. Each connection has a
//! bounded queue: a client that falls behind is disconnected rather than
//! allowed to hold memory or slow anyone else down.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::mpsc;

use crate::config::RealtimeConfig;
use crate::domain::{Actor, Role};
use crate::events::ChatEvent;
use crate::service::LiveSettings;
use crate::store::Conversation;

use super::protocol::{Person, ServerFrame, frame_of};

/// What a connection's task is told to do. One pointer and a tag (16
/// bytes): every connection's queue allocates its first block of 32 slots
/// when it opens, so this is paid per idle connection (the fat
/// `Arc<str>` and ids inline made a slot 40 bytes).
#[derive(Debug, Clone)]
pub enum Outbound {
    /// Send this frame.
    Text(Arc<String>),
    /// Send this message frame, unless a resume already sent the message.
    Message(Arc<MessageFrame>),
    /// Close with this code and reason.
    Close(&'static (u16, &'static str)),
}

/// A message frame as queued for every connection that gets it.
#[derive(Debug)]
pub struct MessageFrame {
    /// The frame.
    pub text: String,
    /// Its conversation.
    pub conversation_id: i64,
    /// Its message.
    pub message_id: i64,
}

/// Who may see a conversation's frames: its customer, its vendor, staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audience {
    /// The customer's host id.
    pub customer_id: String,
    /// The vendor's host id, if any.
    pub vendor_id: Option<String>,
}

impl Audience {
    /// The audience of a conversation.
    pub fn of(c: &Conversation) -> Audience {
        Audience {
            customer_id: c.customer_id.clone(),
            vendor_id: c.vendor_id.clone(),
        }
    }

    fn includes(&self, actor: &Actor) -> bool {
        match actor.role {
            Role::Staff => true,
            Role::Customer => actor.id == self.customer_id,
            Role::Vendor => self.vendor_id.as_deref() == Some(actor.id.as_str()),
        }
    }
}

struct Entry {
    actor: Actor,
    tx: mpsc::Sender<Outbound>,
}

/// A person's message allowance: a token bucket refilled per minute.
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Default)]
struct State {
    next: u64,
    sessions: HashMap<u64, Entry>,
    buckets: HashMap<String, Bucket>,
}

/// Why a connection was not registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooManyConnections;

/// The hub of one process.
pub struct Hub {
    state: Mutex<State>,
    config: RealtimeConfig,
    /// The rate limit and the connection cap come from the live settings.
    settings: LiveSettings,
}

impl Hub {
    /// An empty hub; its limits follow `settings`.
    pub fn new(config: RealtimeConfig, settings: LiveSettings) -> Hub {
        Hub {
            state: Mutex::new(State::default()),
            config,
            settings,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain maps behind: keep going.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Registers a connection of `actor`; refused past the per-person cap.
    /// A person's first connection is announced (presence).
    pub fn register(
        &self,
        actor: &Actor,
    ) -> Result<(u64, mpsc::Receiver<Outbound>), TooManyConnections> {
        let mut state = self.state();
        let open = state
            .sessions
            .values()
            .filter(|e| same_person(&e.actor, actor))
            .count();
        let cap = self.settings.get().max_connections_per_user as usize;
        if open >= cap {
            return Err(TooManyConnections);
        }
        let (tx, rx) = mpsc::channel(self.config.send_queue.max(1));
        let store_was_online = store_online(&state);
        state.next += 1;
        let id = state.next;
        state.sessions.insert(
            id,
            Entry {
                actor: actor.clone(),
                tx,
            },
        );
        if open == 0 {
            announce(&mut state, actor, true, store_was_online);
        }
        Ok((id, rx))
    }

    /// Forgets a connection; a person's last one is announced as offline.
    pub fn unregister(&self, id: u64) {
        let mut state = self.state();
        let store_was_online = store_online(&state);
        if let Some(entry) = state.sessions.remove(&id)
            && !state
                .sessions
                .values()
                .any(|e| same_person(&e.actor, &entry.actor))
        {
            announce(&mut state, &entry.actor, false, store_was_online);
        }
    }

    /// Is any member of staff connected to this process?
    pub fn store_online(&self) -> bool {
        store_online(&self.state())
    }

    /// How many connections are open.
    pub fn connections(&self) -> usize {
        self.state().sessions.len()
    }

    /// Sends a committed event to everyone who may see it.
    pub fn dispatch(&self, event: &ChatEvent) {
        let Some((frame, conversation)) = frame_of(event) else {
            return;
        };
        let audience = conversation.map(Audience::of);
        let outbound = match event {
            ChatEvent::ConversationOpened {
                conversation,
                message,
            }
            | ChatEvent::MessageCreated {
                conversation,
                message,
            }
            | ChatEvent::StatusChanged {
                conversation,
                message,
                ..
            } => Outbound::Message(Arc::new(MessageFrame {
                text: frame,
                conversation_id: conversation.id,
                message_id: message.id,
            })),
            _ => Outbound::Text(Arc::new(frame)),
        };
        let mut state = self.state();
        deliver(
            &mut state,
            |actor, _| match &audience {
                Some(audience) => audience.includes(actor),
                None => actor.role == Role::Staff,
            },
            &outbound,
        );
    }

    /// Sends a frame to a conversation's audience except the connection it
    /// came from (typing, delivered receipts).
    pub fn relay(&self, from: u64, audience: &Audience, frame: &str) {
        let frame = Outbound::Text(Arc::new(frame.to_owned()));
        deliver(
            &mut self.state(),
            |actor, id| id != from && audience.includes(actor),
            &frame,
        );
    }

    /// Closes every connection of a person (they signed out): 1008.
    pub fn disconnect(&self, user_id: &str) {
        let mut state = self.state();
        let ids: Vec<u64> = state
            .sessions
            .iter()
            .filter(|(_, e)| e.actor.id == user_id)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(entry) = state.sessions.remove(&id) {
                let _ = entry.tx.try_send(Outbound::Close(&(1008, "signed out")));
            }
        }
    }

    /// Takes one message from a person's allowance; false when it is spent.
    pub fn allow_message(&self, actor: &Actor) -> bool {
        let per_minute = f64::from(self.settings.get().messages_per_minute.max(1));
        let mut state = self.state();
        let now = Instant::now();
        let bucket = state
            .buckets
            .entry(format!("{:?}:{}", actor.role, actor.id))
            .or_insert(Bucket {
                tokens: per_minute,
                at: now,
            });
        let refill = now.duration_since(bucket.at).as_secs_f64() * per_minute / 60.0;
        bucket.tokens = (bucket.tokens + refill).min(per_minute);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

fn same_person(a: &Actor, b: &Actor) -> bool {
    a.id == b.id && a.role == b.role
}

fn store_online(state: &State) -> bool {
    state.sessions.values().any(|e| e.actor.role == Role::Staff)
}

/// Queues a frame for every wanted connection. A connection whose queue is
/// full is dropped: its task ends, the client reconnects and resumes, and
/// nobody else waits for it.
fn deliver(state: &mut State, wanted: impl Fn(&Actor, u64) -> bool, frame: &Outbound) {
    let mut too_slow = Vec::new();
    for (id, entry) in &state.sessions {
        if wanted(&entry.actor, *id) && entry.tx.try_send(frame.clone()).is_err() {
            too_slow.push(*id);
        }
    }
    for id in too_slow {
        state.sessions.remove(&id);
    }
}

/// Presence: a customer's (or vendor's) first connection or last
/// disconnection goes to staff; the store coming online or going offline
/// (its first staff connection, its last) goes to everyone else.
fn announce(state: &mut State, actor: &Actor, online: bool, store_was_online: bool) {
    match actor.role {
        Role::Customer | Role::Vendor => {
            let side = if actor.role == Role::Customer {
                "customer"
            } else {
                "vendor"
            };
            let frame = ServerFrame::Presence {
                user: Person {
                    id: &actor.id,
                    name: &actor.name,
                    side,
                },
                online,
            };
            let frame = Outbound::Text(Arc::new(frame.to_json()));
            deliver(state, |other, _| other.role == Role::Staff, &frame);
        }
        Role::Staff => {
            if store_was_online == store_online(state) {
                return;
            }
            let frame = ServerFrame::Presence {
                user: Person {
                    id: "store",
                    name: "Store",
                    side: "store",
                },
                online,
            };
            let frame = Outbound::Text(Arc::new(frame.to_json()));
            deliver(state, |other, _| other.role != Role::Staff, &frame);
        }
    }
}
