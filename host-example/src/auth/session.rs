//! The session cookie: who is signed in. Its content is encrypted and
//! authenticated with a key derived from the install secret, so it survives
//! restarts as long as the secret does.

use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_session::storage::CookieSessionStore;
use actix_session::{Session, SessionMiddleware};
use actix_web::cookie::time::Duration;
use actix_web::cookie::{Key, SameSite};

const USER_ID: &str = "uid";

/// The cookie's name.
pub const COOKIE: &str = "northwind_session";

/// The session middleware. `secret` must be at least 32 bytes (checked at start).
pub fn middleware(secret: &[u8]) -> SessionMiddleware<CookieSessionStore> {
    // HKDF inside derive_from keeps this key independent from the plugin's
    // form tokens, which are HMACs under the same secret.
    let key = Key::derive_from(secret);
    SessionMiddleware::builder(CookieSessionStore::default(), key)
        .cookie_name(COOKIE.to_owned())
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        // The example serves plain HTTP on localhost; behind TLS set this to true.
        .cookie_secure(false)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(PersistentSession::default().session_ttl(Duration::days(14)))
        .build()
}

/// The signed-in user's id, if any. A cookie we cannot read counts as nobody.
pub fn user_id(session: &Session) -> Option<i64> {
    session.get::<i64>(USER_ID).ok().flatten()
}

/// Signs `user_id` in with a fresh session, so that nothing set before
/// sign-in (such as a planted cookie's token) carries over.
pub fn sign_in(session: &Session, user_id: i64) -> Result<(), actix_session::SessionInsertError> {
    session.clear();
    session.renew();
    session.insert(USER_ID, user_id)?;
    super::csrf::rotate(session);
    Ok(())
}

/// Signs out and drops the cookie.
pub fn sign_out(session: &Session) {
    session.purge();
}
