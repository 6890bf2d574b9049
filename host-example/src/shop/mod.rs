//! The store's own records: users, products, orders, loyalty points,
//! vouchers and the customers' activity feed, in the same database as the
//! chat plugin and through the plugin's [`Db`] handle. Every function here
//! is blocking and takes a connection; callers run it through [`Db::read`]
//! or [`Db::write`], which keep it off the actix workers.
//!
//! [`Db`]: storechat::store::Db
//! [`Db::read`]: storechat::store::Db::read
//! [`Db::write`]: storechat::store::Db::write

pub mod activity;
pub mod loyalty;
pub mod migrate;
pub mod money;
pub mod numbers;
pub mod orders;
pub mod products;
pub(crate) mod schema;
pub mod users;
pub mod vouchers;

use storechat::store::StoreError;

pub use money::format_cents;
pub use orders::{Order, OrderLine, OrderStatus};
pub use products::Product;
pub use users::{User, UserRole};
pub use vouchers::Voucher;

/// A failure of the store's own database work.
#[derive(Debug, thiserror::Error)]
pub enum ShopError {
    /// The pool or the blocking task failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A query failed.
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// A stored value makes no sense (a role or status outside its CHECK list).
    #[error("bad stored value: {0}")]
    Corrupt(String),
    /// Hashing a password failed.
    #[error("password hashing failed: {0}")]
    Password(String),
}

/// The current time as stored: UTC, microseconds, the same on both backends.
pub fn now() -> chrono::NaiveDateTime {
    storechat::store::now()
}
