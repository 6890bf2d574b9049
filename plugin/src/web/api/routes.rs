//! Requests that no handler takes: a method an address of the API does not
//! answer is a 405 with `Allow` (the methods the document lists for it),
//! anything else a 404. Both in the API's one error shape.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use super::error::ApiError;

/// The document's paths as segments (`{id}` stands for any one segment),
/// each with the methods it answers.
pub(super) struct Routes(Vec<(Vec<String>, Vec<&'static str>)>);

impl Routes {
    /// The routes of `document`.
    pub(super) fn of(document: &utoipa::openapi::OpenApi) -> Routes {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", &item.get),
                    ("PUT", &item.put),
                    ("POST", &item.post),
                    ("DELETE", &item.delete),
                    ("PATCH", &item.patch),
                ]
                .into_iter()
                .filter(|(_, operation)| operation.is_some())
                .map(|(method, _)| method)
                .collect();
                (path.split('/').map(str::to_owned).collect(), methods)
            })
            .collect();
        Routes(routes)
    }

    /// The methods `path` answers (none when it names nothing). Of the
    /// routes it fits, the one with the most literal segments counts:
    /// `…/conversations/bulk` rather than `…/conversations/{id}`.
    fn allowed(&self, path: &str) -> &[&'static str] {
        let segments: Vec<&str> = path.split('/').collect();
        let is_placeholder = |t: &str| t.starts_with('{') && t.ends_with('}');
        self.0
            .iter()
            .filter(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t == s || (is_placeholder(t) && !s.is_empty()))
            })
            .max_by_key(|(template, _)| template.iter().filter(|t| !is_placeholder(t)).count())
            .map_or(&[], |(_, methods)| methods.as_slice())
    }
}

/// The error for a request no handler took, or whose path parameters do not
/// parse: 405 when its address answers other methods, else 404.
pub(super) fn no_route(req: &HttpRequest) -> HttpResponse {
    let allowed = req
        .app_data::<web::Data<Routes>>()
        .map_or(&[][..], |routes| routes.allowed(req.path()));
    let method = req.method().as_str();
    if allowed.is_empty() || allowed.contains(&method) {
        return ApiError::not_found().error_response();
    }
    let allow = allowed.join(", ");
    let mut response = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("This address answers {allow}, not {method}."),
    )
    .error_response();
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// The scope's default service.
pub(super) async fn unrouted(req: HttpRequest) -> HttpResponse {
    no_route(&req)
}
