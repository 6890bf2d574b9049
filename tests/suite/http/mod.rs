//! HTTP tests against the running example store with the plugin installed.

mod access;
mod activity;
mod admin;
pub mod api;
mod app;
mod customer_json;
mod customer_pages;
mod order_cards;
mod page_matrix;
mod settings;
mod vendors;
