//! The idle run: N authenticated connections that only answer pings, and
//! what they cost the server in resident memory.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio_tungstenite::tungstenite::Message;

use super::client::{self, Ws};
use super::host;
use super::procfs;
use super::server::Server;

/// What to run.
#[derive(Debug, Clone)]
pub struct IdleOptions {
    /// Connections to open (customers `c-0` …).
    pub connections: usize,
    /// Handshakes in flight at once.
    pub concurrency: usize,
    /// How long to hold them all open before the last reading (the server
    /// pings every 20 s: hold longer to include a ping round).
    pub hold: Duration,
    /// TCP_NODELAY on the clients' sockets.
    pub nodelay: bool,
}

/// What it measured.
#[derive(Debug, Clone, Default)]
pub struct IdleOutcome {
    /// Connections asked for.
    pub wanted: usize,
    /// Connections that got their hello.
    pub opened: usize,
    /// Handshakes that failed.
    pub failed: usize,
    /// First failure, if any.
    pub first_failure: Option<String>,
    /// Time to open them all.
    pub open_time: Duration,
    /// The hub's count once they were open, and after the hold.
    pub hub_connections: (usize, usize),
    /// Connections the server closed during the hold.
    pub closed_during_hold: u64,
    /// Server RSS before the first connection, KiB.
    pub rss_before_kib: u64,
    /// Server RSS 2 s after the last one opened, KiB.
    pub rss_open_kib: u64,
    /// Server RSS after the hold, KiB.
    pub rss_held_kib: u64,
    /// Server peak RSS, KiB.
    pub peak_kib: u64,
    /// Kernel TCP memory (both ends, every socket) before and after, KiB.
    pub tcp_kernel_kib: (Option<u64>, Option<u64>),
}

impl IdleOutcome {
    /// Server RSS per open connection after the hold, KiB.
    pub fn kib_per_connection(&self) -> f64 {
        self.rss_held_kib.saturating_sub(self.rss_before_kib) as f64 / self.opened.max(1) as f64
    }

    /// Same, right after opening.
    pub fn kib_per_connection_open(&self) -> f64 {
        self.rss_open_kib.saturating_sub(self.rss_before_kib) as f64 / self.opened.max(1) as f64
    }
}

async fn hold(mut ws: Ws, done: Arc<AtomicBool>, closed: Arc<AtomicU64>) {
    loop {
        tokio::select! {
            frame = ws.next() => match frame {
                // Pings are answered by the library while it reads.
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => {
                    closed.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                Some(Ok(_)) => {}
            },
            _ = tokio::time::sleep(Duration::from_millis(500)) => {
                if done.load(Ordering::Acquire) {
                    let _ = ws.close(None).await;
                    return;
                }
            }
        }
    }
}

/// Opens the connections, holds them, reads the server's memory.
pub async fn run(server: &Server, options: &IdleOptions) -> anyhow::Result<IdleOutcome> {
    let url = server.ws_url();
    let mut out = IdleOutcome {
        wanted: options.connections,
        rss_before_kib: server.memory().rss_kib,
        ..IdleOutcome::default()
    };
    let tcp_before = procfs::tcp_kernel_kib();
    let done = Arc::new(AtomicBool::new(false));
    let closed = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let nodelay = options.nodelay;
    let mut opening = futures_util::stream::iter(0..options.connections)
        .map(|n| {
            let url = url.clone();
            async move { client::connect(&url, &host::customer_id(n), nodelay).await }
        })
        .buffer_unordered(options.concurrency.max(1));
    let mut holders = Vec::with_capacity(options.connections);
    while let Some(result) = opening.next().await {
        match result {
            Ok(ws) => {
                out.opened += 1;
                holders.push(tokio::spawn(hold(ws, done.clone(), closed.clone())));
            }
            Err(e) => {
                out.failed += 1;
                out.first_failure.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    drop(opening);
    out.open_time = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    out.rss_open_kib = server.memory().rss_kib;
    out.hub_connections.0 = server.stats(false).await?.connections;
    tokio::time::sleep(options.hold).await;
    out.rss_held_kib = server.memory().rss_kib;
    out.peak_kib = server.memory().peak_kib;
    out.hub_connections.1 = server.stats(false).await?.connections;
    out.closed_during_hold = closed.load(Ordering::Acquire);
    out.tcp_kernel_kib = (tcp_before, procfs::tcp_kernel_kib());
    done.store(true, Ordering::Release);
    for holder in holders {
        let _ = holder.await;
    }
    Ok(out)
}
