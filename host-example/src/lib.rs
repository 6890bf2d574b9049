//! # host-example
//!
//! Northwind Goods, a small but real actix-web commerce host with the
//! storechat plugin installed: users with sign-in, products, orders, an admin
//! site, and the chat mounted with one `configure`. It is the reference
//! integration for store owners, and the end-to-end tests start it.
//!
//! Where to look:
//! - [`adapter`]: the [`storechat::HostAdapter`] implementation, the one
//!   trait a store writes to install the plugin;
//! - [`app`]: start-up, with the plugin's and the store's migrations run
//!   against one database;
//! - `web`: the store's pages, and `web/frames.rs`, which puts the plugin's
//!   pages inside the store's layouts;
//! - [`shop`]: the store's own tables, read through the plugin's `Db`;
//! - [`demo`]: the demo accounts and records.

pub mod adapter;
pub mod app;
mod auth;
pub mod demo;
mod identity;
pub mod shop;
mod state;
mod web;

pub use app::{Application, STORE_NAME, Settings, StartError};
pub use auth::token::TokenKeys;

/// Goes in the URLs of the store's CSS and JS so browsers fetch them again
/// after they change.
pub(crate) const ASSET_VERSION: u64 = web::assets::VERSION;

// The README's install example is compiled with the tests, so it cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
