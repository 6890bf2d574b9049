//! The JSON API under the API prefix (default `/api/chat/v1`): everything
//! the pages do, for storefronts and apps that are not our pages. Routes and
//! the OpenAPI 3.1 document come from the same handlers (utoipa): a handler
//! is mounted by `.service(handler)`, which also adds its `#[utoipa::path]`
//! to the document, so the two cannot drift apart. The document is served
//! at `{prefix}/openapi.json` and checked in as `docs/openapi.json`.

mod admin;
mod auth;
mod conversations;
mod error;
mod model;
mod notifications;
mod responses;
mod routes;
pub(crate) mod schema;
mod settings;

use actix_web::dev::HttpServiceFactory;
use actix_web::{HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_actix_web::OpenApiFactory;

pub use auth::ApiActor;
pub use error::{ApiError, ErrorBody};

use crate::Storechat;

/// Largest JSON body accepted: a 10,000-character message of characters
/// JSON may escape as `\uXXXX\uXXXX` is 120 KB.
const BODY_LIMIT: usize = 256 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "storechat",
        version = "1",
        description = "The support chat between customers and the store, as JSON.\n\n\
            Authenticate with `Authorization: Bearer <token>` (tokens are issued by the store; \
            the example store's are JWTs from `POST /api/auth/token`). The store's own pages may \
            call with their session cookie instead; POSTs must then be `application/json`.\n\n\
            Every error has the shape `{\"error\": code, \"message\": text, \"details\": …}`. \
            Lists page with opaque cursors: pass a page's `next_cursor` as `cursor`."
    ),
    // Query parameters' schemas are not collected from the routes.
    components(schemas(ErrorBody, schema::ReadFilter, schema::SortName)),
    modifiers(&BearerAuth),
    tags(
        (name = "conversations", description = "Conversations the caller may see"),
        (name = "messages", description = "Messages of a conversation"),
        (name = "notifications", description = "In-app notifications and unread badges"),
        (name = "admin", description = "The store's side: the admin list and operations"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi
            .components
            .get_or_insert_with(utoipa::openapi::Components::new);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token the store issued (Authorization: Bearer <token>).",
                    ))
                    .build(),
            ),
        );
    }
}

/// The served document, rendered once.
struct Document(String);

/// The API's routes; with `chat`, ready to mount, without only to read
/// their document.
fn scope(
    prefix: &str,
    chat: Option<web::Data<Storechat>>,
) -> impl HttpServiceFactory + OpenApiFactory + 'static {
    let mut scope = utoipa_actix_web::scope::scope(prefix)
        .app_data(
            web::JsonConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(error::json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(error::query_error))
        .app_data(web::PathConfig::default().error_handler(error::path_error))
        .service(conversations::list_conversations)
        .service(conversations::open_conversation)
        .service(conversations::get_conversation)
        .service(conversations::mark_read)
        .service(conversations::list_messages)
        .service(conversations::send_message)
        .service(conversations::edit_message)
        .service(conversations::delete_message)
        .service(conversations::add_reaction)
        .service(conversations::remove_reaction)
        .service(conversations::unread)
        .service(notifications::list_notifications)
        .service(notifications::read_all_notifications)
        .service(notifications::read_notification)
        .service(admin::list)
        .service(admin::open)
        .service(admin::bulk)
        .service(admin::export_conversations)
        .service(admin::set_status)
        .service(admin::assign)
        .service(admin::set_priority)
        .service(admin::delete_conversation)
        .service(settings::get_settings)
        .service(settings::save_settings)
        .service(settings::availability)
        .route("/openapi.json", web::get().to(openapi_json))
        .default_service(web::to(routes::unrouted));
    if let Some(chat) = chat {
        let document = document(&chat.config().routes.api);
        let json = serde_json::to_string(&document).unwrap_or_default();
        scope = scope
            .app_data(chat)
            .app_data(web::Data::new(routes::Routes::of(&document)))
            .app_data(web::Data::new(Document(json)));
    }
    scope
}

/// The OpenAPI 3.1 document of the API mounted at `prefix`.
pub fn document(prefix: &str) -> utoipa::openapi::OpenApi {
    let routes = scope(prefix, None);
    let mut doc = ApiDoc::openapi();
    doc.paths.merge(routes.paths());
    let mut schemas = Vec::new();
    routes.schemas(&mut schemas);
    doc.components
        .get_or_insert_with(utoipa::openapi::Components::new)
        .schemas
        .extend(schemas);
    doc
}

async fn openapi_json(document: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(document.0.clone())
}

pub(crate) fn mount(chat: &Storechat, cfg: &mut web::ServiceConfig) {
    let data = web::Data::new(chat.clone());
    cfg.service(scope(&chat.config().routes.api, Some(data)));
}
