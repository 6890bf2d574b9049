//! What `/proc` says about a process (the server under test, this driver,
//! PostgreSQL's backends) and the machine: resident memory, its peak, and
//! CPU time per thread.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Clock ticks per second of `utime`/`stime` (USER_HZ; 100 on Linux/x86).
const TICKS_PER_SECOND: f64 = 100.0;

/// Resident memory of a process, in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Memory {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: the peak resident set since start (or the last reset).
    pub peak_kib: u64,
    /// `RssAnon`: of `rss_kib`, the process's own memory (heap, stacks);
    /// the rest is files mapped into it (SQLite maps its database file)
    /// and shared memory.
    pub anon_kib: u64,
}

fn status_field(text: &str, key: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// `VmRSS` and `VmHWM` of a process.
pub fn memory(pid: u32) -> Option<Memory> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(Memory {
        rss_kib: status_field(&text, "VmRSS:")?,
        peak_kib: status_field(&text, "VmHWM:")?,
        anon_kib: status_field(&text, "RssAnon:").unwrap_or(0),
    })
}

/// Resets a process's peak (`VmHWM`) to its current resident set
/// (Linux ≥ 4.0); false when the kernel refused.
pub fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// `utime + stime` in ticks from the text of a `stat` file (the command name
/// in parentheses may contain spaces).
fn cpu_ticks_of_stat(stat: &str) -> Option<u64> {
    let after = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the name: state(3) … utime(14) stime(15), 1-based over the line.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// A thread name with its digits folded, so that the threads of one pool add
/// up: `actix-server worker 1` → `actix-server wo…` (the kernel keeps 15
/// characters) → `actix-server wo`.
fn thread_group(comm: &str) -> String {
    let comm = comm.trim();
    let folded: String = comm
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect();
    folded
}

/// CPU time of one process at one moment, per thread group.
#[derive(Debug, Clone)]
pub struct Cpu {
    at: Instant,
    /// Ticks per thread id, with its group.
    threads: HashMap<u32, (String, u64)>,
}

impl Cpu {
    /// Reads every thread of `pid`.
    pub fn sample(pid: u32) -> Cpu {
        let at = Instant::now();
        let mut threads = HashMap::new();
        if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            for entry in dir.flatten() {
                let Some(tid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                    continue;
                };
                let path = entry.path();
                let ticks = std::fs::read_to_string(path.join("stat"))
                    .ok()
                    .and_then(|s| cpu_ticks_of_stat(&s));
                let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
                if let Some(ticks) = ticks {
                    threads.insert(tid, (thread_group(&comm), ticks));
                }
            }
        }
        Cpu { at, threads }
    }

    /// CPU used since `earlier`, in core-seconds per second of wall time
    /// (1.0 = one core busy), in all and per thread group. Threads that
    /// ended in between are not counted.
    pub fn since(&self, earlier: &Cpu) -> CpuUse {
        let wall = self.at.duration_since(earlier.at).as_secs_f64().max(1e-9);
        let mut groups: BTreeMap<String, f64> = BTreeMap::new();
        let mut total = 0.0;
        for (tid, (group, ticks)) in &self.threads {
            let before = earlier.threads.get(tid).map_or(0, |(_, t)| *t);
            let used = ticks.saturating_sub(before) as f64 / TICKS_PER_SECOND / wall;
            total += used;
            *groups.entry(group.clone()).or_default() += used;
        }
        CpuUse { total, groups }
    }
}

/// What a thread group of the server under test does.
fn thread_label(group: &str) -> String {
    match group {
        "actix-rt|system" => "HTTP/WebSocket workers".into(),
        "tokio-rt-worker" => "blocking pool (database calls)".into(),
        "realtime-load" => "main thread (event bus → hub)".into(),
        "actix-server ac" => "acceptor".into(),
        other => format!("`{other}`"),
    }
}

/// CPU used over a window: 1.0 is one core.
#[derive(Debug, Clone, Default)]
pub struct CpuUse {
    /// The whole process.
    pub total: f64,
    /// Per thread group (names with digits folded).
    pub groups: BTreeMap<String, f64>,
}

impl CpuUse {
    /// `1.23 cores (actix-server wo 0.80, tokio-runtime-w 0.40, …)`, groups
    /// under 0.01 core left out.
    pub fn describe(&self) -> String {
        let mut groups: Vec<(&String, &f64)> =
            self.groups.iter().filter(|(_, v)| **v >= 0.01).collect();
        groups.sort_by(|a, b| b.1.total_cmp(a.1));
        let parts: Vec<String> = groups
            .iter()
            .map(|(name, v)| format!("{} {v:.2}", thread_label(name)))
            .collect();
        format!("{:.2} cores ({})", self.total, parts.join(", "))
    }
}

/// Bytes a process wrote: through `write` calls (`wchar`, page cache
/// included), in how many calls, and what reached the disk (`write_bytes`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Io {
    /// `wchar`.
    pub written: u64,
    /// `syscw`.
    pub write_calls: u64,
    /// `write_bytes`.
    pub disk: u64,
}

impl std::ops::Sub for Io {
    type Output = Io;

    fn sub(self, rhs: Io) -> Io {
        Io {
            written: self.written.saturating_sub(rhs.written),
            write_calls: self.write_calls.saturating_sub(rhs.write_calls),
            disk: self.disk.saturating_sub(rhs.disk),
        }
    }
}

impl std::ops::Add for Io {
    type Output = Io;

    fn add(self, rhs: Io) -> Io {
        Io {
            written: self.written + rhs.written,
            write_calls: self.write_calls + rhs.write_calls,
            disk: self.disk + rhs.disk,
        }
    }
}

/// `/proc/<pid>/io` (readable for our own processes, and as root).
pub fn io(pid: u32) -> Option<Io> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/io")).ok()?;
    let field = |key: &str| -> Option<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse().ok())
    };
    Some(Io {
        written: field("wchar:")?,
        write_calls: field("syscw:")?,
        disk: field("write_bytes:")?,
    })
}

/// PostgreSQL's processes that work for one database: its backends (and
/// autovacuum workers) and the server-wide ones (postmaster, WAL writer,
/// checkpointer, background writer…); other databases' backends are left
/// out, so that other work on a shared server is not counted.
#[derive(Debug, Clone)]
pub struct PgProcesses {
    at: Instant,
    pids: HashMap<u32, (u64, Io)>,
}

fn pg_process_is_ours(cmdline: &str, database: &str) -> bool {
    let title = cmdline.replace('\0', " ");
    let title = title.trim();
    let names_a_database =
        title.contains('(') || title.contains("[local]") || title.contains("autovacuum worker");
    if !names_a_database {
        return true;
    }
    title.split_whitespace().any(|w| w == database)
}

impl PgProcesses {
    /// Reads every `postgres` process serving `database` (or all of them).
    pub fn sample(database: &str) -> PgProcesses {
        let at = Instant::now();
        let mut pids = HashMap::new();
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                    continue;
                };
                let path = entry.path();
                let comm = std::fs::read_to_string(path.join("comm")).unwrap_or_default();
                if comm.trim() != "postgres" {
                    continue;
                }
                let cmdline = std::fs::read(path.join("cmdline")).unwrap_or_default();
                if !pg_process_is_ours(&String::from_utf8_lossy(&cmdline), database) {
                    continue;
                }
                if let Some(ticks) = std::fs::read_to_string(path.join("stat"))
                    .ok()
                    .and_then(|s| cpu_ticks_of_stat(&s))
                {
                    pids.insert(pid, (ticks, io(pid).unwrap_or_default()));
                }
            }
        }
        PgProcesses { at, pids }
    }

    /// Cores used since `earlier` (processes new since then count whole),
    /// and what they wrote.
    pub fn since(&self, earlier: &PgProcesses) -> (f64, Io) {
        let wall = self.at.duration_since(earlier.at).as_secs_f64().max(1e-9);
        let mut ticks = 0;
        let mut written = Io::default();
        for (pid, (t, w)) in &self.pids {
            let (t0, w0) = earlier.pids.get(pid).copied().unwrap_or_default();
            ticks += t.saturating_sub(t0);
            written = written + (*w - w0);
        }
        (ticks as f64 / TICKS_PER_SECOND / wall, written)
    }
}

/// The whole machine's CPU counters (`/proc/stat`, first line).
#[derive(Debug, Clone, Copy, Default)]
pub struct MachineCpu {
    busy: u64,
    all: u64,
}

impl MachineCpu {
    /// Reads `/proc/stat`.
    pub fn sample() -> MachineCpu {
        let text = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let Some(line) = text.lines().next() else {
            return MachineCpu::default();
        };
        let values: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        let all: u64 = values.iter().sum();
        // idle and iowait are the 4th and 5th values.
        let idle = values.get(3).copied().unwrap_or(0) + values.get(4).copied().unwrap_or(0);
        MachineCpu {
            busy: all.saturating_sub(idle),
            all,
        }
    }

    /// The share of all cores that was busy since `earlier` (0–1).
    pub fn busy_since(&self, earlier: &MachineCpu) -> f64 {
        let all = self.all.saturating_sub(earlier.all);
        if all == 0 {
            return 0.0;
        }
        self.busy.saturating_sub(earlier.busy) as f64 / all as f64
    }
}

/// Bytes waiting in the kernel on the connections to `port` on 127.0.0.1:
/// unread by the server (its sockets' receive queues) and not yet taken by
/// it from the clients (their send queues). `/proc/net/tcp`, IPv4.
pub fn tcp_queued_bytes(port: u16) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/tcp").ok()?;
    let port_of = |address: &str| {
        address
            .split(':')
            .nth(1)
            .and_then(|p| u16::from_str_radix(p, 16).ok())
    };
    let mut total = 0u64;
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (Some(local), Some(remote), Some(queues)) =
            (fields.get(1), fields.get(2), fields.get(4))
        else {
            continue;
        };
        let Some((tx, rx)) = queues.split_once(':') else {
            continue;
        };
        let tx = u64::from_str_radix(tx, 16).unwrap_or(0);
        let rx = u64::from_str_radix(rx, 16).unwrap_or(0);
        if port_of(local) == Some(port) {
            total += rx;
        } else if port_of(remote) == Some(port) {
            total += tx;
        }
    }
    Some(total)
}

/// Kernel memory of all TCP sockets (`/proc/net/sockstat`, `TCP: … mem N`
/// pages), in KiB; it is in no process's RSS.
pub fn tcp_kernel_kib() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/net/sockstat").ok()?;
    let line = text.lines().find(|l| l.starts_with("TCP:"))?;
    let fields: Vec<&str> = line.split_whitespace().collect();
    let at = fields.iter().position(|f| *f == "mem")?;
    let pages: u64 = fields.get(at + 1)?.parse().ok()?;
    Some(pages * 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_spaces_in_the_name() {
        let stat = "1234 (actix-server wo) S 1 2 3 4 5 6 7 8 9 10 250 30 0 0 20 0 1 0";
        assert_eq!(cpu_ticks_of_stat(stat), Some(280));
        assert_eq!(thread_group("tokio-runtime-w\n"), "tokio-runtime-w");
        assert_eq!(thread_group("worker 12"), "worker ##");
        let db = "storechat_rt_bench";
        assert!(pg_process_is_ours("postgres: 15/main: walwriter ", db));
        assert!(pg_process_is_ours(
            "postgres: 15/main: postgres storechat_rt_bench 127.0.0.1(4410) idle",
            db
        ));
        assert!(!pg_process_is_ours(
            "postgres: 15/main: postgres storechat_test 127.0.0.1(4410) idle",
            db
        ));
        assert!(!pg_process_is_ours(
            "postgres: 15/main: autovacuum worker other",
            db
        ));
    }

    #[test]
    fn loopback_queues_are_readable() {
        assert!(tcp_queued_bytes(1).is_some());
    }

    #[test]
    fn this_process_is_readable() {
        let pid = std::process::id();
        let m = memory(pid).expect("own status");
        assert!(m.rss_kib > 0 && m.peak_kib >= m.rss_kib);
        assert!(m.anon_kib > 0 && m.anon_kib <= m.rss_kib, "{m:?}");
        let before = Cpu::sample(pid);
        let after = Cpu::sample(pid);
        assert!(after.since(&before).total >= 0.0);
    }
}
