//! Who is behind a request: the session's user id, loaded from the users
//! table once per request. The chat plugin's `identify`, the host's pages and
//! the header all ask here, so a request costs one lookup however many ask.

use std::future::Future;

use actix_session::SessionExt;
use actix_web::{HttpMessage, HttpRequest};
use storechat::store::Db;

use crate::auth::session;
use crate::shop::{ShopError, User, users};

/// The answer for this request, once known.
#[derive(Clone)]
struct Known(Option<User>);

/// The signed-in user of `req`, or `None`. Reads the session now, on the
/// request's thread, and returns a future that owns everything it needs.
pub fn current_user(
    req: &HttpRequest,
    db: Db,
) -> impl Future<Output = Result<Option<User>, ShopError>> + 'static {
    let known = req.extensions().get::<Known>().cloned();
    let user_id = session::user_id(&req.get_session());
    let req = req.clone();
    async move {
        if let Some(Known(user)) = known {
            return Ok(user);
        }
        let user = match user_id {
            Some(id) => db.read(move |conn| users::find(conn, id)).await?,
            None => None,
        };
        req.extensions_mut().insert(Known(user.clone()));
        Ok(user)
    }
}
