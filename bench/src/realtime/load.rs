//! One load run: N customers and M staff on WebSockets; the customers send
//! open-loop at an aggregate rate (a clock schedules every message; nobody
//! waits for acks), the staff connections record when each message frame
//! arrives. Then the ledger says what was acked, what every staff connection
//! got (and how often), and how long it took.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU16, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::client::{self, Frame, Ws};
use super::host;
use super::procfs::{self, Cpu, CpuUse, Io, MachineCpu, PgProcesses};
use super::server::{Server, Stats};
use super::wake_probe::WakeProbe;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Customer connections (one conversation each).
    pub customers: usize,
    /// Staff connections.
    pub staff: usize,
    /// Customers online besides, on a connection each that only listens.
    pub online: usize,
    /// Messages per second, all customers together.
    pub rate: f64,
    /// Sending at the rate before the measured window (not counted).
    pub warmup: Duration,
    /// The measured window.
    pub duration: Duration,
    /// Bytes per message body.
    pub body_bytes: usize,
    /// After the last send, stop waiting for answers and deliveries when
    /// none came for this long (the wait ends earlier when everything is in).
    pub drain: Duration,
    /// … and in any case after this long (an overloaded server still has
    /// the sends queued in its sockets).
    pub drain_max: Duration,
    /// TCP_NODELAY on the clients' sockets.
    pub nodelay: bool,
    /// The PostgreSQL database the server is on, if it is (its backends'
    /// and the server-wide processes' CPU and writes are read too).
    pub postgres: Option<String>,
}

const NOT_YET: u64 = 0;
const NEVER: u64 = u64::MAX;

/// What became of a send.
const PENDING: u8 = 0;
const CREATED: u8 = 1;
const REPLAYED: u8 = 2;
const REFUSED: u8 = 3;

/// Everything recorded per message, indexed by its sequence number. Times
/// are ns since `epoch` (+1, so that 0 means "not yet").
struct Ledger {
    epoch: Instant,
    /// When the schedule begins (ns since epoch).
    start_ns: u64,
    rate: f64,
    total: usize,
    warmup: usize,
    sent: Vec<AtomicU64>,
    answered: Vec<AtomicU64>,
    outcome: Vec<AtomicU8>,
    first_staff: Vec<AtomicU64>,
    /// Receipts per staff connection and message.
    receipts: Vec<Vec<AtomicU16>>,
    /// Messages each staff connection has got at least once.
    staff_unique: Vec<AtomicU64>,
    duplicates: AtomicU64,
    answered_count: AtomicU64,
    created_count: AtomicU64,
    sent_count: AtomicU64,
    unsent: AtomicU64,
    /// Due after the server had closed their customer's connection.
    unsent_closed: AtomicU64,
    foreign_frames: AtomicU64,
    /// `message` frames customers got (their own messages, for other tabs).
    customer_echoes: AtomicU64,
    /// Frames of other types, by who got them and their type.
    other_kinds: Mutex<BTreeMap<String, u64>>,
    errors: Mutex<BTreeMap<String, u64>>,
    closes: Mutex<BTreeMap<String, u64>>,
}

impl Ledger {
    fn new(total: usize, warmup: usize, staff: usize, rate: f64, start_ns: u64) -> Ledger {
        let atomics = |v: u64| (0..total).map(|_| AtomicU64::new(v)).collect::<Vec<_>>();
        Ledger {
            epoch: Instant::now(),
            start_ns,
            rate,
            total,
            warmup,
            sent: atomics(NOT_YET),
            answered: atomics(NOT_YET),
            outcome: (0..total).map(|_| AtomicU8::new(PENDING)).collect(),
            first_staff: atomics(NEVER),
            receipts: (0..staff)
                .map(|_| (0..total).map(|_| AtomicU16::new(0)).collect())
                .collect(),
            staff_unique: (0..staff).map(|_| AtomicU64::new(0)).collect(),
            duplicates: AtomicU64::new(0),
            answered_count: AtomicU64::new(0),
            created_count: AtomicU64::new(0),
            sent_count: AtomicU64::new(0),
            unsent: AtomicU64::new(0),
            unsent_closed: AtomicU64::new(0),
            foreign_frames: AtomicU64::new(0),
            customer_echoes: AtomicU64::new(0),
            other_kinds: Mutex::new(BTreeMap::new()),
            errors: Mutex::new(BTreeMap::new()),
            closes: Mutex::new(BTreeMap::new()),
        }
    }

    fn now_ns(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(NEVER - 1) + 1
    }

    /// When message `seq` is due, ns since epoch.
    fn due_ns(&self, seq: u64) -> u64 {
        self.start_ns + (seq as f64 * 1e9 / self.rate) as u64
    }

    fn index(&self, seq: u64) -> Option<usize> {
        usize::try_from(seq).ok().filter(|i| *i < self.total)
    }

    fn answer(&self, seq: u64, outcome: u8, code: Option<&str>) {
        let Some(i) = self.index(seq) else {
            self.foreign_frames.fetch_add(1, Ordering::Relaxed);
            return;
        };
        if self.outcome[i]
            .compare_exchange(PENDING, outcome, Ordering::AcqRel, Ordering::Acquire)
            .is_err()
        {
            // A second answer to one send: count it as foreign.
            self.foreign_frames.fetch_add(1, Ordering::Relaxed);
            return;
        }
        self.answered[i].store(self.now_ns(), Ordering::Release);
        self.answered_count.fetch_add(1, Ordering::Relaxed);
        if outcome == CREATED {
            self.created_count.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(code) = code {
            let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
            *errors.entry(code.to_owned()).or_default() += 1;
        }
    }

    fn closed(&self, who: &str, why: String) {
        let mut closes = self.closes.lock().unwrap_or_else(|p| p.into_inner());
        *closes.entry(format!("{who}: {why}")).or_default() += 1;
    }
}

/// Reads a customer's frames: acks and errors answer its sends.
async fn customer_reader(
    stream: futures_util::stream::SplitStream<Ws>,
    ledger: Arc<Ledger>,
    closed: Arc<AtomicBool>,
) {
    read_customer_frames(stream, &ledger).await;
    closed.store(true, Ordering::Release);
}

async fn read_customer_frames(mut stream: futures_util::stream::SplitStream<Ws>, ledger: &Ledger) {
    while let Some(frame) = stream.next().await {
        match frame {
            Ok(Message::Text(text)) => {
                // Its own messages come back too (for other tabs): skip them
                // without parsing.
                if text.starts_with("{\"type\":\"message\"") {
                    ledger.customer_echoes.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                let Some(frame) = Frame::parse(&text) else {
                    ledger.foreign_frames.fetch_add(1, Ordering::Relaxed);
                    continue;
                };
                match frame.kind.as_ref() {
                    "ack" => {
                        let seq = frame.client_msg_id.as_deref().and_then(client::seq_of);
                        let outcome = if frame.created == Some(false) {
                            REPLAYED
                        } else {
                            CREATED
                        };
                        match seq {
                            Some(seq) => ledger.answer(seq, outcome, None),
                            None => {
                                ledger.foreign_frames.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                    "error" => {
                        let seq = frame.reference.as_deref().and_then(|r| r.parse().ok());
                        let code = frame.code.as_deref().unwrap_or("?");
                        match seq {
                            Some(seq) => ledger.answer(seq, REFUSED, Some(code)),
                            None => {
                                let mut errors =
                                    ledger.errors.lock().unwrap_or_else(|p| p.into_inner());
                                *errors.entry(format!("{code} (no ref)")).or_default() += 1;
                            }
                        }
                    }
                    other => {
                        let mut kinds =
                            ledger.other_kinds.lock().unwrap_or_else(|p| p.into_inner());
                        *kinds.entry(format!("customer: {other}")).or_default() += 1;
                    }
                }
            }
            Ok(Message::Close(reason)) => {
                // 1000 answers the close the writer sends when it is done.
                if let Some(r) = reason.filter(|r| u16::from(r.code) != 1000) {
                    ledger.closed("customer", format!("close {} ({})", r.code, r.reason));
                }
                return;
            }
            Ok(_) => {}
            Err(e) => {
                ledger.closed("customer", e.to_string());
                return;
            }
        }
    }
}

/// Writes a customer's sends as the schedule hands them over; after
/// `stop_at` whatever is still queued is dropped (counted as unsent).
/// Hands the sink back open: closing it now would make the server drop
/// the acks of the sends still in flight, which the drain waits for.
async fn customer_writer(
    mut sink: futures_util::stream::SplitSink<Ws, Message>,
    mut due: mpsc::UnboundedReceiver<u64>,
    ledger: Arc<Ledger>,
    conversation_id: i64,
    body: Arc<str>,
    stop_at: Instant,
    closed: Arc<AtomicBool>,
) -> futures_util::stream::SplitSink<Ws, Message> {
    while let Some(seq) = due.recv().await {
        if closed.load(Ordering::Acquire) {
            // The server closed this connection; the tool does not reconnect.
            ledger.unsent_closed.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        if Instant::now() > stop_at {
            ledger.unsent.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        let frame = client::send_frame(seq, conversation_id, &body);
        if let Some(i) = ledger.index(seq) {
            ledger.sent[i].store(ledger.now_ns(), Ordering::Release);
        }
        ledger.sent_count.fetch_add(1, Ordering::Relaxed);
        if let Err(e) = sink.send(Message::text(frame)).await
            && !closed.swap(true, Ordering::AcqRel)
        {
            ledger.closed("customer writer", e.to_string());
        }
    }
    sink
}

/// Reads a staff connection's frames and records every message frame.
async fn staff_reader(mut ws: Ws, ledger: Arc<Ledger>, index: usize, done: Arc<AtomicBool>) {
    let receipts = &ledger.receipts[index];
    loop {
        let frame = tokio::select! {
            frame = ws.next() => frame,
            _ = tokio::time::sleep(Duration::from_millis(200)) => {
                if done.load(Ordering::Acquire) {
                    let _ = ws.close(None).await;
                    return;
                }
                continue;
            }
        };
        let Some(frame) = frame else {
            ledger.closed("staff", "ended".into());
            return;
        };
        match frame {
            Ok(Message::Text(text)) => {
                let now = ledger.now_ns();
                let frame = Frame::parse(&text);
                let seq = frame.as_ref().and_then(Frame::message_seq);
                let Some(i) = seq.and_then(|s| ledger.index(s)) else {
                    // Not one of ours (presence, a system message…).
                    ledger.foreign_frames.fetch_add(1, Ordering::Relaxed);
                    let kind =
                        frame.map_or_else(|| "unreadable".to_owned(), |f| f.kind.into_owned());
                    let mut kinds = ledger.other_kinds.lock().unwrap_or_else(|p| p.into_inner());
                    *kinds.entry(format!("staff: {kind}")).or_default() += 1;
                    continue;
                };
                let before = receipts[i].fetch_add(1, Ordering::AcqRel);
                if before == 0 {
                    ledger.first_staff[i].fetch_min(now, Ordering::AcqRel);
                    ledger.staff_unique[index].fetch_add(1, Ordering::Release);
                } else {
                    ledger.duplicates.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok(Message::Close(reason)) => {
                let why =
                    reason.map_or_else(|| "close".to_owned(), |r| format!("close {}", r.code));
                ledger.closed("staff", why);
                return;
            }
            Ok(_) => {}
            Err(e) => {
                ledger.closed("staff", e.to_string());
                return;
            }
        }
    }
}

/// Nearest-rank percentiles of a sample, in ms.
#[derive(Debug, Clone, Copy, Default)]
pub struct Percentiles {
    /// How many values.
    pub count: usize,
    /// Median.
    pub p50: f64,
    /// 95th.
    pub p95: f64,
    /// 99th.
    pub p99: f64,
    /// 99.9th.
    pub p999: f64,
    /// Largest.
    pub max: f64,
}

impl Percentiles {
    /// From nanosecond values (sorted here).
    pub fn of(mut ns: Vec<u64>) -> Percentiles {
        if ns.is_empty() {
            return Percentiles::default();
        }
        ns.sort_unstable();
        let at = |q: f64| {
            let rank = ((q * ns.len() as f64).ceil() as usize).clamp(1, ns.len());
            ns[rank - 1] as f64 / 1e6
        };
        Percentiles {
            count: ns.len(),
            p50: at(0.50),
            p95: at(0.95),
            p99: at(0.99),
            p999: at(0.999),
            max: ns[ns.len() - 1] as f64 / 1e6,
        }
    }
}

/// One second of the measured window (by when messages were due).
#[derive(Debug, Clone, Default)]
pub struct Second {
    /// Seconds since the measured window began.
    pub second: usize,
    /// Messages due in this second.
    pub due: u64,
    /// Of which sent.
    pub sent: u64,
    /// Of which acked (created).
    pub acked: u64,
    /// Of which refused with an error.
    pub refused: u64,
    /// Send-to-first-staff latency of this second's messages.
    pub latency: Percentiles,
    /// Schedule lag (sent − due) of this second's messages.
    pub lag: Percentiles,
    /// The server's resident memory at the end of this second, KiB.
    pub server_rss_kib: u64,
    /// Sends written by the clients and not answered yet, then.
    pub backlog: u64,
    /// Of those, bytes still in the kernel's socket buffers (the rest the
    /// server has read: they are in its memory).
    pub kernel_queued_bytes: u64,
}

/// One reading of the server, every second.
#[derive(Debug, Clone, Copy)]
struct Reading {
    at: Instant,
    rss_kib: u64,
    anon_kib: u64,
    backlog: u64,
    kernel_queued_bytes: u64,
}

fn read_server(server: &Server, ledger: &Ledger) -> Reading {
    let sent = ledger.sent_count.load(Ordering::Acquire);
    let answered = ledger.answered_count.load(Ordering::Acquire);
    let memory = server.memory();
    Reading {
        at: Instant::now(),
        rss_kib: memory.rss_kib,
        anon_kib: memory.anon_kib,
        backlog: sent.saturating_sub(answered),
        kernel_queued_bytes: procfs::tcp_queued_bytes(server.ready.port).unwrap_or(0),
    }
}

/// What a run measured.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Offered rate, msg/s.
    pub rate: f64,
    /// Measured window, s.
    pub seconds: f64,
    /// Messages due in the measured window.
    pub scheduled: u64,
    /// Of which sent (the rest were still queued on the client when the
    /// window ended: the server was not reading them).
    pub sent: u64,
    /// Sends the server acked as new messages.
    pub acked: u64,
    /// Acked as replays (`created: false`): should be none.
    pub replayed: u64,
    /// Refused sends, by error code.
    pub errors: BTreeMap<String, u64>,
    /// Due after the server had closed their connection: never written
    /// (the tool does not reconnect).
    pub unsent_closed: u64,
    /// Sent, not answered when the run ended (still queued in the sockets
    /// of an overloaded server, or never answered).
    pub unanswered: u64,
    /// How long the drain after the last send took.
    pub drain_time: Duration,
    /// Acked messages missing on at least one staff connection after the drain.
    pub lost: u64,
    /// Missing (message, staff connection) pairs.
    pub missing_receipts: u64,
    /// Extra receipts of a message on one staff connection.
    pub duplicates: u64,
    /// Messages staff got that were never acked.
    pub delivered_unacked: u64,
    /// Send until the first staff connection had it.
    pub latency: Percentiles,
    /// Send until the ack.
    pub ack_latency: Percentiles,
    /// Sent minus due: how far the generator was behind its clock.
    pub lag: Percentiles,
    /// How late a thread with nothing else to do woke from 2 ms sleeps
    /// during the window ([`WakeProbe`]).
    pub wake_late: Percentiles,
    /// Acks (of new messages) received per second during the window,
    /// whichever messages they answered.
    pub acked_per_second: f64,
    /// Messages that reached their first staff connection per second during
    /// the window.
    pub delivered_per_second: f64,
    /// Closed connections, by who and why.
    pub closes: BTreeMap<String, u64>,
    /// Frames the tool did not expect.
    pub foreign_frames: u64,
    /// `message` frames the customers got (their own messages).
    pub customer_echoes: u64,
    /// Other frames by who got them and their type.
    pub other_kinds: BTreeMap<String, u64>,
    /// Per second of the window.
    pub series: Vec<Second>,
    /// The server's peak resident memory (whole life), KiB.
    pub server_peak_kib: u64,
    /// Its resident memory once connected, before sending, KiB.
    pub server_rss_before_kib: u64,
    /// Its largest sampled resident memory during the run, KiB.
    pub server_rss_max_kib: u64,
    /// Its largest sampled anonymous resident memory (`RssAnon`), KiB.
    pub server_anon_max_kib: u64,
    /// Server CPU over the window.
    pub server_cpu: CpuUse,
    /// This driver's CPU over the window.
    pub driver_cpu: f64,
    /// PostgreSQL's processes' CPU over the window (cores).
    pub postgres_cpu: Option<f64>,
    /// What the server process wrote over the window.
    pub server_io: Io,
    /// What PostgreSQL's processes wrote over the window.
    pub postgres_io: Option<Io>,
    /// The machine's busy share over the window (0–1).
    pub machine_busy: f64,
    /// The server's SQL counters over the window.
    pub sql: Stats,
    /// Which attempt this was (runs disturbed by other processes are
    /// repeated), and how many were made.
    pub attempt: (usize, usize),
}

impl Outcome {
    /// Cores used over the window by everything but the server, this
    /// driver and PostgreSQL: other work on a shared machine.
    pub fn others_cpu(&self) -> f64 {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        (self.machine_busy * cores
            - self.server_cpu.total
            - self.driver_cpu
            - self.postgres_cpu.unwrap_or(0.0))
        .max(0.0)
    }
}

impl Outcome {
    /// Errors as `code n, code n`, or 0.
    pub fn errors_text(&self) -> String {
        if self.errors.is_empty() {
            return "0".into();
        }
        self.errors
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Refused sends in all.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// What was read at the edges of the measured window.
struct Window {
    server_cpu: CpuUse,
    driver_cpu: f64,
    machine_busy: f64,
    postgres: Option<(f64, Io)>,
    server_io: Io,
    sql: Stats,
}

/// The first host number of the customers who only listen (`c-1000000`
/// …), far from the senders' `c-0` ….
const LISTENERS_FROM: usize = 1_000_000;

/// Connections that only listen, held open until dropped.
struct Listeners(Vec<tokio::task::JoinHandle<()>>);

impl Drop for Listeners {
    fn drop(&mut self) {
        for task in &self.0 {
            task.abort();
        }
    }
}

/// Opens `n` customer connections that read (and so answer pings) and
/// never send.
async fn listen(url: &str, n: usize, nodelay: bool) -> anyhow::Result<Listeners> {
    let mut opening =
        futures_util::stream::iter(0..n)
            .map(|i| {
                let url = url.to_owned();
                async move {
                    client::connect(&url, &host::customer_id(LISTENERS_FROM + i), nodelay).await
                }
            })
            .buffer_unordered(100);
    let mut held = Listeners(Vec::with_capacity(n));
    while let Some(ws) = opening.next().await {
        let mut ws = ws.context("connecting a customer who only listens")?;
        held.0.push(tokio::spawn(async move {
            while let Some(Ok(_)) = ws.next().await {}
        }));
    }
    Ok(held)
}

/// Opens the connections, runs the schedule, drains, and reads the ledger.
pub async fn run(server: &Server, options: &LoadOptions) -> anyhow::Result<Outcome> {
    let url = server.ws_url();
    let conversations = &server.ready.conversations;
    anyhow::ensure!(
        conversations.len() >= options.customers && options.customers > 0,
        "the server opened {} conversations for {} customers",
        conversations.len(),
        options.customers
    );
    let warmup = (options.warmup.as_secs_f64() * options.rate).round() as usize;
    let measured = (options.duration.as_secs_f64() * options.rate).round() as usize;
    let total = warmup + measured;

    // Held (and listening) until the run ends.
    let _listeners = listen(&url, options.online, options.nodelay).await?;
    let mut staff_ws = Vec::new();
    for n in 0..options.staff {
        staff_ws.push(client::connect(&url, &host::staff_id(n), options.nodelay).await?);
    }
    let mut customer_ws = Vec::new();
    for n in 0..options.customers {
        customer_ws.push(client::connect(&url, &host::customer_id(n), options.nodelay).await?);
    }
    let connected = server.stats(false).await?.connections;
    anyhow::ensure!(
        connected >= options.staff + options.customers + options.online,
        "the hub counts {connected} connections, expected {}",
        options.staff + options.customers + options.online
    );

    // The schedule starts a moment from now, once every task is waiting.
    let lead = Duration::from_millis(300);
    let ledger = Arc::new(Ledger::new(
        total,
        warmup,
        options.staff,
        options.rate,
        u64::try_from(lead.as_nanos()).unwrap_or(0),
    ));
    let schedule_start = ledger.epoch + lead;
    let measured_start = schedule_start + options.warmup;
    let schedule_end = measured_start + options.duration;
    let done = Arc::new(AtomicBool::new(false));

    let mut staff_tasks = Vec::new();
    for (i, ws) in staff_ws.into_iter().enumerate() {
        staff_tasks.push(tokio::spawn(staff_reader(
            ws,
            ledger.clone(),
            i,
            done.clone(),
        )));
    }
    let body: Arc<str> = Arc::from(client::body_of(options.body_bytes));
    let mut senders = Vec::new();
    let mut writers = Vec::new();
    let mut readers = Vec::new();
    for (n, ws) in customer_ws.into_iter().enumerate() {
        let (sink, stream) = ws.split();
        let (tx, rx) = mpsc::unbounded_channel();
        senders.push(tx);
        let closed = Arc::new(AtomicBool::new(false));
        readers.push(tokio::spawn(customer_reader(
            stream,
            ledger.clone(),
            closed.clone(),
        )));
        writers.push(tokio::spawn(customer_writer(
            sink,
            rx,
            ledger.clone(),
            conversations[n],
            body.clone(),
            schedule_end,
            closed,
        )));
    }

    let probe = WakeProbe::start(measured_start).context("starting the wake-up probe")?;
    // The clock: one thread hands each message to its customer when it is
    // due, whatever happened to the earlier ones.
    let clock_ledger = ledger.clone();
    let clock = std::thread::Builder::new()
        .name("schedule".into())
        .spawn(move || {
            let customers = senders.len() as u64;
            for seq in 0..clock_ledger.total as u64 {
                let due = clock_ledger.epoch + Duration::from_nanos(clock_ledger.due_ns(seq));
                let now = Instant::now();
                if due > now + Duration::from_micros(50) {
                    std::thread::sleep(due - now);
                }
                if let Some(tx) = senders.get((seq % customers) as usize) {
                    let _ = tx.send(seq);
                }
            }
        })
        .context("starting the schedule thread")?;

    // Sample the server every second; CPU and SQL counters at the edges of
    // the measured window.
    let pid = server.pid();
    let rss_before = server.memory().rss_kib;
    let mut rss_samples: Vec<Reading> = Vec::new();
    let mut next_sample = schedule_start;
    type Edge = (Cpu, Cpu, MachineCpu, Option<PgProcesses>, Io);
    let mut window_start: Option<(Edge, Stats)> = None;
    let mut window: Option<Window> = None;
    let sample_edges = || -> Edge {
        let postgres = options.postgres.as_deref().map(PgProcesses::sample);
        (
            Cpu::sample(pid),
            Cpu::sample(std::process::id()),
            MachineCpu::sample(),
            postgres,
            procfs::io(pid).unwrap_or_default(),
        )
    };
    loop {
        let now = Instant::now();
        if window_start.is_none() && now >= measured_start {
            let edge = sample_edges();
            let stats = server.stats(true).await.unwrap_or_default();
            window_start = Some((edge, stats));
        }
        if window.is_none()
            && now >= schedule_end
            && let Some(((s0, d0, m0, p0, io0), q0)) = &window_start
        {
            let (s1, d1, m1, p1, io1) = sample_edges();
            let q1 = server.stats(false).await.unwrap_or_default();
            let postgres = match (p0, p1) {
                (Some(p0), Some(p1)) => Some(p1.since(p0)),
                _ => None,
            };
            window = Some(Window {
                server_cpu: s1.since(s0),
                driver_cpu: d1.since(d0).total,
                machine_busy: m1.busy_since(m0),
                postgres,
                server_io: io1 - *io0,
                sql: q1 - q0.clone(),
            });
        }
        if now >= next_sample {
            rss_samples.push(read_server(server, &ledger));
            next_sample += Duration::from_secs(1);
        }
        if window.is_some() {
            break;
        }
        let wake = [next_sample, measured_start, schedule_end]
            .into_iter()
            .filter(|t| *t > now)
            .min()
            .unwrap_or(now + Duration::from_millis(10));
        tokio::time::sleep_until(wake.into()).await;
    }
    // The window is over: so is the probe's.
    let wake_late = tokio::task::spawn_blocking(move || probe.finish())
        .await
        .unwrap_or_default();
    let _ = tokio::task::spawn_blocking(move || clock.join()).await;
    let mut sinks = Vec::with_capacity(writers.len());
    for writer in writers {
        if let Ok(sink) = writer.await {
            sinks.push(sink);
        }
    }

    // Drain: until every send is answered and every created message is on
    // every staff connection, or nothing moves for `drain`.
    let drain_started = Instant::now();
    let mut last_progress = Instant::now();
    let mut last_seen = (0, 0);
    loop {
        let sent = ledger.sent_count.load(Ordering::Acquire);
        let answered = ledger.answered_count.load(Ordering::Acquire);
        let created = ledger.created_count.load(Ordering::Acquire);
        let delivered: u64 = ledger
            .staff_unique
            .iter()
            .map(|u| u.load(Ordering::Acquire))
            .sum();
        let complete = answered >= sent && delivered >= created * options.staff as u64;
        if complete
            || last_progress.elapsed() > options.drain
            || drain_started.elapsed() > options.drain_max
        {
            break;
        }
        if (answered, delivered) != last_seen {
            last_seen = (answered, delivered);
            last_progress = Instant::now();
        }
        if Instant::now() >= next_sample {
            rss_samples.push(read_server(server, &ledger));
            next_sample += Duration::from_secs(1);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let drain_time = drain_started.elapsed();
    // Late duplicates would show up now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    done.store(true, Ordering::Release);
    for mut sink in sinks {
        let _ = sink.close().await;
    }
    for task in staff_tasks {
        let _ = task.await;
    }
    for reader in readers {
        reader.abort();
    }
    let peak = server.memory().peak_kib;

    let Window {
        server_cpu,
        driver_cpu,
        machine_busy,
        postgres,
        server_io,
        sql,
    } = window.context("the measured window never ended")?;
    let mut outcome = tally(&ledger, options, measured_start, &rss_samples);
    outcome.server_peak_kib = peak;
    outcome.drain_time = drain_time;
    outcome.server_rss_before_kib = rss_before;
    outcome.server_rss_max_kib = rss_samples.iter().map(|r| r.rss_kib).max().unwrap_or(0);
    outcome.server_anon_max_kib = rss_samples.iter().map(|r| r.anon_kib).max().unwrap_or(0);
    outcome.server_cpu = server_cpu;
    outcome.driver_cpu = driver_cpu;
    outcome.machine_busy = machine_busy;
    outcome.postgres_cpu = postgres.map(|(cpu, _)| cpu);
    outcome.postgres_io = postgres.map(|(_, io)| io);
    outcome.server_io = server_io;
    outcome.sql = sql;
    outcome.wake_late = wake_late;
    Ok(outcome)
}

/// Reads the ledger's measured messages.
fn tally(
    ledger: &Ledger,
    options: &LoadOptions,
    measured_start: Instant,
    rss_samples: &[Reading],
) -> Outcome {
    let mut o = Outcome {
        rate: options.rate,
        seconds: options.duration.as_secs_f64(),
        ..Outcome::default()
    };
    let seconds = options.duration.as_secs_f64().ceil() as usize;
    let mut series: Vec<(Second, Vec<u64>, Vec<u64>)> = (0..seconds)
        .map(|s| {
            (
                Second {
                    second: s,
                    ..Second::default()
                },
                Vec::new(),
                Vec::new(),
            )
        })
        .collect();
    let window_start_ns = ledger.due_ns(ledger.warmup as u64);
    let (mut latencies, mut acks, mut lags) = (Vec::new(), Vec::new(), Vec::new());
    for i in ledger.warmup..ledger.total {
        let seq = i as u64;
        let due = ledger.due_ns(seq);
        let second = (((due - window_start_ns) as f64) / 1e9) as usize;
        let mut bucket = series.get_mut(second.min(seconds.saturating_sub(1)));
        o.scheduled += 1;
        let sent = ledger.sent[i].load(Ordering::Acquire);
        if let Some((b, _, _)) = bucket.as_mut() {
            b.due += 1;
        }
        if sent == NOT_YET {
            continue;
        }
        o.sent += 1;
        let lag = sent.saturating_sub(due + 1);
        lags.push(lag);
        let outcome = ledger.outcome[i].load(Ordering::Acquire);
        let answered = ledger.answered[i].load(Ordering::Acquire);
        let first = ledger.first_staff[i].load(Ordering::Acquire);
        if let Some((b, l, g)) = bucket.as_mut() {
            b.sent += 1;
            g.push(lag);
            match outcome {
                CREATED => b.acked += 1,
                REFUSED => b.refused += 1,
                _ => {}
            }
            if first != NEVER {
                l.push(first.saturating_sub(sent));
            }
        }
        match outcome {
            PENDING => o.unanswered += 1,
            REPLAYED => o.replayed += 1,
            _ => {}
        }
        if outcome == CREATED || outcome == REPLAYED {
            acks.push(answered.saturating_sub(sent));
        }
        if outcome == CREATED {
            o.acked += 1;
            let missing = ledger
                .receipts
                .iter()
                .filter(|r| r[i].load(Ordering::Acquire) == 0)
                .count() as u64;
            if missing > 0 {
                o.lost += 1;
                o.missing_receipts += missing;
            }
        } else if first != NEVER {
            o.delivered_unacked += 1;
        }
        if first != NEVER {
            latencies.push(first.saturating_sub(sent));
        }
    }
    // Duplicates anywhere (warm-up included): there should be none at all.
    o.duplicates = ledger.duplicates.load(Ordering::Acquire);
    o.errors = ledger
        .errors
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    o.closes = ledger
        .closes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    o.foreign_frames = ledger.foreign_frames.load(Ordering::Acquire);
    o.unsent_closed = ledger.unsent_closed.load(Ordering::Acquire);
    o.customer_echoes = ledger.customer_echoes.load(Ordering::Acquire);
    o.other_kinds = ledger
        .other_kinds
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    o.latency = Percentiles::of(latencies);
    o.ack_latency = Percentiles::of(acks);
    o.lag = Percentiles::of(lags);
    // Throughput: what the server did during the window, whichever
    // message it was (under overload it is still answering older ones).
    let window_end_ns = window_start_ns + u64::try_from(options.duration.as_nanos()).unwrap_or(0);
    let in_window =
        |t: u64| t != NOT_YET && t != NEVER && t > window_start_ns && t <= window_end_ns;
    let (mut acked_in_window, mut delivered_in_window) = (0u64, 0u64);
    for i in 0..ledger.total {
        if ledger.outcome[i].load(Ordering::Acquire) == CREATED
            && in_window(ledger.answered[i].load(Ordering::Acquire))
        {
            acked_in_window += 1;
        }
        if in_window(ledger.first_staff[i].load(Ordering::Acquire)) {
            delivered_in_window += 1;
        }
    }
    let window = options.duration.as_secs_f64().max(1e-9);
    o.acked_per_second = acked_in_window as f64 / window;
    o.delivered_per_second = delivered_in_window as f64 / window;
    for (b, l, g) in &mut series {
        b.latency = Percentiles::of(std::mem::take(l));
        b.lag = Percentiles::of(std::mem::take(g));
        let end = measured_start + Duration::from_secs(b.second as u64 + 1);
        if let Some(r) = rss_samples.iter().rfind(|r| r.at <= end) {
            b.server_rss_kib = r.rss_kib;
            b.backlog = r.backlog;
            b.kernel_queued_bytes = r.kernel_queued_bytes;
        }
    }
    o.series = series.into_iter().map(|(b, _, _)| b).collect();
    o
}
