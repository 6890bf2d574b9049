//! Signing in: password hashes, the session cookie and form tokens.

pub mod csrf;
pub mod password;
pub mod session;
pub mod token;
