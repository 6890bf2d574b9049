//! SQLite's query planner stability guarantee (QPSG) on the plugin's own
//! connections.
//!
//! The bundled SQLite is built with `SQLITE_ENABLE_STAT4`. Once a store's
//! database has been analysed (`ANALYZE`, or `PRAGMA optimize`), every
//! statement that compares a bound parameter with an indexed column is
//! compiled again each time that parameter's value changes, in case the
//! value's own statistics call for another plan. The plugin's statements
//! find rows by id and insert: one plan fits every value, and recompiling
//! them was 9% of the writer thread's time at 1,000 messages a second (the
//! whole server used 8% more CPU, and the median delivery was 0.05 ms
//! slower). With the guarantee on, a statement keeps the plan it was
//! prepared with until the schema or the statistics change.
//!
//! SQLite has no pragma for it, and diesel hands out no raw connection
//! handle; an automatic extension (SQLite calls it at the end of every
//! `sqlite3_open`) is the documented way to reach a new connection. It is
//! registered once per process and acts only on connections opened through
//! [`establish`], on this thread, while it runs: the host's own SQLite
//! connections keep SQLite's defaults.
#![allow(unsafe_code)]

use std::cell::Cell;
use std::os::raw::{c_char, c_int};
use std::sync::Once;

use diesel::{ConnectionResult, SqliteConnection, prelude::*};
use libsqlite3_sys as ffi;

thread_local! {
    /// Set while [`establish`] opens a connection on this thread.
    static OPENING: Cell<bool> = const { Cell::new(false) };
}

static REGISTER: Once = Once::new();

/// Opens a SQLite connection with the query planner stability guarantee.
pub(crate) fn establish(target: &str) -> ConnectionResult<SqliteConnection> {
    REGISTER.call_once(|| {
        // SAFETY: `on_open` has the signature SQLite calls automatic
        // extensions with; registering the same function again is a no-op.
        unsafe {
            ffi::sqlite3_auto_extension(Some(on_open));
        }
    });
    struct Opening;
    impl Drop for Opening {
        fn drop(&mut self) {
            let _ = OPENING.try_with(|o| o.set(false));
        }
    }
    OPENING.with(|o| o.set(true));
    let _opening = Opening;
    SqliteConnection::establish(target)
}

/// Called by SQLite on the opening thread for every new connection.
unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _error: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    if OPENING.try_with(Cell::get).unwrap_or(false) {
        // SAFETY: `db` is the connection SQLite is opening, valid for this
        // call; ENABLE_QPSG takes an int (1: on) and an `int*` that may be
        // null (where SQLite would write the new setting back).
        unsafe {
            ffi::sqlite3_db_config(
                db,
                ffi::SQLITE_DBCONFIG_ENABLE_QPSG,
                1 as c_int,
                std::ptr::null_mut::<c_int>(),
            );
        }
    }
    ffi::SQLITE_OK
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::connection::SimpleConnection;
    use diesel::sql_types::{Integer, Text};

    #[derive(QueryableByName)]
    struct Step {
        #[diesel(sql_type = Text)]
        detail: String,
    }

    /// The plan of `a = ? AND b = ?` for these values.
    fn plan(conn: &mut SqliteConnection, a: i32, b: i32) -> String {
        diesel::sql_query("EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = ? AND b = ?")
            .bind::<Integer, _>(a)
            .bind::<Integer, _>(b)
            .load::<Step>(conn)
            .expect("explain")
            .into_iter()
            .map(|s| s.detail)
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Half the rows have `a = 1`, the other half `b = 1`: with STAT4
    /// samples SQLite picks the index of the rarer value, so the plan of
    /// one statement follows its bound values, and the statement is
    /// recompiled whenever they change. A connection the plugin opened
    /// keeps one plan; one the host opens (no guarantee) still follows
    /// the values.
    #[test]
    fn only_connections_opened_here_keep_their_plans() {
        let path = std::env::temp_dir().join(format!("storechat-qpsg-{}.db", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let target = path.to_string_lossy().into_owned();
        let mut ours = establish(&target).expect("open");
        ours.batch_execute(
            "CREATE TABLE t (a INTEGER, b INTEGER); \
             CREATE INDEX t_a ON t (a); CREATE INDEX t_b ON t (b); \
             WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 2000) \
             INSERT INTO t SELECT CASE WHEN n <= 1000 THEN 1 ELSE n END, \
                                  CASE WHEN n > 1000 THEN 1 ELSE n END FROM g; \
             ANALYZE;",
        )
        .expect("seed");
        let mut theirs = SqliteConnection::establish(&target).expect("open");
        let (rare_b, rare_a) = (plan(&mut theirs, 1, 5), plan(&mut theirs, 1500, 1));
        assert!(
            rare_b.contains("t_b") && rare_a.contains("t_a"),
            "{rare_b} / {rare_a}"
        );
        assert_eq!(plan(&mut ours, 1, 5), plan(&mut ours, 1500, 1));
        drop((ours, theirs));
        let _ = std::fs::remove_file(&path);
    }
}
