//! Vouchers: a code worth an amount off a customer's next order, active until
//! it is redeemed at checkout.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::Rng;
use storechat::store::AnyConnection;

use super::schema::shop_vouchers as v;
use super::{ShopError, format_cents};

/// Code characters: capitals and digits without the look-alikes 0/O, 1/I/L,
/// because customers read codes out over the phone and type them by hand.
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH: usize = 6;

/// A clash among ~887 million codes is rare; several in a row means
/// something else is wrong.
const CODE_ATTEMPTS: usize = 8;

/// A voucher.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = v)]
pub struct Voucher {
    /// Id.
    pub id: i64,
    /// What the customer types at checkout ("NW-7KQ2XD").
    pub code: String,
    /// Its value in cents.
    pub amount_cents: i64,
    /// When it was issued.
    pub created_at: NaiveDateTime,
}

impl Voucher {
    /// "€5.00".
    pub fn amount(&self) -> String {
        format_cents(self.amount_cents)
    }
}

/// A customer's unredeemed vouchers, newest first.
pub fn active_of(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> Result<Vec<Voucher>, ShopError> {
    Ok(v::table
        .filter(v::user_id.eq(user_id))
        .filter(v::redeemed_at.is_null())
        .order((v::created_at.desc(), v::id.desc()))
        .limit(limit)
        .select(Voucher::as_select())
        .load(conn)?)
}

/// How many unredeemed vouchers a customer has.
pub fn count_active(conn: &mut AnyConnection, user_id: i64) -> Result<i64, ShopError> {
    Ok(v::table
        .filter(v::user_id.eq(user_id))
        .filter(v::redeemed_at.is_null())
        .count()
        .get_result(conn)?)
}

/// A voucher to store as it is, code included.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = v)]
pub struct NewVoucher<'a> {
    /// Its code.
    pub code: &'a str,
    /// Who may use it.
    pub user_id: i64,
    /// Its value in cents.
    pub amount_cents: i64,
    /// The member of staff issuing it, if one is.
    pub issued_by: Option<i64>,
    /// When it was issued.
    pub created_at: NaiveDateTime,
    /// When it was used, if it was.
    pub redeemed_at: Option<NaiveDateTime>,
}

/// Stores a voucher; returns its id.
pub fn insert(conn: &mut AnyConnection, new: &NewVoucher<'_>) -> Result<i64, ShopError> {
    Ok(diesel::insert_into(v::table)
        .values(new)
        .returning(v::id)
        .get_result(conn)?)
}

/// Issues a voucher with a fresh random code. Call inside a write
/// transaction: the code is checked free before the insert, because a failed
/// insert would abort the whole transaction on PostgreSQL.
pub fn issue(
    conn: &mut AnyConnection,
    user_id: i64,
    amount_cents: i64,
    issued_by: Option<i64>,
    at: NaiveDateTime,
) -> Result<Voucher, ShopError> {
    for _ in 0..CODE_ATTEMPTS {
        let code = random_code();
        if code_taken(conn, &code)? {
            continue;
        }
        let id = insert(
            conn,
            &NewVoucher {
                code: &code,
                user_id,
                amount_cents,
                issued_by,
                created_at: at,
                redeemed_at: None,
            },
        )?;
        return Ok(Voucher {
            id,
            code,
            amount_cents,
            created_at: at,
        });
    }
    Err(ShopError::Corrupt(format!(
        "no free voucher code after {CODE_ATTEMPTS} attempts"
    )))
}

fn code_taken(conn: &mut AnyConnection, code: &str) -> Result<bool, ShopError> {
    Ok(diesel::select(diesel::dsl::exists(v::table.filter(v::code.eq(code)))).get_result(conn)?)
}

/// "NW-" and six characters of [`ALPHABET`].
fn random_code() -> String {
    let mut rng = rand::rng();
    let tail: String = (0..CODE_LENGTH)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("NW-{tail}")
}
