//! Form tokens for the store's own forms (sign-in, sign-out, admin actions):
//! the synchronizer-token pattern. Each session holds a random token; forms
//! carry it in a hidden field and a post must give it back. The session
//! cookie is encrypted, so another site can neither read nor guess it.
//!
//! The hidden field is named `form_token`, not the plugin's `csrf_token`:
//! the plugin's pages carry the host's header (with its sign-out form), and
//! two different tokens under one name on a page only confuse.

use actix_session::Session;
use rand::Rng;

const KEY: &str = "csrf";

/// The session's token, created on first use.
pub fn token(session: &Session) -> String {
    if let Ok(Some(existing)) = session.get::<String>(KEY) {
        return existing;
    }
    let fresh = fresh();
    if let Err(e) = session.insert(KEY, &fresh) {
        tracing::warn!(error = %e, "could not store the form token in the session");
    }
    fresh
}

/// A new token for a session that changes hands (after sign-in).
pub fn rotate(session: &Session) {
    if let Err(e) = session.insert(KEY, fresh()) {
        tracing::warn!(error = %e, "could not store the form token in the session");
    }
}

/// True when `given` is this session's token.
pub fn verify(session: &Session, given: &str) -> bool {
    match session.get::<String>(KEY) {
        Ok(Some(expected)) => constant_time_eq(expected.as_bytes(), given.trim().as_bytes()),
        _ => false,
    }
}

fn fresh() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference, so response times do
/// not leak how much of a guess was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
