//! How late a thread that has nothing else to do wakes from a short sleep,
//! measured beside the load (what `cyclictest` measures, without real-time
//! priority, as the server's threads run).
//!
//! A message crosses several threads on its way (client, server worker,
//! database writer, worker again, staff client), each woken by the kernel.
//! On a small virtual machine a wake-up can be late by far more than the
//! work itself: with the load tool idle, this machine's 1 ms sleeps woke
//! p99 0.1 ms and p99.9 2.1 ms late. The probe puts that floor next to
//! each row's latencies, so a p99 can be read against what the machine
//! allows at that moment.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::load::Percentiles;

/// The sleep each round asks for: short enough for thousands of samples
/// in a 20 s window, long enough that the probe's own wake-ups (500 a
/// second) do not load the machine it measures.
pub const PERIOD: Duration = Duration::from_millis(2);

/// A running probe.
pub struct WakeProbe {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Vec<u64>>>,
}

impl WakeProbe {
    /// Starts sleeping [`PERIOD`] at a time; lateness is recorded from
    /// `from` on (before it the probe only warms up).
    pub fn start(from: Instant) -> std::io::Result<WakeProbe> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("wake-probe".into())
            .spawn(move || {
                let mut late = Vec::with_capacity(64 * 1024);
                while !flag.load(Ordering::Relaxed) {
                    let asked = Instant::now();
                    std::thread::sleep(PERIOD);
                    let woke = Instant::now();
                    if asked >= from {
                        let slept = woke.duration_since(asked);
                        let over = slept.saturating_sub(PERIOD);
                        late.push(u64::try_from(over.as_nanos()).unwrap_or(u64::MAX));
                    }
                }
                late
            })?;
        Ok(WakeProbe {
            stop,
            thread: Some(thread),
        })
    }

    /// Stops the probe: how late its wake-ups were.
    pub fn finish(mut self) -> Percentiles {
        self.stop.store(true, Ordering::Relaxed);
        let late = self
            .thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default();
        Percentiles::of(late)
    }
}

impl Drop for WakeProbe {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_probe_counts_its_wake_ups_after_its_start() {
        let probe = WakeProbe::start(Instant::now() + Duration::from_millis(20)).expect("thread");
        std::thread::sleep(Duration::from_millis(120));
        let late = probe.finish();
        // About 50 rounds of 2 ms sleeps after the first 20 ms; a loaded
        // machine sleeps longer, so fewer.
        assert!(late.count > 5 && late.count < 60, "{late:?}");
        assert!(late.p50 >= 0.0 && late.max >= late.p50);
    }

    #[test]
    fn a_probe_that_never_reached_its_start_has_nothing() {
        let probe = WakeProbe::start(Instant::now() + Duration::from_secs(60)).expect("thread");
        std::thread::sleep(Duration::from_millis(10));
        assert_eq!(probe.finish().count, 0);
    }
}
