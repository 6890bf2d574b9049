//! The admin panels over HTTP: access and CSRF, the list (filters, search,
//! sort, pages), the change view, the create form, bulk actions and exports,
//! and the three-pane inbox.

mod access;
mod bulk;
mod change;
mod create;
mod exports;
mod inbox;
mod list;
mod support;
