//! Keeps SQLite's write-ahead log in the page cache, so that a commit never
//! waits for a disk read.
//!
//! A commit appends frames of 24 + 4,096 bytes: every frame covers part of
//! two file pages. The log starts over from its beginning after each
//! checkpoint, so a busy store rewrites the same file pages again and again.
//! When the kernel has dropped such a page in between (proactive reclaim
//! such as DAMON, which pages out whole physical regions that look cold; a
//! memory cgroup at its limit), the partial write must first read the block
//! from disk, inside the commit, and every message queued behind it waits.
//! The load tool measured commits of 16–260 ms this way on a machine with
//! 23 GB free, the writer asleep in `ext4_block_write_begin`.
//!
//! So the checkpoint thread asks the kernel, several times a second, to read
//! back whatever of the log it dropped (`posix_fadvise(WILLNEED)`): the read
//! is asynchronous, happens before the writer gets there, and costs a page
//! cache look-up for pages still present. Shrinking the log instead
//! (`journal_size_limit`) was measured too: the truncations stalled the
//! writer longer than the reads did.

use std::fs::File;
use std::path::PathBuf;

use diesel::RunQueryDsl;
use diesel::sql_types::Text;

use super::connection::AnyConnection;

/// The log of one SQLite database file.
#[derive(Debug)]
pub(crate) struct WalCache {
    path: PathBuf,
    /// The database file itself.
    database: PathBuf,
    /// Opened when the log first exists (SQLite creates it on the first
    /// write) and kept: SQLite never deletes it while connections are open.
    file: Option<File>,
}

#[derive(diesel::QueryableByName)]
struct DatabaseFile {
    /// Empty for an in-memory or temporary database.
    #[diesel(sql_type = Text)]
    file: String,
}

impl WalCache {
    /// The log of the main database `conn` is connected to; `None` for an
    /// in-memory database (no file, nothing to keep).
    pub fn of(conn: &mut AnyConnection) -> Result<Option<WalCache>, diesel::result::Error> {
        if !matches!(conn, AnyConnection::Sqlite(_)) {
            return Ok(None);
        }
        let files: Vec<DatabaseFile> =
            diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
                .load(conn)?;
        Ok(files
            .into_iter()
            .find(|f| !f.file.is_empty())
            .map(|f| WalCache {
                path: PathBuf::from(format!("{}-wal", f.file)),
                database: PathBuf::from(f.file),
                file: None,
            }))
    }

    /// Asks the kernel to bring back any page of the log it dropped. Cheap
    /// when they are all cached; does not wait for the reads.
    pub fn keep(&mut self) {
        if self.file.is_none() {
            self.file = File::open(&self.path).ok();
        }
        if let Some(file) = &self.file
            && let Err(e) = advise_will_need(file)
        {
            tracing::debug!(error = %e, path = %self.path.display(), "cannot keep the SQLite log cached");
            self.file = None;
        }
    }
}

impl WalCache {
    /// Writes the log's and the database file's dirty pages to disk (an
    /// fdatasync each; Linux syncs a file through any descriptor of it).
    ///
    /// Passive checkpoints copy the log into the database file without
    /// syncing it: SQLite syncs the file only once a checkpoint has copied
    /// every frame, which under sustained writes is the writer's catch-up.
    /// That sync then wrote out the pages of every pass since the last one,
    /// 10 ms and more inside the writer, while this thread could do it
    /// beforehand without holding anyone up.
    pub fn flush(&mut self) -> std::io::Result<()> {
        if let Some(log) = &self.file {
            log.sync_data()?;
        }
        File::open(&self.database)?.sync_data()
    }
}

/// What one `WILLNEED` reads at most: Linux caps each call at the device's
/// readahead window (`read_ahead_kb`, 128 KiB by default) and silently
/// ignores the rest of the range, so the file is advised in steps.
#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
const ADVICE_STEP: u64 = 128 * 1024;

#[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
fn advise_will_need(file: &File) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    let step = std::num::NonZeroU64::new(ADVICE_STEP);
    let mut offset = 0;
    while offset < len {
        rustix::fs::fadvise(file, offset, step, rustix::fs::Advice::WillNeed)?;
        offset += ADVICE_STEP;
    }
    Ok(())
}

/// Elsewhere (macOS has no `posix_fadvise`) the kernel's own caching stands.
#[cfg(not(any(target_os = "linux", target_os = "android", target_os = "freebsd")))]
fn advise_will_need(_file: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::Connection;
    use diesel::connection::SimpleConnection;
    use diesel::sqlite::SqliteConnection;

    #[test]
    fn finds_the_log_beside_the_database_file_and_none_in_memory() {
        let dir = std::env::temp_dir().join(format!("storechat-walcache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let db = dir.join("chat.db");
        let mut sqlite = SqliteConnection::establish(&db.display().to_string()).expect("open");
        sqlite
            .batch_execute(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);",
            )
            .expect("write");
        let mut conn = AnyConnection::Sqlite(sqlite);
        let mut cache = WalCache::of(&mut conn)
            .expect("query")
            .expect("a file database");
        assert_eq!(cache.path, PathBuf::from(format!("{}-wal", db.display())));
        assert_eq!(cache.database, db);
        cache.keep();
        cache.flush().expect("the log and the database file sync");
        assert!(
            cache.file.is_some(),
            "the log exists once a WAL database was written"
        );

        let memory = SqliteConnection::establish(":memory:").expect("open");
        let mut memory = AnyConnection::Sqlite(memory);
        assert!(WalCache::of(&mut memory).expect("query").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
