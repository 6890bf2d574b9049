//! Counts every SQL statement the store runs, through diesel's
//! instrumentation of each new connection; optionally records the
//! statements themselves with their durations.
//!
//! [`install`] must run before the store opens its pool: connections opened
//! earlier are not instrumented.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};

static STATEMENTS: AtomicU64 = AtomicU64::new(0);
static PINGS: AtomicU64 = AtomicU64::new(0);
static RECORDING: AtomicBool = AtomicBool::new(false);
static RECORDED: Mutex<Vec<Statement>> = Mutex::new(Vec::new());

/// One recorded statement.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Its SQL (with diesel's `-- binds: […]` suffix).
    pub sql: String,
    /// From start to finish, as diesel saw it.
    pub took: Duration,
}

/// Statements so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Every statement (pool pings included).
    pub statements: u64,
    /// Of which the pool's `SELECT 1` checks on checkout.
    pub pings: u64,
}

impl std::ops::Sub for Counts {
    type Output = Counts;

    fn sub(self, rhs: Counts) -> Counts {
        Counts {
            statements: self.statements - rhs.statements,
            pings: self.pings - rhs.pings,
        }
    }
}

/// The counters now.
pub fn counts() -> Counts {
    Counts {
        statements: STATEMENTS.load(Ordering::SeqCst),
        pings: PINGS.load(Ordering::SeqCst),
    }
}

fn is_ping(sql: &str) -> bool {
    let sql = sql.trim();
    sql == "SELECT 1" || sql.starts_with("SELECT 1 --") || sql == "SELECT 1;"
}

struct Counter {
    started: Option<(Instant, String)>,
}

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                STATEMENTS.fetch_add(1, Ordering::SeqCst);
                let sql = query.to_string();
                if is_ping(&sql) {
                    PINGS.fetch_add(1, Ordering::SeqCst);
                }
                self.started = RECORDING
                    .load(Ordering::SeqCst)
                    .then(|| (Instant::now(), sql));
            }
            InstrumentationEvent::FinishQuery { .. } => {
                if let Some((at, sql)) = self.started.take() {
                    let mut recorded = RECORDED.lock().unwrap_or_else(|p| p.into_inner());
                    recorded.push(Statement {
                        sql,
                        took: at.elapsed(),
                    });
                }
            }
            _ => {}
        }
    }
}

fn counter() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(Counter { started: None }))
}

/// Instruments every connection opened from now on.
pub fn install() -> anyhow::Result<()> {
    set_default_instrumentation(counter)?;
    Ok(())
}

/// Starts recording statements (and forgets earlier ones).
pub fn start_recording() {
    RECORDED.lock().unwrap_or_else(|p| p.into_inner()).clear();
    RECORDING.store(true, Ordering::SeqCst);
}

/// Stops recording and returns what was recorded.
pub fn stop_recording() -> Vec<Statement> {
    RECORDING.store(false, Ordering::SeqCst);
    std::mem::take(&mut *RECORDED.lock().unwrap_or_else(|p| p.into_inner()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_are_told_apart() {
        assert!(is_ping("SELECT 1"));
        assert!(is_ping("SELECT 1 -- binds: []"));
        assert!(!is_ping("SELECT 1 FROM storechat_conversations"));
    }
}
