//! The web layer: actix handlers for the plugin's pages. Handlers
//! authenticate through the host adapter, parse input into domain values and
//! call the chat service; they never touch the database.

mod actor;
mod admin;
pub mod api;
mod assets;
pub(crate) mod away;
pub(crate) mod csrf;
mod customer;
mod format;
pub(crate) mod identity;
pub mod layout;
mod page;
mod page_error;
pub(crate) mod route_table;

use actix_web::web;

pub use actor::SignedIn;
pub use format::{badge, relative_time};
pub use route_table::PageRoute;

use crate::Storechat;

route_table::page_routes! {
    ASSET_ROUTES, mount_assets;
    get "/storechat.css" => assets::stylesheet,
    get "/storechat-admin.js" => assets::admin_script,
    get "/storechat-live.js" => assets::live_script,
    get "/storechat-pages.js" => assets::pages_script,
    get "/storechat-widget.js" => assets::widget_script,
    get "/storechat-widget.css" => assets::widget_stylesheet,
    get "/storechat-inbox.js" => assets::inbox_script,
    get "/storechat-inbox.css" => assets::inbox_stylesheet,
}

pub(crate) fn configure(chat: &Storechat, cfg: &mut web::ServiceConfig) {
    let data = web::Data::new(chat.clone());
    let routes = &chat.config().routes;
    cfg.service(mount_assets(
        web::scope(&routes.assets).app_data(data.clone()),
    ));
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

/// Every page route the plugin mounts, with its full path under `routes`
/// (`("post", "/dashboard/messages/{id}/send/")`), in mount order. The
/// JSON API's routes are in its OpenAPI document instead
/// ([`api::document`]).
pub fn page_routes(routes: &crate::Routes) -> Vec<(&'static str, String)> {
    let mut all = Vec::new();
    let mut add = |prefix: &str, table: &[PageRoute]| {
        all.extend(
            table
                .iter()
                .map(|r| (r.method, format!("{prefix}{}", r.path))),
        );
    };
    add(&routes.customer, customer::ROUTES);
    add(
        &format!("{}{}", routes.admin, admin::INBOX),
        admin::INBOX_ROUTES,
    );
    add(&routes.admin, admin::ROUTES);
    add(&routes.assets, ASSET_ROUTES);
    all.push(("get", routes.ws.clone()));
    all
}
