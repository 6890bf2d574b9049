//! The visitor of a host page as an extractor: their session and, if they
//! are signed in, their user record.

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::web::Data;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use super::chrome::Chrome;
use super::render::WebError;
use crate::identity;
use crate::shop::User;
use crate::state::AppState;

/// Who is looking at a host page.
pub struct Visitor {
    /// The signed-in user.
    pub user: Option<User>,
    /// Their session.
    pub session: Session,
    /// The store's state.
    pub state: Data<AppState>,
}

impl Visitor {
    /// The page header for this visitor, with `active` as the current nav item.
    pub async fn chrome(&self, active: &'static str) -> Chrome {
        Chrome::load(&self.state.chat, &self.session, self.user.as_ref(), active).await
    }
}

impl FromRequest for Visitor {
    type Error = WebError;
    type Future = LocalBoxFuture<'static, Result<Self, WebError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<Data<AppState>>().cloned() else {
            return Box::pin(async { Err(WebError::Misconfigured) });
        };
        let session = req.get_session();
        let user = identity::current_user(req, state.db.clone());
        Box::pin(async move {
            Ok(Visitor {
                user: user.await?,
                session,
                state,
            })
        })
    }
}
