//! The store's web layer: storefront, account pages, sign-in, the admin site,
//! static files, and the frames the chat plugin's pages are shown in.

mod account;
mod admin;
mod api_token;
pub(crate) mod assets;
pub(crate) mod chrome;
pub(crate) mod frames;
mod login;
mod message;
mod render;
mod request_log;
mod storefront;
mod vendor;
mod visitor;

use actix_web::web;

pub(crate) use request_log::log_requests;

/// Mounts the store's own routes. The admin pages are single routes rather
/// than a `/admin` scope: a scope would also swallow the chat plugin's admin
/// panels under `/admin/dashboard/conversation`.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(storefront::home))
        .route("/products/{id}", web::get().to(storefront::product))
        .route("/login", web::get().to(login::form))
        .route("/login", web::post().to(login::submit))
        .route("/logout", web::post().to(login::logout))
        .service(
            web::resource("/api/auth/token")
                .app_data(api_token::json_config())
                .route(web::post().to(api_token::issue)),
        )
        .route("/account", web::get().to(account::home))
        .route("/account/", web::get().to(account::home))
        .route("/account/orders", web::get().to(account::home))
        .route("/account/orders/", web::get().to(account::orders))
        .route("/account/activity", web::get().to(account::activity_home))
        .route("/account/activity/", web::get().to(account::activity))
        .route("/vendor/", web::get().to(vendor::show))
        .route(
            "/vendor",
            web::get().to(|| async { render::see_other("/vendor/") }),
        )
        .route("/admin", web::get().to(admin::home))
        .route("/admin/", web::get().to(admin::dashboard::show))
        .route("/admin/orders/", web::get().to(admin::orders::list))
        .route(
            "/admin/orders/{id}/status",
            web::post().to(admin::orders::set_status),
        )
        .route("/admin/products/", web::get().to(admin::catalog::products))
        .route(
            "/admin/customers/",
            web::get().to(admin::catalog::customers),
        )
        .route("/static/northwind.css", web::get().to(assets::stylesheet));
}

/// Every URL nothing else answers.
pub(crate) async fn not_found(
    visitor: visitor::Visitor,
) -> Result<actix_web::HttpResponse, render::WebError> {
    message::not_found(&visitor).await
}
