//! E-mail notifications. The chat service writes an outbox row in each
//! message's transaction; this worker (one per process, safe with several
//! processes on one database) claims due rows with a lease, sends them with
//! lettre and marks each sent as soon as the server accepts it. Temporary
//! failures (connection errors, 4xx) are retried with exponential backoff
//! and jitter; permanent ones (5xx) are kept as dead letters for the admins.
//!
//! Not noisy: a recipient hears about replies only when they have not seen
//! them within the configured delay, and every reply of that window goes
//! into one e-mail with a recap.

mod compose;
mod transport;
pub mod unsubscribe;
mod worker;

use std::sync::Arc;
use std::time::Duration;

use crate::service::LiveSettings;

use tokio::sync::Notify;

pub use transport::SendFailure;
pub use worker::spawn;

/// Checks the transport settings (the SMTP URL) without starting anything.
pub fn check(transport: &crate::config::MailTransport) -> Result<(), String> {
    transport::Transport::build(transport).map(|_| ())
}

/// What the chat service needs to queue e-mail: whether to, how long to
/// wait, and how to wake the worker.
#[derive(Clone, Debug)]
pub struct MailQueue {
    /// False when the transport is disabled: nothing is queued.
    pub enabled: bool,
    /// The start-up configuration's delay, in force until staff save
    /// settings (which count in whole minutes).
    pub delay: Duration,
    /// Wakes the worker when something is due now.
    pub wake: Arc<Notify>,
    /// The settings in force: e-mail on or off, the delay.
    pub settings: LiveSettings,
}

impl MailQueue {
    /// A queue that queues nothing.
    pub fn disabled() -> MailQueue {
        MailQueue {
            enabled: false,
            delay: Duration::ZERO,
            wake: Arc::new(Notify::new()),
            settings: LiveSettings::new(crate::domain::Settings::default()),
        }
    }

    /// True when e-mail is queued: a transport is configured and staff have
    /// not turned e-mail notifications off.
    pub fn is_on(&self) -> bool {
        self.enabled && self.settings.get().email_enabled
    }

    /// How long a reply may stay unseen before it is e-mailed.
    pub fn delay(&self) -> Duration {
        if self.settings.change().is_some() {
            Duration::from_secs(u64::from(self.settings.get().email_delay_minutes) * 60)
        } else {
            self.delay
        }
    }

    /// `at` plus the delay, as stored.
    pub fn due(&self, at: chrono::NaiveDateTime) -> chrono::NaiveDateTime {
        at + chrono::TimeDelta::from_std(self.delay()).unwrap_or(chrono::TimeDelta::zero())
    }
}

/// One line in a header: a name or subject coming from people can never
/// add a header of its own.
pub fn header_safe(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    flat.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::header_safe;

    #[test]
    fn line_breaks_cannot_add_headers() {
        assert_eq!(
            header_safe("Hi\r\nBcc: evil@example.com"),
            "Hi Bcc: evil@example.com"
        );
        assert_eq!(header_safe("  Late\tparcel  "), "Late parcel");
    }
}
