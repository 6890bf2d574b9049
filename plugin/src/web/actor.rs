//! The signed-in person as an extractor: handlers take `SignedIn` and never
//! dig in the request. Nobody signed in is sent to the host's sign-in page.

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::Method, web};
use futures_util::future::LocalBoxFuture;

use super::page_error::PageError;
use crate::Storechat;
use crate::domain::Actor;

/// The actor behind a request, as the host adapter identified them.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Actor);

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(chat) = req.app_data::<web::Data<Storechat>>().cloned() else {
            return Box::pin(async { Err(PageError::misconfigured()) });
        };
        let identified = chat.service().host().identify(req);
        // After signing in, come back to this page; a form post comes back
        // to the page that holds the form's list instead.
        let routes = &chat.config().routes;
        let return_to = if req.method() == Method::GET {
            req.uri().to_string()
        } else if req.path().starts_with(&format!("{}/", routes.admin)) {
            format!("{}/", routes.admin)
        } else {
            format!("{}/", routes.customer)
        };
        Box::pin(async move {
            match identified.await {
                Ok(Some(actor)) => Ok(SignedIn(actor)),
                Ok(None) => Err(PageError::sign_in(
                    chat.service().host().sign_in_url(&return_to),
                )),
                Err(e) => {
                    tracing::error!(error = %e, "host adapter could not identify the request");
                    Err(PageError::standalone_internal())
                }
            }
        })
    }
}
