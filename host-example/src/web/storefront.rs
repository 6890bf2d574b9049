//! The storefront: the product grid and product pages.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::chrome::Chrome;
use super::message;
use super::render::{WebError, page};
use super::visitor::Visitor;
use crate::shop::{Product, products};

#[derive(Template)]
#[template(path = "shop/home.html")]
struct Home {
    chrome: Chrome,
    products: Vec<Product>,
}

#[derive(Template)]
#[template(path = "shop/product.html")]
struct ProductPage {
    chrome: Chrome,
    product: Product,
}

pub(super) async fn home(visitor: Visitor) -> Result<HttpResponse, WebError> {
    let products = visitor.state.db.read(products::all).await?;
    let chrome = visitor.chrome("shop").await;
    page(StatusCode::OK, &Home { chrome, products })
}

pub(super) async fn product(
    visitor: Visitor,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    let found = match path.parse::<i64>() {
        Ok(id) => {
            visitor
                .state
                .db
                .read(move |conn| products::find(conn, id))
                .await?
        }
        Err(_) => None,
    };
    let Some(product) = found else {
        return message::not_found(&visitor).await;
    };
    let chrome = visitor.chrome("shop").await;
    page(StatusCode::OK, &ProductPage { chrome, product })
}
