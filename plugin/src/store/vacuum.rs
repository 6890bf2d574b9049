//! PostgreSQL: the conversations table vacuumed as fast as it churns.
//!
//! Every message rewrites its conversation's row, and the new version
//! changes indexed columns (last activity, counters), so it is never a HOT
//! update: each leaves a dead version behind, with an entry in every index
//! of the table. A few busy conversations leave thousands of them a second,
//! and autovacuum comes by once a minute (its naptime is server-wide, not
//! a table setting). Meanwhile every inserted message and notification
//! checks its foreign key against the table (`SELECT 1 … FOR KEY SHARE`),
//! planned as a sequential scan while the table was small, which then
//! reads every dead version. Measured at 6,000 messages a second on 50
//! conversations: 365 pages holding 49,000 dead versions after 20 s, and
//! those checks 77 % of the writers' PostgreSQL time; vacuumed every second,
//! p50 117 → 7 ms.
//!
//! So a thread looks at the table's counts in PostgreSQL's statistics every
//! [`PoolOptions::vacuum_every`](super::PoolOptions::vacuum_every) and runs
//! `VACUUM` once the dead versions exceed autovacuum's own default rule
//! (200 + 20 % of the live rows), without the minute's wait. `VACUUM` takes
//! no lock that stops reads or writes, skips the table when another
//! session is vacuuming it already (autovacuum, or another process of the
//! store), and brings the table's size in the catalog up to date, so that
//! cached plans are made again for what the table holds now. A user that
//! may not vacuum the table (not its owner) leaves it to autovacuum.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Bool};

use super::StoreError;
use super::connection::AnyConnection;

/// Dead versions always tolerated (autovacuum's default threshold).
const BASE_THRESHOLD: i64 = 200;
/// … plus this fraction of the live rows (autovacuum's default scale factor).
const SCALE_FACTOR: f64 = 0.2;
/// The shortest time between two looks.
const MIN_EVERY: Duration = Duration::from_millis(100);
/// The longest wait between two looks after failures.
const MAX_WAIT: Duration = Duration::from_secs(300);

/// The table's counts, and whether this user may vacuum it. No row while
/// the table does not exist yet (before the migrations ran). The counts
/// are PostgreSQL's statistics, which each backend reports about once a
/// second while it is busy.
const STATE_SQL: &str = "SELECT s.n_live_tup AS live, s.n_dead_tup AS dead, \
     (pg_has_role(c.relowner, 'MEMBER') OR r.rolsuper) AS may_vacuum \
     FROM pg_class c \
     JOIN pg_stat_all_tables s ON s.relid = c.oid \
     JOIN pg_roles r ON r.rolname = current_user \
     WHERE c.oid = to_regclass('storechat_conversations')";

/// Unqualified, like every statement of the plugin: the table of this
/// connection's search path.
const VACUUM_SQL: &str = "VACUUM (SKIP_LOCKED) storechat_conversations";

#[derive(diesel::QueryableByName)]
struct TableState {
    #[diesel(sql_type = BigInt)]
    live: i64,
    #[diesel(sql_type = BigInt)]
    dead: i64,
    #[diesel(sql_type = Bool)]
    may_vacuum: bool,
}

impl TableState {
    fn wants_vacuum(&self) -> bool {
        // Statistics are estimates: never negative in the rule.
        let live = self.live.max(0) as f64;
        self.dead > BASE_THRESHOLD + (live * SCALE_FACTOR) as i64
    }
}

/// What a look at the table led to.
#[derive(Debug, PartialEq, Eq)]
enum Look {
    /// Nothing to do (or no table yet).
    Fine,
    /// Vacuumed.
    Vacuumed,
    /// This user may not vacuum it: stop looking.
    NotAllowed,
}

fn look(conn: &mut AnyConnection) -> Result<Look, diesel::result::Error> {
    let state: Vec<TableState> = diesel::sql_query(STATE_SQL).load(conn)?;
    let Some(state) = state.first() else {
        return Ok(Look::Fine);
    };
    if !state.may_vacuum {
        return Ok(Look::NotAllowed);
    }
    if !state.wants_vacuum() {
        return Ok(Look::Fine);
    }
    // The simple protocol: one statement outside any transaction block, as
    // VACUUM requires.
    if let AnyConnection::Postgresql(pg) = conn {
        pg.batch_execute(VACUUM_SQL)?;
    }
    Ok(Look::Vacuumed)
}

/// The vacuum thread of one PostgreSQL database; stops when dropped.
pub(crate) struct Vacuumer {
    stop: Arc<AtomicBool>,
}

impl Vacuumer {
    /// Starts the thread: every `every`, it takes a connection with
    /// `connect` (none when all are busy: it looks again next time) and
    /// vacuums the table if it needs it.
    pub fn start<C, G>(every: Duration, connect: C) -> Vacuumer
    where
        C: Fn() -> Result<G, StoreError> + Send + 'static,
        G: std::ops::DerefMut<Target = AnyConnection>,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        // Each look is a statement: not in a tight loop, whatever is asked.
        let every = every.max(MIN_EVERY);
        let spawned = std::thread::Builder::new()
            .name("storechat-vacuum".into())
            .spawn(move || run(&flag, every, connect));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the PostgreSQL vacuum thread");
        }
        Vacuumer { stop }
    }
}

impl Drop for Vacuumer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn run<C, G>(stop: &AtomicBool, every: Duration, connect: C)
where
    C: Fn() -> Result<G, StoreError>,
    G: std::ops::DerefMut<Target = AnyConnection>,
{
    // A failure is said once, not every second, until a look succeeds;
    // the looks after it come ever later (a VACUUM cancelled by the role's
    // statement_timeout would otherwise start again every second).
    let mut failing = false;
    let mut wait = every;
    while !stop.load(Ordering::Acquire) {
        sleep_unless_stopped(stop, wait);
        if stop.load(Ordering::Acquire) {
            break;
        }
        let Ok(mut conn) = connect() else { continue };
        let looked = look(&mut conn);
        wait = match &looked {
            Err(_) => (wait * 2).min(MAX_WAIT.max(every)),
            Ok(_) => every,
        };
        match looked {
            Ok(Look::NotAllowed) => {
                tracing::info!(
                    "storechat_conversations is left to autovacuum: this database user \
                     does not own it"
                );
                return;
            }
            Ok(Look::Vacuumed) => {
                failing = false;
                tracing::debug!("vacuumed storechat_conversations");
            }
            Ok(Look::Fine) => failing = false,
            Err(e) => {
                if !failing {
                    tracing::warn!(error = %e, "could not vacuum storechat_conversations");
                }
                failing = true;
            }
        }
    }
}

/// Sleeps `wait`, in steps short enough that a stop (the database handle
/// dropped) ends the thread within a second even after a long back-off.
fn sleep_unless_stopped(stop: &AtomicBool, wait: Duration) {
    let step = Duration::from_secs(1);
    let mut left = wait;
    while !left.is_zero() && !stop.load(Ordering::Acquire) {
        let now = left.min(step);
        std::thread::sleep(now);
        left -= now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(live: i64, dead: i64) -> TableState {
        TableState {
            live,
            dead,
            may_vacuum: true,
        }
    }

    #[test]
    fn vacuums_past_autovacuum_s_default_rule() {
        // 50 busy conversations: past 210 dead versions.
        assert!(!state(50, 210).wants_vacuum());
        assert!(state(50, 211).wants_vacuum());
        // A large store: a fifth of its rows, as autovacuum would.
        assert!(!state(100_000, 20_000).wants_vacuum());
        assert!(state(100_000, 20_201).wants_vacuum());
        // Estimates below zero do not lower the bar.
        assert!(!state(-1, 200).wants_vacuum());
    }
}
