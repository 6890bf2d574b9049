//! How times and counts read on the pages.

use chrono::NaiveDateTime;

/// "just now", "5 minutes ago", "2 hours ago", "yesterday", "3 days ago",
/// then a date ("12 Mar 2026").
pub fn relative_time(then: NaiveDateTime, now: NaiveDateTime) -> String {
    let seconds = (now - then).num_seconds();
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match seconds {
        s if s < 45 => "just now".into(),
        s if s < 3600 => plural((s + 30) / 60, "minute"),
        s if s < 86_400 => plural(s / 3600, "hour"),
        s if s < 2 * 86_400 => "yesterday".into(),
        s if s < 7 * 86_400 => plural(s / 86_400, "day"),
        _ => then.format("%-d %b %Y").to_string(),
    }
}

/// The exact time for a tooltip.
pub fn exact_time(at: NaiveDateTime) -> String {
    at.format("%-d %b %Y, %H:%M UTC").to_string()
}

/// An unread badge: nothing at 0, "99+" above 99.
pub fn badge(count: i64) -> Option<String> {
    match count {
        c if c <= 0 => None,
        c if c > 99 => Some("99+".into()),
        c => Some(c.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn times_read_like_people_talk() {
        let now = chrono::DateTime::from_timestamp(1_780_000_000, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default();
        let ago = |s: i64| relative_time(now - TimeDelta::seconds(s), now);
        assert_eq!(ago(10), "just now");
        assert_eq!(ago(60), "1 minute ago");
        assert_eq!(ago(7200), "2 hours ago");
        assert_eq!(ago(86_400 + 5), "yesterday");
        assert_eq!(ago(3 * 86_400), "3 days ago");
        assert!(ago(30 * 86_400).contains(' '));
    }

    #[test]
    fn badges_cap_at_99_plus() {
        assert_eq!(badge(0), None);
        assert_eq!(badge(5).as_deref(), Some("5"));
        assert_eq!(badge(99).as_deref(), Some("99"));
        assert_eq!(badge(100).as_deref(), Some("99+"));
    }
}
