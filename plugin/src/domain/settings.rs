//! The plugin's settings as staff edit them: whether the storefront widget
//! and the mobile API are on, e-mail notifications, the message rate limit,
//! the connection cap, the WebSocket origins, and business hours with the
//! away message customers see outside them. Checked once when set; a value
//! that exists is valid.

use chrono::{DateTime, Datelike, NaiveTime, TimeZone, Utc, Weekday};
use serde::{Deserialize, Serialize};

use super::ValidationError;

/// The longest away message.
pub const AWAY_MESSAGE_MAX: usize = 500;

/// An origin as the settings take it (the API's document says the same).
pub const ORIGIN_PATTERN: &str = r"^https?://[A-Za-z0-9.:\[\]-]+$";

/// A time of day as the settings take it.
pub const TIME_PATTERN: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

/// Opening hours of one day, in the store's time zone. `closes` after
/// `opens`; a day the store is closed has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DayHours {
    /// When the store opens, `HH:MM`.
    #[schema(schema_with = crate::web::api::schema::time_of_day)]
    #[serde(with = "hhmm")]
    pub opens: NaiveTime,
    /// When it closes, `HH:MM` (after `opens`).
    #[schema(schema_with = crate::web::api::schema::time_of_day)]
    #[serde(with = "hhmm")]
    pub closes: NaiveTime,
}

/// When someone answers the chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BusinessHours {
    /// An IANA time zone, e.g. `Europe/Dublin`.
    #[schema(schema_with = crate::web::api::schema::timezone)]
    pub timezone: String,
    /// Monday to Sunday; `null` for a day the store is closed.
    #[schema(min_items = 7, max_items = 7)]
    pub days: [Option<DayHours>; 7],
}

/// The settings. Every field has a default (the start-up configuration's
/// value), so settings stored by an older version read fine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Settings {
    /// The storefront widget shows (off: it hides; conversations are kept).
    pub widget_enabled: bool,
    /// The JSON API answers (off: 503 with a clear error; data is kept).
    pub api_enabled: bool,
    /// E-mail notifications are queued (off: none are; the outbox is kept).
    pub email_enabled: bool,
    /// Minutes a reply may stay unseen before it is e-mailed (0 to 1,440).
    #[schema(minimum = 0, maximum = 1440)]
    #[serde(deserialize_with = "whole_u32")]
    pub email_delay_minutes: u32,
    /// Messages one person may send per minute (1 to 10,000).
    #[schema(minimum = 1, maximum = 10000)]
    #[serde(deserialize_with = "whole_u32")]
    pub messages_per_minute: u32,
    /// Chat connections one person may hold at once (1 to 100).
    #[schema(minimum = 1, maximum = 100)]
    #[serde(deserialize_with = "whole_u32")]
    pub max_connections_per_user: u32,
    /// Sites allowed to open the WebSocket (`https://shop.example`); empty:
    /// only the store's own address.
    #[schema(schema_with = crate::web::api::schema::origins)]
    pub allowed_origins: Vec<String>,
    /// When the store answers; `null`: always.
    pub business_hours: Option<BusinessHours>,
    /// What customers see outside business hours.
    #[schema(schema_with = crate::web::api::schema::away_message)]
    pub away_message: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            widget_enabled: true,
            api_enabled: true,
            email_enabled: true,
            email_delay_minutes: 2,
            messages_per_minute: 120,
            max_connections_per_user: 8,
            allowed_origins: Vec::new(),
            business_hours: None,
            away_message:
                "We're away right now. Leave us a message and we'll answer as soon as we're back."
                    .into(),
        }
    }
}

/// Whether the store answers now, as customers are told.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Availability {
    /// True within business hours (or when there are none).
    pub open: bool,
    /// The away message, outside business hours.
    pub away_message: Option<String>,
    /// When the store opens next, outside business hours (RFC 3339, UTC).
    #[schema(format = DateTime)]
    pub back_at: Option<String>,
}

impl Settings {
    /// Checks every value; the first problem is returned with its field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.email_delay_minutes > 1440 {
            return Err(ValidationError::new(
                "email_delay_minutes",
                "The e-mail delay is at most 1,440 minutes (a day).",
            ));
        }
        if !(1..=10_000).contains(&self.messages_per_minute) {
            return Err(ValidationError::new(
                "messages_per_minute",
                "Allow between 1 and 10,000 messages per minute.",
            ));
        }
        if !(1..=100).contains(&self.max_connections_per_user) {
            return Err(ValidationError::new(
                "max_connections_per_user",
                "Allow between 1 and 100 connections per person.",
            ));
        }
        for origin in &self.allowed_origins {
            check_origin(origin)?;
        }
        if let Some(hours) = &self.business_hours {
            if hours.timezone.parse::<chrono_tz::Tz>().is_err() {
                return Err(ValidationError::new(
                    "timezone",
                    format!(
                        "\"{}\" is not a time zone; use a name like Europe/Dublin.",
                        hours.timezone
                    ),
                ));
            }
            for (day, open) in WEEK.iter().zip(&hours.days) {
                if let Some(h) = open
                    && h.closes <= h.opens
                {
                    return Err(ValidationError::new(
                        day_field(*day),
                        format!("On {} the store must close after it opens.", day_name(*day)),
                    ));
                }
            }
            if hours.days.iter().all(Option::is_none) {
                return Err(ValidationError::new(
                    "business_hours",
                    "Open on at least one day, or turn business hours off.",
                ));
            }
        }
        let away = self.away_message.trim();
        let control = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
        if away.is_empty() || away.chars().count() > AWAY_MESSAGE_MAX || away.chars().any(control) {
            return Err(ValidationError::new(
                "away_message",
                format!("Write an away message of 1 to {AWAY_MESSAGE_MAX} characters."),
            ));
        }
        Ok(())
    }

    /// Whether the store answers at `now`, and if not, when it is back.
    pub fn availability(&self, now: DateTime<Utc>) -> Availability {
        let open = Availability {
            open: true,
            away_message: None,
            back_at: None,
        };
        let Some(hours) = &self.business_hours else {
            return open;
        };
        let Ok(tz) = hours.timezone.parse::<chrono_tz::Tz>() else {
            return open;
        };
        let local = now.with_timezone(&tz);
        let today = local.weekday().num_days_from_monday() as usize;
        if let Some(h) = hours.days[today]
            && (h.opens..h.closes).contains(&local.time())
        {
            return open;
        }
        // The next opening: later today, or on one of the next seven days.
        let back_at = (0..=7).find_map(|ahead| {
            let date = local.date_naive() + chrono::TimeDelta::days(ahead);
            let h = hours.days[date.weekday().num_days_from_monday() as usize]?;
            let at = tz
                .from_local_datetime(&date.and_time(h.opens))
                .earliest()?
                .with_timezone(&Utc);
            (at > now).then_some(at)
        });
        Availability {
            open: false,
            away_message: Some(self.away_message.trim().to_owned()),
            back_at: back_at.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        }
    }
}

/// Monday to Sunday.
pub const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// The day's name for people.
pub fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Monday",
        Weekday::Tue => "Tuesday",
        Weekday::Wed => "Wednesday",
        Weekday::Thu => "Thursday",
        Weekday::Fri => "Friday",
        Weekday::Sat => "Saturday",
        Weekday::Sun => "Sunday",
    }
}

/// The form field of a day (`hours_mon`).
pub fn day_field(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "hours_mon",
        Weekday::Tue => "hours_tue",
        Weekday::Wed => "hours_wed",
        Weekday::Thu => "hours_thu",
        Weekday::Fri => "hours_fri",
        Weekday::Sat => "hours_sat",
        Weekday::Sun => "hours_sun",
    }
}

/// `scheme://host[:port]`, nothing more: what browsers send as Origin.
fn check_origin(origin: &str) -> Result<(), ValidationError> {
    let bad = || {
        ValidationError::new(
            "allowed_origins",
            format!("\"{origin}\" is not an origin; write it like https://shop.example (no path)."),
        )
    };
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(bad)?;
    // The same rule as ORIGIN_PATTERN.
    let ok = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if ok { Ok(()) } else { Err(bad()) }
}

/// Reads `HH:MM` as typed in a form.
pub fn parse_time(field: &'static str, raw: &str) -> Result<NaiveTime, ValidationError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").map_err(|_| {
        ValidationError::new(
            field,
            format!("\"{}\" is not a time; use HH:MM.", raw.trim()),
        )
    })
}

/// A count as JSON may write it: `60` or `60.0` (as some encoders write
/// every number); `60.5`, negatives and numbers past `u32` are refused.
fn whole_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    let whole = match (n.as_u64(), n.as_f64()) {
        (Some(u), _) => u32::try_from(u).ok(),
        (None, Some(f)) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
            Some(f as u32)
        }
        _ => None,
    };
    whole.ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number of 0 or more")))
}

/// `HH:MM` exactly (TIME_PATTERN): two digits each, 24 hours.
fn strict_time(raw: &str) -> Option<NaiveTime> {
    let b = raw.as_bytes();
    let digits =
        b.len() == 5 && b[2] == b':' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit());
    if !digits {
        return None;
    }
    NaiveTime::parse_from_str(raw, "%H:%M").ok()
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let raw = String::deserialize(d)?;
        super::strict_time(&raw).ok_or_else(|| serde::de::Error::custom("a time is HH:MM"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(tz: &str) -> BusinessHours {
        let nine_to_five = Some(DayHours {
            opens: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            closes: NaiveTime::from_hms_opt(17, 0, 0).unwrap_or_default(),
        });
        BusinessHours {
            timezone: tz.into(),
            days: [
                nine_to_five,
                nine_to_five,
                nine_to_five,
                nine_to_five,
                nine_to_five,
                None,
                None,
            ],
        }
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn open_within_hours_in_the_stores_time_zone() {
        let settings = Settings {
            business_hours: Some(hours("America/New_York")),
            ..Settings::default()
        };
        // Wednesday 2026-11-18 10:00 in New York is 15:00 UTC.
        assert!(settings.availability(at("2026-11-18T15:00:00Z")).open);
        // 08:00 in New York: away, back at 09:00 local = 14:00 UTC.
        let early = settings.availability(at("2026-11-18T13:00:00Z"));
        assert!(!early.open);
        assert_eq!(early.back_at.as_deref(), Some("2026-11-18T14:00:00Z"));
        assert!(early.away_message.is_some());
        // Friday 18:00 local: back on Monday 09:00.
        let weekend = settings.availability(at("2026-11-20T23:00:00Z"));
        assert_eq!(weekend.back_at.as_deref(), Some("2026-11-23T14:00:00Z"));
    }

    #[test]
    fn no_business_hours_means_always_open() {
        assert!(Settings::default().availability(Utc::now()).open);
    }

    #[test]
    fn bad_values_name_their_field() {
        let mut s = Settings {
            business_hours: Some(hours("Mars/Olympus")),
            ..Settings::default()
        };
        assert_eq!(s.validate().map_err(|e| e.field), Err("timezone"));
        s.business_hours = Some(hours("Europe/Dublin"));
        assert!(s.validate().is_ok());
        s.allowed_origins = vec!["https://shop.example/path".into()];
        assert_eq!(s.validate().map_err(|e| e.field), Err("allowed_origins"));
        s.allowed_origins = vec!["https://shop.example:8443".into()];
        s.messages_per_minute = 0;
        assert_eq!(
            s.validate().map_err(|e| e.field),
            Err("messages_per_minute")
        );
        s.messages_per_minute = 60;
        s.away_message = "  ".into();
        assert_eq!(s.validate().map_err(|e| e.field), Err("away_message"));
    }
}
