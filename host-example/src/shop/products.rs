//! The catalogue. A product may be sold by a marketplace vendor; questions
//! about it then go to that vendor through the chat plugin.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storechat::store::AnyConnection;

use super::ShopError;
use super::schema::{shop_products as p, shop_users as u};

#[derive(Queryable, Selectable)]
#[diesel(table_name = p)]
struct ProductRow {
    id: i64,
    name: String,
    description: String,
    price_cents: i64,
    vendor_id: Option<i64>,
    emoji: String,
    colour: String,
}

/// A product with its vendor's name.
#[derive(Debug, Clone)]
pub struct Product {
    /// Id; the chat plugin knows it as a string.
    pub id: i64,
    /// Name.
    pub name: String,
    /// A paragraph about it.
    pub description: String,
    /// Price in cents.
    pub price_cents: i64,
    /// The vendor selling it, if not the store itself.
    pub vendor_id: Option<i64>,
    /// The vendor's name.
    pub vendor_name: Option<String>,
    /// Stands in for a photo.
    pub emoji: String,
    /// Background of the picture tile, a CSS colour.
    pub colour: String,
}

impl Product {
    /// Its storefront page.
    pub fn url(&self) -> String {
        format!("/products/{}", self.id)
    }

    /// "€42.50".
    pub fn price(&self) -> String {
        super::format_cents(self.price_cents)
    }

    fn from_row(row: ProductRow, vendor_name: Option<String>) -> Self {
        Product {
            id: row.id,
            name: row.name,
            description: row.description,
            price_cents: row.price_cents,
            vendor_id: row.vendor_id,
            vendor_name,
            emoji: row.emoji,
            colour: row.colour,
        }
    }
}

/// The whole catalogue, in the order it was added.
pub fn all(conn: &mut AnyConnection) -> Result<Vec<Product>, ShopError> {
    let rows: Vec<(ProductRow, Option<String>)> = p::table
        .left_join(u::table)
        .order(p::id.asc())
        .select((ProductRow::as_select(), u::name.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, vendor)| Product::from_row(row, vendor))
        .collect())
}

/// One product.
pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<Product>, ShopError> {
    let row: Option<(ProductRow, Option<String>)> = p::table
        .left_join(u::table)
        .filter(p::id.eq(id))
        .select((ProductRow::as_select(), u::name.nullable()))
        .first(conn)
        .optional()?;
    Ok(row.map(|(row, vendor)| Product::from_row(row, vendor)))
}

/// Products whose name contains `query` (case-insensitive, typed `%` and
/// `_` taken literally), for the chat's product picker.
pub fn search(
    conn: &mut AnyConnection,
    query: &str,
    limit: usize,
) -> Result<Vec<Product>, ShopError> {
    let needle = query.trim().to_lowercase();
    if needle.is_empty() {
        return Ok(Vec::new());
    }
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let limit = i64::try_from(limit.min(100)).unwrap_or(100);
    let rows: Vec<(ProductRow, Option<String>)> = p::table
        .left_join(u::table)
        .filter(
            super::users::lower(p::name)
                .like(format!("%{escaped}%"))
                .escape('\\'),
        )
        .order((p::name.asc(), p::id.asc()))
        .limit(limit)
        .select((ProductRow::as_select(), u::name.nullable()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, vendor)| Product::from_row(row, vendor))
        .collect())
}

/// How many products there are.
pub fn count(conn: &mut AnyConnection) -> Result<i64, ShopError> {
    Ok(p::table.count().get_result(conn)?)
}

/// A product to add.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = p)]
pub struct NewProduct<'a> {
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: &'a str,
    /// Price in cents.
    pub price_cents: i64,
    /// Vendor, if any.
    pub vendor_id: Option<i64>,
    /// Picture stand-in.
    pub emoji: &'a str,
    /// Tile colour.
    pub colour: &'a str,
    /// When it was added.
    pub created_at: NaiveDateTime,
}

/// Adds a product; returns its id.
pub fn insert(conn: &mut AnyConnection, new: &NewProduct<'_>) -> Result<i64, ShopError> {
    Ok(diesel::insert_into(p::table)
        .values(new)
        .returning(p::id)
        .get_result(conn)?)
}
