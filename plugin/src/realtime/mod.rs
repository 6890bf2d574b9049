//! Real time: one WebSocket endpoint (actix-ws) carrying the JSON protocol
//! of `docs/PROTOCOL.md`. Frames that change something go through the chat
//! service, with the same authorization as the pages; what others must see
//! reaches them from the event bus after commit, through the [`hub::Hub`].

pub mod fanout;
pub mod hub;
pub mod protocol;
mod sends;
mod session;

pub use hub::Hub;
pub use session::upgrade;
