//! `GET /vendor/`: a marketplace vendor's dashboard. Their products, with
//! the customers' questions about each; the chat plugin's panels (list,
//! change view, inbox), which the plugin scopes to the vendor's products,
//! are one click away in the same layout.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;
use storechat::service::AdminQuery;
use storechat::web::relative_time;

use super::message;
use super::render::{WebError, page, see_other, sign_in_redirect};
use super::visitor::Visitor;
use crate::shop::{Product, UserRole, products};
use crate::web::chrome::Chrome;

const RECENT: i64 = 8;

struct Recent {
    href: String,
    subject: String,
    customer: String,
    product: String,
    status: &'static str,
    status_class: &'static str,
    unread: i32,
    when: String,
}

#[derive(Template)]
#[template(path = "admin/vendor.html")]
struct VendorPage {
    chrome: Chrome,
    name: String,
    products: Vec<Product>,
    unread: i64,
    open: usize,
    recent: Vec<Recent>,
}

pub(super) async fn show(req: HttpRequest, visitor: Visitor) -> Result<HttpResponse, WebError> {
    let user = match &visitor.user {
        Some(user) if user.role == UserRole::Vendor => user.clone(),
        Some(user) if user.is_staff() => return Ok(see_other("/admin/")),
        Some(_) => {
            return message::forbidden(
                &visitor,
                "This page is for the store's marketplace vendors.",
            )
            .await;
        }
        None => return Ok(sign_in_redirect(req.uri().path())),
    };
    let vendor = user.id;
    let mine = visitor
        .state
        .db
        .read(move |conn| {
            Ok::<_, crate::shop::ShopError>(
                products::all(conn)?
                    .into_iter()
                    .filter(|p| p.vendor_id == Some(vendor))
                    .collect::<Vec<_>>(),
            )
        })
        .await?;
    let actor = user.actor();
    let service = visitor.state.chat.service();
    let unread = service.unread_for_admin(&actor).await?;
    let list = service
        .admin_list(
            &actor,
            AdminQuery {
                per_page: 50,
                ..AdminQuery::default()
            },
        )
        .await?;
    let open = list
        .rows
        .iter()
        .filter(|c| c.status != storechat::Status::Closed)
        .count();
    let now = storechat::store::now();
    let admin = &visitor.state.chat.config().routes.admin;
    let recent = list
        .rows
        .iter()
        .take(RECENT as usize)
        .map(|c| Recent {
            href: format!("{admin}/{}/change/", c.id),
            subject: c.subject.clone(),
            customer: c.customer_name.clone(),
            product: c.product_name.clone().unwrap_or_default(),
            status: c.status.label(),
            status_class: c.status.css(),
            unread: c.unread_for_admin,
            when: relative_time(c.last_message_at, now),
        })
        .collect();
    let chrome = visitor.chrome("vendor").await;
    page(
        StatusCode::OK,
        &VendorPage {
            chrome,
            name: user.name.clone(),
            products: mine,
            unread,
            open,
            recent,
        },
    )
}
