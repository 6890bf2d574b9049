//! Domain values, parsed once at the edge: past the edge a value that exists
//! is valid. Nothing here touches the database or the web.

mod actor;
mod order_card;
pub mod settings;
mod status;
mod text;

pub use actor::{Actor, Role, Side};
pub use order_card::{ORDER_STEPS, OrderCardView, OrderProgress, OrderStep};
pub use settings::{Availability, BusinessHours, DayHours, Settings};
pub use status::Status;
pub use text::{ClientMsgId, MessageBody, Subject, ValidationError, preview as preview_text};

/// A conversation's id.
pub type ConversationId = i64;
/// A message's id; ids grow with time inside a conversation.
pub type MessageId = i64;
