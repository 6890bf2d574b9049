use std::fmt;

use serde::{Deserialize, Serialize};

use super::ValidationError;

/// What a signed-in person is to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Buys things; sees only their own conversations.
    Customer,
    /// Works for the store; sees every conversation.
    Staff,
    /// Sells on a marketplace; sees conversations about their own products.
    Vendor,
}

/// Who wrote a message, or who a notification is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The customer of the conversation.
    Customer,
    /// Store staff.
    Staff,
    /// The marketplace vendor the conversation is about.
    Vendor,
    /// The plugin itself (status changes, order cards).
    System,
}

impl Side {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Customer => "customer",
            Side::Staff => "staff",
            Side::Vendor => "vendor",
            Side::System => "system",
        }
    }

    /// True for the store's side of a conversation (staff or vendor).
    pub fn is_store(self) -> bool {
        matches!(self, Side::Staff | Side::Vendor)
    }
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Side {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        match value.as_str() {
            "customer" => Ok(Side::Customer),
            "staff" => Ok(Side::Staff),
            "vendor" => Ok(Side::Vendor),
            "system" => Ok(Side::System),
            other => Err(ValidationError::new(
                "side",
                format!("unknown side \"{other}\""),
            )),
        }
    }
}

/// The signed-in person behind a request, as the host adapter reports them.
/// Host ids are opaque strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// The host's id of the user.
    pub id: String,
    /// The name shown next to their messages.
    pub name: String,
    /// What they are to the store.
    pub role: Role,
}

impl Actor {
    /// A customer.
    pub fn customer(id: impl Into<String>, name: impl Into<String>) -> Actor {
        Actor {
            id: id.into(),
            name: name.into(),
            role: Role::Customer,
        }
    }

    /// A member of staff.
    pub fn staff(id: impl Into<String>, name: impl Into<String>) -> Actor {
        Actor {
            id: id.into(),
            name: name.into(),
            role: Role::Staff,
        }
    }

    /// A marketplace vendor.
    pub fn vendor(id: impl Into<String>, name: impl Into<String>) -> Actor {
        Actor {
            id: id.into(),
            name: name.into(),
            role: Role::Vendor,
        }
    }

    /// The side their messages are written from.
    pub fn side(&self) -> Side {
        match self.role {
            Role::Customer => Side::Customer,
            Role::Staff => Side::Staff,
            Role::Vendor => Side::Vendor,
        }
    }

    /// True for staff.
    pub fn is_staff(&self) -> bool {
        self.role == Role::Staff
    }
}
