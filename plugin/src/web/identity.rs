//! Who is calling: a bearer token (`Authorization: Bearer …`, apps and API
//! clients) goes to [`HostAdapter::identify_token`](crate::HostAdapter::identify_token);
//! anything else to the host's cookie session through
//! [`HostAdapter::identify`](crate::HostAdapter::identify). A request that
//! names a bearer token is judged by the token alone, so a bad token never
//! falls back to a cookie.

use actix_web::HttpRequest;
use actix_web::http::header::AUTHORIZATION;

use crate::Storechat;
use crate::adapter::HostResult;
use crate::domain::Actor;

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A bearer token.
    Bearer,
    /// The host's session cookie (or whatever `identify` reads).
    Session,
    /// A malformed `Authorization` header (not `Bearer <token>`).
    Malformed,
}

/// The bearer token of a request, if it names one.
fn bearer(req: &HttpRequest) -> Option<Result<String, ()>> {
    let header = req.headers().get(AUTHORIZATION)?;
    let Ok(value) = header.to_str() else {
        return Some(Err(()));
    };
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Some(Err(()));
    }
    Some(Ok(token.to_owned()))
}

/// Identifies the caller: `Ok((None, _))` for nobody (or a token the host
/// does not accept).
pub async fn identify(
    chat: &Storechat,
    req: &HttpRequest,
) -> HostResult<(Option<Actor>, Credential)> {
    let host = chat.service().host();
    match bearer(req) {
        Some(Ok(token)) => Ok((host.identify_token(&token).await?, Credential::Bearer)),
        Some(Err(())) => Ok((None, Credential::Malformed)),
        None => Ok((host.identify(req).await?, Credential::Session)),
    }
}
