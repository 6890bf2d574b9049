//! The demo store's users, products and orders, and (through
//! [`super::rewards`]) the customers' points and vouchers.

use chrono::{NaiveDateTime, TimeDelta};
use storechat::store::{AnyConnection, Db};

use super::{ALICE, ANN, BOB, DemoUser, VERA, VICTOR};
use crate::auth::password;
use crate::shop::orders::NewLine;
use crate::shop::products::NewProduct;
use crate::shop::users::NewUser;
use crate::shop::{OrderStatus, ShopError, orders, products, users};

/// The ids the demo conversations refer to.
pub(super) struct DemoIds {
    pub alice: i64,
    pub bob: i64,
    pub ann: i64,
    pub victor: i64,
    /// Alice's orders, oldest first.
    pub alice_orders: Vec<i64>,
    /// Bob's orders, oldest first.
    pub bob_orders: Vec<i64>,
    /// One of Victor's products.
    pub pour_over: i64,
}

/// Who sells a demo product.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seller {
    /// The store itself.
    Store,
    /// Victor, a marketplace vendor.
    Victor,
    /// Vera, another marketplace vendor.
    Vera,
}

/// (name, description, price in cents, seller, emoji, tile colour)
type DemoProduct = (
    &'static str,
    &'static str,
    i64,
    Seller,
    &'static str,
    &'static str,
);

const PRODUCTS: [DemoProduct; 9] = [
    (
        "Merino Wool Beanie",
        "A soft, rib-knit beanie in undyed merino from a family mill in Donegal. Warm without the itch, and it keeps its shape wash after wash.",
        2900,
        Seller::Store,
        "🧶",
        "#fde2e4",
    ),
    (
        "Beeswax Candle Trio",
        "Three hand-poured candles of pure beeswax with cotton wicks. They burn clean for about 30 hours each and smell faintly of honey.",
        2400,
        Seller::Store,
        "🕯️",
        "#fff1d6",
    ),
    (
        "Canvas Weekender Bag",
        "Waxed cotton canvas, leather handles and a brass zip. Big enough for three days away, small enough for the overhead rack.",
        8900,
        Seller::Store,
        "👜",
        "#f3e8d2",
    ),
    (
        "Enamel Camping Mug",
        "A classic steel mug with a glossy enamel finish and a rolled rim. Holds 350 ml of coffee over a fire or on your desk.",
        1450,
        Seller::Store,
        "🏕️",
        "#dcefe6",
    ),
    (
        "Stoneware Pour-Over Set",
        "A hand-thrown dripper and matching 600 ml carafe in a speckled oat glaze. Brews two generous cups.",
        3800,
        Seller::Victor,
        "☕",
        "#e8dfd5",
    ),
    (
        "Hand-thrown Ceramic Bowl",
        "A wide, shallow bowl for salads, ramen or fruit, thrown on the wheel and glazed in deep sea blue. Each one is a little different.",
        3200,
        Seller::Victor,
        "🥣",
        "#dbe7f5",
    ),
    (
        "Wool Throw Blanket",
        "A heavy herringbone throw woven from British wool. 130 × 180 cm of warmth for the sofa or the end of the bed.",
        12000,
        Seller::Store,
        "🛋️",
        "#e4e1f5",
    ),
    (
        "Field Notebook, 3-pack",
        "Pocket notebooks with dot-grid pages, stitched spines and recycled kraft covers. Made for lists, sketches and train tickets.",
        1200,
        Seller::Store,
        "📓",
        "#f5f0c8",
    ),
    (
        "Stoneware Mug",
        "A hand-thrown stoneware mug with a speckled oatmeal glaze, made in a small studio in Stoke. Holds 350 ml; dishwasher safe.",
        2200,
        Seller::Vera,
        "☕",
        "#f3e3d3",
    ),
];

/// Creates the demo store unless the users table already has anyone. The
/// check is repeated inside the write transaction, so two processes starting
/// together never seed twice (on PostgreSQL the later one fails on the
/// unique e-mails instead).
pub(super) async fn insert_if_empty(db: &Db) -> Result<Option<DemoIds>, ShopError> {
    let empty = db
        .read(|conn| Ok::<_, ShopError>(users::count(conn)? == 0))
        .await?;
    if !empty {
        return Ok(None);
    }
    // argon2 is slow on purpose: hash before taking the write lock.
    let hashes = tokio::task::spawn_blocking(|| {
        [ALICE, BOB, ANN, VICTOR, VERA]
            .map(|u| password::hash(u.password).map_err(|e| ShopError::Password(e.to_string())))
    })
    .await
    .map_err(|e| ShopError::Password(e.to_string()))?;
    let [alice_hash, bob_hash, ann_hash, victor_hash, vera_hash] = hashes;
    let (alice_hash, bob_hash, ann_hash, victor_hash, vera_hash) =
        (alice_hash?, bob_hash?, ann_hash?, victor_hash?, vera_hash?);

    db.write(move |conn| {
        if users::count(conn)? > 0 {
            return Ok(None);
        }
        let now = crate::shop::now();
        let ago = |days: i64, hours: i64| now - TimeDelta::days(days) - TimeDelta::hours(hours);
        let user =
            |conn: &mut AnyConnection, who: DemoUser, hash: String, joined: NaiveDateTime| {
                users::insert(
                    conn,
                    &NewUser::new(who.email, who.name, hash, who.role, joined),
                )
            };
        let ann = user(conn, ANN, ann_hash, ago(400, 0))?;
        let victor = user(conn, VICTOR, victor_hash, ago(200, 0))?;
        let vera = user(conn, VERA, vera_hash, ago(150, 0))?;
        let alice = user(conn, ALICE, alice_hash, ago(90, 3))?;
        let bob = user(conn, BOB, bob_hash, ago(45, 7))?;

        let mut ids = Vec::with_capacity(PRODUCTS.len());
        for (name, description, price_cents, seller, emoji, colour) in PRODUCTS {
            let product = NewProduct {
                name,
                description,
                price_cents,
                vendor_id: match seller {
                    Seller::Store => None,
                    Seller::Victor => Some(victor),
                    Seller::Vera => Some(vera),
                },
                emoji,
                colour,
                created_at: ago(120, 0),
            };
            ids.push((name, price_cents, products::insert(conn, &product)?));
        }
        let product = |wanted: &str| {
            ids.iter()
                .find(|(name, _, _)| *name == wanted)
                .copied()
                .ok_or_else(|| ShopError::Corrupt(format!("demo product {wanted:?} is missing")))
        };
        let line = |wanted: &'static str, quantity: i32| {
            product(wanted).map(|(name, price_cents, product_id)| NewLine {
                product_id,
                name,
                quantity,
                price_cents,
            })
        };

        let mut place = |customer: i64,
                         status: OrderStatus,
                         placed_at: NaiveDateTime,
                         lines: &[NewLine<'_>]| {
            orders::place(conn, customer, status, placed_at, lines)
        };
        let alice_1 = place(
            alice,
            OrderStatus::Delivered,
            ago(32, 2),
            &[
                line("Wool Throw Blanket", 1)?,
                line("Beeswax Candle Trio", 2)?,
            ],
        )?;
        let bob_1 = place(
            bob,
            OrderStatus::Delivered,
            ago(21, 5),
            &[line("Merino Wool Beanie", 2)?],
        )?;
        let alice_2 = place(
            alice,
            OrderStatus::Shipped,
            ago(6, 1),
            &[line("Canvas Weekender Bag", 1)?],
        )?;
        let bob_2 = place(
            bob,
            OrderStatus::Paid,
            ago(3, 4),
            &[
                line("Hand-thrown Ceramic Bowl", 2)?,
                line("Enamel Camping Mug", 1)?,
            ],
        )?;
        let alice_3 = place(
            alice,
            OrderStatus::Paid,
            ago(1, 2),
            &[
                line("Field Notebook, 3-pack", 2)?,
                line("Enamel Camping Mug", 2)?,
            ],
        )?;

        super::rewards::insert(conn, alice, bob, ann, now)?;

        Ok(Some(DemoIds {
            alice,
            bob,
            ann,
            victor,
            alice_orders: vec![alice_1, alice_2, alice_3],
            bob_orders: vec![bob_1, bob_2],
            pour_over: product("Stoneware Pour-Over Set")?.2,
        }))
    })
    .await
}
