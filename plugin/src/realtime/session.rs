//! One WebSocket connection: the authenticated upgrade, then a task that
//! reads the client's frames, writes what the hub queues for it, and
//! pings. Every frame that changes something goes through the chat service.

use std::collections::HashMap;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::http::header::ORIGIN;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{CloseCode, CloseReason, Message, ProtocolError};
use futures_util::StreamExt;

use super::hub::{Audience, Outbound};
use super::protocol::{ClientFrame, Person, ServerFrame, VERSION};
use super::sends::SendRequest;
use crate::Storechat;
use crate::domain::{Actor, ClientMsgId, MessageBody, Role};
use crate::error::ChatError;
use crate::service::{Reaction, SendMessage};
use tokio::sync::mpsc::error::TrySendError;

fn refuse(status: StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(serde_json::json!({ "error": code, "message": message }))
}

/// The origin part of a URL: `scheme://host[:port]`.
fn origin_of(url: &str) -> &str {
    match url.find("://") {
        Some(at) => match url[at + 3..].find('/') {
            Some(slash) => &url[..at + 3 + slash],
            None => url,
        },
        None => url,
    }
}

fn side_name(actor: &Actor) -> &'static str {
    match actor.role {
        Role::Customer => "customer",
        Role::Staff => "staff",
        Role::Vendor => "vendor",
    }
}

/// `GET {ws}`: the upgrade. Refused (no 101) for a foreign Origin, for
/// nobody signed in, and past the per-person connection cap.
pub async fn upgrade(
    req: HttpRequest,
    body: web::Payload,
    chat: web::Data<Storechat>,
) -> HttpResponse {
    let config = chat.config();
    if let Some(origin) = req.headers().get(ORIGIN) {
        let origin = origin.to_str().unwrap_or_default();
        let settings = chat.service().settings();
        let allowed = if settings.allowed_origins.is_empty() {
            origin == origin_of(&config.public_url)
        } else {
            settings.allowed_origins.iter().any(|o| o == origin)
        };
        if !allowed {
            return refuse(
                StatusCode::FORBIDDEN,
                "origin_not_allowed",
                "This site may not open the chat channel.",
            );
        }
    }
    let actor = match crate::web::identity::identify(&chat, &req).await {
        Ok((Some(actor), _)) => actor,
        Ok((None, _)) => {
            return refuse(
                StatusCode::FORBIDDEN,
                "unauthenticated",
                "Sign in to use the chat.",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "host adapter could not identify a WebSocket request");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "Please try again.",
            );
        }
    };
    let hub = chat.hub();
    let Ok((id, outbound)) = hub.register(&actor) else {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_connections",
            "Too many chat windows are open; close one.",
        );
    };
    let (response, session, stream) = match actix_ws::handle(&req, body) {
        Ok(parts) => parts,
        Err(e) => {
            hub.unregister(id);
            return e.error_response();
        }
    };
    let stream = stream.max_frame_size(config.realtime.max_frame_bytes);
    let connection = Connection {
        chat: chat.get_ref().clone(),
        actor,
        id,
        session,
        audiences: HashMap::new(),
        resumed: HashMap::new(),
        sends: None,
        blocked: None,
    };
    // Boxed: the task of a connection lives as long as the connection, and
    // a future holding the state by value would keep it twice (the
    // argument and its moved copy; rustc does not overlap them).
    actix_web::rt::spawn(Box::new(connection).run(stream, outbound));
    response
}

struct Connection {
    chat: Storechat,
    actor: Actor,
    id: u64,
    session: actix_ws::Session,
    /// Conversations this person was allowed into, so typing does not hit
    /// the database every time.
    audiences: HashMap<i64, Audience>,
    /// The newest message a resume sent, per conversation: the hub's copy
    /// of those messages is not sent again.
    resumed: HashMap<i64, i64>,
    /// This connection's sends in flight (see `sends`), started with its
    /// first message: most connections only listen.
    sends: Option<tokio::sync::mpsc::Sender<SendRequest>>,
    /// A send waiting for room in the pipeline; no frame is read until it
    /// has some.
    blocked: Option<SendRequest>,
}

enum Next {
    Continue,
    Close(CloseCode, &'static str),
}

/// Sends of one connection that may wait for their commit at once.
const SENDS_IN_FLIGHT: usize = 64;
/// The most conversations one resume frame may name.
const RESUME_CONVERSATIONS: usize = 100;
/// The most messages a resume replays per conversation; past that the
/// client is told to reload.
const RESUME_MESSAGES: i64 = 500;

impl Connection {
    async fn run(
        mut self: Box<Self>,
        mut stream: actix_ws::MessageStream,
        mut outbound: tokio::sync::mpsc::Receiver<Outbound>,
    ) {
        let (heartbeat_every, idle_timeout) = {
            let limits = &self.chat.config().realtime;
            (limits.heartbeat, limits.idle_timeout)
        };
        let service = self.chat.service();
        // Boxed, like every await that happens once or rarely: the task of
        // an idle connection is as large as its largest await, and it lives
        // as long as the connection.
        let unread = match self.actor.role {
            Role::Customer => Box::pin(service.unread_for_customer(&self.actor))
                .await
                .unwrap_or(0),
            Role::Staff => Box::pin(service.unread_for_admin(&self.actor))
                .await
                .unwrap_or(0),
            Role::Vendor => 0,
        };
        let hello = ServerFrame::Hello {
            protocol: VERSION,
            user: Person {
                id: &self.actor.id,
                name: &self.actor.name,
                side: side_name(&self.actor),
            },
            store_online: self.chat.hub().store_online(),
            unread,
        }
        .to_json();
        let mut close = match Box::pin(self.session.text(hello)).await {
            Ok(()) => None,
            Err(_) => Some((CloseCode::Away, "gone")),
        };
        let mut heartbeat = tokio::time::interval(heartbeat_every);
        heartbeat.tick().await;
        let mut last_heard = Instant::now();
        while close.is_none() {
            // Boxed: only a connection with a full pipeline waits for room.
            let room = match (&self.blocked, &self.sends) {
                (Some(_), Some(sends)) => Some(Box::pin(sends.clone().reserve_owned())),
                _ => None,
            };
            let waiting = room.is_some();
            tokio::select! {
                permit = async { room?.await.ok() }, if waiting => {
                    if let Err(reference) = self.unblock(permit) {
                        Box::pin(self.error(reference.as_deref(), "unavailable", "Please try again.")).await;
                    }
                },
                frame = stream.next(), if !waiting => {
                    last_heard = Instant::now();
                    let next = match frame {
                        None => Next::Close(CloseCode::Normal, "bye"),
                        Some(frame) => Box::pin(self.incoming(frame)).await,
                    };
                    if let Next::Close(code, why) = next {
                        close = Some((code, why));
                    }
                }
                out = outbound.recv() => match out {
                    Some(Outbound::Text(text)) => {
                        if self.session.text(text.as_str()).await.is_err() {
                            close = Some((CloseCode::Away, "gone"));
                        }
                    }
                    Some(Outbound::Message(frame)) => {
                        let already = self.resumed.get(&frame.conversation_id).is_some_and(|up_to| frame.message_id <= *up_to);
                        if !already && self.session.text(frame.text.as_str()).await.is_err() {
                            close = Some((CloseCode::Away, "gone"));
                        }
                    }
                    Some(Outbound::Close(&(1008, why))) => close = Some((CloseCode::Policy, why)),
                    Some(Outbound::Close(&(_, why))) => close = Some((CloseCode::Normal, why)),
                    // The hub dropped us: this client fell too far behind.
                    None => close = Some((CloseCode::Again, "too slow; reconnect and resume")),
                },
                _ = heartbeat.tick() => {
                    if last_heard.elapsed() > idle_timeout {
                        close = Some((CloseCode::Away, "idle"));
                    } else if Box::pin(self.session.ping(b"")).await.is_err() {
                        close = Some((CloseCode::Away, "gone"));
                    }
                }
            }
        }
        self.chat.hub().unregister(self.id);
        if let Some((code, why)) = close {
            let _ = Box::pin(self.session.close(Some(CloseReason {
                code,
                description: Some(why.to_owned()),
            })))
            .await;
        }
    }

    /// Hands the blocked send to the pipeline once it has room; without
    /// a pipeline (it stopped) the send fails with the frame's reference.
    /// Not async: the request would otherwise stay in every idle
    /// connection's task.
    fn unblock(
        &mut self,
        permit: Option<tokio::sync::mpsc::OwnedPermit<SendRequest>>,
    ) -> Result<(), Option<String>> {
        match (permit, self.blocked.take()) {
            (Some(permit), Some(request)) => {
                permit.send(request);
                Ok(())
            }
            (None, Some(request)) => Err(request.reference),
            _ => Ok(()),
        }
    }

    async fn incoming(&mut self, frame: Result<Message, ProtocolError>) -> Next {
        match frame {
            Ok(Message::Text(text)) => {
                // Boxed: the state of a frame being handled is large and
                // only exists while one is; an idle connection (the
                // common case) keeps a small task.
                Box::pin(self.handle(&text)).await;
                Next::Continue
            }
            Ok(Message::Binary(_)) => {
                self.error(
                    None,
                    "bad_frame",
                    "Binary frames are not part of the protocol; send JSON text.",
                )
                .await;
                Next::Continue
            }
            Ok(Message::Ping(bytes)) => {
                let _ = self.session.pong(&bytes).await;
                Next::Continue
            }
            Ok(Message::Pong(_)) | Ok(Message::Nop) | Ok(Message::Continuation(_)) => {
                Next::Continue
            }
            Ok(Message::Close(_)) => Next::Close(CloseCode::Normal, "bye"),
            Err(ProtocolError::Overflow) => Next::Close(CloseCode::Size, "frame too large"),
            Err(ProtocolError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData => {
                Next::Close(CloseCode::Invalid, "text frames must be UTF-8")
            }
            Err(_) => Next::Close(CloseCode::Protocol, "protocol error"),
        }
    }

    async fn send(&mut self, frame: ServerFrame<'_>) {
        let _ = self.session.text(frame.to_json()).await;
    }

    async fn error(&mut self, reference: Option<&str>, code: &str, message: &str) {
        self.send(ServerFrame::Error {
            reference,
            code,
            message,
        })
        .await;
    }

    async fn refuse(&mut self, reference: Option<&str>, e: ChatError) {
        if e.is_internal() {
            tracing::error!(error = ?e, "a WebSocket frame failed");
        }
        self.error(reference, e.code(), &e.to_string()).await;
    }

    /// The answer to a frame that needs no other: `done` when it carried a
    /// `ref`, the error otherwise.
    async fn answer<T>(&mut self, reference: Option<&str>, result: Result<T, ChatError>) {
        match result {
            Ok(_) if reference.is_some() => self.send(ServerFrame::Done { reference }).await,
            Ok(_) => {}
            Err(e) => self.refuse(reference, e).await,
        }
    }

    async fn handle(&mut self, text: &str) {
        let frame: ClientFrame = match serde_json::from_str(text) {
            Ok(frame) => frame,
            Err(e) => {
                let message = format!("This frame is not valid protocol JSON: {e}");
                return self.error(None, "bad_frame", &message).await;
            }
        };
        let reference = frame.reference().map(str::to_owned);
        let reference = reference.as_deref();
        let service = self.chat.service().clone();
        match frame {
            ClientFrame::Ping { .. } => self.send(ServerFrame::Pong { reference }).await,
            ClientFrame::Send {
                conversation_id,
                client_msg_id,
                body,
                reply_to,
                ..
            } => {
                if !self.chat.hub().allow_message(&self.actor) {
                    return self
                        .error(
                            reference,
                            "rate_limited",
                            "You are sending messages too fast; wait a moment.",
                        )
                        .await;
                }
                let parsed = MessageBody::parse(&body).and_then(|body| {
                    Ok(SendMessage {
                        body,
                        client_msg_id: Some(ClientMsgId::parse(&client_msg_id)?),
                        reply_to,
                    })
                });
                let input = match parsed {
                    Ok(input) => input,
                    Err(invalid) => return self.refuse(reference, invalid.into()).await,
                };
                let request = SendRequest {
                    reference: reference.map(str::to_owned),
                    client_msg_id,
                    conversation_id,
                    input,
                };
                let sends = self.sends.get_or_insert_with(|| {
                    super::sends::start(
                        self.chat.service().clone(),
                        self.actor.clone(),
                        self.session.clone(),
                        SENDS_IN_FLIGHT,
                    )
                });
                match sends.try_send(request) {
                    Ok(()) => {}
                    // The pipeline is full: this send waits and the socket
                    // is not read meanwhile (the backpressure), while what
                    // others write to this person keeps flowing.
                    Err(TrySendError::Full(request)) => self.blocked = Some(request),
                    Err(TrySendError::Closed(_)) => {
                        self.error(reference, "unavailable", "Please try again.")
                            .await;
                    }
                }
            }
            ClientFrame::Edit {
                message_id, body, ..
            } => {
                let result = match MessageBody::parse(&body) {
                    Ok(body) => service.edit_message(&self.actor, message_id, body).await,
                    Err(invalid) => Err(invalid.into()),
                };
                self.answer(reference, result).await;
            }
            ClientFrame::Delete { message_id, .. } => {
                let result = service.delete_message(&self.actor, message_id).await;
                self.answer(reference, result).await;
            }
            ClientFrame::React {
                message_id, emoji, ..
            } => {
                let result = match Reaction::parse(&emoji) {
                    Ok(reaction) => service.react(&self.actor, message_id, reaction, true).await,
                    Err(invalid) => Err(invalid.into()),
                };
                self.answer(reference, result).await;
            }
            ClientFrame::Unreact {
                message_id, emoji, ..
            } => {
                let result = match Reaction::parse(&emoji) {
                    Ok(reaction) => {
                        service
                            .react(&self.actor, message_id, reaction, false)
                            .await
                    }
                    Err(invalid) => Err(invalid.into()),
                };
                self.answer(reference, result).await;
            }
            ClientFrame::Typing {
                conversation_id,
                typing,
                ..
            } => {
                let audience = match self.audience(conversation_id).await {
                    Ok(audience) => audience,
                    Err(e) => return self.refuse(reference, e).await,
                };
                let user = Person {
                    id: &self.actor.id,
                    name: &self.actor.name,
                    side: side_name(&self.actor),
                };
                let frame = ServerFrame::Typing {
                    conversation_id,
                    user,
                    typing,
                }
                .to_json();
                self.chat.relay(self.id, &audience, &frame);
            }
            ClientFrame::Delivered {
                conversation_id,
                up_to,
                ..
            } => {
                let audience = match self.audience(conversation_id).await {
                    Ok(audience) => audience,
                    Err(e) => return self.refuse(reference, e).await,
                };
                let side = if self.actor.role == Role::Customer {
                    "customer"
                } else {
                    "store"
                };
                let frame = ServerFrame::Receipt {
                    conversation_id,
                    state: "delivered",
                    side,
                    up_to,
                }
                .to_json();
                self.chat.relay(self.id, &audience, &frame);
            }
            ClientFrame::Read {
                conversation_id,
                up_to,
                ..
            } => {
                let result = service.mark_read(&self.actor, conversation_id, up_to).await;
                self.answer(reference, result).await;
            }
            ClientFrame::Resume { conversations, .. } => {
                self.resume(reference, conversations).await
            }
        }
    }

    /// Replays, in order, every message written after the ones the client
    /// has; a conversation with too many missed messages gets `reload`.
    async fn resume(
        &mut self,
        reference: Option<&str>,
        conversations: std::collections::BTreeMap<String, i64>,
    ) {
        if conversations.len() > RESUME_CONVERSATIONS {
            let message = format!("Resume at most {RESUME_CONVERSATIONS} conversations at once.");
            return self.error(reference, "invalid", &message).await;
        }
        let service = self.chat.service().clone();
        let mut done = Vec::new();
        for (id, after) in conversations {
            let Ok(conversation_id) = id.parse::<i64>() else {
                self.error(reference, "invalid", "Conversation ids are numbers.")
                    .await;
                continue;
            };
            match service
                .messages_after(&self.actor, conversation_id, after, RESUME_MESSAGES)
                .await
            {
                Ok((conversation, messages, more)) => {
                    self.audiences
                        .insert(conversation_id, Audience::of(&conversation));
                    if more {
                        let frame = ServerFrame::Reload {
                            conversation_id,
                            reason: "too many missed messages",
                        };
                        self.send(frame).await;
                        continue;
                    }
                    for message in &messages {
                        self.send(ServerFrame::Message {
                            conversation: &conversation,
                            message,
                            order_card: message.order_card(),
                        })
                        .await;
                    }
                    let newest = messages.last().map(|m| m.id).unwrap_or(after);
                    self.resumed.insert(conversation_id, newest);
                    done.push(conversation_id);
                }
                Err(e) => self.refuse(reference, e).await,
            }
        }
        self.send(ServerFrame::Resumed {
            reference,
            conversations: &done,
        })
        .await;
    }

    /// The audience of a conversation this person may see.
    async fn audience(&mut self, conversation_id: i64) -> Result<Audience, ChatError> {
        if let Some(audience) = self.audiences.get(&conversation_id) {
            return Ok(audience.clone());
        }
        let view = self
            .chat
            .service()
            .get_conversation(&self.actor, conversation_id, None, 1)
            .await?;
        let audience = Audience::of(&view.conversation);
        self.audiences.insert(conversation_id, audience.clone());
        Ok(audience)
    }
}

#[cfg(test)]
mod tests {
    use super::origin_of;

    #[test]
    fn origins_are_scheme_host_and_port() {
        assert_eq!(
            origin_of("https://shop.example/path"),
            "https://shop.example"
        );
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
