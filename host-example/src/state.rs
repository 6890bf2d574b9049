//! What every handler of the store shares.

use storechat::Storechat;
use storechat::store::Db;

/// The store's application state, one per process, cloned into each worker.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The chat plugin.
    pub chat: Storechat,
    /// The database, shared with the plugin.
    pub db: Db,
    /// Show the demo accounts on the sign-in page.
    pub show_demo_logins: bool,
    /// The keys of API tokens (`POST /api/auth/token`).
    pub tokens: crate::auth::token::TokenKeys,
}
