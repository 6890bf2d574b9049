//! SQLite WAL checkpoints, off the write path.
//!
//! By default SQLite checkpoints inside the commit that crosses 1,000 WAL
//! pages: that commit copies the log into the database file and fsyncs it,
//! and every write queued behind it waits (the load tool saw p99 latencies
//! of 20 ms and more on an otherwise idle machine). The writer connection
//! therefore never checkpoints; this thread runs passive checkpoints on a
//! connection of its own, which take no write lock: writes go on meanwhile.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::connection::SimpleConnection;

use super::StoreError;
use super::connection::AnyConnection;

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(500);

/// The checkpoint thread of one SQLite database; stops when dropped.
pub(crate) struct Checkpointer {
    stop: Arc<AtomicBool>,
}

impl Checkpointer {
    /// Starts the thread; it connects with `connect` when it first runs.
    pub fn start<C>(connect: C) -> Checkpointer
    where
        C: Fn() -> Result<AnyConnection, StoreError> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("storechat-checkpoint".into())
            .spawn(move || run(&flag, connect));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the SQLite checkpoint thread");
        }
        Checkpointer { stop }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
    }
}

fn run<C>(stop: &AtomicBool, connect: C)
where
    C: Fn() -> Result<AnyConnection, StoreError>,
{
    let mut conn: Option<AnyConnection> = None;
    while !stop.load(Ordering::Acquire) {
        std::thread::sleep(EVERY);
        if stop.load(Ordering::Acquire) {
            break;
        }
        if conn.is_none() {
            match connect() {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::warn!(error = %e, "the SQLite checkpoint thread cannot connect");
                    continue;
                }
            }
        }
        if let Some(c) = conn.as_mut()
            && let Err(e) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE);")
        {
            tracing::warn!(error = %e, "a SQLite checkpoint failed; retrying");
            conn = None;
        }
    }
}
