//! The demo customers' loyalty points and vouchers, written through the
//! same shop functions the admin panel's buttons use.

use chrono::{NaiveDateTime, TimeDelta};
use storechat::store::AnyConnection;

use super::{ALICE_POINTS, ALICE_VOUCHER, BOB_POINTS};
use crate::shop::ShopError;
use crate::shop::loyalty::{self, Reason};
use crate::shop::vouchers::{self, NewVoucher};

/// Points Ann gave Alice on top of what she earned, so that the panel's
/// "Last change" names a member of staff.
const ANN_GIFT: i64 = 250;

/// Alice's voucher from before, already used: it must not show as active.
const ALICE_USED_VOUCHER: &str = "NW-AUTUMN";

/// Call inside the demo's write transaction.
pub(super) fn insert(
    conn: &mut AnyConnection,
    alice: i64,
    bob: i64,
    ann: i64,
    now: NaiveDateTime,
) -> Result<(), ShopError> {
    let ago = |days: i64| now - TimeDelta::days(days);

    loyalty::add(
        conn,
        alice,
        ALICE_POINTS - ANN_GIFT,
        Reason::Earned,
        None,
        ago(30),
    )?;
    loyalty::add(conn, alice, ANN_GIFT, Reason::Gift, Some(ann), ago(5))?;
    loyalty::add(conn, bob, BOB_POINTS, Reason::Earned, None, ago(20))?;

    vouchers::insert(
        conn,
        &NewVoucher {
            code: ALICE_USED_VOUCHER,
            user_id: alice,
            amount_cents: 500,
            issued_by: None,
            created_at: ago(60),
            redeemed_at: Some(ago(32)),
        },
    )?;
    vouchers::insert(
        conn,
        &NewVoucher {
            code: ALICE_VOUCHER,
            user_id: alice,
            amount_cents: 500,
            issued_by: Some(ann),
            created_at: ago(5),
            redeemed_at: None,
        },
    )?;
    Ok(())
}
