//! The one integration-test binary of the workspace (one link, fast CI).
//!
//! Storage and service tests run on SQLite always and on PostgreSQL when
//! `STORECHAT_TEST_PG_URL` names a server (CI always sets it, and then an
//! unreachable server fails the run instead of skipping).

mod support;

mod http;
mod mail;
mod migrations;
mod realtime;
mod service;
mod smtp_server;
mod startup;
mod two_processes;
mod vacuum;
