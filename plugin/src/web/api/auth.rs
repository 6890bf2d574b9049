//! The API's caller as an extractor. Apps send `Authorization: Bearer
//! <token>` (checked by the host adapter); the store's own pages may call
//! with the session cookie instead, and then every POST must be
//! `application/json`: a form on another site cannot send that, so a
//! cookie alone never makes a change (no CSRF token needed).

use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, dev::Payload, http::Method, web};
use futures_util::future::LocalBoxFuture;

use super::error::ApiError;
use crate::Storechat;
use crate::domain::Actor;
use crate::web::identity::{Credential, identify};

/// The signed-in caller of an API route.
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

impl FromRequest for ApiActor {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let Some(chat) = req.app_data::<web::Data<Storechat>>().cloned() else {
                return Err(ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "misconfigured",
                    "The chat API is not mounted correctly.",
                ));
            };
            // Staff can turn the API off (apps); nothing is lost meanwhile.
            if !chat.service().settings().api_enabled {
                return Err(ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "api_disabled",
                    "The chat API is turned off by the store for now; your conversations are kept. Please try again later.",
                ));
            }
            let (actor, credential) = identify(&chat, &req).await.map_err(|e| {
                tracing::error!(error = %e, "host adapter could not identify an API request");
                ApiError::new(
                    StatusCode::BAD_GATEWAY,
                    "host_error",
                    "Something went wrong on our side; please try again.",
                )
            })?;
            let Some(actor) = actor else {
                return Err(match credential {
                    Credential::Malformed => ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "The Authorization header must be \"Bearer <token>\".",
                    ),
                    Credential::Bearer => ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "This token is not valid (unknown, expired or signed by someone else).",
                    ),
                    Credential::Session => ApiError::new(
                        StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "Sign in, or send a bearer token.",
                    ),
                });
            };
            if credential == Credential::Session
                && req.method() == Method::POST
                && !crate::web::is_json(&req)
            {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Send this request with Content-Type: application/json.",
                ));
            }
            Ok(ApiActor(actor))
        })
    }
}
