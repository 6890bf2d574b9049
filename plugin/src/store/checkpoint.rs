//! SQLite WAL checkpoints, off the write path.
//!
//! By default SQLite checkpoints inside the commit that crosses 1,000 WAL
//! pages: that commit copies the log into the database file and fsyncs it,
//! and every write queued behind it waits (the load tool saw p99 latencies
//! of 20 ms and more on an otherwise idle machine). The writer connection
//! therefore never checkpoints; this thread runs passive checkpoints on a
//! connection of its own, which take no write lock: writes go on meanwhile.
//!
//! A checkpoint that runs beside a busy writer never finishes the log: by
//! the time it has copied what it saw, more has been appended, and SQLite
//! only starts the log over from its beginning once every frame is back in
//! the database. Under sustained writes the log grew without bound (2.7 GB
//! in 25 s at 6,000 messages a second), and every commit had to extend the
//! file (a quarter of the writer's time went to allocating the new pages).
//! So when the log holds more than [`CATCH_UP_FRAMES`], this thread copies
//! it again and again (each pass takes what came in during the one before)
//! until little is left, writes the log and the database file to disk, and
//! asks the writer ([`CatchUp`]) to copy the few frames left between two of
//! its transactions, after which the writer's next transaction starts the
//! log over. A writer with a moment's rest restarts it without being asked.
//! The writer's part is a pause of 2–3 ms every two seconds at 1,000
//! messages a second (it was 7–11 ms while it copied and synced more).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::sql_types::BigInt;

use super::StoreError;
use super::connection::AnyConnection;
use super::wal_cache::WalCache;

/// How often the log is copied back.
const EVERY: Duration = Duration::from_millis(500);
/// How often the log's dropped pages are asked back (see `wal_cache`):
/// within this long of a reclaim, the writer finds them cached again.
const KEEP_CACHED_EVERY: Duration = Duration::from_millis(100);
/// Frames the log may hold before the writer is asked to finish a
/// checkpoint so that it starts over: about 64 MiB of the 2 KiB pages of a
/// database the plugin created (128 MiB of SQLite's default 4 KiB). Each
/// catch-up pauses the writer for a few milliseconds (mostly two fsyncs,
/// which the kernel's writeback throttling can stretch): at 1,000 messages
/// a second a log of 32 MiB paid that twice a second and a tenth of the
/// slowest messages waited behind it; this size pays it every two seconds
/// or so. A quiet store never gets near it (the writer starts the log over
/// at its first pause).
const CATCH_UP_FRAMES: i64 = 32_768;

/// Frames a pass may find new and still leave the rest to the writer.
const LEFT_FOR_WRITER: i64 = 64;
/// Passes before the writer is asked anyway (each is shorter than the one
/// before unless the writer outpaces the copying).
const MAX_PASSES: usize = 8;

/// The request, from the checkpoint thread to the SQLite writer, to finish
/// a checkpoint between two transactions.
#[derive(Debug, Default)]
pub(crate) struct CatchUp {
    wanted: AtomicBool,
}

impl CatchUp {
    fn request(&self) {
        self.wanted.store(true, Ordering::Release);
    }

    /// Whether a catch-up was asked for since the last call; clears it.
    pub fn take(&self) -> bool {
        self.wanted.swap(false, Ordering::AcqRel)
    }
}

/// What `PRAGMA wal_checkpoint` reports that matters here (it also says
/// whether it was blocked and how many frames it copied).
#[derive(diesel::QueryableByName)]
struct Progress {
    /// Frames in the log.
    #[diesel(sql_type = BigInt)]
    log: i64,
}

impl Progress {
    /// Whether the log has grown long without starting over. Even a
    /// checkpoint that copied every frame it saw does not let it: the
    /// writer appended more meanwhile, so its next transaction still finds
    /// the log unfinished and appends after the end.
    fn needs_catch_up(&self) -> bool {
        self.log > CATCH_UP_FRAMES
    }
}

/// One passive checkpoint on `conn`.
fn checkpoint(conn: &mut AnyConnection) -> Result<Progress, diesel::result::Error> {
    diesel::sql_query("PRAGMA wal_checkpoint(PASSIVE)").get_result(conn)
}

/// Leaves the writer as little as possible to do when it finishes the
/// checkpoint: passes until one finds at most [`LEFT_FOR_WRITER`] new
/// frames (each copies what came in during the one before), the files
/// synced here, then passes again for what came in during the syncs.
///
/// The writer's catch-up copies the frames still left and waits for two
/// fsyncs. With one more pass alone it was left about 1,500 frames at
/// 1,000 messages a second, and its fsync of the database file wrote out
/// every page the passes had copied since the last one: 7–11 ms every two
/// seconds, most of the slowest 1 % of the messages.
fn prepare_catch_up(
    conn: &mut AnyConnection,
    wal: Option<&mut WalCache>,
    log: i64,
) -> Result<(), diesel::result::Error> {
    let log = converge(conn, log)?;
    if let Some(wal) = wal {
        if let Err(e) = wal.flush() {
            tracing::debug!(error = %e, "cannot sync the SQLite files ahead of the writer");
        }
        converge(conn, log)?;
    }
    Ok(())
}

/// Passes until one finds at most [`LEFT_FOR_WRITER`] new frames, or
/// [`MAX_PASSES`] ran; the log's length at the last.
fn converge(conn: &mut AnyConnection, mut log: i64) -> Result<i64, diesel::result::Error> {
    for _ in 0..MAX_PASSES {
        let pass = checkpoint(conn)?;
        let came_in = pass.log - log;
        log = pass.log;
        // Fewer frames than before: the writer started the log over.
        if came_in <= LEFT_FOR_WRITER {
            break;
        }
    }
    Ok(log)
}

/// The writer's part: copies the rest of the log back between two of its
/// transactions, so that its next one starts the log over. A reader still
/// on an older snapshot may hold some frames back; the next request
/// catches those.
pub(crate) fn catch_up(conn: &mut AnyConnection) {
    if let Err(e) = checkpoint(conn) {
        tracing::warn!(error = %e, "the SQLite writer could not finish a checkpoint");
    }
}

/// The checkpoint thread of one SQLite database; stops when dropped.
pub(crate) struct Checkpointer {
    stop: Arc<AtomicBool>,
}

impl Checkpointer {
    /// Starts the thread; it connects with `connect` when it first runs
    /// and asks the writer for the rest of a checkpoint through `catch_up`.
    pub fn start<C>(connect: C, catch_up: Arc<CatchUp>) -> Checkpointer
    where
        C: Fn() -> Result<AnyConnection, StoreError> + Send + 'static,
    {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let spawned = std::thread::Builder::new()
            .name("storechat-checkpoint".into())
            .spawn(move || run(&flag, connect, &catch_up));
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

fn run<C>(stop: &AtomicBool, connect: C, catch_up: &CatchUp)
where
    C: Fn() -> Result<AnyConnection, StoreError>,
{
    let mut conn: Option<AnyConnection> = None;
    let mut wal: Option<WalCache> = None;
    let ticks_per_checkpoint = (EVERY.as_millis() / KEEP_CACHED_EVERY.as_millis()).max(1);
    let mut tick: u128 = 0;
    while !stop.load(Ordering::Acquire) {
        std::thread::sleep(KEEP_CACHED_EVERY);
        if stop.load(Ordering::Acquire) {
            break;
        }
        if let Some(wal) = wal.as_mut() {
            wal.keep();
        }
        tick += 1;
        if !tick.is_multiple_of(ticks_per_checkpoint) {
            continue;
        }
        if conn.is_none() {
            match connect() {
                Ok(mut c) => {
                    wal = WalCache::of(&mut c).unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "cannot find the SQLite log's file");
                        None
                    });
                    conn = Some(c);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the SQLite checkpoint thread cannot connect");
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        match checkpoint(c) {
            Ok(progress) if progress.needs_catch_up() => {
                // The writer starts the log over next: from its first page.
                if let Some(wal) = wal.as_mut() {
                    wal.keep();
                }
                match prepare_catch_up(c, wal.as_mut(), progress.log) {
                    Ok(()) => catch_up.request(),
                    Err(e) => {
                        tracing::warn!(error = %e, "a SQLite checkpoint failed; retrying");
                        conn = None;
                    }
                }
            }
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(error = %e, "a SQLite checkpoint failed; retrying");
                conn = None;
            }
        }
    }
}
