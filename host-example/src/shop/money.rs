//! How prices read in the store: euros, two decimals, thousands grouped.

/// Formats cents as "€1,249.00".
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!(
        "{sign}€{}.{:02}",
        super::numbers::grouped(cents / 100),
        cents % 100
    )
}
