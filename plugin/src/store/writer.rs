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
//!
//! Writes of one kind that come often (a message) can also be queued as a
//! [`GroupWrite`]: a run of them in a batch is handed over at once, so their
//! statements are set-based (one multi-row `INSERT` for all the messages,
//! one `UPDATE` per conversation) inside one savepoint. Should any
//! statement of the group fail, the savepoint is rolled back and each write
//! runs again alone in its own savepoint, so one bad write still fails
//! alone, with its own error.

use std::any::{Any, TypeId};
use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use tokio::sync::{mpsc, oneshot};

use super::StoreError;
use super::checkpoint::CatchUp;
use super::connection::{AnyConnection, Backend};

/// What a queued job needs from the writer.
trait Job: Send {
    /// The conversation whose row lock the job takes, if any.
    fn key(&self) -> Option<i64>;
    /// Runs the job, inside a savepoint when `savepoint` (a batch of one
    /// needs none: the transaction is the job's own).
    fn run(self: Box<Self>, conn: &mut AnyConnection, savepoint: bool)
    -> (Box<dyn Finish>, Health);
    /// Answers the caller with `error` without running.
    fn fail(self: Box<Self>, error: StoreError);
    /// The group the job belongs to, if it can run with others of its kind.
    fn group(&self) -> Option<Group> {
        None
    }
    /// The job as `Any`, for its group's runner to take it back.
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
}

/// What a job that ran left the transaction in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    /// Its savepoint is closed (or it succeeded without one): the batch
    /// goes on.
    Fine,
    /// It failed without a savepoint: the transaction must be rolled back
    /// (its own error is its answer).
    Undo,
    /// A savepoint or the transaction itself failed: it is unusable (the
    /// job has already answered with the error).
    Broken,
}

/// How a run of grouped jobs of one kind is executed.
#[derive(Clone, Copy)]
struct Group {
    kind: TypeId,
    run: GroupRunner,
    /// See [`GroupWrite::LOCKS_OWN_ROWS`].
    locks_own_rows: bool,
}

/// Runs a run of grouped jobs: their answers-to-be and the transaction's
/// health.
type GroupRunner =
    fn(&mut AnyConnection, Vec<Box<dyn Job>>, Scope) -> (Vec<Box<dyn Finish>>, Health);

/// Where a group runs in its batch.
#[derive(Debug, Clone, Copy)]
enum Scope {
    /// Among other jobs: in a savepoint.
    Shared,
    /// It is the whole batch: no savepoint (every page the group touches
    /// would be copied to SQLite's statement journal first, and PostgreSQL
    /// would open a subtransaction). Should it fail, it rolls the
    /// transaction back and begins it again to run its jobs one by one.
    Whole(Backend),
}

/// A kind of write the writer runs many at a time (see the module docs).
pub(crate) trait GroupWrite: 'static {
    /// One write's input.
    type Input: Send + 'static;
    /// One write's result.
    type Output: Send + 'static;
    /// One write's error.
    type Error: From<StoreError> + Send + 'static;

    /// Whether `run`'s first statement takes the row locks of all its
    /// inputs' conversations itself, in id order, on PostgreSQL. A batch
    /// that is this group alone then skips the writer's own locking
    /// statement: one round trip fewer per batch.
    const LOCKS_OWN_ROWS: bool = false;

    /// Runs `inputs` in order inside the open transaction and returns one
    /// outcome per input, in the same order. An input refused with an
    /// outcome's error must have written nothing. `Err` as a whole means a
    /// statement failed part-way: the writer undoes the group and runs each
    /// input alone.
    #[allow(clippy::type_complexity)]
    fn run(
        conn: &mut AnyConnection,
        inputs: &[&Self::Input],
    ) -> Result<Vec<Result<Self::Output, Self::Error>>, Self::Error>;
}

struct GroupPending<G: GroupWrite> {
    key: Option<i64>,
    input: G::Input,
    reply: oneshot::Sender<Result<G::Output, G::Error>>,
}

impl<G: GroupWrite> Job for GroupPending<G> {
    fn key(&self) -> Option<i64> {
        self.key
    }

    fn run(
        self: Box<Self>,
        conn: &mut AnyConnection,
        savepoint: bool,
    ) -> (Box<dyn Finish>, Health) {
        let GroupPending { input, reply, .. } = *self;
        let (outcome, health) = run_alone::<G>(conn, &input, savepoint);
        (Box::new(Done { outcome, reply }), health)
    }

    fn fail(self: Box<Self>, error: StoreError) {
        let _ = self.reply.send(Err(error.into()));
    }

    fn group(&self) -> Option<Group> {
        Some(Group {
            kind: TypeId::of::<G>(),
            run: run_group::<G>,
            locks_own_rows: G::LOCKS_OWN_ROWS,
        })
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
}

/// Runs one grouped input, in a savepoint of its own when `savepoint`.
fn run_alone<G: GroupWrite>(
    conn: &mut AnyConnection,
    input: &G::Input,
    savepoint: bool,
) -> (Result<G::Output, G::Error>, Health) {
    run_in(conn, savepoint, |conn| match G::run(conn, &[input]) {
        Ok(mut outcomes) if outcomes.len() == 1 => match outcomes.pop() {
            Some(outcome) => outcome,
            None => Err(StoreError::Unavailable("the write gave no answer".into()).into()),
        },
        Ok(_) => Err(StoreError::Unavailable("the write gave no answer".into()).into()),
        Err(e) => Err(e),
    })
}

/// Runs `work`, in a savepoint of its own when `savepoint`. A panic is an
/// error (its changes are rolled back with the savepoint or the batch).
fn run_in<T, E, F>(conn: &mut AnyConnection, savepoint: bool, work: F) -> (Result<T, E>, Health)
where
    E: From<StoreError>,
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
{
    if savepoint && let Err(e) = AnyConnection::begin_transaction(conn) {
        return (Err(StoreError::Query(e).into()), Health::Broken);
    }
    let outcome = match std::panic::catch_unwind(AssertUnwindSafe(|| work(conn))) {
        Ok(outcome) => outcome,
        Err(_) => {
            tracing::error!("a database write panicked; its changes were rolled back");
            Err(StoreError::Unavailable("the write failed".into()).into())
        }
    };
    if !savepoint {
        let health = if outcome.is_ok() {
            Health::Fine
        } else {
            Health::Undo
        };
        return (outcome, health);
    }
    let closed = match &outcome {
        Ok(_) => AnyConnection::commit_transaction(conn),
        Err(_) => rollback(conn),
    };
    match closed {
        Ok(()) => (outcome, Health::Fine),
        // The transaction cannot be trusted any more: the whole batch is
        // rolled back, this job included.
        Err(e) => (Err(StoreError::Query(e).into()), Health::Broken),
    }
}

/// Runs a run of grouped jobs of kind `G` together in one savepoint, or,
/// when that fails, each alone.
fn run_group<G: GroupWrite>(
    conn: &mut AnyConnection,
    jobs: Vec<Box<dyn Job>>,
    scope: Scope,
) -> (Vec<Box<dyn Finish>>, Health) {
    let savepoint = matches!(scope, Scope::Shared);
    let mut pending: Vec<GroupPending<G>> = Vec::with_capacity(jobs.len());
    for job in jobs {
        match job.into_any().downcast::<GroupPending<G>>() {
            Ok(p) => pending.push(*p),
            // Cannot happen (groups are formed by kind); its caller hears
            // that the writer dropped it rather than never hearing.
            Err(_) => tracing::error!("a write of another kind was grouped; it was dropped"),
        }
    }
    let mut finished: Vec<Box<dyn Finish>> = Vec::with_capacity(pending.len());
    if let [_] = pending.as_slice()
        && let Some(p) = pending.pop()
    {
        let (outcome, health) = run_alone::<G>(conn, &p.input, savepoint);
        finished.push(Box::new(Done {
            outcome,
            reply: p.reply,
        }));
        return (finished, health);
    }
    {
        match run_together::<G>(conn, &pending, savepoint) {
            Together::Ran(outcomes) => {
                for (p, outcome) in pending.into_iter().zip(outcomes) {
                    finished.push(Box::new(Done {
                        outcome,
                        reply: p.reply,
                    }));
                }
                return (finished, Health::Fine);
            }
            Together::Broken(reason) => {
                for p in pending {
                    let _ = p
                        .reply
                        .send(Err(StoreError::Unavailable(reason.clone()).into()));
                }
                return (finished, Health::Broken);
            }
            Together::OneByOne => {
                if let Scope::Whole(backend) = scope {
                    let keys: Vec<i64> = pending.iter().filter_map(|p| p.key).collect();
                    if let Err(reason) = restart(conn, backend, keys) {
                        for p in pending {
                            let _ = p
                                .reply
                                .send(Err(StoreError::Unavailable(reason.clone()).into()));
                        }
                        return (finished, Health::Broken);
                    }
                }
            }
        }
    }
    let mut health = Health::Fine;
    for p in pending {
        if health == Health::Broken {
            let _ = p.reply.send(Err(StoreError::Unavailable(
                "the transaction failed".into(),
            )
            .into()));
            continue;
        }
        // Several jobs: each needs its savepoint, whatever the batch said.
        let (outcome, h) = run_alone::<G>(conn, &p.input, true);
        health = h;
        finished.push(Box::new(Done {
            outcome,
            reply: p.reply,
        }));
    }
    (finished, health)
}

enum Together<T> {
    Ran(T),
    OneByOne,
    Broken(String),
}

/// Runs the group's inputs at once, in a savepoint when `savepoint`
/// (without one, a failure leaves the transaction to be rolled back by the
/// caller).
#[allow(clippy::type_complexity)]
fn run_together<G: GroupWrite>(
    conn: &mut AnyConnection,
    pending: &[GroupPending<G>],
    savepoint: bool,
) -> Together<Vec<Result<G::Output, G::Error>>> {
    if savepoint && let Err(e) = AnyConnection::begin_transaction(conn) {
        return Together::Broken(format!("could not open a savepoint: {e}"));
    }
    let inputs: Vec<&G::Input> = pending.iter().map(|p| &p.input).collect();
    let ran = std::panic::catch_unwind(AssertUnwindSafe(|| G::run(conn, &inputs)));
    match ran {
        Ok(Ok(outcomes)) if outcomes.len() == inputs.len() => {
            if !savepoint {
                return Together::Ran(outcomes);
            }
            match AnyConnection::commit_transaction(conn) {
                Ok(()) => Together::Ran(outcomes),
                Err(e) => Together::Broken(format!("could not release a savepoint: {e}")),
            }
        }
        _ if !savepoint => Together::OneByOne,
        _ => match rollback(conn) {
            Ok(()) => Together::OneByOne,
            Err(e) => Together::Broken(format!("could not roll back a savepoint: {e}")),
        },
    }
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

    fn run(
        self: Box<Self>,
        conn: &mut AnyConnection,
        savepoint: bool,
    ) -> (Box<dyn Finish>, Health) {
        let Pending { work, reply, .. } = *self;
        let (outcome, health) = run_in(conn, savepoint, work);
        (Box::new(Done { outcome, reply }), health)
    }

    fn fail(self: Box<Self>, error: StoreError) {
        let _ = self.reply.send(Err(error.into()));
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
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
    /// On SQLite, `catch_up` carries the checkpoint thread's requests to
    /// finish a checkpoint between two transactions (see `checkpoint`).
    pub fn start<C>(
        backend: Backend,
        options: &WriterOptions,
        catch_up: Option<Arc<CatchUp>>,
        connect: C,
    ) -> Writers
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
            let catch_up = catch_up.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("storechat-writer-{n}"))
                .spawn(move || writer_loop(backend, rx, connect, batch, catch_up));
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

impl Writers {
    /// Queues one write of the group kind `G` and waits for its batch to
    /// commit; see [`GroupWrite`].
    pub async fn run_grouped<G: GroupWrite>(
        &self,
        key: Option<i64>,
        input: G::Input,
    ) -> Result<G::Output, G::Error> {
        if self.queues.is_empty() {
            return Err(StoreError::Unavailable("no database writer is running".into()).into());
        }
        let shard = key.map_or(0, |k| k.unsigned_abs() as usize % self.queues.len());
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(GroupPending::<G> { key, input, reply });
        if self.queues[shard].send(job).await.is_err() {
            return Err(StoreError::Unavailable("the database writer stopped".into()).into());
        }
        match answer.await {
            Ok(result) => result,
            Err(_) => Err(StoreError::Unavailable("the database writer stopped".into()).into()),
        }
    }
}

fn writer_loop<C>(
    backend: Backend,
    mut rx: mpsc::Receiver<Box<dyn Job>>,
    connect: C,
    batch: usize,
    catch_up: Option<Arc<CatchUp>>,
) where
    C: Fn() -> Result<AnyConnection, StoreError>,
{
    let mut conn: Option<AnyConnection> = None;
    let mut jobs: Vec<Box<dyn Job>> = Vec::with_capacity(batch);
    if backend == Backend::Sqlite {
        // The only writer of its file, which forgets on every rollback.
        super::written_rows::enable();
    }
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
            super::written_rows::forget();
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
        } else if catch_up.as_ref().is_some_and(|c| c.take()) {
            // Between two transactions, after this batch was answered.
            super::checkpoint::catch_up(c);
        }
        jobs.clear();
    }
}

/// Runs one batch; false when the connection should be replaced.
fn run_batch(backend: Backend, conn: &mut AnyConnection, jobs: &mut Vec<Box<dyn Job>>) -> bool {
    if let Err(e) = begin(conn) {
        let reason = format!("could not begin a transaction: {e}");
        for job in jobs.drain(..) {
            job.fail(StoreError::Unavailable(reason.clone()));
        }
        return false;
    }
    let first_group = jobs.first().and_then(|j| j.group());
    let first_kind = first_group.map(|g| g.kind);
    let one_group =
        first_kind.is_some() && jobs.iter().all(|j| j.group().map(|g| g.kind) == first_kind);
    let locks_itself = one_group && first_group.is_some_and(|g| g.locks_own_rows);
    if backend == Backend::Postgres
        && !locks_itself
        && let Err(e) = lock_in_order(conn, jobs.iter().filter_map(|j| j.key()).collect())
    {
        let _ = rollback(conn);
        let reason = format!("could not lock the conversations: {e}");
        for job in jobs.drain(..) {
            job.fail(StoreError::Unavailable(reason.clone()));
        }
        return false;
    }
    let mut ran: Vec<Box<dyn Finish>> = Vec::with_capacity(jobs.len());
    let mut broken = false;
    let mut undo = false;
    // A job alone in its batch owns the transaction: no savepoint (two
    // statements, and on PostgreSQL a subtransaction, fewer).
    let savepoints = jobs.len() > 1;
    let group_scope = if one_group || !savepoints {
        Scope::Whole(backend)
    } else {
        Scope::Shared
    };
    let mut queue: VecDeque<Box<dyn Job>> = jobs.drain(..).collect();
    while let Some(job) = queue.pop_front() {
        if broken {
            job.fail(StoreError::Unavailable("the transaction failed".into()));
            continue;
        }
        match job.group() {
            None => {
                let (finish, health) = job.run(conn, savepoints);
                ran.push(finish);
                broken = health == Health::Broken;
                undo |= health == Health::Undo;
            }
            Some(group) => {
                // The run of jobs of this kind that follow, in order: jobs
                // of other kinds keep their place after it.
                let mut members = vec![job];
                while queue
                    .front()
                    .and_then(|j| j.group())
                    .is_some_and(|g| g.kind == group.kind)
                {
                    if let Some(next) = queue.pop_front() {
                        members.push(next);
                    }
                }
                let (finishes, health) = (group.run)(conn, members, group_scope);
                ran.extend(finishes);
                broken = health == Health::Broken;
                undo |= health == Health::Undo;
            }
        }
    }
    let committed = if broken {
        let _ = rollback(conn);
        Err("the transaction failed and was rolled back".to_owned())
    } else if undo {
        // The lone job failed: nothing of it is kept, and its own error is
        // its answer (`Done` passes an error outcome through).
        match rollback(conn) {
            Ok(()) => Ok(()),
            Err(e) => {
                broken = true;
                Err(format!("the rollback failed: {e}"))
            }
        }
    } else {
        match AnyConnection::commit_transaction(conn) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = rollback(conn);
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

/// Rolls back the innermost savepoint or the transaction. The rows the
/// writer kept from its last sends may be among what is undone: it forgets
/// them first (`written_rows`).
fn rollback(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    super::written_rows::forget();
    AnyConnection::rollback_transaction(conn)
}

/// Begins a batch's transaction.
fn begin(conn: &mut AnyConnection) -> diesel::QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        AnyConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    }
}

/// Rolls the batch's transaction back and begins it again, with the row
/// locks of `keys` on PostgreSQL.
fn restart(conn: &mut AnyConnection, backend: Backend, keys: Vec<i64>) -> Result<(), String> {
    rollback(conn).map_err(|e| format!("could not roll back: {e}"))?;
    begin(conn).map_err(|e| format!("could not begin a transaction: {e}"))?;
    if backend == Backend::Postgres {
        lock_in_order(conn, keys).map_err(|e| format!("could not lock the conversations: {e}"))?;
    }
    Ok(())
}

/// Takes the row locks of these conversations, in id order.
fn lock_in_order(conn: &mut AnyConnection, mut ids: Vec<i64>) -> Result<(), StoreError> {
    if ids.is_empty() {
        return Ok(());
    }
    ids.sort_unstable();
    ids.dedup();
    super::conversations::lock_rows(conn, &ids)
}
