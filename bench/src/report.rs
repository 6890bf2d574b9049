//! Percentiles and the Markdown tables.

use std::fmt::Write as _;
use std::time::Duration;

use crate::http::Timed;

/// What a case must show.
#[derive(Debug, Clone)]
pub enum Target {
    /// A median under this many milliseconds.
    P50Under(f64),
    /// As many statements per request as the named case.
    QueriesAs(String),
}

/// One timed case.
#[derive(Debug, Clone)]
pub struct Case {
    /// Short name.
    pub name: String,
    /// Path and query requested.
    pub path: String,
    /// Its target.
    pub target: Target,
    /// What happened.
    pub timed: Timed,
}

/// Nearest-rank percentile of sorted durations, in milliseconds.
pub fn percentile(sorted: &[Duration], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1].as_secs_f64() * 1000.0)
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".to_owned(), |v| format!("{v:.2}"))
}

impl Case {
    fn sorted(&self) -> Vec<Duration> {
        let mut d = self.timed.durations.clone();
        d.sort_unstable();
        d
    }

    /// Median in ms.
    pub fn p50(&self) -> Option<f64> {
        percentile(&self.sorted(), 0.50)
    }

    /// Statements per timed request.
    pub fn queries_per_request(&self) -> f64 {
        self.timed.statements.statements as f64 / self.timed.requests.max(1) as f64
    }

    /// Pool pings per timed request.
    pub fn pings_per_request(&self) -> f64 {
        self.timed.statements.pings as f64 / self.timed.requests.max(1) as f64
    }

    /// Whether it met its target (and never failed).
    pub fn ok(&self, all: &[Case]) -> bool {
        if self.timed.failures > 0 || self.timed.durations.is_empty() {
            return false;
        }
        match &self.target {
            Target::P50Under(limit) => self.p50().is_some_and(|p| p < *limit),
            // Whole queries per page: a query per row would add 25 or more,
            // while the plugin's settings, read again every 5 s, add one to
            // whichever request comes then (0.005 a request over 200).
            Target::QueriesAs(name) => all.iter().find(|c| &c.name == name).is_some_and(|c| {
                c.queries_per_request().round() == self.queries_per_request().round()
            }),
        }
    }

    fn target_text(&self) -> String {
        match &self.target {
            Target::P50Under(limit) => format!("p50 < {limit} ms"),
            Target::QueriesAs(name) => format!("queries = {name}"),
        }
    }
}

/// The table of one backend.
pub fn table(cases: &[Case]) -> String {
    let mut out = String::new();
    out.push_str(
        "| case | request | p50 ms | p95 ms | p99 ms | max ms | queries/request | (of which pool pings) | rows | KiB | failures | target | ok? |\n",
    );
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
    for case in cases {
        let sorted = case.sorted();
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} | {:.2} | {:.2} | {} | {:.1} | {} | {} | {} |",
            case.name,
            case.path,
            ms(percentile(&sorted, 0.50)),
            ms(percentile(&sorted, 0.95)),
            ms(percentile(&sorted, 0.99)),
            ms(sorted.last().map(|d| d.as_secs_f64() * 1000.0)),
            case.queries_per_request(),
            case.pings_per_request(),
            if case.path.contains("/change/") {
                "–".to_owned()
            } else {
                case.timed.rows.to_string()
            },
            case.timed.body_bytes as f64 / 1024.0,
            case.timed.failures,
            case.target_text(),
            if case.ok(cases) { "yes" } else { "**NO**" },
        );
    }
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            c.timed
                .first_failure
                .as_ref()
                .map(|f| format!("{}: {f}", c.name))
        })
        .collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\nFirst failure per case: {}", failures.join("; "));
    }
    out
}

/// A line per fact about this machine and build.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let memory = status_kib("/proc/meminfo", "MemTotal:").map_or_else(
        || "unknown".to_owned(),
        |kib| format!("{:.1} GiB", kib as f64 / 1024.0 / 1024.0),
    );
    let profile = if cfg!(debug_assertions) {
        "debug (numbers not meaningful: use --release)"
    } else {
        "release"
    };
    format!("- machine: {cores} cores (nproc), {cpu}, {memory} RAM\n- build profile: {profile}\n")
}

/// A `kB` value from a `/proc` file.
pub fn status_kib(file: &str, key: &str) -> Option<u64> {
    let text = std::fs::read_to_string(file).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Peak resident memory of this process (the store runs in it), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    status_kib("/proc/self/status", "VmHWM:").map(|k| k as f64 / 1024.0)
}

/// Resident memory now, in MiB.
pub fn rss_mib() -> Option<f64> {
    status_kib("/proc/self/status", "VmRSS:").map(|k| k as f64 / 1024.0)
}

/// Resets the peak to the current resident memory (Linux ≥ 4.0), so the
/// next reading covers only what follows.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 0.5), Some(50.0));
        assert_eq!(percentile(&d, 0.99), Some(99.0));
        assert_eq!(percentile(&d[..1], 0.99), Some(1.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
