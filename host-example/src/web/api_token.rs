//! `POST /api/auth/token`: the store's sign-in for API clients and apps.
//! E-mail and password in, a bearer token (JWT, one hour) out; the chat API
//! under /api/chat/v1 takes it as `Authorization: Bearer <token>`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::auth::{password, token};
use crate::state::AppState;

#[derive(Deserialize)]
pub(super) struct Credentials {
    email: String,
    password: String,
}

fn error(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({ "error": code, "message": message, "details": null }))
}

/// The JSON body's problems, in the chat API's error shape.
pub(super) fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(16 * 1024)
        .error_handler(|err, _| {
            use actix_web::error::JsonPayloadError as E;
            let response = match &err {
                E::ContentType => error(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Send a JSON body with Content-Type: application/json.",
                ),
                E::Overflow { .. } | E::OverflowKnownLength { .. } => error(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "The request body is too large.",
                ),
                _ => error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid",
                    "Send {\"email\": …, \"password\": …}.",
                ),
            };
            actix_web::error::InternalError::from_response(err, response).into()
        })
}

pub(super) async fn issue(
    state: web::Data<AppState>,
    body: web::Json<Credentials>,
) -> HttpResponse {
    let Credentials {
        email,
        password: typed,
    } = body.into_inner();
    let user = match password::sign_in(&state.db, &email, typed).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return error(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                "Wrong e-mail or password.",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "token sign-in could not be checked");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Please try again.",
            );
        }
    };
    match state.tokens.issue(user.id) {
        Ok(access_token) => HttpResponse::Ok().json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": token::LIFETIME.num_seconds(),
            "user": { "id": user.id.to_string(), "name": user.name, "role": user.role.as_str() },
        })),
        Err(e) => {
            tracing::error!(error = %e, "token could not be signed");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Please try again.",
            )
        }
    }
}
