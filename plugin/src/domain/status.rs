use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::ValidationError;

/// Where a conversation stands. Sending moves it by itself; staff may set any
/// status by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// New, nobody from the store has answered yet.
    Open,
    /// The customer wrote last: the store owes a reply.
    AwaitingAdmin,
    /// The store wrote last: the customer owes a reply.
    AwaitingUser,
    /// Settled; a customer reply reopens it.
    Resolved,
    /// Finished and read-only for the customer; the only status that can be deleted.
    Closed,
}

impl Status {
    /// Every status, in the order a workflow passes through them.
    pub const ALL: [Status; 5] = [
        Status::Open,
        Status::AwaitingAdmin,
        Status::AwaitingUser,
        Status::Resolved,
        Status::Closed,
    ];

    /// The stored and wire form, e.g. `AWAITING_ADMIN`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "OPEN",
            Status::AwaitingAdmin => "AWAITING_ADMIN",
            Status::AwaitingUser => "AWAITING_USER",
            Status::Resolved => "RESOLVED",
            Status::Closed => "CLOSED",
        }
    }

    /// The label shown to people, e.g. "Awaiting reply".
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "Open",
            Status::AwaitingAdmin => "Awaiting store",
            Status::AwaitingUser => "Awaiting customer",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
        }
    }

    /// The label a customer sees: written from their side of the counter.
    pub fn customer_label(self) -> &'static str {
        match self {
            Status::Open | Status::AwaitingAdmin => "Waiting for the store",
            Status::AwaitingUser => "Store replied",
            Status::Resolved => "Resolved",
            Status::Closed => "Closed",
        }
    }

    /// The CSS name matching [`Status::customer_label`]: statuses that read
    /// the same to a customer look the same.
    pub fn customer_css(self) -> &'static str {
        match self {
            Status::Open => Status::AwaitingAdmin.css(),
            other => other.css(),
        }
    }

    /// A CSS-friendly name, e.g. `awaiting-admin`.
    pub fn css(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::AwaitingAdmin => "awaiting-admin",
            Status::AwaitingUser => "awaiting-user",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                ValidationError::new(
                    "status",
                    format!(
                        "unknown status \"{}\"; expected one of OPEN, AWAITING_ADMIN, AWAITING_USER, RESOLVED, CLOSED",
                        s.chars().take(40).collect::<String>()
                    ),
                )
            })
    }
}

impl TryFrom<String> for Status {
    type Error = ValidationError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_stored_form() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>().ok(), Some(status));
        }
        assert_eq!("resolved".parse::<Status>().ok(), Some(Status::Resolved));
        assert!("DONE".parse::<Status>().is_err());
    }
}
