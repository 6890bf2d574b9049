//! A connection's messages in flight. A client may send its next message
//! before the last one is acked; waiting for each commit in turn would cap
//! one connection at one message per commit. The sends of a connection go
//! to the database in the order they arrived (one conversation's writes
//! share a writer queue, which is first come, first served) and are
//! announced and acked in that order, each only after its commit.
//!
//! The pipeline is bounded: once `depth` sends are in flight the
//! connection stops reading its socket, so a client that sends faster than
//! the database commits is slowed down by TCP instead of filling memory.

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use tokio::sync::mpsc;

use super::protocol::ServerFrame;
use crate::domain::Actor;
use crate::error::ChatError;
use crate::service::{ChatService, SendMessage, Sent};

/// One `send` frame, parsed and allowed by the rate limit.
pub(super) struct SendRequest {
    /// The frame's `ref`.
    pub reference: Option<String>,
    /// The client's id for the message, as it sent it.
    pub client_msg_id: String,
    /// Where it goes.
    pub conversation_id: i64,
    /// What to store.
    pub input: SendMessage,
}

/// Starts the pipeline of one connection; sends queue on the returned
/// sender and are answered (ack or error) on `session`.
pub(super) fn start(
    service: ChatService,
    actor: Actor,
    session: actix_ws::Session,
    depth: usize,
) -> mpsc::Sender<SendRequest> {
    let (tx, rx) = mpsc::channel(1);
    actix_web::rt::spawn(pipeline(service, actor, session, rx, depth.max(1)));
    tx
}

/// What a send's answer needs: its `ref`, client id and conversation.
struct Answered {
    reference: Option<String>,
    client_msg_id: String,
    conversation_id: i64,
    result: Result<Sent, ChatError>,
}

async fn pipeline(
    service: ChatService,
    actor: Actor,
    mut session: actix_ws::Session,
    mut rx: mpsc::Receiver<SendRequest>,
    depth: usize,
) {
    let mut in_flight = FuturesOrdered::new();
    let mut open = true;
    while open || !in_flight.is_empty() {
        tokio::select! {
            request = rx.recv(), if open && in_flight.len() < depth => match request {
                Some(request) => {
                    let service = service.clone();
                    let actor = actor.clone();
                    in_flight.push_back(async move {
                        let SendRequest { reference, client_msg_id, conversation_id, input } =
                            request;
                        let result = service.store_message(&actor, conversation_id, input).await;
                        Answered { reference, client_msg_id, conversation_id, result }
                    });
                }
                // The connection ended: what is in flight still commits and
                // is answered if the socket is still there.
                None => open = false,
            },
            // In the order sent: the staff see one person's messages in
            // that order even when two commits wake this task the other
            // way round.
            Some(outcome) = in_flight.next(), if !in_flight.is_empty() => {
                if let Ok(sent) = &outcome.result {
                    service.announce(sent);
                }
                answer(&mut session, outcome).await;
            }
        }
    }
}

async fn answer(session: &mut actix_ws::Session, answered: Answered) {
    let reference = answered.reference.as_deref();
    let frame = match &answered.result {
        Ok(sent) => ServerFrame::Ack {
            reference,
            client_msg_id: &answered.client_msg_id,
            conversation_id: answered.conversation_id,
            message_id: sent.message.id,
            created: sent.created,
        },
        Err(e) => {
            if e.is_internal() {
                tracing::error!(error = ?e, "a WebSocket send failed");
            }
            return send_error(session, reference, e).await;
        }
    };
    let _ = session.text(frame.to_json()).await;
}

async fn send_error(session: &mut actix_ws::Session, reference: Option<&str>, e: &ChatError) {
    let message = e.to_string();
    let frame = ServerFrame::Error {
        reference,
        code: e.code(),
        message: &message,
    };
    let _ = session.text(frame.to_json()).await;
}
