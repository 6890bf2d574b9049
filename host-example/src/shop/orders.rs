//! Orders and their lines. Lines keep the name and unit price as sold.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use storechat::store::AnyConnection;

use super::schema::{shop_order_items as i, shop_orders as o, shop_users as u};
use super::{ShopError, format_cents};

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// Placed, not paid yet.
    Placed,
    /// Paid, waiting to be shipped.
    Paid,
    /// On its way.
    Shipped,
    /// Arrived.
    Delivered,
    /// Will not be shipped.
    Cancelled,
}

impl OrderStatus {
    /// Every status, in workflow order.
    pub const ALL: [OrderStatus; 5] = [
        OrderStatus::Placed,
        OrderStatus::Paid,
        OrderStatus::Shipped,
        OrderStatus::Delivered,
        OrderStatus::Cancelled,
    ];

    /// The stored and shown form.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placed => "Placed",
            OrderStatus::Paid => "Paid",
            OrderStatus::Shipped => "Shipped",
            OrderStatus::Delivered => "Delivered",
            OrderStatus::Cancelled => "Cancelled",
        }
    }

    /// Parses the stored form (exactly).
    pub fn parse(s: &str) -> Option<OrderStatus> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// A CSS-friendly name.
    pub fn css(self) -> &'static str {
        match self {
            OrderStatus::Placed => "placed",
            OrderStatus::Paid => "paid",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = o)]
struct OrderRow {
    id: i64,
    number: String,
    customer_id: i64,
    status: String,
    total_cents: i64,
    placed_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = i)]
struct LineRow {
    order_id: i64,
    product_id: i64,
    name: String,
    quantity: i32,
    price_cents: i64,
}

/// A line of an order.
#[derive(Debug, Clone)]
pub struct OrderLine {
    /// The product sold.
    pub product_id: i64,
    /// Its name when sold.
    pub name: String,
    /// How many.
    pub quantity: i32,
    /// Unit price when sold, in cents.
    pub price_cents: i64,
}

impl OrderLine {
    /// Quantity times unit price, in cents.
    pub fn total_cents(&self) -> i64 {
        self.price_cents.saturating_mul(i64::from(self.quantity))
    }

    /// "€25.00".
    pub fn total(&self) -> String {
        format_cents(self.total_cents())
    }
}

/// An order with its lines and its customer's name.
#[derive(Debug, Clone)]
pub struct Order {
    /// Id; the chat plugin knows it as a string.
    pub id: i64,
    /// The number customers know it by ("#10023").
    pub number: String,
    /// Who placed it.
    pub customer_id: i64,
    /// Their name.
    pub customer_name: String,
    /// Where it stands.
    pub status: OrderStatus,
    /// Total in cents.
    pub total_cents: i64,
    /// When it was placed.
    pub placed_at: NaiveDateTime,
    /// Its lines.
    pub lines: Vec<OrderLine>,
}

impl Order {
    /// "€42.50".
    pub fn total(&self) -> String {
        format_cents(self.total_cents)
    }

    /// "3 Nov 2026".
    pub fn placed_on(&self) -> String {
        self.placed_at.format("%-d %b %Y").to_string()
    }

    /// How many items, all lines together.
    pub fn item_count(&self) -> i64 {
        self.lines.iter().map(|l| i64::from(l.quantity)).sum()
    }
}

/// Loads the lines of `rows` and puts it all together, keeping the order of `rows`.
fn assemble(
    conn: &mut AnyConnection,
    rows: Vec<(OrderRow, String)>,
) -> Result<Vec<Order>, ShopError> {
    let ids: Vec<i64> = rows.iter().map(|(r, _)| r.id).collect();
    let mut lines: Vec<LineRow> = i::table
        .filter(i::order_id.eq_any(&ids))
        .order((i::order_id.asc(), i::id.asc()))
        .select(LineRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|(row, customer_name)| {
            let status = OrderStatus::parse(&row.status).ok_or_else(|| {
                ShopError::Corrupt(format!("unknown order status {:?}", row.status))
            })?;
            let (mine, rest): (Vec<LineRow>, Vec<LineRow>) =
                lines.drain(..).partition(|l| l.order_id == row.id);
            lines = rest;
            Ok(Order {
                id: row.id,
                number: row.number,
                customer_id: row.customer_id,
                customer_name,
                status,
                total_cents: row.total_cents,
                placed_at: row.placed_at,
                lines: mine
                    .into_iter()
                    .map(|l| OrderLine {
                        product_id: l.product_id,
                        name: l.name,
                        quantity: l.quantity,
                        price_cents: l.price_cents,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// One order with its lines.
pub fn find(conn: &mut AnyConnection, id: i64) -> Result<Option<Order>, ShopError> {
    let row: Option<(OrderRow, String)> = o::table
        .inner_join(u::table)
        .filter(o::id.eq(id))
        .select((OrderRow::as_select(), u::name))
        .first(conn)
        .optional()?;
    Ok(assemble(conn, row.into_iter().collect())?.pop())
}

/// A customer's orders, newest first.
pub fn of_customer(
    conn: &mut AnyConnection,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<Order>, ShopError> {
    let rows: Vec<(OrderRow, String)> = o::table
        .inner_join(u::table)
        .filter(o::customer_id.eq(customer_id))
        .order((o::placed_at.desc(), o::id.desc()))
        .limit(limit)
        .select((OrderRow::as_select(), u::name))
        .load(conn)?;
    assemble(conn, rows)
}

/// The most recent orders of everyone, newest first.
pub fn recent(conn: &mut AnyConnection, limit: i64) -> Result<Vec<Order>, ShopError> {
    let rows: Vec<(OrderRow, String)> = o::table
        .inner_join(u::table)
        .order((o::placed_at.desc(), o::id.desc()))
        .limit(limit)
        .select((OrderRow::as_select(), u::name))
        .load(conn)?;
    assemble(conn, rows)
}

/// How many orders there are.
pub fn count(conn: &mut AnyConnection) -> Result<i64, ShopError> {
    Ok(o::table.count().get_result(conn)?)
}

/// How many orders each customer placed, by customer id.
pub fn counts_by_customer(conn: &mut AnyConnection) -> Result<Vec<(i64, i64)>, ShopError> {
    Ok(o::table
        .group_by(o::customer_id)
        .select((o::customer_id, diesel::dsl::count_star()))
        .load(conn)?)
}

/// Sets an order's status; returns the order number, or `None` when there is
/// no such order.
pub fn set_status(
    conn: &mut AnyConnection,
    id: i64,
    status: OrderStatus,
) -> Result<Option<String>, ShopError> {
    Ok(diesel::update(o::table.find(id))
        .set(o::status.eq(status.as_str()))
        .returning(o::number)
        .get_result(conn)
        .optional()?)
}

/// A line of an order to place: product, name, quantity, unit price.
#[derive(Debug, Clone)]
pub struct NewLine<'a> {
    /// The product.
    pub product_id: i64,
    /// Its name.
    pub name: &'a str,
    /// How many.
    pub quantity: i32,
    /// Unit price in cents.
    pub price_cents: i64,
}

/// Places an order with its lines; the number follows the highest so far.
/// Call inside a write transaction so that two orders never get one number.
pub fn place(
    conn: &mut AnyConnection,
    customer_id: i64,
    status: OrderStatus,
    placed_at: NaiveDateTime,
    lines: &[NewLine<'_>],
) -> Result<i64, ShopError> {
    let total: i64 = lines
        .iter()
        .map(|l| l.price_cents.saturating_mul(i64::from(l.quantity)))
        .sum();
    // Numbers start at #10001 and follow the ids, which only grow.
    let next: i64 = o::table
        .select(diesel::dsl::max(o::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0)
        + 10_001;
    let id: i64 = diesel::insert_into(o::table)
        .values((
            o::number.eq(format!("#{next}")),
            o::customer_id.eq(customer_id),
            o::status.eq(status.as_str()),
            o::total_cents.eq(total),
            o::placed_at.eq(placed_at),
        ))
        .returning(o::id)
        .get_result(conn)?;
    // One statement per line: the multi-backend connection cannot batch-insert.
    for line in lines {
        diesel::insert_into(i::table)
            .values((
                i::order_id.eq(id),
                i::product_id.eq(line.product_id),
                i::name.eq(line.name),
                i::quantity.eq(line.quantity),
                i::price_cents.eq(line.price_cents),
            ))
            .execute(conn)?;
    }
    Ok(id)
}
