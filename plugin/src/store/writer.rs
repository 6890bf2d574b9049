//! Group commit: the writer threads that run queued write transactions in
//! batches.
//!
//! A message's transaction is a handful of short statements, and with one
//! transaction per message the commit (the WAL append on SQLite, the WAL
//! flush on PostgreSQL), `BEGIN`, the pool checkout and the hop to the
//! blocking pool cost as much as the work itself. A writer thread instead
//! takes every job that is waiting when it comes round, runs each inside its
//! own savepoint of one transaction, commits once, and only then answers
//! each caller: an ack still means "committed". A job that fails rolls back
//! to its savepoint and leaves the others alone.
//!
//! Each writer owns its connection for its whole life. On SQLite that
//! matters twice over: there is one writer per file anyway, and a connection
//! that is the only writer keeps its page cache across transactions, where
//! pooled connections find theirs invalidated by every other connection's
//! commit and read the pages back from the file.
//!
//! On PostgreSQL there are several writers; jobs that name a conversation go
//! to the writer `id % writers`, so one conversation's writes keep their
//! order and never wait on each other across writers. A batch takes the row
//! locks of all its conversations first, in id order: two batches (of this
//! process or of another one) then always lock in the same order and cannot
//! deadlock.
//!
//! The queues are bounded: when the database cannot keep up, callers wait
//! for room (slower acks) instead of piling up in memory.

use std::panic::AssertUnwindSafe;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use tokio::sync::{mpsc, oneshot};

use super::StoreError;
use super::connection::{AnyConnection, Backend};

/// What a queued job needs from the writer.
trait Job: Send {
    /// The conversation whose row lock the job takes, if any.
    fn key(&self) -> Option<i64>;
    /// Runs the job inside a savepoint. The flag is false when the
    /// savepoint could not be opened or closed, which leaves the whole
    /// transaction unusable (the job has then answered with the error).
    fn run(self: Box<Self>, conn: &mut AnyConnection) -> (Box<dyn Finish>, bool);
    /// Answers the caller with `error` without running.
    fn fail(self: Box<Self>, error: StoreError);
}

/// A job that ran: it answers its caller once the batch's fate is known.
trait Finish: Send {
    /// `committed` is the batch's commit (or the error that undid it).
    fn finish(self: Box<Self>, committed: Result<(), String>);
}

struct Pending<T, E, F> {
    key: Option<i64>,
    work: F,
    reply: oneshot::Sender<Result<T, E>>,
}

struct Done<T, E> {
    outcome: Result<T, E>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<T, E, F> Job for Pending<T, E, F>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
{
    fn key(&self) -> Option<i64> {
        self.key
    }

    fn run(self: Box<Self>, conn: &mut AnyConnection) -> (Box<dyn Finish>, bool) {
        let Pending { work, reply, .. } = *self;
        if let Err(e) = AnyConnection::begin_transaction(conn) {
            let _ = reply.send(Err(StoreError::Query(e).into()));
            return (Box::new(Failed), false);
        }
        let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| work(conn))) {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::error!("a database write panicked; its changes were rolled back");
                Err(StoreError::Unavailable("the write failed".into()).into())
            }
        };
        let closed = match &outcome {
            Ok(_) => AnyConnection::commit_transaction(conn),
            Err(_) => AnyConnection::rollback_transaction(conn),
        };
        if let Err(e) = closed {
            // The transaction cannot be trusted any more: the whole batch
            // is rolled back, this job included.
            let _ = reply.send(Err(StoreError::Query(e).into()));
            return (Box::new(Failed), false);
        }
        (Box::new(Done { outcome, reply }), true)
    }

    fn fail(self: Box<Self>, error: StoreError) {
        let _ = self.reply.send(Err(error.into()));
    }
}

/// A job whose savepoint broke; it has already answered.
struct Failed;

impl Finish for Failed {
    fn finish(self: Box<Self>, _: Result<(), String>) {}
}

impl<T, E> Finish for Done<T, E>
where
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    fn finish(self: Box<Self>, committed: Result<(), String>) {
        let answer = match committed {
            Ok(()) => self.outcome,
            // Nothing of this job was kept, whatever it returned.
            Err(e) => Err(StoreError::Unavailable(e).into()),
        };
        let _ = self.reply.send(answer);
    }
}

/// How the writers are set up.
#[derive(Debug, Clone)]
pub(crate) struct WriterOptions {
    /// Writer threads (1 on SQLite, whatever is asked).
    pub writers: usize,
    /// Jobs waiting per writer before callers wait for room.
    pub queue: usize,
    /// Most jobs in one transaction.
    pub batch: usize,
}

/// The writer threads of one [`super::Db`].
pub(crate) struct Writers {
    queues: Vec<mpsc::Sender<Box<dyn Job>>>,
}

impl Writers {
    /// Starts the writers; each opens its own connection with `connect`.
    pub fn start<C>(backend: Backend, options: &WriterOptions, connect: C) -> Writers
    where
        C: Fn() -> Result<AnyConnection, StoreError> + Send + Sync + Clone + 'static,
    {
        let count = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => options.writers.max(1),
        };
        let mut queues = Vec::with_capacity(count);
        for n in 0..count {
            let (tx, rx) = mpsc::channel::<Box<dyn Job>>(options.queue.max(1));
            let connect = connect.clone();
            let batch = options.batch.max(1);
            let spawned = std::thread::Builder::new()
                .name(format!("storechat-writer-{n}"))
                .spawn(move || writer_loop(backend, rx, connect, batch));
            match spawned {
                Ok(_) => queues.push(tx),
                Err(e) => tracing::error!(error = %e, "could not start a database writer thread"),
            }
        }
        Writers { queues }
    }

    /// Queues `work` and waits for its batch to commit. `key` is the
    /// conversation whose row the work locks, if any.
    pub async fn run<T, E, F>(&self, key: Option<i64>, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, E> + Send + 'static,
    {
        if self.queues.is_empty() {
            return Err(StoreError::Unavailable("no database writer is running".into()).into());
        }
        let shard = key.map_or(0, |k| k.unsigned_abs() as usize % self.queues.len());
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending { key, work, reply });
        // A full queue makes the caller wait here, in order: the writer
        // is the bottleneck and the wait is the backpressure.
        if self.queues[shard].send(job).await.is_err() {
            return Err(StoreError::Unavailable("the database writer stopped".into()).into());
        }
        match answer.await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable("the database writer stopped".into()).into()),
        }
    }
}

fn writer_loop<C>(backend: Backend, mut rx: mpsc::Receiver<Box<dyn Job>>, connect: C, batch: usize)
where
    C: Fn() -> Result<AnyConnection, StoreError>,
{
    let mut conn: Option<AnyConnection> = None;
    let mut jobs: Vec<Box<dyn Job>> = Vec::with_capacity(batch);
    // `None` once every handle on the database is gone.
    while let Some(first) = rx.blocking_recv() {
        jobs.push(first);
        while jobs.len() < batch {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if conn.is_none() {
            match connect() {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    tracing::error!(error = %e, "the database writer cannot connect");
                    let reason = e.to_string();
                    for job in jobs.drain(..) {
                        job.fail(StoreError::Unavailable(reason.clone()));
                    }
                    // Do not spin against a database that is down.
                    std::thread::sleep(Duration::from_millis(200));
                    continue;
                }
            }
        }
        let Some(c) = conn.as_mut() else { continue };
        if !run_batch(backend, c, &mut jobs) {
            // Something at the transaction level failed: start again from a
            // fresh connection.
            conn = None;
        }
        jobs.clear();
    }
}

/// Runs one batch; false when the connection should be replaced.
fn run_batch(backend: Backend, conn: &mut AnyConnection, jobs: &mut Vec<Box<dyn Job>>) -> bool {
    let begun = match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    };
    if let Err(e) = begun {
        let reason = format!("could not begin a transaction: {e}");
        for job in jobs.drain(..) {
            job.fail(StoreError::Unavailable(reason.clone()));
        }
        return false;
    }
    if backend == Backend::Postgres
        && let Err(e) = lock_in_order(conn, jobs)
    {
        let _ = AnyConnection::rollback_transaction(conn);
        let reason = format!("could not lock the conversations: {e}");
        for job in jobs.drain(..) {
            job.fail(StoreError::Unavailable(reason.clone()));
        }
        return false;
    }
    let mut ran: Vec<Box<dyn Finish>> = Vec::with_capacity(jobs.len());
    let mut broken = false;
    for job in jobs.drain(..) {
        if broken {
            job.fail(StoreError::Unavailable("the transaction failed".into()));
            continue;
        }
        let (finish, healthy) = job.run(conn);
        ran.push(finish);
        broken = !healthy;
    }
    let committed = if broken {
        let _ = AnyConnection::rollback_transaction(conn);
        Err("the transaction failed and was rolled back".to_owned())
    } else {
        match AnyConnection::commit_transaction(conn) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = AnyConnection::rollback_transaction(conn);
                broken = true;
                Err(format!("the commit failed: {e}"))
            }
        }
    };
    for finish in ran {
        finish.finish(committed.clone());
    }
    !broken
}

/// Takes the row locks of every conversation of the batch, in id order.
fn lock_in_order(conn: &mut AnyConnection, jobs: &[Box<dyn Job>]) -> Result<(), StoreError> {
    let mut ids: Vec<i64> = jobs.iter().filter_map(|j| j.key()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    ids.sort_unstable();
    ids.dedup();
    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
    // Integers only, formatted here: nothing from outside reaches the SQL.
    conn.batch_execute(&format!(
        "SELECT id FROM storechat_conversations WHERE id IN ({list}) ORDER BY id FOR UPDATE"
    ))?;
    Ok(())
}
