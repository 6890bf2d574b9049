//! WebSocket clients of protocol v1 (tokio-tungstenite): connecting as a
//! bench person, and reading just enough of each server frame.

use std::borrow::Cow;
use std::time::Duration;

use anyhow::{Context, bail};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::host::USER_HEADER;

/// One client connection.
pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a connection as `user` (`c-3`, `s-0`) and reads its `hello`.
/// `nodelay` turns Nagle's algorithm off on the client's socket.
pub async fn connect(url: &str, user: &str, nodelay: bool) -> anyhow::Result<Ws> {
    let mut request = url.into_client_request().context("WebSocket URL")?;
    request
        .headers_mut()
        .insert(USER_HEADER, HeaderValue::from_str(user)?);
    let (mut ws, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config()), nodelay)
            .await
            .with_context(|| format!("opening the WebSocket of {user}"))?;
    match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
        Ok(Some(Ok(Message::Text(text)))) if text.starts_with("{\"type\":\"hello\"") => Ok(ws),
        Ok(other) => bail!("{user}: expected hello, got {other:?}"),
        Err(_) => bail!("{user}: no hello within 30 s"),
    }
}

/// The clients' settings. tungstenite zero-fills its whole read buffer's
/// free space before every read (128 KiB by default): with thousands of
/// frames a second that memset was a sixth of the load tool's CPU, taken
/// from the cores it shares with the server. The server's frames are a
/// few hundred bytes; a larger one is still read, in several reads.
fn config() -> tokio_tungstenite::tungstenite::protocol::WebSocketConfig {
    tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
}

/// Bytes a client reads at once.
const READ_BUFFER: usize = 8 * 1024;

/// The fields of a server frame the load tool reads; everything else in
/// the frame is skipped by the parser.
#[derive(Debug, Deserialize)]
pub struct Frame<'a> {
    /// `ack`, `message`, `error`, …
    #[serde(rename = "type", borrow)]
    pub kind: Cow<'a, str>,
    /// The `ref` of the answered frame (ack, error).
    #[serde(rename = "ref", default, borrow)]
    pub reference: Option<Cow<'a, str>>,
    /// Of an ack.
    #[serde(default, borrow)]
    pub client_msg_id: Option<Cow<'a, str>>,
    /// Of an ack: false when the send was a replay.
    #[serde(default)]
    pub created: Option<bool>,
    /// Of an error.
    #[serde(default, borrow)]
    pub code: Option<Cow<'a, str>>,
    /// A `message` frame's message (an object), or an error's text: kept
    /// raw, read by [`Frame::message_seq`].
    #[serde(default, borrow)]
    pub message: Option<&'a RawValue>,
}

/// The part of a `message` frame's message the tool needs.
#[derive(Debug, Deserialize)]
pub struct MessagePart<'a> {
    /// The writer's client id: the tool's sequence number.
    #[serde(default, borrow)]
    pub client_msg_id: Option<Cow<'a, str>>,
}

impl<'a> Frame<'a> {
    /// Parses a text frame.
    pub fn parse(text: &'a str) -> Option<Frame<'a>> {
        serde_json::from_str(text).ok()
    }

    /// The sequence number of a `message` frame's message, when it is one of
    /// the tool's.
    pub fn message_seq(&self) -> Option<u64> {
        if self.kind != "message" {
            return None;
        }
        let part: MessagePart<'_> = serde_json::from_str(self.message?.get()).ok()?;
        seq_of(part.client_msg_id.as_deref()?)
    }
}

/// The client id of message `seq`.
pub fn client_msg_id(seq: u64) -> String {
    format!("m{seq}")
}

/// The sequence number back from a client id of [`client_msg_id`].
pub fn seq_of(client_msg_id: &str) -> Option<u64> {
    client_msg_id.strip_prefix('m')?.parse().ok()
}

/// A `send` frame with a body of exactly `body_bytes` ASCII bytes.
pub fn send_frame(seq: u64, conversation_id: i64, body: &str) -> String {
    format!(
        "{{\"type\":\"send\",\"ref\":\"{seq}\",\"conversation_id\":{conversation_id},\"client_msg_id\":\"m{seq}\",\"body\":\"{body}\"}}"
    )
}

/// A message body of `bytes` bytes (at least 1).
pub fn body_of(bytes: usize) -> String {
    const TEXT: &str = "Hello, I have a question about my order: when will it ship, and can I still change the address? Thanks! ";
    TEXT.chars().cycle().take(bytes.max(1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_read_in_part() {
        let ack = r#"{"type":"ack","ref":"17","client_msg_id":"m17","conversation_id":3,"message_id":99,"created":true}"#;
        let f = Frame::parse(ack).expect("ack");
        assert_eq!(f.kind, "ack");
        assert_eq!(f.client_msg_id.as_deref().and_then(seq_of), Some(17));
        assert_eq!(f.created, Some(true));
        let msg = r#"{"type":"message","conversation":{"id":3,"subject":"a \"b\""},"message":{"id":99,"body":"x\ny","client_msg_id":"m5","sender_id":"c-1"}}"#;
        let f = Frame::parse(msg).expect("message");
        assert_eq!(f.message_seq(), Some(5));
        let err = r#"{"type":"error","ref":"4","code":"rate_limited","message":"slow \"down\""}"#;
        let f = Frame::parse(err).expect("error");
        assert_eq!(
            (f.reference.as_deref(), f.code.as_deref()),
            (Some("4"), Some("rate_limited"))
        );
    }

    #[test]
    fn send_frames_are_protocol_json() {
        let body = body_of(100);
        assert_eq!(body.len(), 100);
        let frame = send_frame(42, 7, &body);
        let v: serde_json::Value = serde_json::from_str(&frame).expect("json");
        assert_eq!(v["client_msg_id"], "m42");
        assert_eq!(v["conversation_id"], 7);
        assert_eq!(v["body"].as_str().map(str::len), Some(100));
    }
}
