//! Schemas of the request values the domain checks: the document states
//! exactly the rules the handlers apply, built from the same constants, so
//! that a value the document allows is accepted and one it forbids is
//! refused. A field or parameter names one with `value_type = ...` and
//! stays a plain `String`: the handler's check still answers with the
//! field's name.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::domain::{ClientMsgId, MessageBody, Subject};
use crate::service::{Priority, Reaction};
use crate::store::admin_list::SortKey;

/// The characters `str::trim` removes (Unicode White_Space), as the inside
/// of a regular expression's character class.
const SPACE: &str = r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";
/// Control characters (Unicode Cc), which no text may contain.
const CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";
/// Control characters but tab, line feed and carriage return (a `\r` is
/// read as a line break), which a message may contain.
const CONTROL_BUT_LINES: &str = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f";

/// Text that is trimmed, then must be 1 to `max` characters none of which
/// is in `control`: any spaces, a first and a last character that are
/// neither space nor control, and at most `max - 2` others between them.
/// (A `\r\n` in a message counts as one character once stored, so the
/// document is at most stricter there, never looser.)
fn trimmed_text(max: usize, control: &str) -> String {
    format!(
        "^[{SPACE}]*[^{SPACE}{CONTROL}](?:[^{control}]{{0,{inner}}}[^{SPACE}{CONTROL}])?[{SPACE}]*$",
        inner = max.saturating_sub(2)
    )
}

fn string(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

/// A string schema that is one of `names`.
fn one_of<N: Into<serde_json::Value>>(
    description: &str,
    names: impl IntoIterator<Item = N>,
) -> RefOr<Schema> {
    string(description).enum_values(Some(names)).into()
}

/// Implements `ToSchema` for a documentation-only type named `$name`.
macro_rules! documented {
    ($ty:ident, $name:literal, $schema:expr) => {
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                $schema
            }
        }

        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

/// The away message of the settings: like a message, at most
/// [`AWAY_MESSAGE_MAX`](crate::domain::settings::AWAY_MESSAGE_MAX) characters.
pub(crate) fn away_message() -> RefOr<Schema> {
    let max = crate::domain::settings::AWAY_MESSAGE_MAX;
    string(&format!(
        "1 to {max} characters once trimmed; line breaks and tabs are the only control characters allowed."
    ))
    .pattern(Some(trimmed_text(max, CONTROL_BUT_LINES)))
    .into()
}

/// Origins allowed to open the WebSocket.
pub(crate) fn origins() -> RefOr<Schema> {
    utoipa::openapi::schema::ArrayBuilder::new()
        .items(
            string("`http://` or `https://`, then a host and an optional port; no path.")
                .pattern(Some(crate::domain::settings::ORIGIN_PATTERN)),
        )
        .description(Some(
            "Sites allowed to open the WebSocket; empty: only the store's own address.",
        ))
        .into()
}

/// An IANA time zone name.
pub(crate) fn timezone() -> RefOr<Schema> {
    one_of(
        "An IANA time zone, e.g. `Europe/Dublin`.",
        chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()),
    )
}

/// A time of day, `HH:MM`.
pub(crate) fn time_of_day() -> RefOr<Schema> {
    string("A time of day, `HH:MM` (24 hours).")
        .pattern(Some(crate::domain::settings::TIME_PATTERN))
        .into()
}

/// A conversation's subject.
pub struct SubjectText;
documented!(
    SubjectText,
    "SubjectText",
    string(&format!(
        "1 to {} characters on one line once trimmed; no control characters.",
        Subject::MAX_CHARS
    ))
    .pattern(Some(trimmed_text(Subject::MAX_CHARS, CONTROL)))
    .into()
);

/// A message's text.
pub struct MessageText;
documented!(
    MessageText,
    "MessageText",
    string(&format!(
        "1 to {} characters once trimmed; line breaks and tabs are the only control \
         characters allowed.",
        MessageBody::MAX_CHARS
    ))
    .pattern(Some(trimmed_text(
        MessageBody::MAX_CHARS,
        CONTROL_BUT_LINES
    )))
    .into()
);

/// A client's id for a message.
pub struct ClientMsgIdText;
documented!(
    ClientMsgIdText,
    "ClientMsgId",
    string(&format!(
        "1 to {} letters, digits or `-_.:`, chosen by the client.",
        ClientMsgId::MAX_CHARS
    ))
    .pattern(Some(format!(
        "^[A-Za-z0-9_.:-]{{1,{}}}$",
        ClientMsgId::MAX_CHARS
    )))
    .into()
);

/// A host id that must not be blank.
pub struct HostId;
documented!(
    HostId,
    "HostId",
    string("An id of the host's: anything but blank.")
        .pattern(Some(format!("[^{SPACE}]")))
        .into()
);

/// Whom a conversation is assigned to.
pub struct AssigneeName;
documented!(
    AssigneeName,
    "AssigneeName",
    one_of("`me`: the caller.", ["me"])
);

/// A priority's name.
pub struct PriorityName;
documented!(
    PriorityName,
    "Priority",
    one_of(
        "How urgent a conversation is.",
        Priority::ALL.map(Priority::name)
    )
);

/// A reaction's name.
pub struct ReactionName;
documented!(
    ReactionName,
    "Reaction",
    one_of(
        "A reaction to a message.",
        Reaction::ALL.map(Reaction::name)
    )
);

/// The admin list's read filter.
pub struct ReadFilter;
documented!(
    ReadFilter,
    "ReadFilter",
    one_of("Read or unread by the store.", ["read", "unread"])
);

/// A sort of the admin list: a column, `-` first for descending.
pub struct SortName;
documented!(
    SortName,
    "AdminSort",
    one_of(
        "A column of the admin list, `-` first for descending.",
        SortKey::ALL
            .iter()
            .flat_map(|key| [key.name().to_owned(), format!("-{}", key.name())])
    )
);

#[cfg(test)]
mod tests {
    use regex::{Regex, RegexBuilder};

    use super::*;

    /// The pattern of `schema`, compiled by the `regex` crate, whose syntax
    /// agrees with JSON Schema's for everything these patterns use.
    fn pattern(schema: RefOr<Schema>) -> Regex {
        let RefOr::T(Schema::Object(object)) = schema else {
            panic!("an object schema");
        };
        let pattern = object.pattern.expect("a pattern");
        // A message's `{0,9998}` is large once compiled.
        RegexBuilder::new(&pattern)
            .size_limit(1 << 30)
            .build()
            .expect("the pattern compiles")
    }

    #[test]
    fn the_text_patterns_accept_what_the_domain_accepts() {
        let subject = pattern(SubjectText::schema());
        let body = pattern(MessageText::schema());
        let long = "y".repeat(MessageBody::MAX_CHARS);
        for raw in [
            "a",
            " Late parcel\t",
            "\r\nAn\u{a0}order\u{3000}",
            "ab",
            "\u{feff}",
            &"x".repeat(Subject::MAX_CHARS),
            &format!("  {}  ", "x".repeat(Subject::MAX_CHARS)),
            "",
            "   ",
            "\u{2003}",
            "two\nlines",
            "tab\tinside",
            "bell\u{7}",
            "nel\u{85}inside",
            &"x".repeat(Subject::MAX_CHARS + 1),
            &long,
            &format!("{long}y"),
            "line\r\nbreak",
            "\n\n",
        ] {
            assert_eq!(
                subject.is_match(raw),
                Subject::parse(raw).is_ok(),
                "subject {raw:?}"
            );
            assert_eq!(
                body.is_match(raw),
                MessageBody::parse(raw).is_ok(),
                "body {raw:?}"
            );
        }
    }

    #[test]
    fn the_id_patterns_accept_what_the_handlers_accept() {
        let client_id = pattern(ClientMsgIdText::schema());
        let max = "7".repeat(ClientMsgId::MAX_CHARS);
        let over = format!("{max}7");
        for raw in ["a", "srv-1.2:x_Y", &max, "", "has spaces", "é", &over] {
            assert_eq!(
                client_id.is_match(raw),
                ClientMsgId::parse(raw).is_ok(),
                "client_msg_id {raw:?}"
            );
        }
        // The customer of an admin's new conversation: anything but blank.
        let host_id = pattern(HostId::schema());
        for raw in ["4", " 4 ", "\u{3000}x", "", " ", "\t\u{a0}\u{2028}"] {
            assert_eq!(host_id.is_match(raw), !raw.trim().is_empty(), "{raw:?}");
        }
    }
}
