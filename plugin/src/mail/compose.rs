//! Building one e-mail: askama HTML and plain-text parts, the store's name,
//! the subject, a link to the conversation, a recap of the unseen messages,
//! and List-Unsubscribe headers. All user text is escaped in the HTML part;
//! every header value goes through [`super::header_safe`].

use askama::Template;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};

use super::header_safe;
use crate::domain::Side;
use crate::store::{Conversation, Message as ChatMessage};

/// The most messages recapped in one e-mail.
pub const RECAP_LIMIT: usize = 50;

pub(crate) struct Line {
    sender: String,
    when: String,
    body: String,
    removed: bool,
}

#[derive(Template)]
#[template(path = "mail/recap.html")]
struct Html<'a> {
    store_name: &'a str,
    greeting: &'a str,
    intro: &'a str,
    lines: &'a [Line],
    more: usize,
    link: &'a str,
    link_label: &'a str,
    unsubscribe: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "mail/recap.txt")]
struct Text<'a> {
    store_name: &'a str,
    greeting: &'a str,
    intro: &'a str,
    lines: &'a [Line],
    more: usize,
    link: &'a str,
    link_label: &'a str,
    unsubscribe: Option<&'a str>,
}

/// Everything one e-mail says.
pub(crate) struct Letter<'a> {
    pub store_name: &'a str,
    pub from: &'a str,
    pub to_name: &'a str,
    pub to_email: &'a str,
    pub reader: Side,
    pub opened: bool,
    pub conversation: &'a Conversation,
    /// Unseen messages, oldest first, at most [`RECAP_LIMIT`].
    pub messages: &'a [ChatMessage],
    /// Unseen messages left out of the recap.
    pub more: usize,
    pub link: &'a str,
    pub unsubscribe: Option<&'a str>,
}

/// Why an e-mail could not be built: a bad address is permanent.
#[derive(Debug)]
pub(crate) struct ComposeError(pub String);

impl Letter<'_> {
    fn subject(&self) -> String {
        let c = self.conversation;
        let n = self.messages.len() + self.more;
        let line = match (self.reader, self.opened) {
            (Side::Customer, true) => format!("{}: {}", self.store_name, c.subject),
            (Side::Customer, false) if n == 1 => {
                format!("{}: new reply to “{}”", self.store_name, c.subject)
            }
            (Side::Customer, false) => {
                format!("{}: {n} new replies to “{}”", self.store_name, c.subject)
            }
            (_, _) if n == 1 => format!(
                "[{}] New message from {}: {}",
                self.store_name, c.customer_name, c.subject
            ),
            (_, _) => format!(
                "[{}] {n} new messages from {}: {}",
                self.store_name, c.customer_name, c.subject
            ),
        };
        header_safe(&line)
    }

    fn intro(&self) -> String {
        let c = self.conversation;
        match (self.reader, self.opened) {
            (Side::Customer, true) => {
                format!("{} wrote to you about “{}”:", self.store_name, c.subject)
            }
            (Side::Customer, false) => format!(
                "You have unread replies in your conversation “{}”:",
                c.subject
            ),
            _ => format!(
                "{} ({}) wrote in “{}”:",
                c.customer_name, c.customer_email, c.subject
            ),
        }
    }

    /// The finished message.
    pub fn build(&self) -> Result<Message, ComposeError> {
        let from: Mailbox = self
            .from
            .parse()
            .map_err(|e| ComposeError(format!("bad From address: {e}")))?;
        let address: Address = self
            .to_email
            .trim()
            .parse()
            .map_err(|e| ComposeError(format!("bad address {:?}: {e}", self.to_email)))?;
        let to = Mailbox::new(Some(header_safe(self.to_name)), address);
        let lines: Vec<Line> = self
            .messages
            .iter()
            .map(|m| Line {
                sender: match m.sender_side {
                    Side::Customer => m.sender_name.clone(),
                    _ => format!("{} ({})", m.sender_name, self.store_name),
                },
                when: m.created_at.format("%-d %b %Y, %H:%M UTC").to_string(),
                body: m.body.clone(),
                removed: m.is_deleted(),
            })
            .collect();
        let intro = self.intro();
        let link_label = if self.reader == Side::Customer {
            "Read and reply"
        } else {
            "Open the conversation"
        };
        let greeting = format!("Hello {},", self.to_name);
        let html = Html {
            store_name: self.store_name,
            greeting: &greeting,
            intro: &intro,
            lines: &lines,
            more: self.more,
            link: self.link,
            link_label,
            unsubscribe: self.unsubscribe,
        }
        .render()
        .map_err(|e| ComposeError(e.to_string()))?;
        let text = Text {
            store_name: self.store_name,
            greeting: &greeting,
            intro: &intro,
            lines: &lines,
            more: self.more,
            link: self.link,
            link_label,
            unsubscribe: self.unsubscribe,
        }
        .render()
        .map_err(|e| ComposeError(e.to_string()))?;
        let mut builder = Message::builder().from(from).to(to).subject(self.subject());
        if let Some(url) = self.unsubscribe {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(text, html))
            .map_err(|e| ComposeError(e.to_string()))
    }
}
