//! The error answers most routes share, documented once: a route lists
//! them by name in its `responses(...)`.

use utoipa::IntoResponses;

use super::error::ErrorBody;

/// Every route but the document itself.
#[derive(IntoResponses)]
#[allow(dead_code)] // Only their documentation is used.
pub enum Unauthorized {
    /// No valid bearer token (nor session); `WWW-Authenticate: Bearer`.
    #[response(status = 401)]
    Unauthenticated(ErrorBody),
    /// The store turned the API off in its chat settings (`api_disabled`);
    /// nothing is lost, try again later.
    #[response(status = 503)]
    Disabled(ErrorBody),
}

/// Routes that take a JSON body.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// The body is not valid JSON.
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// The body is larger than 256 KiB.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not `application/json`.
    #[response(status = 415)]
    NotJson(ErrorBody),
    /// A value cannot be accepted (`details.field` names it when it is one field).
    #[response(status = 422)]
    Invalid(ErrorBody),
}

/// Routes that page or filter by query parameters.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum QueryErrors {
    /// A parameter cannot be used (`details.parameter` names it).
    #[response(status = 400)]
    BadParameter(ErrorBody),
}

/// Routes about one conversation, message or notification.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum NotFound {
    /// No such thing, or not one the caller may see.
    #[response(status = 404)]
    Missing(ErrorBody),
}

/// Routes the caller's role may not use.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Forbidden {
    /// Signed in, but not allowed (a customer on the store's routes, say).
    #[response(status = 403)]
    NotAllowed(ErrorBody),
}

/// Routes that change what a customer may no longer change.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Conflict {
    /// The conversation is CLOSED (customers), or not CLOSED for a delete.
    #[response(status = 409)]
    Conflicting(ErrorBody),
}
