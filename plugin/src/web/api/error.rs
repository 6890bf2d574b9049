//! The API's one error shape, `{"error": code, "message": text, "details":
//! …}`, and the one place chat errors and malformed requests become it.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::error::ChatError;

/// Every error the API answers with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// A stable machine-readable code (`conversation_not_found`, `invalid`, …).
    #[schema(example = "conversation_not_found")]
    pub error: String,
    /// What went wrong, in words for a person.
    pub message: String,
    /// More about it when there is more: the `field` of an `invalid` value,
    /// the conversations that blocked a delete, the `parameter` of a bad
    /// query, the seconds to wait after `rate_limited`.
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

/// An error answer of the API.
#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<u64>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.body.error, self.body.message)
    }
}

impl ApiError {
    /// An error with a status, a code and a message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: code.to_owned(),
                message: message.into(),
                details: None,
            },
            retry_after: None,
        }
    }

    /// Adds details.
    pub fn with_details(mut self, details: Value) -> ApiError {
        self.body.details = Some(details);
        self
    }

    /// A query or path parameter that cannot be used (400).
    pub fn bad_parameter(parameter: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
            .with_details(json!({ "parameter": parameter }))
    }

    /// The per-person message allowance is spent (429).
    pub fn rate_limited(retry_after: u64) -> ApiError {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            "You are sending messages too quickly; please wait a moment.",
        )
        .with_details(json!({ "retry_after": retry_after }));
        e.retry_after = Some(retry_after);
        e
    }

    /// No such route or resource (404).
    pub fn not_found() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "There is nothing at this address.",
        )
    }

    /// The status code.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl From<ChatError> for ApiError {
    fn from(e: ChatError) -> ApiError {
        if e.is_internal() {
            tracing::error!(error = ?e, "API request failed");
        }
        let details = match &e {
            ChatError::Invalid(invalid) => Some(json!({ "field": invalid.field })),
            ChatError::NotClosed(blockers) => Some(json!({
                "not_closed": blockers
                    .iter()
                    .map(|b| json!({ "id": b.id, "subject": b.subject, "status": b.status.as_str() }))
                    .collect::<Vec<_>>(),
            })),
            ChatError::UnknownConversations(ids) => Some(json!({ "unknown": ids })),
            _ => None,
        };
        let message = match &e {
            ChatError::Invalid(invalid) => invalid.message.clone(),
            other => other.to_string(),
        };
        ApiError {
            status: e.http_status(),
            body: ErrorBody {
                error: e.code().to_owned(),
                message,
                details,
            },
            retry_after: None,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            response.insert_header((
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"storechat\""),
            ));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(&self.body)
    }
}

/// Malformed JSON bodies: not JSON (415), too large (413), not parseable
/// (400), or the wrong fields (422).
pub(super) fn json_error(
    err: actix_web::error::JsonPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send this request's body as JSON, with Content-Type: application/json.",
        ),
        E::Overflow { limit } | E::OverflowKnownLength { limit, .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("The request body is larger than {limit} bytes."),
        ),
        E::Deserialize(e) if e.is_data() => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("The JSON body does not fit: {e}."),
        ),
        E::Deserialize(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            format!("The request body is not valid JSON: {e}."),
        ),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_body",
            "The request body could not be read.",
        ),
    };
    actix_web::error::InternalError::from_response(err, api.error_response()).into()
}

/// A query string that does not parse (400).
pub(super) fn query_error(
    err: actix_web::error::QueryPayloadError,
    _: &actix_web::HttpRequest,
) -> actix_web::Error {
    let api = ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_parameter",
        format!("The query string does not fit: {err}."),
    );
    actix_web::error::InternalError::from_response(err, api.error_response()).into()
}

/// A path whose ids are not numbers names nothing (404), unless it is
/// another route's address that does not answer this method (405): `DELETE
/// …/conversations/bulk` is no conversation called "bulk".
pub(super) fn path_error(
    err: actix_web::error::PathError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    actix_web::error::InternalError::from_response(err, super::routes::no_route(req)).into()
}
