//! The away notice customers see outside business hours: the store's away
//! message and when it is back, in the store's own time zone.

use chrono::{DateTime, Utc};

use crate::domain::Settings;

/// What the page shows outside business hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwayNotice {
    /// The store's away message.
    pub message: String,
    /// When it is back ("Monday 09:00 (Europe/Dublin)"), if it opens within a week.
    pub back: Option<String>,
}

/// The notice at `now`; `None` within business hours.
pub fn away_notice(settings: &Settings, now: DateTime<Utc>) -> Option<AwayNotice> {
    let availability = settings.availability(now);
    if availability.open {
        return None;
    }
    let tz = settings
        .business_hours
        .as_ref()
        .and_then(|h| h.timezone.parse::<chrono_tz::Tz>().ok());
    let back = availability
        .back_at
        .as_deref()
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .zip(tz)
        .map(|(t, tz)| {
            let local = t.with_timezone(&tz);
            let day = if local.date_naive() == now.with_timezone(&tz).date_naive() {
                "today".to_owned()
            } else {
                local.format("%A").to_string()
            };
            format!("{day} at {} ({tz})", local.format("%H:%M"))
        });
    Some(AwayNotice {
        message: availability.away_message.unwrap_or_default(),
        back,
    })
}
