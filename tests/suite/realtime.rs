//! The WebSocket channel with a real client: the authenticated upgrade and
//! its Origin check, send and ack (idempotent, also concurrently), who
//! receives what, typing and read receipts, limits, and the close codes.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{App, HttpServer};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use storechat::Storechat;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{TestChat, alice, ann, bob};

const ORIGIN: &str = "http://127.0.0.1:8080";

/// The plugin alone behind a real HTTP server on a free port.
fn serve(chat: &Storechat) -> (String, Server) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("port");
    let address = listener.local_addr().expect("address");
    let chat = chat.clone();
    let server = HttpServer::new(move || {
        let chat = chat.clone();
        App::new().configure(move |cfg| chat.configure(cfg))
    })
    .workers(1)
    .shutdown_timeout(1)
    .listen(listener)
    .expect("listen")
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    (format!("ws://{address}/storechat/ws"), Server(handle))
}

/// Stops its server when the test ends, so no worker thread holds a
/// database pool while the test process exits.
struct Server(actix_web::dev::ServerHandle);

impl Drop for Server {
    fn drop(&mut self) {
        // The stop command is sent at once; nothing waits for it here.
        drop(self.0.stop(false));
    }
}

struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

async fn connect(url: &str, user: Option<&str>, origin: Option<&str>) -> Result<Client, u16> {
    let mut request = url.into_client_request().expect("request");
    if let Some(user) = user {
        request
            .headers_mut()
            .insert("x-test-user", user.parse().expect("header"));
    }
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("origin", origin.parse().expect("header"));
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((ws, _)) => Ok(Client { ws }),
        Err(WsError::Http(response)) => Err(response.status().as_u16()),
        Err(e) => panic!("unexpected handshake error: {e}"),
    }
}

impl Client {
    async fn open(url: &str, user: &str) -> Client {
        let mut client = connect(url, Some(user), Some(ORIGIN))
            .await
            .expect("upgrade accepted");
        let hello = client.next().await;
        assert_eq!(hello["type"], "hello", "{hello}");
        client
    }

    async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .expect("send");
    }

    /// The next JSON frame (pings are answered by the library).
    async fn next(&mut self) -> Value {
        loop {
            match tokio::time::timeout(Duration::from_secs(5), self.ws.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => {
                    return serde_json::from_str(&text).expect("json frame");
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                other => panic!("expected a frame, got {other:?}"),
            }
        }
    }

    /// The next frame of a type, skipping others.
    async fn next_of(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// No frame arrives for a while.
    async fn silent(&mut self, wait: Duration) -> Option<Value> {
        loop {
            match tokio::time::timeout(wait, self.ws.next()).await {
                Err(_) => return None,
                Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
                Ok(Some(Ok(_))) => continue,
                Ok(other) => panic!("connection ended: {other:?}"),
            }
        }
    }

    /// The close code the server ends with.
    async fn closed_with(&mut self) -> u16 {
        loop {
            match tokio::time::timeout(Duration::from_secs(5), self.ws.next()).await {
                Ok(Some(Ok(Message::Close(Some(frame))))) => return u16::from(frame.code),
                Ok(Some(Ok(Message::Close(None)))) | Ok(None) => return 1005,
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(e))) => panic!("error instead of a close: {e}"),
                Err(_) => panic!("no close within 5 s"),
            }
        }
    }
}

async fn open_conversation(t: &TestChat, customer: &storechat::Actor, subject: &str) -> i64 {
    let input =
        storechat::service::OpenConversation::parse(subject, "Hello", None, None).expect("valid");
    t.service()
        .open_conversation(customer, input)
        .await
        .expect("opens")
        .conversation
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_upgrade_needs_credentials_and_an_allowed_origin() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    assert_eq!(
        connect(&url, None, Some(ORIGIN)).await.err(),
        Some(403),
        "nobody signed in"
    );
    assert_eq!(
        connect(&url, Some("u-alice"), Some("https://evil.example"))
            .await
            .err(),
        Some(403),
        "foreign origin"
    );
    let mut app = connect(&url, Some("u-alice"), None)
        .await
        .expect("apps send no Origin");
    let hello = app.next().await;
    assert_eq!(
        (hello["protocol"].as_i64(), hello["user"]["side"].as_str()),
        (Some(1), Some("customer"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_acked_after_commit_and_reaches_only_those_who_may_see_it() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Live").await;
    let mut alice_ws = Client::open(&url, "u-alice").await;
    let mut ann_ws = Client::open(&url, "u-ann").await;
    let mut bob_ws = Client::open(&url, "u-bob").await;

    alice_ws.send(json!({"type": "send", "ref": "r1", "conversation_id": id, "client_msg_id": "c-1", "body": "Hi <b>there</b>"})).await;
    let ack = alice_ws.next_of("ack").await;
    assert_eq!(
        (
            ack["ref"].as_str(),
            ack["client_msg_id"].as_str(),
            ack["created"].as_bool()
        ),
        (Some("r1"), Some("c-1"), Some(true))
    );
    let message_id = ack["message_id"].as_i64().expect("id");
    // Committed before the ack: the row is there.
    let view = t
        .service()
        .get_conversation(&ann(), id, None, 10)
        .await
        .expect("loads");
    assert_eq!(view.messages.last().map(|m| m.id), Some(message_id));

    let seen = ann_ws.next_of("message").await;
    assert_eq!(seen["message"]["id"].as_i64(), Some(message_id));
    assert_eq!(
        seen["message"]["body"], "Hi <b>there</b>",
        "JSON carries the text; pages escape it"
    );
    assert_eq!(seen["conversation"]["status"], "AWAITING_ADMIN");
    assert!(
        bob_ws.silent(Duration::from_millis(400)).await.is_none(),
        "another customer hears nothing"
    );

    // Alice's other tabs and devices get her own message too.
    assert_eq!(
        alice_ws.next_of("message").await["message"]["id"].as_i64(),
        Some(message_id)
    );
    // A staff reply reaches Alice with the new status.
    ann_ws.send(json!({"type": "send", "conversation_id": id, "client_msg_id": "s-1", "body": "Hello Alice"})).await;
    ann_ws.next_of("ack").await;
    let reply = alice_ws.next_of("message").await;
    assert_eq!(reply["message"]["body"], "Hello Alice");
    assert_eq!(reply["conversation"]["status"], "AWAITING_USER");
}

/// A client may send without waiting for each ack: the messages are
/// stored in the order sent and acked in that order, each after its
/// commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sends_without_waiting_for_acks_are_stored_and_acked_in_order() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Quick typist").await;
    let mut alice_ws = Client::open(&url, "u-alice").await;
    let mut ann_ws = Client::open(&url, "u-ann").await;
    // Within the default rate limit (120 a minute).
    const N: usize = 100;
    for n in 0..N {
        alice_ws.send(json!({"type": "send", "conversation_id": id, "client_msg_id": format!("q-{n}"), "body": format!("line {n}")})).await;
    }
    let mut acked = Vec::new();
    while acked.len() < N {
        let ack = alice_ws.next_of("ack").await;
        acked.push((
            ack["client_msg_id"].as_str().unwrap_or_default().to_owned(),
            ack["message_id"].as_i64().expect("id"),
        ));
    }
    let expected: Vec<String> = (0..N).map(|n| format!("q-{n}")).collect();
    assert_eq!(
        acked.iter().map(|(c, _)| c.clone()).collect::<Vec<_>>(),
        expected,
        "acks in the order sent"
    );
    assert!(
        acked.windows(2).all(|w| w[0].1 < w[1].1),
        "stored in the order sent"
    );
    let mut seen = Vec::new();
    while seen.len() < N {
        let frame = ann_ws.next_of("message").await;
        seen.push(
            frame["message"]["body"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        );
    }
    let lines: Vec<String> = (0..N).map(|n| format!("line {n}")).collect();
    assert_eq!(seen, lines, "staff get each once, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_client_id_sent_twice_concurrently_stores_one_message() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Twice").await;
    let mut first = Client::open(&url, "u-alice").await;
    let mut second = Client::open(&url, "u-alice").await;
    let frame = json!({"type": "send", "conversation_id": id, "client_msg_id": "dup-1", "body": "Only once"});
    let (a, b) = tokio::join!(first.send(frame.clone()), second.send(frame));
    let _ = (a, b);
    let (ack_a, ack_b) = tokio::join!(first.next_of("ack"), second.next_of("ack"));
    assert_eq!(ack_a["message_id"], ack_b["message_id"]);
    assert!(
        ack_a["created"].as_bool() != ack_b["created"].as_bool(),
        "one stored it, the other got it back"
    );
    let view = t
        .service()
        .get_conversation(&alice(), id, None, 50)
        .await
        .expect("loads");
    assert_eq!(
        view.messages
            .iter()
            .filter(|m| m.body == "Only once")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_cannot_send_type_or_read_in_another_customers_conversation() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Alice only").await;
    let mut bob_ws = Client::open(&url, "u-bob").await;
    let mut alice_ws = Client::open(&url, "u-alice").await;
    for frame in [
        json!({"type": "send", "ref": "x", "conversation_id": id, "client_msg_id": "b-1", "body": "Let me in"}),
        json!({"type": "typing", "ref": "x", "conversation_id": id, "typing": true}),
        json!({"type": "read", "ref": "x", "conversation_id": id}),
    ] {
        bob_ws.send(frame).await;
        let error = bob_ws.next_of("error").await;
        assert_eq!(
            (error["code"].as_str(), error["ref"].as_str()),
            (Some("conversation_not_found"), Some("x"))
        );
    }
    assert!(
        alice_ws.silent(Duration::from_millis(300)).await.is_none(),
        "Alice saw no typing from Bob"
    );
    let view = t
        .service()
        .get_conversation(&alice(), id, None, 50)
        .await
        .expect("loads");
    assert_eq!(view.messages.len(), 1);
    // Bad frames are refused with a reason, the connection stays.
    bob_ws.send(json!({"type": "shout"})).await;
    assert_eq!(bob_ws.next_of("error").await["code"], "bad_frame");
    bob_ws.send(json!({"type": "send", "ref": "e", "conversation_id": id, "client_msg_id": "b-2", "body": "   "})).await;
    assert_eq!(bob_ws.next_of("error").await["code"], "invalid");
    bob_ws.send(json!({"type": "ping", "ref": "p"})).await;
    assert_eq!(bob_ws.next_of("pong").await["ref"], "p");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_and_read_receipts_reach_the_other_side() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Receipts").await;
    let mut alice_ws = Client::open(&url, "u-alice").await;
    let mut ann_ws = Client::open(&url, "u-ann").await;
    assert_eq!(
        alice_ws.next_of("presence").await["online"],
        true,
        "the store came online"
    );
    alice_ws
        .send(json!({"type": "typing", "conversation_id": id, "typing": true}))
        .await;
    let typing = ann_ws.next_of("typing").await;
    assert_eq!(
        (typing["user"]["id"].as_str(), typing["typing"].as_bool()),
        (Some("u-alice"), Some(true))
    );
    assert!(
        alice_ws.silent(Duration::from_millis(300)).await.is_none(),
        "not echoed to the typist"
    );
    ann_ws
        .send(json!({"type": "read", "conversation_id": id}))
        .await;
    let receipt = alice_ws.next_of("receipt").await;
    assert_eq!(
        (receipt["state"].as_str(), receipt["side"].as_str()),
        (Some("seen"), Some("store"))
    );
    assert!(
        t.service()
            .get_conversation(&ann(), id, None, 1)
            .await
            .expect("loads")
            .conversation
            .is_read_by_admin()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_frame_closes_1009_and_bad_utf8_closes_1007_harming_no_one_else() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Limits").await;
    let mut bystander = Client::open(&url, "u-ann").await;

    let mut big = Client::open(&url, "u-alice").await;
    let huge = "x".repeat(70 * 1024);
    big.send(json!({"type": "send", "conversation_id": id, "client_msg_id": "big", "body": huge}))
        .await;
    assert_eq!(big.closed_with().await, 1009);

    let mut broken = Client::open(&url, "u-alice").await;
    let frame = Frame::message(vec![0xff, 0xfe, 0x22], OpCode::Data(Data::Text), true);
    broken
        .ws
        .send(Message::Frame(frame))
        .await
        .expect("raw frame");
    assert_eq!(broken.closed_with().await, 1007);

    bystander
        .send(json!({"type": "ping", "ref": "still-here"}))
        .await;
    assert_eq!(bystander.next_of("pong").await["ref"], "still-here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_stops_one_sender_only_and_connections_are_capped() {
    let t = TestChat::sqlite_with(|config| {
        config.email.transport = storechat::MailTransport::Disabled;
        config.realtime.messages_per_minute = 3;
        config.realtime.max_connections_per_user = 2;
    })
    .await;
    let (url, _server) = serve(&t.chat);
    let alices = open_conversation(&t, &alice(), "Fast").await;
    let bobs = open_conversation(&t, &bob(), "Calm").await;
    let mut alice_ws = Client::open(&url, "u-alice").await;
    for n in 0..3 {
        alice_ws.send(json!({"type": "send", "conversation_id": alices, "client_msg_id": format!("f-{n}"), "body": "quick"})).await;
        alice_ws.next_of("ack").await;
    }
    alice_ws.send(json!({"type": "send", "ref": "4", "conversation_id": alices, "client_msg_id": "f-4", "body": "too quick"})).await;
    let error = alice_ws.next_of("error").await;
    assert_eq!(
        (error["code"].as_str(), error["ref"].as_str()),
        (Some("rate_limited"), Some("4"))
    );
    let mut bob_ws = Client::open(&url, "u-bob").await;
    bob_ws.send(json!({"type": "send", "conversation_id": bobs, "client_msg_id": "b-1", "body": "fine"})).await;
    assert_eq!(
        bob_ws.next_of("ack").await["created"],
        true,
        "other people are not limited"
    );

    let _second = Client::open(&url, "u-alice").await;
    assert_eq!(
        connect(&url, Some("u-alice"), Some(ORIGIN)).await.err(),
        Some(429),
        "a third connection is refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_closes_the_persons_connections_with_1008() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let mut alice_ws = Client::open(&url, "u-alice").await;
    let mut ann_ws = Client::open(&url, "u-ann").await;
    t.chat.disconnect_user("u-alice");
    assert_eq!(alice_ws.closed_with().await, 1008);
    ann_ws.send(json!({"type": "ping"})).await;
    assert_eq!(ann_ws.next_of("pong").await["type"], "pong");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_edit_and_delete_their_own_messages_and_everyone_reacts() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Edits").await;
    let mut alice_ws = Client::open(&url, "u-alice").await;
    let mut ann_ws = Client::open(&url, "u-ann").await;
    let mut bob_ws = Client::open(&url, "u-bob").await;
    alice_ws.send(json!({"type": "send", "conversation_id": id, "client_msg_id": "e-1", "body": "Typo hre"})).await;
    let mine = alice_ws.next_of("ack").await["message_id"]
        .as_i64()
        .expect("id");
    ann_ws.send(json!({"type": "send", "conversation_id": id, "client_msg_id": "s-1", "body": "Staff words"})).await;
    let staffs = ann_ws.next_of("ack").await["message_id"]
        .as_i64()
        .expect("id");

    alice_ws
        .send(json!({"type": "edit", "ref": "e", "message_id": mine, "body": "Typo here"}))
        .await;
    assert_eq!(alice_ws.next_of("done").await["ref"], "e");
    let edited = ann_ws.next_of("message_edited").await;
    assert_eq!(
        (
            edited["message"]["body"].as_str(),
            edited["message"]["edited_at"].is_null()
        ),
        (Some("Typo here"), false)
    );
    // Nobody edits another's message; a stranger cannot even see it.
    alice_ws
        .send(json!({"type": "edit", "ref": "x", "message_id": staffs, "body": "Hijacked"}))
        .await;
    assert_eq!(alice_ws.next_of("error").await["code"], "forbidden");
    bob_ws
        .send(json!({"type": "edit", "ref": "x", "message_id": mine, "body": "Bob was here"}))
        .await;
    assert_eq!(bob_ws.next_of("error").await["code"], "message_not_found");
    bob_ws
        .send(json!({"type": "react", "ref": "x", "message_id": mine, "emoji": "heart"}))
        .await;
    assert_eq!(bob_ws.next_of("error").await["code"], "message_not_found");
    bob_ws
        .send(json!({"type": "delete", "ref": "x", "message_id": mine}))
        .await;
    assert_eq!(bob_ws.next_of("error").await["code"], "message_not_found");

    ann_ws
        .send(json!({"type": "react", "ref": "r", "message_id": mine, "emoji": "thumbs_up"}))
        .await;
    assert_eq!(ann_ws.next_of("done").await["ref"], "r");
    let reaction = alice_ws.next_of("reaction").await;
    assert_eq!(
        (
            reaction["emoji"].as_str(),
            reaction["added"].as_bool(),
            reaction["user"]["id"].as_str()
        ),
        (Some("thumbs_up"), Some(true), Some("u-ann"))
    );
    ann_ws
        .send(json!({"type": "unreact", "message_id": mine, "emoji": "thumbs_up"}))
        .await;
    assert_eq!(alice_ws.next_of("reaction").await["added"], false);
    alice_ws
        .send(json!({"type": "react", "ref": "bad", "message_id": staffs, "emoji": "poop"}))
        .await;
    assert_eq!(alice_ws.next_of("error").await["code"], "invalid");

    alice_ws
        .send(json!({"type": "delete", "ref": "d", "message_id": mine}))
        .await;
    assert_eq!(alice_ws.next_of("done").await["ref"], "d");
    let deleted = ann_ws.next_of("message_deleted").await;
    assert_eq!(deleted["message_id"].as_i64(), Some(mine));
    let view = t
        .service()
        .get_conversation(&ann(), id, None, 50)
        .await
        .expect("loads");
    let row = view.messages.iter().find(|m| m.id == mine).expect("kept");
    assert!(row.is_deleted());
    assert_eq!(row.body, "Typo here", "kept for the record");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presence_and_delivered_receipts() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Presence").await;
    let mut alice_ws = Client::open(&url, "u-alice").await;
    let mut ann_ws = connect(&url, Some("u-ann"), Some(ORIGIN))
        .await
        .expect("staff connects");
    let hello = ann_ws.next().await;
    assert_eq!(hello["type"], "hello");
    let store = alice_ws.next_of("presence").await;
    assert_eq!(
        (store["user"]["side"].as_str(), store["online"].as_bool()),
        (Some("store"), Some(true))
    );
    // A customer connecting is announced to staff; leaving too.
    let mut bob_ws = Client::open(&url, "u-bob").await;
    let online = ann_ws.next_of("presence").await;
    assert_eq!(
        (online["user"]["id"].as_str(), online["online"].as_bool()),
        (Some("u-bob"), Some(true))
    );
    bob_ws.ws.close(None).await.expect("close");
    let offline = ann_ws.next_of("presence").await;
    assert_eq!(
        (offline["user"]["id"].as_str(), offline["online"].as_bool()),
        (Some("u-bob"), Some(false))
    );
    // Delivered: the customer's client has the message; staff see it.
    ann_ws
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "p-1", "body": "Hi"}))
        .await;
    let message_id = ann_ws.next_of("ack").await["message_id"]
        .as_i64()
        .expect("id");
    alice_ws.next_of("message").await;
    alice_ws
        .send(json!({"type": "delivered", "conversation_id": id, "up_to": message_id}))
        .await;
    let receipt = ann_ws.next_of("receipt").await;
    assert_eq!(
        (
            receipt["state"].as_str(),
            receipt["side"].as_str(),
            receipt["up_to"].as_i64()
        ),
        (Some("delivered"), Some("customer"), Some(message_id))
    );
    // Hello tells a customer the store is online and their unread total.
    let again = connect(&url, Some("u-alice"), Some(ORIGIN))
        .await
        .expect("second tab");
    let mut again = again;
    let hello = again.next().await;
    assert_eq!(
        (hello["store_online"].as_bool(), hello["unread"].as_i64()),
        (Some(true), Some(1))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_brings_exactly_the_missed_messages_in_order() {
    let t = TestChat::sqlite().await;
    let (url, _server) = serve(&t.chat);
    let id = open_conversation(&t, &alice(), "Resume").await;
    let other = open_conversation(&t, &alice(), "Quiet").await;
    let mut alice_ws = Client::open(&url, "u-alice").await;
    alice_ws.send(json!({"type": "send", "conversation_id": id, "client_msg_id": "r-0", "body": "before"})).await;
    let last_seen = alice_ws.next_of("ack").await["message_id"]
        .as_i64()
        .expect("id");
    alice_ws.ws.close(None).await.expect("disconnect");

    // Meanwhile the store writes N messages.
    let n = 7;
    let mut written = Vec::new();
    for k in 0..n {
        let reply = storechat::service::SendMessage {
            body: storechat::domain::MessageBody::parse(&format!("missed {k}")).expect("body"),
            client_msg_id: None,
            reply_to: None,
        };
        written.push(
            t.service()
                .send_message(&ann(), id, reply)
                .await
                .expect("sent")
                .message
                .id,
        );
    }
    let mut back = Client::open(&url, "u-alice").await;
    back.send(json!({"type": "resume", "ref": "rs", "conversations": {id.to_string(): last_seen, other.to_string(): 999_999}})).await;
    let mut got = Vec::new();
    loop {
        let frame = back.next().await;
        match frame["type"].as_str() {
            Some("message") => got.push(frame["message"]["id"].as_i64().expect("id")),
            Some("resumed") => {
                assert_eq!(frame["ref"], "rs");
                break;
            }
            _ => {}
        }
    }
    assert_eq!(got, written, "exactly the missed messages, in order");
    // Nothing comes twice afterwards, and new messages still flow.
    assert!(back.silent(Duration::from_millis(300)).await.is_none());
    let reply = storechat::service::SendMessage {
        body: storechat::domain::MessageBody::parse("after").expect("body"),
        client_msg_id: None,
        reply_to: None,
    };
    let after = t
        .service()
        .send_message(&ann(), id, reply)
        .await
        .expect("sent")
        .message
        .id;
    assert_eq!(
        back.next_of("message").await["message"]["id"].as_i64(),
        Some(after)
    );
    // Too much missed: reload.
    let t2 = TestChat::sqlite().await;
    let (url2, _server2) = serve(&t2.chat);
    let busy = open_conversation(&t2, &alice(), "Busy").await;
    for k in 0..501 {
        let reply = storechat::service::SendMessage {
            body: storechat::domain::MessageBody::parse(&format!("m{k}")).expect("body"),
            client_msg_id: None,
            reply_to: None,
        };
        t2.service()
            .send_message(&ann(), busy, reply)
            .await
            .expect("sent");
    }
    let mut late = Client::open(&url2, "u-alice").await;
    late.send(json!({"type": "resume", "conversations": {busy.to_string(): 0}}))
        .await;
    assert_eq!(
        late.next_of("reload").await["conversation_id"].as_i64(),
        Some(busy)
    );
}
