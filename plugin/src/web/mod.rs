//! The web layer: actix handlers for the plugin's pages. Handlers
//! authenticate through the host adapter, parse input into domain values and
//! call the chat service; they never touch the database.

mod actor;
mod admin;
pub mod api;
mod assets;
mod csrf;
mod customer;
mod format;
pub(crate) mod identity;
pub mod layout;
mod page;
mod page_error;

use actix_web::web;

pub use actor::SignedIn;
pub use format::{badge, relative_time};

use crate::Storechat;

pub(crate) fn configure(chat: &Storechat, cfg: &mut web::ServiceConfig) {
    let data = web::Data::new(chat.clone());
    let routes = &chat.config().routes;
    cfg.service(
        web::scope(&routes.assets)
            .app_data(data.clone())
            .route("/storechat.css", web::get().to(assets::stylesheet))
            .route("/storechat-admin.js", web::get().to(assets::admin_script))
            .route("/storechat-live.js", web::get().to(assets::live_script))
            .route("/storechat-pages.js", web::get().to(assets::pages_script))
            .route("/storechat-widget.js", web::get().to(assets::widget_script))
            .route(
                "/storechat-widget.css",
                web::get().to(assets::widget_stylesheet),
            )
            .route("/storechat-inbox.js", web::get().to(assets::inbox_script))
            .route(
                "/storechat-inbox.css",
                web::get().to(assets::inbox_stylesheet),
            ),
    );
    cfg.service(
        web::resource(&routes.ws)
            .app_data(data.clone())
            .route(web::get().to(crate::realtime::upgrade)),
    );
    cfg.service(customer::scope(&routes.customer).app_data(data.clone()));
    cfg.service(admin::scope(&routes.admin).app_data(data));
    api::mount(chat, cfg);
}

/// True when the request says its body is JSON. A form on another site
/// cannot send that, which is what keeps cookie-authenticated JSON posts
/// safe from cross-site request forgery.
pub(crate) fn is_json(req: &actix_web::HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}
