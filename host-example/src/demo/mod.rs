//! The demo store: who can sign in, and the records loaded on a first start.
//! Tests sign in with these constants.

mod chats;
mod records;
mod rewards;

use storechat::{Status, Storechat};

use crate::shop::{ShopError, UserRole};

/// A demo account.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser {
    /// E-mail to sign in with.
    pub email: &'static str,
    /// Its password.
    pub password: &'static str,
    /// The name shown in the shop and the chat.
    pub name: &'static str,
    /// What they are to the store.
    pub role: UserRole,
}

impl DemoUser {
    /// "Customer", "Staff", "Vendor".
    pub fn role_label(&self) -> &'static str {
        match self.role {
            UserRole::Customer => "Customer",
            UserRole::Staff => "Staff",
            UserRole::Vendor => "Vendor",
        }
    }
}

/// A customer with three orders and most of the demo conversations.
pub const ALICE: DemoUser = DemoUser {
    email: "alice@example.com",
    password: "alice-demo",
    name: "Alice Martin",
    role: UserRole::Customer,
};

/// A second customer, to check that customers never see each other's data.
pub const BOB: DemoUser = DemoUser {
    email: "bob@example.com",
    password: "bob-demo",
    name: "Bob Chen",
    role: UserRole::Customer,
};

/// Staff: the admin site and every conversation.
pub const ANN: DemoUser = DemoUser {
    email: "ann@example.com",
    password: "ann-demo",
    name: "Ann Admin",
    role: UserRole::Staff,
};

/// A marketplace vendor selling two of the products.
pub const VICTOR: DemoUser = DemoUser {
    email: "victor@example.com",
    password: "victor-demo",
    name: "Victor Vendor",
    role: UserRole::Vendor,
};

/// A second marketplace vendor (one product), who must never see Victor's
/// conversations.
pub const VERA: DemoUser = DemoUser {
    email: "vera@example.com",
    password: "vera-demo",
    name: "Vera Potter",
    role: UserRole::Vendor,
};

/// Alice's loyalty points after seeding.
pub const ALICE_POINTS: i64 = 1_250;

/// Alice's one active voucher (€5.00).
pub const ALICE_VOUCHER: &str = "NW-THANKS";

/// Bob's loyalty points after seeding; he has no vouchers.
pub const BOB_POINTS: i64 = 300;

/// Every demo account.
pub const USERS: [DemoUser; 5] = [ALICE, BOB, ANN, VICTOR, VERA];

/// A demo conversation: its subject, its customer and the status it is left in.
#[derive(Debug, Clone, Copy)]
pub struct DemoConversation {
    /// Subject.
    pub subject: &'static str,
    /// The customer it is with.
    pub customer: DemoUser,
    /// Where it stands after seeding.
    pub status: Status,
}

/// Alice asks about her shipped order; nobody has answered.
pub const OPEN_ORDER_QUESTION: DemoConversation = DemoConversation {
    subject: "Where is my weekender bag?",
    customer: ALICE,
    status: Status::Open,
};

/// Bob asked about an exchange; Ann replied and waits for him.
pub const EXCHANGE_AWAITING_BOB: DemoConversation = DemoConversation {
    subject: "Exchanging a beanie for a larger size",
    customer: BOB,
    status: Status::AwaitingUser,
};

/// Alice wrote again after Ann's reply; the store owes an answer.
pub const GIFT_WRAP_AWAITING_STORE: DemoConversation = DemoConversation {
    subject: "Gift wrapping",
    customer: ALICE,
    status: Status::AwaitingAdmin,
};

/// Bob's invoice question, answered and marked resolved.
pub const INVOICE_RESOLVED: DemoConversation = DemoConversation {
    subject: "Invoice with my company details",
    customer: BOB,
    status: Status::Resolved,
};

/// Alice's address change, done and closed (read-only for her).
pub const ADDRESS_CLOSED: DemoConversation = DemoConversation {
    subject: "Changing my delivery address",
    customer: ALICE,
    status: Status::Closed,
};

/// Bob's question about one of Victor's products; Victor answered.
pub const VENDOR_PRODUCT_QUESTION: DemoConversation = DemoConversation {
    subject: "Is the pour-over set dishwasher safe?",
    customer: BOB,
    status: Status::AwaitingUser,
};

/// Every demo conversation, in the order they are opened.
pub const CONVERSATIONS: [DemoConversation; 6] = [
    ADDRESS_CLOSED,
    INVOICE_RESOLVED,
    VENDOR_PRODUCT_QUESTION,
    EXCHANGE_AWAITING_BOB,
    GIFT_WRAP_AWAITING_STORE,
    OPEN_ORDER_QUESTION,
];

/// Why the demo data could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The store's tables.
    #[error(transparent)]
    Shop(#[from] ShopError),
    /// The chat plugin refused a demo conversation.
    #[error("demo conversation: {0}")]
    Chat(#[from] storechat::ChatError),
}

/// Loads the demo store when the users table is empty; returns whether it
/// did. Run after the migrations.
pub async fn seed_if_empty(chat: &Storechat) -> Result<bool, SeedError> {
    let Some(ids) = records::insert_if_empty(chat.service().db()).await? else {
        return Ok(false);
    };
    chats::open_all(chat, &ids).await?;
    tracing::info!("demo data loaded");
    Ok(true)
}
