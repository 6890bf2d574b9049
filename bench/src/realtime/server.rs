//! The server under test, in its own process: the plugin alone behind
//! actix-web (`HttpServer` + `chat.configure`, as a host mounts it), with the
//! bench host adapter, on SQLite or PostgreSQL. The driver starts it as
//! `realtime-load --serve …`, reads one `READY {json}` line from its stdout,
//! and asks `GET /bench/stats` for its SQL counters; memory and CPU it reads
//! from `/proc/<pid>` itself.

use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::{Context, anyhow, bail};
use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use serde::{Deserialize, Serialize};
use storechat::service::OpenConversation;
use storechat::store::{Db, PoolOptions};
use storechat::{MailTransport, RealtimeConfig, Storechat, StorechatConfig};

use super::host::{self, BenchHost};
use super::procfs;

const SECRET: &[u8] = b"storechat-realtime-bench-secret-0123456789";

/// How the server under test is set up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServeOptions {
    /// `postgres://…` or a SQLite file path.
    pub database_url: String,
    /// Customers `c-0` … each get one conversation, opened at start.
    pub customers: usize,
    /// `RealtimeConfig::messages_per_minute` (per person).
    pub messages_per_minute: u32,
    /// `RealtimeConfig::max_connections_per_user`.
    pub max_connections_per_user: usize,
    /// `RealtimeConfig::send_queue`.
    pub send_queue: usize,
    /// actix-web worker threads.
    pub workers: usize,
    /// `PoolOptions::max_size`.
    pub pool_size: u32,
    /// `PoolOptions::writers`.
    pub writers: usize,
    /// `PoolOptions::vacuum_every` left on (PostgreSQL).
    pub vacuum: bool,
    /// Count SQL statements and time transactions (diesel instrumentation).
    pub sql_stats: bool,
    /// `HttpServer::tcp_nodelay(true)`; actix-web's default (and the example
    /// store's) leaves Nagle's algorithm on.
    pub tcp_nodelay: bool,
    /// Earlier messages per conversation, written before the run.
    pub history: usize,
}

impl ServeOptions {
    /// The command-line arguments that give these options to `--serve`.
    pub fn to_args(&self) -> anyhow::Result<Vec<String>> {
        Ok(vec![
            "--serve".into(),
            serde_json::to_string(self).context("encoding the server options")?,
        ])
    }
}

/// What the server prints once it listens.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ready {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Customer `i`'s conversation is `conversations[i]`.
    pub conversations: Vec<i64>,
    /// The realtime options it runs with, as set.
    pub messages_per_minute: u32,
    /// Send queue per connection.
    pub send_queue: usize,
    /// Pool size.
    pub pool_size: u32,
    /// Worker threads.
    pub workers: usize,
    /// How long opening the conversations took, in ms.
    pub setup_ms: u64,
}

/// The server's counters, from `GET /bench/stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Open WebSocket connections (the hub's count).
    pub connections: usize,
    /// SQL statements run (BEGIN and COMMIT included).
    pub statements: u64,
    /// Transactions committed.
    pub commits: u64,
    /// Time inside statements, ns.
    pub sql_ns: u64,
    /// Time inside COMMIT statements (the WAL write and its fsync), ns.
    pub commit_ns: u64,
    /// From BEGIN to the end of COMMIT, ns, summed over transactions.
    pub transaction_ns: u64,
    /// Per position in a transaction (0 is BEGIN): statements and their
    /// time, ns. Every message's transaction runs the same statements in
    /// the same order, so a position is a statement.
    #[serde(default)]
    pub positions: Vec<(u64, u64)>,
    /// COMMIT durations: statements per power-of-two bucket of
    /// microseconds (bucket `i` holds [2^i, 2^(i+1)) µs; 0 also holds < 1 µs).
    #[serde(default)]
    pub commit_buckets: Vec<u64>,
    /// Transaction (BEGIN to end of COMMIT) durations, the same way.
    #[serde(default)]
    pub transaction_buckets: Vec<u64>,
    /// The SQL of one transaction, when one was captured (`?capture=1`
    /// arms it for the next transaction that starts).
    #[serde(default)]
    pub sample: Vec<String>,
}

impl std::ops::Sub for Stats {
    type Output = Stats;

    fn sub(self, rhs: Stats) -> Stats {
        Stats {
            connections: self.connections,
            statements: self.statements.saturating_sub(rhs.statements),
            commits: self.commits.saturating_sub(rhs.commits),
            sql_ns: self.sql_ns.saturating_sub(rhs.sql_ns),
            commit_ns: self.commit_ns.saturating_sub(rhs.commit_ns),
            transaction_ns: self.transaction_ns.saturating_sub(rhs.transaction_ns),
            positions: self
                .positions
                .iter()
                .enumerate()
                .map(|(i, (n, ns))| {
                    let (n0, ns0) = rhs.positions.get(i).copied().unwrap_or_default();
                    (n.saturating_sub(n0), ns.saturating_sub(ns0))
                })
                .collect(),
            commit_buckets: minus(&self.commit_buckets, &rhs.commit_buckets),
            transaction_buckets: minus(&self.transaction_buckets, &rhs.transaction_buckets),
            sample: if self.sample.is_empty() {
                rhs.sample
            } else {
                self.sample
            },
        }
    }
}

fn minus(a: &[u64], b: &[u64]) -> Vec<u64> {
    a.iter()
        .enumerate()
        .map(|(i, v)| v.saturating_sub(b.get(i).copied().unwrap_or(0)))
        .collect()
}

/// Buckets of a duration histogram: up to 2^31 µs.
pub const BUCKETS: usize = 32;

fn bucket_of(ns: u64) -> usize {
    let micros = ns / 1000;
    if micros == 0 {
        0
    } else {
        (micros.ilog2() as usize).min(BUCKETS - 1)
    }
}

/// The upper bound, in ms, of the bucket that holds quantile `q` of a
/// histogram of [`BUCKETS`]; `None` when it is empty.
pub fn bucket_quantile_ms(buckets: &[u64], q: f64) -> Option<f64> {
    let total: u64 = buckets.iter().sum();
    if total == 0 {
        return None;
    }
    let rank = ((q * total as f64).ceil() as u64).clamp(1, total);
    let mut seen = 0;
    for (i, n) in buckets.iter().enumerate() {
        seen += n;
        if seen >= rank {
            return Some((1u64 << (i + 1)) as f64 / 1000.0);
        }
    }
    None
}

/// How many values in a histogram are at least `ms` (rounded to a bucket
/// edge: 1, 2, 4, 8, 16, 32… ms are edges at 1024 µs, 2048 µs, …).
pub fn bucket_count_from_ms(buckets: &[u64], ms: f64) -> u64 {
    let from = bucket_of((ms * 1e6) as u64);
    buckets.iter().skip(from).sum()
}

/// Positions in a transaction that are profiled; later ones add to the last.
const POSITIONS: usize = 24;

static STATEMENTS: AtomicU64 = AtomicU64::new(0);
static COMMITS: AtomicU64 = AtomicU64::new(0);
static SQL_NS: AtomicU64 = AtomicU64::new(0);
static COMMIT_NS: AtomicU64 = AtomicU64::new(0);
static TRANSACTION_NS: AtomicU64 = AtomicU64::new(0);
static COMMIT_BUCKETS: [AtomicU64; BUCKETS] = [const { AtomicU64::new(0) }; BUCKETS];
static TRANSACTION_BUCKETS: [AtomicU64; BUCKETS] = [const { AtomicU64::new(0) }; BUCKETS];
static POSITION_COUNT: [AtomicU64; POSITIONS] = [const { AtomicU64::new(0) }; POSITIONS];
static POSITION_NS: [AtomicU64; POSITIONS] = [const { AtomicU64::new(0) }; POSITIONS];
/// Armed by `?capture=1`: the next transaction to begin records its SQL.
static CAPTURE: AtomicBool = AtomicBool::new(false);
static SAMPLE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Per connection: when the running statement and transaction started, and
/// whether the running statement is the COMMIT. Two clock reads and a few
/// relaxed atomic adds per statement; no SQL text is rendered.
#[derive(Default)]
struct SqlTimer {
    statement: Option<Instant>,
    transaction: Option<Instant>,
    committing: bool,
    /// The running statement's position in its transaction.
    position: Option<usize>,
    /// Recording this transaction's SQL.
    capturing: Option<Vec<String>>,
}

fn nanos(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_nanos()).unwrap_or(u64::MAX)
}

impl Instrumentation for SqlTimer {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::BeginTransaction { .. } => {
                self.transaction = Some(Instant::now());
                self.position = Some(0);
                if CAPTURE.swap(false, Ordering::AcqRel) {
                    self.capturing = Some(Vec::new());
                }
            }
            InstrumentationEvent::CommitTransaction { .. } => self.committing = true,
            InstrumentationEvent::RollbackTransaction { .. } => {
                self.transaction = None;
                self.committing = false;
                self.position = None;
                self.capturing = None;
            }
            InstrumentationEvent::StartQuery { query, .. } => {
                STATEMENTS.fetch_add(1, Ordering::Relaxed);
                if let Some(sql) = self.capturing.as_mut() {
                    let mut text = query
                        .to_string()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if text.len() > 400 {
                        let mut cut = 400;
                        while !text.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        text.truncate(cut);
                        text.push('…');
                    }
                    sql.push(text);
                }
                self.statement = Some(Instant::now());
            }
            InstrumentationEvent::FinishQuery { error, .. } => {
                if let Some(at) = self.statement.take() {
                    let took = nanos(at);
                    SQL_NS.fetch_add(took, Ordering::Relaxed);
                    if let Some(p) = self.position.as_mut() {
                        let i = (*p).min(POSITIONS - 1);
                        POSITION_COUNT[i].fetch_add(1, Ordering::Relaxed);
                        POSITION_NS[i].fetch_add(took, Ordering::Relaxed);
                        *p += 1;
                    }
                    if self.committing {
                        self.committing = false;
                        if error.is_none() {
                            COMMITS.fetch_add(1, Ordering::Relaxed);
                            COMMIT_NS.fetch_add(took, Ordering::Relaxed);
                            COMMIT_BUCKETS[bucket_of(took)].fetch_add(1, Ordering::Relaxed);
                        }
                        if let Some(began) = self.transaction.take() {
                            let whole = nanos(began);
                            TRANSACTION_NS.fetch_add(whole, Ordering::Relaxed);
                            TRANSACTION_BUCKETS[bucket_of(whole)].fetch_add(1, Ordering::Relaxed);
                        }
                        self.position = None;
                        if let Some(sql) = self.capturing.take() {
                            *SAMPLE.lock().unwrap_or_else(|p| p.into_inner()) = sql;
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

fn sql_timer() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(SqlTimer::default()))
}

fn stats(chat: &Storechat) -> Stats {
    Stats {
        connections: chat.hub().connections(),
        statements: STATEMENTS.load(Ordering::Relaxed),
        commits: COMMITS.load(Ordering::Relaxed),
        sql_ns: SQL_NS.load(Ordering::Relaxed),
        commit_ns: COMMIT_NS.load(Ordering::Relaxed),
        transaction_ns: TRANSACTION_NS.load(Ordering::Relaxed),
        positions: POSITION_COUNT
            .iter()
            .zip(&POSITION_NS)
            .map(|(n, ns)| (n.load(Ordering::Relaxed), ns.load(Ordering::Relaxed)))
            .collect(),
        commit_buckets: COMMIT_BUCKETS
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .collect(),
        transaction_buckets: TRANSACTION_BUCKETS
            .iter()
            .map(|n| n.load(Ordering::Relaxed))
            .collect(),
        sample: SAMPLE.lock().unwrap_or_else(|p| p.into_inner()).clone(),
    }
}

/// `GET /bench/stats?capture=1`.
#[derive(Debug, Deserialize)]
struct StatsQuery {
    capture: Option<u8>,
}

/// `--serve`: runs the server until it is killed.
pub fn serve(options: &ServeOptions) -> anyhow::Result<()> {
    if options.sql_stats {
        // Before the pool opens: every pooled connection is instrumented.
        set_default_instrumentation(sql_timer)?;
    }
    actix_web::rt::System::new().block_on(serve_here(options.clone()))
}

async fn serve_here(options: ServeOptions) -> anyhow::Result<()> {
    let mut config = StorechatConfig::new(options.database_url.clone(), SECRET.to_vec());
    config.store_name = "Bench store".into();
    config.email.transport = MailTransport::Disabled;
    config.pool = PoolOptions {
        max_size: options.pool_size,
        writers: options.writers,
        vacuum_every: if options.vacuum {
            PoolOptions::default().vacuum_every
        } else {
            None
        },
        ..PoolOptions::default()
    };
    config.realtime = RealtimeConfig {
        messages_per_minute: options.messages_per_minute,
        max_connections_per_user: options.max_connections_per_user,
        send_queue: options.send_queue,
        ..RealtimeConfig::default()
    };
    let chat = Storechat::start(config, BenchHost)
        .await
        .map_err(|e| anyhow!("storechat did not start: {e}"))?;
    chat.run_migrations()
        .await
        .map_err(|e| anyhow!("the migrations failed: {e}"))?;

    let setup = Instant::now();
    let mut conversations = Vec::with_capacity(options.customers);
    for n in 0..options.customers {
        let customer = host::actor_of(&host::customer_id(n)).context("customer id")?;
        let input = OpenConversation::parse(
            &format!("Benchmark conversation {n}"),
            "Hello, a question about my order.",
            None,
            None,
        )
        .map_err(|e| anyhow!("{e}"))?;
        let opened = chat
            .service()
            .open_conversation(&customer, input)
            .await
            .map_err(|e| anyhow!("opening conversation {n}: {e}"))?;
        conversations.push(opened.conversation.id);
    }
    if options.history > 0 {
        seed_history(chat.service().db(), options.history).await?;
    }
    let setup_ms = u64::try_from(setup.elapsed().as_millis()).unwrap_or(u64::MAX);

    let listener = TcpListener::bind("127.0.0.1:0").context("binding 127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let served = chat.clone();
    let server = HttpServer::new(move || {
        let chat = served.clone();
        let for_stats = served.clone();
        App::new().configure(move |cfg| chat.configure(cfg)).route(
            "/bench/stats",
            web::get().to(move |query: web::Query<StatsQuery>| {
                if query.capture == Some(1) {
                    CAPTURE.store(true, Ordering::Release);
                }
                let s = stats(&for_stats);
                async move { HttpResponse::Ok().json(s) }
            }),
        )
    });
    let server = if options.tcp_nodelay {
        server.tcp_nodelay(true)
    } else {
        server
    };
    let server = server
        .workers(options.workers)
        .backlog(4096)
        .shutdown_timeout(1)
        .listen(listener)?
        .run();

    let ready = Ready {
        port,
        conversations,
        messages_per_minute: options.messages_per_minute,
        send_queue: options.send_queue,
        pool_size: options.pool_size,
        workers: options.workers,
        setup_ms,
    };
    let mut out = std::io::stdout().lock();
    writeln!(out, "READY {}", serde_json::to_string(&ready)?)?;
    out.flush()?;
    drop(out);
    server.await?;
    Ok(())
}

/// The driver's handle on a running server; killed when dropped.
pub struct Server {
    child: Child,
    /// What it said when it was ready.
    pub ready: Ready,
    http: reqwest::Client,
}

impl Server {
    /// Starts this program with `--serve` and waits for its `READY` line.
    pub fn spawn(options: &ServeOptions) -> anyhow::Result<Server> {
        let exe = std::env::current_exe().context("finding this program")?;
        let mut child = Command::new(exe)
            .args(options.to_args()?)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("starting the server process")?;
        let stdout = child.stdout.take().context("the server's stdout")?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next();
            let _ = tx.send(first);
            // Keep reading so that the server never blocks on a full pipe.
            for _ in lines {}
        });
        let line = match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(Some(Ok(line))) => line,
            other => {
                let _ = child.kill();
                let status = child.wait().ok();
                bail!("the server did not start ({other:?}, exit {status:?})");
            }
        };
        let Some(json) = line.strip_prefix("READY ") else {
            let _ = child.kill();
            let _ = child.wait();
            bail!("the server said {line:?} instead of READY");
        };
        let ready: Ready = serde_json::from_str(json).context("reading READY")?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .context("HTTP client")?;
        Ok(Server { child, ready, http })
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `ws://127.0.0.1:PORT/storechat/ws`.
    pub fn ws_url(&self) -> String {
        format!("ws://127.0.0.1:{}/storechat/ws", self.ready.port)
    }

    /// Its resident memory now and its peak.
    pub fn memory(&self) -> procfs::Memory {
        procfs::memory(self.pid()).unwrap_or_default()
    }

    /// Its SQL counters and connection count; `capture` has the SQL of the
    /// next transaction recorded.
    pub async fn stats(&self, capture: bool) -> anyhow::Result<Stats> {
        let url = format!(
            "http://127.0.0.1:{}/bench/stats{}",
            self.ready.port,
            if capture { "?capture=1" } else { "" }
        );
        let body = self
            .http
            .get(&url)
            .send()
            .await
            .with_context(|| format!("GET {url}"))?
            .bytes()
            .await?;
        serde_json::from_slice(&body).context("reading /bench/stats")
    }

    /// Whether it is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Writes `per_conversation` earlier messages into every conversation
/// (alternating sides, each with its notification for the other side,
/// read), moves the counters to match, and refreshes the planner's
/// statistics. The same SQL runs on both databases.
async fn seed_history(db: &Db, per_conversation: usize) -> anyhow::Result<()> {
    let sql = format!(
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {per_conversation}) \
         INSERT INTO storechat_messages (conversation_id, sender_id, sender_side, sender_name, kind, body, created_at) \
         SELECT c.id, \
                CASE WHEN g.n % 2 = 0 THEN 'history-staff' ELSE c.customer_id END, \
                CASE WHEN g.n % 2 = 0 THEN 'staff' ELSE 'customer' END, \
                CASE WHEN g.n % 2 = 0 THEN 'Store' ELSE c.customer_name END, \
                'text', 'An earlier message of this conversation, number ' || g.n, c.created_at \
         FROM storechat_conversations c CROSS JOIN g ORDER BY c.id, g.n;\n\
         INSERT INTO storechat_notifications (recipient_side, recipient_id, kind, conversation_id, message_id, title, body, created_at, read_at) \
         SELECT CASE m.sender_side WHEN 'customer' THEN 'staff' ELSE 'customer' END, \
                CASE m.sender_side WHEN 'customer' THEN NULL ELSE c.customer_id END, \
                'NEW_MESSAGE', m.conversation_id, m.id, 'New message', m.body, m.created_at, m.created_at \
         FROM storechat_messages m JOIN storechat_conversations c ON c.id = m.conversation_id \
         WHERE m.body LIKE 'An earlier message%';\n\
         UPDATE storechat_conversations SET message_count = message_count + {per_conversation};\n\
         ANALYZE;"
    );
    db.with_connection(move |conn| {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(&sql)
            .map_err(|e| anyhow!("seeding the history: {e}"))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets() {
        assert_eq!(bucket_of(500), 0);
        assert_eq!(bucket_of(1_500), 0);
        assert_eq!(bucket_of(2_000), 1);
        assert_eq!(bucket_of(1_000_000), 9);
        let mut h = vec![0u64; BUCKETS];
        h[bucket_of(100_000)] += 98;
        h[bucket_of(20_000_000)] += 2;
        assert_eq!(bucket_quantile_ms(&h, 0.5), Some(0.128));
        assert_eq!(bucket_quantile_ms(&h, 0.99), Some(32.768));
        assert_eq!(bucket_count_from_ms(&h, 16.0), 2);
        assert_eq!(bucket_quantile_ms(&[], 0.5), None);
    }
}
