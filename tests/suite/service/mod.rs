//! The chat service on both backends: status rules, idempotency, read
//! state, deletion, authorization and bad input.

mod delete;
pub(crate) mod helpers;
mod history;
mod notifications;
mod open;
mod order_cards;
mod read;
mod search;
mod send;
mod settings;
mod status;
mod view;
