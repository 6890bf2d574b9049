//! Small helpers for raw SQL on either backend.

use anyhow::{Context, bail};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use storechat::store::AnyConnection;

/// Runs the same code on whichever connection is inside an
/// [`AnyConnection`]: `each_backend!(conn, c => expr)`, where `c` is a
/// `&mut PgConnection` in one arm and a `&mut SqliteConnection` in the other.
#[macro_export]
macro_rules! each_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            storechat::store::AnyConnection::Postgresql($c) => $body,
            storechat::store::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// A SQL string literal.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for ch in text.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
    out
}

/// A nullable SQL string literal.
pub fn quote_opt(text: Option<&str>) -> String {
    text.map_or_else(|| "NULL".to_owned(), quote)
}

/// A timestamp literal, written exactly as diesel writes `NaiveDateTime` to
/// SQLite (`%F %T%.f`), so that SQLite's text comparisons order it right;
/// PostgreSQL reads the same text into a `TIMESTAMP`.
pub fn time(at: NaiveDateTime) -> String {
    format!("'{}'", at.format("%F %T%.f"))
}

#[derive(QueryableByName)]
struct Int {
    #[diesel(sql_type = BigInt)]
    v: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    v: String,
}

/// The one integer a query returns (name the column `v`).
pub fn int(conn: &mut AnyConnection, query: &str) -> anyhow::Result<i64> {
    let row: Int = each_backend!(conn, c => diesel::sql_query(query).get_result(c))?;
    Ok(row.v)
}

/// The text column `v` of every row.
pub fn lines(conn: &mut AnyConnection, query: &str) -> anyhow::Result<Vec<String>> {
    let rows: Vec<Line> = each_backend!(conn, c => diesel::sql_query(query).load(c))?;
    Ok(rows.into_iter().map(|r| r.v).collect())
}

/// Runs statements that return nothing.
pub fn run(conn: &mut AnyConnection, statements: &str) -> anyhow::Result<()> {
    use diesel::connection::SimpleConnection;
    each_backend!(conn, c => c.batch_execute(statements))?;
    Ok(())
}

/// The server's maintenance database URL and the benchmark database's name.
pub fn split_pg_url(url: &str) -> anyhow::Result<(String, String)> {
    let scheme_end = url
        .find("://")
        .context("the PostgreSQL URL must be postgres://…")?
        + 3;
    let slash = url[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .context("the PostgreSQL URL must name a database: postgres://user@host:port/name")?;
    let (path, query) = match url[slash + 1..].split_once('?') {
        Some((p, q)) => (p, format!("?{q}")),
        None => (&url[slash + 1..], String::new()),
    };
    if path.is_empty() || !path.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        bail!("the benchmark database name must be letters, digits and _ (got {path:?})");
    }
    if path == "postgres" {
        bail!("refusing to drop the maintenance database \"postgres\"");
    }
    Ok((
        format!("{}/postgres{query}", &url[..slash]),
        path.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_url() {
        let (admin, name) =
            split_pg_url("postgres://postgres@127.0.0.1:5432/storechat_bench").expect("valid");
        assert_eq!(admin, "postgres://postgres@127.0.0.1:5432/postgres");
        assert_eq!(name, "storechat_bench");
        assert!(split_pg_url("postgres://h/postgres").is_err());
        assert!(split_pg_url("postgres://h/x;drop").is_err());
    }

    #[test]
    fn literals_are_escaped() {
        assert_eq!(quote("O'Brien"), "'O''Brien'");
        assert_eq!(quote_opt(None), "NULL");
        let at = crate::data::time_of(1_700_000_000_123_456);
        assert_eq!(time(at), "'2023-11-14 22:13:20.123456'");
    }
}
