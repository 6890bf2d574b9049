//! The data set: conversations and messages planned in memory, with every
//! counter computed the way the plugin keeps it, before a row is written.
//!
//! Everything is drawn from one seeded generator, so two runs (and the two
//! backends of one run) get the same data.

use anyhow::{Context, bail};
use chrono::{DateTime, NaiveDateTime};
use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

/// Someone with a host id, a name and an e-mail.
#[derive(Debug, Clone)]
pub struct Person {
    /// Host id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// E-mail.
    pub email: String,
}

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The customer.
    Customer,
    /// The store.
    Staff,
}

impl Side {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Customer => "customer",
            Side::Staff => "staff",
        }
    }

    fn other(self) -> Side {
        match self {
            Side::Customer => Side::Staff,
            Side::Staff => Side::Customer,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Conversations, the big one included.
    pub conversations: usize,
    /// Messages in all.
    pub messages: usize,
    /// Messages of the one big conversation.
    pub big: usize,
    /// Distinct bench customers (the big conversation's customer comes on top).
    pub customers: usize,
    /// Seed of the generator.
    pub seed: u64,
    /// The first free conversation id.
    pub first_conversation_id: i64,
    /// The first free message id.
    pub first_message_id: i64,
    /// "Now": the newest message is no later.
    pub now: NaiveDateTime,
    /// The customer of the big conversation (a real demo customer).
    pub big_customer: Person,
    /// Staff who answer and get assigned; the first is the demo staff member.
    pub staff: Vec<Person>,
}

/// A linked product.
#[derive(Debug, Clone, Copy)]
pub struct Product {
    /// Index in [`PRODUCTS`].
    pub index: usize,
}

impl Product {
    /// Host id.
    pub fn id(self) -> String {
        format!("bench-product-{}", self.index + 1)
    }

    /// Name.
    pub fn name(self) -> &'static str {
        PRODUCTS[self.index]
    }

    /// The marketplace vendor selling it, if any: the first products of the
    /// list are vendor products, so about one product conversation in ten
    /// goes to a vendor.
    pub fn vendor(self) -> Option<(String, &'static str)> {
        (self.index < VENDOR_PRODUCTS).then(|| {
            let v = self.index % VENDORS.len();
            (format!("bench-vendor-{}", v + 1), VENDORS[v])
        })
    }
}

/// One planned conversation, counters included.
#[derive(Debug, Clone)]
pub struct Conversation {
    /// Its id (ids grow with `created_at`).
    pub id: i64,
    /// Subject.
    pub subject: String,
    /// Index into [`Plan::customers`].
    pub customer: usize,
    /// Linked order number (`#1xxxxx`), its host id derived from it.
    pub order: Option<u32>,
    /// Linked product.
    pub product: Option<Product>,
    /// Stored status.
    pub status: &'static str,
    /// Index into [`Spec::staff`].
    pub assignee: Option<usize>,
    /// Priority.
    pub priority: i32,
    /// Opened.
    pub created_at: NaiveDateTime,
    /// Last change.
    pub updated_at: NaiveDateTime,
    /// Newest message.
    pub last_message_at: NaiveDateTime,
    /// Messages written (no system messages are generated).
    pub message_count: i32,
    /// Customer messages after `admin_read_up_to`.
    pub unread_for_admin: i32,
    /// Staff messages after `user_read_up_to`.
    pub unread_for_user: i32,
    /// The store's read cursor (a message id of this conversation, or 0).
    pub admin_read_up_to: i64,
    /// The customer's read cursor.
    pub user_read_up_to: i64,
    /// Newest message id.
    pub last_message_id: i64,
    /// Its preview.
    pub last_message_preview: String,
    /// Its side.
    pub last_message_side: Side,
    /// Who answers for the store.
    pub staff: usize,
    // Positions (in the conversation) of the read cursors; None = 0.
    admin_pos: Option<u32>,
    user_pos: Option<u32>,
}

impl Conversation {
    /// The linked order's host id and number.
    pub fn order_ids(&self) -> Option<(String, String)> {
        self.order
            .map(|n| (format!("bench-order-{n}"), format!("#1{n:05}")))
    }
}

/// One planned message. Its id is [`Plan::first_message_id`] plus its index.
#[derive(Debug, Clone, Copy)]
pub struct Message {
    /// Written at, microseconds since the Unix epoch (UTC).
    pub at: i64,
    /// Index into [`Plan::conversations`].
    pub conversation: u32,
    /// Position in its conversation.
    pub seq: u32,
    /// Writer.
    pub side: Side,
}

/// The whole data set.
#[derive(Debug)]
pub struct Plan {
    /// Bench customers, then the big conversation's customer.
    pub customers: Vec<Person>,
    /// Staff.
    pub staff: Vec<Person>,
    /// Conversations, in id order.
    pub conversations: Vec<Conversation>,
    /// Messages, in id (and time) order.
    pub messages: Vec<Message>,
    /// Id of `messages[0]`.
    pub first_message_id: i64,
    /// Index of the big conversation in `conversations`.
    pub big: usize,
}

impl Plan {
    /// The id of `messages[index]`.
    pub fn message_id(&self, index: usize) -> i64 {
        self.first_message_id + index as i64
    }

    /// The big conversation.
    pub fn big_conversation(&self) -> &Conversation {
        &self.conversations[self.big]
    }
}

/// Microseconds since the epoch to a UTC time.
pub fn time_of(micros: i64) -> NaiveDateTime {
    DateTime::from_timestamp_micros(micros)
        .unwrap_or_default()
        .naive_utc()
}

/// A UTC time to microseconds since the epoch.
pub fn micros_of(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp_micros()
}

const DAY_MICROS: i64 = 86_400_000_000;
const MINUTE_MICROS: i64 = 60_000_000;

/// Plans the data set.
pub fn plan(spec: &Spec) -> anyhow::Result<Plan> {
    let n = spec.conversations;
    if n == 0 {
        bail!("--conversations must be at least 1");
    }
    if spec.big == 0 {
        bail!("--big must be at least 1");
    }
    if spec.messages < spec.big + (n - 1) {
        bail!(
            "--messages ({}) must cover the big conversation ({}) and one message for each of the other {} conversations",
            spec.messages,
            spec.big,
            n - 1
        );
    }
    let mut rng = SmallRng::seed_from_u64(spec.seed);
    let mut customers = customers(spec.customers, &mut rng);
    customers.push(spec.big_customer.clone());
    let big_customer = customers.len() - 1;
    let now = micros_of(spec.now);

    // Message counts: the big one, about 8% of one-message conversations,
    // the rest skewed (a few long threads, many short ones).
    let big = rng.random_range(0..n);
    let mut counts = vec![1usize; n];
    counts[big] = spec.big;
    let mut extra = spec.messages - spec.big - (n - 1);
    let mut candidates: Vec<usize> = (0..n)
        .filter(|&i| i != big && !rng.random_bool(0.08))
        .collect();
    if candidates.is_empty() {
        candidates = (0..n).filter(|&i| i != big).collect();
    }
    if candidates.is_empty() {
        counts[big] += extra;
        extra = 0;
    }
    if extra > 0 {
        let weights: Vec<f64> = candidates
            .iter()
            .map(|_| 1.0 / (rng.random::<f64>() + 0.05))
            .collect();
        let total: f64 = weights.iter().sum();
        let mut given = 0usize;
        for (&i, w) in candidates.iter().zip(&weights) {
            let share = (extra as f64 * w / total).floor() as usize;
            counts[i] += share;
            given += share;
        }
        for _ in given..extra {
            let &i = candidates
                .choose(&mut rng)
                .context("no conversation to give a message to")?;
            counts[i] += 1;
        }
    }

    let mut conversations = Vec::with_capacity(n);
    let mut sides: Vec<Vec<Side>> = Vec::with_capacity(n);
    let mut messages: Vec<Message> = Vec::with_capacity(spec.messages);
    for (index, &k) in counts.iter().enumerate() {
        let is_big = index == big;
        let last = if is_big {
            now - rng.random_range(0..6 * 60 * MINUTE_MICROS)
        } else {
            now - rng.random_range(0..180 * DAY_MICROS)
        };
        let span = if is_big {
            170 * DAY_MICROS
        } else if k == 1 {
            0
        } else {
            let k = k as i64;
            rng.random_range(k * MINUTE_MICROS..=(k * 6 * 60 * MINUTE_MICROS).min(30 * DAY_MICROS))
        };
        let created = last - span;

        // Who writes: mostly the customer opens; each next message changes
        // side more often than not, so unread runs are short but not all 1.
        let opener = if is_big || rng.random_bool(0.9) {
            Side::Customer
        } else {
            Side::Staff
        };
        let mut conv_sides = Vec::with_capacity(k);
        let mut side = opener;
        for seq in 0..k {
            if seq > 0 && rng.random_bool(0.6) {
                side = side.other();
            }
            conv_sides.push(side);
        }
        let mut times: Vec<i64> = (0..k.saturating_sub(2))
            .map(|_| rng.random_range(created..=last))
            .collect();
        times.sort_unstable();
        times.insert(0, created);
        if k > 1 {
            times.push(last);
        }
        let conversation = u32::try_from(index).context("too many conversations")?;
        for (seq, (&at, &side)) in times.iter().zip(&conv_sides).enumerate() {
            messages.push(Message {
                at,
                conversation,
                seq: seq as u32,
                side,
            });
        }

        let last_side = conv_sides[k - 1];
        let roll: f64 = rng.random();
        let status = if roll < 0.12 {
            "RESOLVED"
        } else if roll < 0.20 {
            "CLOSED"
        } else if k == 1 && opener == Side::Customer {
            "OPEN"
        } else if last_side == Side::Customer {
            "AWAITING_ADMIN"
        } else {
            "AWAITING_USER"
        };
        let settled = matches!(status, "RESOLVED" | "CLOSED");

        // Read cursors: the writer has read up to their own message; past
        // that the cursor sits anywhere up to the newest message.
        let last_of = |s: Side| conv_sides.iter().rposition(|&x| x == s).map(|p| p as u32);
        let cursor = |own: Option<u32>, rng: &mut SmallRng| -> Option<u32> {
            let newest = (k - 1) as u32;
            if (settled && rng.random_bool(0.9)) || rng.random_bool(0.5) {
                return Some(newest);
            }
            match own {
                Some(p) => Some(rng.random_range(p..=newest)),
                None => {
                    let p = rng.random_range(0..=k) as u32;
                    p.checked_sub(1)
                }
            }
        };
        let admin_pos = if is_big {
            // The big one waits for the store: its last messages unread.
            last_of(Side::Staff)
        } else {
            cursor(last_of(Side::Staff), &mut rng)
        };
        let user_pos = cursor(last_of(Side::Customer), &mut rng);
        let unread_after = |pos: Option<u32>, writer: Side| {
            conv_sides
                .iter()
                .enumerate()
                .filter(|&(seq, &s)| s == writer && pos.is_none_or(|p| seq as u32 > p))
                .count() as i32
        };
        let unread_for_admin = unread_after(admin_pos, Side::Customer);
        let unread_for_user = unread_after(user_pos, Side::Staff);

        let assignee = (rng.random_bool(0.35) || is_big)
            .then(|| rng.random_range(0..spec.staff.len().max(1)))
            .filter(|_| !spec.staff.is_empty());
        let staff = assignee.unwrap_or(0);
        let priority = match rng.random_range(0..100) {
            0..3 => 2,
            3..13 => 1,
            _ => 0,
        };
        let link: f64 = rng.random();
        let (order, product) = if is_big || link < 0.40 {
            (Some(rng.random_range(0..100_000)), None)
        } else if link < 0.60 {
            let index = rng.random_range(0..PRODUCTS.len());
            (None, Some(Product { index }))
        } else {
            (None, None)
        };
        let subject = if is_big {
            "Everything about my kitchen renovation order".to_owned()
        } else {
            subject(&mut rng, product)
        };
        let touched = settled || assignee.is_some() || rng.random_bool(0.1);
        let updated = if touched {
            (last + rng.random_range(0..3 * DAY_MICROS)).min(now)
        } else {
            last
        };
        conversations.push(Conversation {
            id: 0,
            subject,
            customer: if is_big {
                big_customer
            } else {
                rng.random_range(0..spec.customers.max(1)).min(big_customer)
            },
            order,
            product,
            status,
            assignee,
            priority,
            created_at: time_of(created),
            updated_at: time_of(updated),
            last_message_at: time_of(last),
            message_count: k as i32,
            unread_for_admin,
            unread_for_user,
            admin_read_up_to: 0,
            user_read_up_to: 0,
            last_message_id: 0,
            last_message_preview: String::new(),
            last_message_side: last_side,
            staff,
            admin_pos,
            user_pos,
        });
        sides.push(conv_sides);
    }

    // Ids grow with time: conversations by creation, messages by writing.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (conversations[i].created_at, i));
    for (rank, &i) in order.iter().enumerate() {
        conversations[i].id = spec.first_conversation_id + rank as i64;
    }
    messages.sort_unstable_by_key(|m| (m.at, m.conversation, m.seq));
    for (index, m) in messages.iter().enumerate() {
        let id = spec.first_message_id + index as i64;
        let c = &mut conversations[m.conversation as usize];
        if Some(m.seq) == c.admin_pos {
            c.admin_read_up_to = id;
        }
        if Some(m.seq) == c.user_pos {
            c.user_read_up_to = id;
        }
        if m.seq as i32 == c.message_count - 1 {
            c.last_message_id = id;
            c.last_message_preview = storechat::domain::preview_text(&body(id), 140);
        }
    }
    // Conversations in id order; messages point at them by index.
    let mut rank_of = vec![0u32; n];
    for (rank, &i) in order.iter().enumerate() {
        rank_of[i] = rank as u32;
    }
    for m in &mut messages {
        m.conversation = rank_of[m.conversation as usize];
    }
    let big = rank_of[big] as usize;
    let mut slots: Vec<Option<Conversation>> = conversations.into_iter().map(Some).collect();
    let conversations = order
        .iter()
        .map(|&i| slots[i].take().context("each conversation once"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Plan {
        customers,
        staff: spec.staff.clone(),
        conversations,
        messages,
        first_message_id: spec.first_message_id,
        big,
    })
}

/// The text of message `id`: 20 to 300 characters, the same every run.
pub fn body(id: i64) -> String {
    let mut rng = SmallRng::seed_from_u64((id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let target = rng.random_range(20..=300usize);
    let mut text = String::with_capacity(target + 16);
    let mut sentence_start = true;
    while text.len() < target {
        if !text.is_empty() {
            text.push(' ');
        }
        let word = BODY_WORDS.choose(&mut rng).copied().unwrap_or("ok");
        if sentence_start {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                text.extend(first.to_uppercase());
                text.push_str(chars.as_str());
            }
        } else {
            text.push_str(word);
        }
        sentence_start = rng.random_bool(0.12);
        if sentence_start {
            text.push(if rng.random_bool(0.2) { '?' } else { '.' });
        }
    }
    text.truncate(target);
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    while text.len() < 20 {
        text.push('.');
    }
    text
}

fn customers(count: usize, rng: &mut SmallRng) -> Vec<Person> {
    (0..count)
        .map(|n| {
            let first = FIRST_NAMES.choose(rng).copied().unwrap_or("Sam");
            let last = LAST_NAMES.choose(rng).copied().unwrap_or("Lee");
            Person {
                id: format!("bench-{n}"),
                name: format!("{first} {last}"),
                email: format!(
                    "{}.{}{n}@example.net",
                    first.to_lowercase(),
                    last.to_lowercase().replace('\'', "")
                ),
            }
        })
        .collect()
}

fn subject(rng: &mut SmallRng, product: Option<Product>) -> String {
    let topic = TOPICS.choose(rng).copied().unwrap_or("Question about");
    match product {
        Some(p) if rng.random_bool(0.5) => format!("{topic} the {}", p.name().to_lowercase()),
        _ => {
            let thing = THINGS.choose(rng).copied().unwrap_or("order");
            if rng.random_bool(0.3) {
                let extra = EXTRAS.choose(rng).copied().unwrap_or("please help");
                format!("{topic} my {thing}, {extra}")
            } else {
                format!("{topic} my {thing}")
            }
        }
    }
}

/// The word that appears in about 1% of subjects (one of the 100 [`THINGS`]).
pub const RARE_SUBJECT_WORD: &str = "thermostat";

const TOPICS: [&str; 20] = [
    "Question about",
    "Problem with",
    "Late delivery of",
    "Return request for",
    "Damaged",
    "Wrong size for",
    "Missing parts in",
    "Refund for",
    "Where is",
    "Exchange for",
    "Invoice for",
    "Warranty claim for",
    "Cannot assemble",
    "Change the address for",
    "Cancel",
    "Help with",
    "Scratches on",
    "Colour of",
    "Tracking number for",
    "Discount on",
];

const THINGS: [&str; 100] = [
    "order",
    "parcel",
    "chair",
    "table",
    "lamp",
    "sofa",
    "rug",
    "mirror",
    "shelf",
    "desk",
    "kettle",
    "toaster",
    "blender",
    "mixer",
    "teapot",
    "mug set",
    "plates",
    "glasses",
    "cutlery",
    "pan",
    "wok",
    "knife block",
    "cutting board",
    "oven mitts",
    "apron",
    "towels",
    "bed sheets",
    "duvet",
    "pillow",
    "mattress",
    "bed frame",
    "wardrobe",
    "drawer",
    "hanger set",
    "laundry basket",
    "ironing board",
    "vacuum",
    "mop",
    "broom",
    "bin",
    "curtains",
    "blinds",
    "cushion",
    "throw",
    "vase",
    "candle",
    "frame",
    "clock",
    "speaker",
    "headphones",
    "charger",
    "cable",
    "router",
    "keyboard",
    "mouse",
    "monitor",
    "webcam",
    "printer",
    "ink",
    "notebook",
    "pen set",
    "backpack",
    "suitcase",
    "umbrella",
    "raincoat",
    "boots",
    "sneakers",
    "socks",
    "scarf",
    "gloves",
    "hat",
    "jacket",
    "jeans",
    "shirt",
    "dress",
    "sweater",
    "watch",
    "bracelet",
    "necklace",
    "ring",
    "earrings",
    "sunglasses",
    "wallet",
    "belt",
    "bike",
    "helmet",
    "tent",
    "sleeping bag",
    "water bottle",
    "yoga mat",
    "dumbbells",
    "plant pot",
    "garden hose",
    "grill",
    "thermostat",
    "light bulbs",
    "doorbell",
    "smoke alarm",
    "gift card",
    "subscription",
];

const EXTRAS: [&str; 10] = [
    "please help",
    "urgent",
    "second time asking",
    "thanks in advance",
    "order placed last week",
    "as discussed on the phone",
    "need it by Friday",
    "gift for a friend",
    "not happy",
    "quick question",
];

/// Product names; the first [`VENDOR_PRODUCTS`] are sold by marketplace vendors.
pub const PRODUCTS: [&str; 50] = [
    "Oak Side Table",
    "Linen Cushion Cover",
    "Ceramic Pour-Over Set",
    "Walnut Desk Organizer",
    "Wool Throw Blanket",
    "Cast Iron Skillet",
    "Glass Storage Jars",
    "Bamboo Bath Mat",
    "Copper Kettle",
    "Stoneware Dinner Plates",
    "Rattan Floor Lamp",
    "Velvet Armchair",
    "Marble Coasters",
    "Leather Notebook",
    "Cotton Bath Towels",
    "Steel Water Bottle",
    "Enamel Mug",
    "Chef Knife",
    "Espresso Cups",
    "Pine Bookshelf",
    "Jute Rug",
    "Brass Wall Clock",
    "Canvas Tote Bag",
    "Down Pillow",
    "Percale Sheet Set",
    "Teak Serving Board",
    "Silk Scarf",
    "Merino Sweater",
    "Denim Jacket",
    "Running Shoes",
    "Hiking Backpack",
    "Camping Stove",
    "Yoga Block",
    "Desk Lamp",
    "Wireless Speaker",
    "Noise Cancelling Headphones",
    "USB-C Charger",
    "Mechanical Keyboard",
    "Ergonomic Mouse",
    "Standing Desk",
    "Office Chair",
    "Plant Stand",
    "Watering Can",
    "Herb Planter",
    "Picnic Blanket",
    "Tea Sampler",
    "Chocolate Gift Box",
    "Scented Candle",
    "Photo Frame",
    "Travel Mug",
];

/// How many of [`PRODUCTS`] (the first ones) vendors sell.
pub const VENDOR_PRODUCTS: usize = 5;

const VENDORS: [&str; 3] = ["Acme Crafts", "Fjord Home", "Kettle & Co"];

const FIRST_NAMES: [&str; 40] = [
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "Lucas",
    "Mia", "Mateo", "Amelia", "Levi", "Harper", "Ethan", "Evelyn", "James", "Aria", "Leo", "Chloe",
    "Hugo", "Nora", "Yusuf", "Priya", "Kenji", "Ines", "Tomas", "Freya", "Arjun", "Lena", "Omar",
    "Zoe", "Felix", "Maya", "Ivan", "Sara", "Diego", "Hana", "Luca",
];

const LAST_NAMES: [&str; 40] = [
    "Smith",
    "Johnson",
    "Garcia",
    "Brown",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Moore",
    "Jackson",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "O'Brien",
    "Kowalski",
];

const BODY_WORDS: [&str; 80] = [
    "hello",
    "thanks",
    "order",
    "parcel",
    "delivery",
    "today",
    "tomorrow",
    "yesterday",
    "week",
    "please",
    "could",
    "would",
    "you",
    "we",
    "I",
    "it",
    "the",
    "a",
    "is",
    "was",
    "not",
    "arrived",
    "damaged",
    "box",
    "refund",
    "return",
    "label",
    "address",
    "courier",
    "tracking",
    "number",
    "colour",
    "size",
    "small",
    "large",
    "fits",
    "works",
    "broken",
    "missing",
    "part",
    "screws",
    "instructions",
    "photo",
    "attached",
    "sorry",
    "for",
    "the",
    "wait",
    "checked",
    "warehouse",
    "replacement",
    "sent",
    "shipped",
    "again",
    "still",
    "waiting",
    "great",
    "perfect",
    "invoice",
    "payment",
    "card",
    "charged",
    "twice",
    "discount",
    "code",
    "voucher",
    "stock",
    "back",
    "soon",
    "let",
    "me",
    "know",
    "if",
    "anything",
    "else",
    "help",
    "kind",
    "regards",
    "best",
    "cheers",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec {
            conversations: 500,
            messages: 6_000,
            big: 700,
            customers: 50,
            seed: 7,
            first_conversation_id: 11,
            first_message_id: 101,
            now: time_of(1_750_000_000_000_000),
            big_customer: Person {
                id: "1".into(),
                name: "Alice".into(),
                email: "alice@example.com".into(),
            },
            staff: vec![
                Person {
                    id: "3".into(),
                    name: "Ann".into(),
                    email: "ann@example.com".into(),
                },
                Person {
                    id: "bench-staff-1".into(),
                    name: "Ben".into(),
                    email: "ben@example.net".into(),
                },
            ],
        }
    }

    #[test]
    fn counters_match_the_messages() {
        let spec = spec();
        let plan = plan(&spec).expect("plan");
        assert_eq!(plan.messages.len(), spec.messages);
        assert_eq!(plan.conversations.len(), spec.conversations);
        assert_eq!(plan.big_conversation().message_count, 700);
        let mut by_conv: Vec<Vec<(i64, Side, i64)>> = vec![Vec::new(); plan.conversations.len()];
        for (i, m) in plan.messages.iter().enumerate() {
            by_conv[m.conversation as usize].push((plan.message_id(i), m.side, m.at));
        }
        for (c, msgs) in plan.conversations.iter().zip(&by_conv) {
            assert_eq!(c.message_count as usize, msgs.len());
            let (last_id, last_side, last_at) = *msgs.last().expect("a message");
            assert_eq!(c.last_message_id, last_id);
            assert_eq!(c.last_message_side, last_side);
            assert_eq!(micros_of(c.last_message_at), last_at);
            assert!(c.updated_at >= c.last_message_at && c.created_at <= c.last_message_at);
            let unread = |cursor: i64, side: Side| {
                msgs.iter().filter(|m| m.0 > cursor && m.1 == side).count() as i32
            };
            assert_eq!(
                c.unread_for_admin,
                unread(c.admin_read_up_to, Side::Customer)
            );
            assert_eq!(c.unread_for_user, unread(c.user_read_up_to, Side::Staff));
            for cursor in [c.admin_read_up_to, c.user_read_up_to] {
                assert!(cursor == 0 || msgs.iter().any(|m| m.0 == cursor));
            }
        }
        assert!(
            plan.conversations
                .windows(2)
                .all(|w| w[0].id + 1 == w[1].id)
        );
        assert!(plan.messages.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn bodies_are_20_to_300_characters() {
        for id in 1..2_000 {
            let len = body(id).chars().count();
            assert!((20..=300).contains(&len), "{len}");
        }
    }
}
