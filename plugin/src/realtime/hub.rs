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
}

struct Entry {
    actor: Actor,
    tx: mpsc::Sender<Outbound>,
}

/// How long an untouched allowance takes to fill up again.
const REFILL_WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

/// A person's message allowance: a token bucket refilled per minute.
struct Bucket {
    tokens: f64,
    at: Instant,
}

#[derive(Default)]
struct State {
    next: u64,
    sessions: HashMap<u64, Entry>,
    /// Each person's open connections, by host id (a connection's role is
    /// in its entry). With staff's below, an event reaches its audience
    /// without a look at every connection: a store with 10,000 customers
    /// online would otherwise check all of them, under this lock, for
    /// every message.
    people: HashMap<String, Vec<u64>>,
    /// Staff connections: staff see every conversation.
    staff: Vec<u64>,
    buckets: HashMap<String, Bucket>,
    /// How many buckets were left by the last sweep (see `allow_message`).
    buckets_swept: usize,
}

impl State {
    fn insert(&mut self, id: u64, entry: Entry) {
        if entry.actor.role == Role::Staff {
            self.staff.push(id);
        }
        self.people
            .entry(entry.actor.id.clone())
            .or_default()
            .push(id);
        self.sessions.insert(id, entry);
    }

    fn remove(&mut self, id: u64) -> Option<Entry> {
        let entry = self.sessions.remove(&id)?;
        if entry.actor.role == Role::Staff {
            self.staff.retain(|s| *s != id);
        }
        if let Some(ids) = self.people.get_mut(&entry.actor.id) {
            ids.retain(|s| *s != id);
            if ids.is_empty() {
                self.people.remove(&entry.actor.id);
            }
        }
        Some(entry)
    }

    /// The open connections of this person (same id, same role).
    fn connections_of<'a>(&'a self, role: Role, id: &str) -> impl Iterator<Item = u64> + 'a {
        self.people
            .get(id)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |c| self.sessions.get(c).is_some_and(|e| e.actor.role == role))
    }

    /// The connections that may see a conversation with this audience;
    /// staff only for an event about no conversation.
    fn audience(&self, audience: Option<&Audience>) -> Vec<u64> {
        let mut ids = self.staff.clone();
        if let Some(audience) = audience {
            ids.extend(self.connections_of(Role::Customer, &audience.customer_id));
            if let Some(vendor) = &audience.vendor_id {
                ids.extend(self.connections_of(Role::Vendor, vendor));
            }
        }
        ids
    }
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
        let open = state.connections_of(actor.role, &actor.id).count();
        let cap = self.settings.get().max_connections_per_user as usize;
        if open >= cap {
            return Err(TooManyConnections);
        }
        let (tx, rx) = mpsc::channel(self.config.send_queue.max(1));
        let store_was_online = store_online(&state);
        state.next += 1;
        let id = state.next;
        state.insert(
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
        if let Some(entry) = state.remove(id)
            && state
                .connections_of(entry.actor.role, &entry.actor.id)
                .next()
                .is_none()
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
        let ids = state.audience(audience.as_ref());
        deliver(&mut state, ids, &outbound);
    }

    /// Sends a frame to a conversation's audience except the connection it
    /// came from (typing, delivered receipts).
    pub fn relay(&self, from: u64, audience: &Audience, frame: &str) {
        let frame = Outbound::Text(Arc::new(frame.to_owned()));
        let mut state = self.state();
        let mut ids = state.audience(Some(audience));
        ids.retain(|id| *id != from);
        deliver(&mut state, ids, &frame);
    }

    /// Closes every connection of a person (they signed out): 1008.
    pub fn disconnect(&self, user_id: &str) {
        let mut state = self.state();
        let ids = state.people.get(user_id).cloned().unwrap_or_default();
        for id in ids {
            if let Some(entry) = state.remove(id) {
                let _ = entry.tx.try_send(Outbound::Close(&(1008, "signed out")));
            }
        }
    }

    /// Takes one message from a person's allowance; false when it is spent.
    pub fn allow_message(&self, actor: &Actor) -> bool {
        self.allow_message_at(actor, Instant::now())
    }

    fn allow_message_at(&self, actor: &Actor, now: Instant) -> bool {
        let per_minute = f64::from(self.settings.get().messages_per_minute.max(1));
        let mut state = self.state();
        // Everyone who ever wrote would otherwise keep a bucket for the
        // life of the process. A bucket untouched for a minute is full
        // again, the same as a new one, so it can go. Swept when the map
        // has doubled since the last sweep: constant time per message on
        // average.
        if state.buckets.len() > (2 * state.buckets_swept).max(1024) {
            state
                .buckets
                .retain(|_, b| now.saturating_duration_since(b.at) < REFILL_WINDOW);
            state.buckets_swept = state.buckets.len();
        }
        let bucket = state
            .buckets
            .entry(format!("{:?}:{}", actor.role, actor.id))
            .or_insert(Bucket {
                tokens: per_minute,
                at: now,
            });
        let refill = now.saturating_duration_since(bucket.at).as_secs_f64() * per_minute / 60.0;
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

fn store_online(state: &State) -> bool {
    !state.staff.is_empty()
}

/// Queues a frame for these connections. A connection whose queue is full
/// is dropped: its task ends, the client reconnects and resumes, and nobody
/// else waits for it.
fn deliver(state: &mut State, ids: Vec<u64>, frame: &Outbound) {
    let mut too_slow = Vec::new();
    for id in ids {
        if let Some(entry) = state.sessions.get(&id)
            && entry.tx.try_send(frame.clone()).is_err()
        {
            too_slow.push(id);
        }
    }
    for id in too_slow {
        state.remove(id);
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
            let staff = state.staff.clone();
            deliver(state, staff, &frame);
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
            // Rare (the store's first staff connection or its last): a
            // look at every connection is fine here.
            let others = state
                .sessions
                .iter()
                .filter(|(_, e)| e.actor.role != Role::Staff)
                .map(|(id, _)| *id)
                .collect();
            deliver(state, others, &frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Settings;

    fn hub(send_queue: usize, max_connections_per_user: u32) -> Hub {
        let config = RealtimeConfig {
            send_queue,
            ..RealtimeConfig::default()
        };
        let settings = Settings {
            max_connections_per_user,
            ..Settings::default()
        };
        Hub::new(config, LiveSettings::new(settings))
    }

    /// Every frame waiting in a connection's queue.
    fn drain(rx: &mut mpsc::Receiver<Outbound>) -> Vec<String> {
        let mut frames = Vec::new();
        while let Ok(out) = rx.try_recv() {
            frames.push(match out {
                Outbound::Text(text) => text.to_string(),
                Outbound::Message(m) => m.text.clone(),
                Outbound::Close((code, why)) => format!("close {code} {why}"),
            });
        }
        frames
    }

    fn audience(customer: &str, vendor: Option<&str>) -> Audience {
        Audience {
            customer_id: customer.into(),
            vendor_id: vendor.map(Into::into),
        }
    }

    #[test]
    fn a_conversations_frames_reach_its_customer_its_vendor_and_staff_only() {
        let hub = hub(16, 8);
        let (_, mut staff) = hub.register(&Actor::staff("s-1", "Sam")).expect("staff");
        let (a1, mut ann) = hub.register(&Actor::customer("7", "Ann")).expect("ann");
        let (_, mut ann_phone) = hub.register(&Actor::customer("7", "Ann")).expect("ann");
        let (_, mut bob) = hub.register(&Actor::customer("8", "Bob")).expect("bob");
        let (_, mut vendor) = hub.register(&Actor::vendor("v-1", "Vic")).expect("vendor");
        // Same host id, another role: not Ann.
        let (_, mut other_7) = hub
            .register(&Actor::vendor("7", "Seven"))
            .expect("vendor 7");
        for rx in [
            &mut staff,
            &mut ann,
            &mut ann_phone,
            &mut bob,
            &mut vendor,
            &mut other_7,
        ] {
            drain(rx);
        }

        hub.relay(a1, &audience("7", Some("v-1")), "typing");
        assert_eq!(drain(&mut staff), ["typing"]);
        assert!(
            drain(&mut ann).is_empty(),
            "not back to the connection it came from"
        );
        assert_eq!(drain(&mut ann_phone), ["typing"]);
        assert_eq!(drain(&mut vendor), ["typing"]);
        assert!(drain(&mut bob).is_empty());
        assert!(drain(&mut other_7).is_empty());
    }

    #[test]
    fn the_cap_counts_one_persons_connections_and_frees_a_place_when_one_closes() {
        let hub = hub(16, 2);
        let ann = Actor::customer("7", "Ann");
        let (first, _rx1) = hub.register(&ann).expect("first");
        let (_, _rx2) = hub.register(&ann).expect("second");
        assert_eq!(hub.register(&ann).err(), Some(TooManyConnections));
        // Another person, and the same id in another role, are not Ann.
        assert!(hub.register(&Actor::customer("8", "Bob")).is_ok());
        assert!(hub.register(&Actor::vendor("7", "Seven")).is_ok());
        hub.unregister(first);
        assert!(hub.register(&ann).is_ok());
        assert_eq!(hub.connections(), 4);
    }

    #[test]
    fn presence_follows_a_persons_first_and_last_connection() {
        let hub = hub(16, 8);
        let (_, mut staff) = hub.register(&Actor::staff("s-1", "Sam")).expect("staff");
        let ann = Actor::customer("7", "Ann");
        let (a1, _rx1) = hub.register(&ann).expect("first");
        let (a2, _rx2) = hub.register(&ann).expect("second");
        let online = drain(&mut staff);
        assert_eq!(
            online.len(),
            1,
            "one presence frame for two connections: {online:?}"
        );
        assert!(online[0].contains("\"online\":true"), "{online:?}");
        hub.unregister(a1);
        assert!(drain(&mut staff).is_empty(), "Ann is still online");
        hub.unregister(a2);
        let offline = drain(&mut staff);
        assert_eq!(offline.len(), 1, "{offline:?}");
        assert!(offline[0].contains("\"online\":false"), "{offline:?}");
        assert!(hub.store_online());
    }

    #[test]
    fn signing_out_closes_every_connection_of_that_person_and_no_other() {
        let hub = hub(16, 8);
        let (_, mut ann1) = hub.register(&Actor::customer("7", "Ann")).expect("ann");
        let (_, mut ann2) = hub.register(&Actor::customer("7", "Ann")).expect("ann");
        let (_, mut bob) = hub.register(&Actor::customer("8", "Bob")).expect("bob");
        hub.disconnect("7");
        assert_eq!(drain(&mut ann1), ["close 1008 signed out"]);
        assert_eq!(drain(&mut ann2), ["close 1008 signed out"]);
        assert!(drain(&mut bob).is_empty());
        assert_eq!(hub.connections(), 1);
        // Gone from the index too: nothing more reaches them.
        hub.relay(0, &audience("7", None), "typing");
        assert!(drain(&mut ann1).is_empty());
    }

    #[test]
    fn allowances_of_people_gone_quiet_are_forgotten_and_limits_still_hold() {
        let hub = hub(16, 8);
        let start = Instant::now();
        for n in 0..3_000 {
            assert!(hub.allow_message_at(&Actor::customer(format!("c-{n}"), "C"), start));
        }
        let busy = Actor::customer("busy", "Busy");
        let per_minute = Settings::default().messages_per_minute;
        for _ in 0..per_minute {
            assert!(hub.allow_message_at(&busy, start));
        }
        assert!(
            !hub.allow_message_at(&busy, start),
            "the allowance is spent"
        );
        assert!(hub.state().buckets.len() <= 3_001);

        // A minute later those 3,000 are as good as new: a sweep drops them.
        let later = start + REFILL_WINDOW + std::time::Duration::from_secs(1);
        for n in 0..2_100 {
            assert!(hub.allow_message_at(&Actor::customer(format!("d-{n}"), "D"), later));
        }
        let kept = hub.state().buckets.len();
        assert!(kept <= 2_101, "the quiet ones went: {kept} buckets");
        // And the busy sender's allowance refilled with time, as before.
        assert!(hub.allow_message_at(&busy, later));
    }

    #[test]
    fn a_connection_that_falls_behind_is_dropped_and_the_others_still_get_frames() {
        let hub = hub(2, 8);
        let (_, mut slow) = hub.register(&Actor::staff("s-1", "Slow")).expect("slow");
        drain(&mut slow);
        let (_, mut ann) = hub.register(&Actor::customer("7", "Ann")).expect("ann");
        // Ann's arrival filled a place in the slow queue; two more fill it.
        for n in 0..3 {
            hub.relay(0, &audience("7", None), &format!("frame {n}"));
            assert_eq!(drain(&mut ann), [format!("frame {n}")]);
        }
        assert_eq!(hub.connections(), 1, "the slow connection is gone");
        assert!(!hub.store_online(), "and no longer counts as staff online");
        let (_, mut fast) = hub.register(&Actor::staff("s-2", "Fast")).expect("fast");
        drain(&mut fast);
        hub.relay(0, &audience("7", None), "after");
        assert_eq!(drain(&mut fast), ["after"]);
    }
}
