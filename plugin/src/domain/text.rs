use std::fmt;

use serde::Serialize;

/// A value a person typed that cannot be accepted, with the field it belongs
/// to; its message is written to be shown to that person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    /// The form field or JSON property at fault.
    pub field: &'static str,
    /// What is wrong, in words for the person who typed it.
    pub message: String,
}

impl ValidationError {
    /// A new error about `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        ValidationError {
            field,
            message: message.into(),
        }
    }
}

/// Trims, unifies line endings and checks the length in characters.
fn clean(
    field: &'static str,
    what: &str,
    raw: &str,
    max_chars: usize,
    allow_newlines: bool,
) -> Result<String, ValidationError> {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(ValidationError::new(
            field,
            format!("{what} cannot be empty."),
        ));
    }
    let chars = text.chars().count();
    if chars > max_chars {
        return Err(ValidationError::new(
            field,
            format!("{what} is too long: {chars} characters, at most {max_chars} are allowed."),
        ));
    }
    let bad = |c: char| c.is_control() && !(allow_newlines && (c == '\n' || c == '\t'));
    if text.chars().any(bad) {
        return Err(ValidationError::new(
            field,
            format!("{what} contains characters that cannot be shown."),
        ));
    }
    Ok(text.to_owned())
}

/// A conversation's subject: 1 to 200 characters on one line, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subject(String);

impl Subject {
    /// Longest subject, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Checks a typed subject.
    pub fn parse(raw: &str) -> Result<Subject, ValidationError> {
        clean("subject", "The subject", raw, Self::MAX_CHARS, false).map(Subject)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A message's text: 1 to 10,000 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MessageBody(String);

impl MessageBody {
    /// Longest message, in characters.
    pub const MAX_CHARS: usize = 10_000;

    /// Checks a typed message.
    pub fn parse(raw: &str) -> Result<MessageBody, ValidationError> {
        clean("body", "The message", raw, Self::MAX_CHARS, true).map(MessageBody)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first line, shortened to `max` characters with an ellipsis.
    pub fn preview(&self, max: usize) -> String {
        preview(&self.0, max)
    }
}

/// Shortens text to one line of at most `max` characters, ending in `…` when cut.
pub fn preview(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        let mut cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// The id a client gives a message so that a retry is recognised: 1 to 64
/// characters of letters, digits and `-_.:`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientMsgId(String);

impl ClientMsgId {
    /// Longest id, in characters.
    pub const MAX_CHARS: usize = 64;

    /// Checks a client message id.
    pub fn parse(raw: &str) -> Result<ClientMsgId, ValidationError> {
        let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':');
        if raw.is_empty() || raw.len() > Self::MAX_CHARS || !raw.chars().all(ok_char) {
            return Err(ValidationError::new(
                "client_msg_id",
                "The client message id must be 1 to 64 letters, digits or - _ . :",
            ));
        }
        Ok(ClientMsgId(raw.to_owned()))
    }

    /// A fresh random id, for forms that post without JavaScript.
    pub fn random() -> ClientMsgId {
        use rand::Rng;
        let n: u128 = rand::rng().random();
        ClientMsgId(format!("srv-{n:032x}"))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientMsgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_trimmed_and_bounded() {
        assert_eq!(
            Subject::parse("  Late parcel ")
                .map(|s| s.0)
                .ok()
                .as_deref(),
            Some("Late parcel")
        );
        assert!(Subject::parse("   ").is_err());
        assert!(Subject::parse(&"x".repeat(200)).is_ok());
        assert!(Subject::parse(&"x".repeat(201)).is_err());
        assert!(Subject::parse("two\nlines").is_err());
        // Characters, not bytes: 200 accented letters are fine.
        assert!(Subject::parse(&"é".repeat(200)).is_ok());
    }

    #[test]
    fn bodies_keep_newlines_and_are_bounded() {
        let body = MessageBody::parse(" hi\r\nthere \n").ok();
        assert_eq!(body.as_ref().map(|b| b.as_str()), Some("hi\nthere"));
        assert!(MessageBody::parse(&"x".repeat(10_000)).is_ok());
        let err = MessageBody::parse(&"x".repeat(10_001)).err();
        assert_eq!(err.map(|e| e.field), Some("body"));
        assert!(MessageBody::parse("\u{0}").is_err());
    }

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(preview("a\n  b", 10), "a b");
        assert_eq!(preview("abcdefghijkl", 5), "abcd…");
    }

    #[test]
    fn client_ids_are_restricted() {
        assert!(ClientMsgId::parse("c-1.2:3_x").is_ok());
        assert!(ClientMsgId::parse("").is_err());
        assert!(ClientMsgId::parse("has space").is_err());
        assert!(ClientMsgId::parse(&"a".repeat(65)).is_err());
    }
}
