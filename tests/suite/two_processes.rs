//! Two processes on one PostgreSQL database behave as one: two plugin
//! instances on the same schema, each behind its own HTTP server, with a
//! customer connected to one and staff to the other. Events cross through
//! LISTEN/NOTIFY; each process delivers its own events once; installs in
//! another schema of the same database hear nothing. Skipped (with a note)
//! without `STORECHAT_TEST_PG_URL`.

use std::net::TcpListener;
use std::time::Duration;

use actix_web::{App, HttpServer};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use storechat::Storechat;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{TestChat, alice, ann};

const ORIGIN: &str = "http://127.0.0.1:8080";
/// Far longer than a NOTIFY round trip on one machine.
const SETTLE: Duration = Duration::from_millis(1_000);

/// One "process": a plugin instance behind its own HTTP server.
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

impl Client {
    async fn open(url: &str, user: &str) -> Client {
        let mut request = url.into_client_request().expect("request");
        let headers = request.headers_mut();
        headers.insert("x-test-user", user.parse().expect("header"));
        headers.insert("origin", ORIGIN.parse().expect("header"));
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("upgrade accepted");
        let mut client = Client { ws };
        let hello = client.within(Duration::from_secs(5)).await;
        assert_eq!(
            hello.as_ref().map(|h| h["type"].clone()),
            Some(json!("hello"))
        );
        client
    }

    async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .expect("send");
    }

    /// The next JSON frame within `wait`, or `None`.
    async fn within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return None,
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Some(serde_json::from_str(&text).expect("json frame"));
                }
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                other => panic!("expected a frame, got {other:?}"),
            }
        }
    }

    /// The next frame of a type within `wait`, skipping others.
    async fn of_within(&mut self, kind: &str, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = self.within(left).await?;
            if frame["type"] == kind {
                return Some(frame);
            }
        }
    }

    /// The next frame of a type; fails the test after 5 s.
    async fn next_of(&mut self, kind: &str) -> Value {
        match self.of_within(kind, Duration::from_secs(5)).await {
            Some(frame) => frame,
            None => panic!("no {kind} frame within 5 s"),
        }
    }

    /// The next `message` frame about a message, skipping others (the
    /// opening message may arrive late from the other process).
    async fn message(&mut self, message_id: i64) -> Value {
        loop {
            let frame = self.next_of("message").await;
            if frame["message"]["id"].as_i64() == Some(message_id) {
                return frame;
            }
        }
    }

    /// Every frame of a type that arrives within `wait`.
    async fn all_of_within(&mut self, kind: &str, wait: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut frames = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.within(left).await {
                Some(frame) if frame["type"] == kind => frames.push(frame),
                Some(_) => {}
                None => return frames,
            }
        }
    }
}

/// `from` says it is typing until `to`, on the other process, hears it:
/// proves that `to`'s process listens. Returns the typing frame.
async fn typing_reaches(from: &mut Client, to: &mut Client, conversation_id: i64) -> Value {
    for _ in 0..50 {
        from.send(json!({"type": "typing", "conversation_id": conversation_id, "typing": true}))
            .await;
        if let Some(frame) = to.of_within("typing", Duration::from_millis(200)).await {
            return frame;
        }
    }
    panic!("typing did not cross processes within 10 s");
}

async fn open_conversation(chat: &Storechat, subject: &str) -> i64 {
    let input =
        storechat::service::OpenConversation::parse(subject, "Hello", None, None).expect("valid");
    chat.service()
        .open_conversation(&alice(), input)
        .await
        .expect("opens")
        .conversation
        .id
}

/// Process A (the test's instance) and process B (another instance on the
/// same schema), each served; `None` without PostgreSQL.
async fn two_processes() -> Option<(TestChat, Storechat, String, String, (Server, Server))> {
    let a = TestChat::postgres().await?;
    let b = a.another_instance(|_| {}).await;
    let ((url_a, server_a), (url_b, server_b)) = (serve(&a.chat), serve(&b));
    Some((a, b, url_a, url_b, (server_a, server_b)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_on_one_process_and_staff_on_another_chat_live() {
    let Some((a, b, url_a, url_b, _servers)) = two_processes().await else {
        return;
    };
    let id = open_conversation(&a.chat, "Across processes").await;
    let mut customer = Client::open(&url_a, "u-alice").await;
    let mut staff = Client::open(&url_b, "u-ann").await;

    // Typing crosses both ways (and so both processes listen).
    let typing = typing_reaches(&mut customer, &mut staff, id).await;
    assert_eq!(
        (
            typing["conversation_id"].as_i64(),
            typing["user"]["id"].as_str(),
            typing["typing"].as_bool()
        ),
        (Some(id), Some("u-alice"), Some(true))
    );
    let typing = typing_reaches(&mut staff, &mut customer, id).await;
    assert_eq!(typing["user"]["id"], "u-ann");

    // The customer writes on A; staff on B sees the message as committed.
    customer
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "x-1", "body": "Is my parcel lost?"}))
        .await;
    let ack = customer.next_of("ack").await;
    let asked = ack["message_id"].as_i64().expect("message id");
    let seen = staff.message(asked).await;
    assert_eq!(
        (
            seen["message"]["id"].as_i64(),
            seen["message"]["body"].as_str(),
            seen["conversation"]["status"].as_str()
        ),
        (
            Some(asked),
            Some("Is my parcel lost?"),
            Some("AWAITING_ADMIN")
        )
    );

    // Staff reads on B; the receipt reaches the customer on A.
    staff
        .send(json!({"type": "read", "conversation_id": id}))
        .await;
    let receipt = customer.next_of("receipt").await;
    assert_eq!(
        (
            receipt["conversation_id"].as_i64(),
            receipt["state"].as_str(),
            receipt["side"].as_str(),
            receipt["up_to"].as_i64()
        ),
        (Some(id), Some("seen"), Some("store"), Some(asked))
    );

    // Staff answers on B; the customer on A sees it.
    staff
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "y-1", "body": "It left today."}))
        .await;
    let answered = staff.next_of("ack").await["message_id"]
        .as_i64()
        .expect("message id");
    let reply = customer.message(answered).await;
    assert_eq!(
        (
            reply["message"]["id"].as_i64(),
            reply["message"]["body"].as_str(),
            reply["message"]["sender_side"].as_str()
        ),
        (Some(answered), Some("It left today."), Some("staff"))
    );

    // The customer reads on A; the receipt reaches staff on B.
    customer
        .send(json!({"type": "read", "conversation_id": id}))
        .await;
    let receipt = staff.next_of("receipt").await;
    assert_eq!(
        (receipt["side"].as_str(), receipt["up_to"].as_i64()),
        (Some("customer"), Some(answered))
    );

    // A status change made through B's service reaches A too.
    b.service()
        .set_status(&ann(), id, storechat::Status::Resolved)
        .await
        .expect("status set");
    let change = loop {
        let frame = customer.next_of("message").await;
        if frame["message"]["kind"] == "system" {
            break frame;
        }
    };
    assert_eq!(
        (
            change["message"]["kind"].as_str(),
            change["conversation"]["status"].as_str()
        ),
        (Some("system"), Some("RESOLVED"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_process_delivers_an_event_exactly_once() {
    let Some((_a, _b, url_a, url_b, _servers)) = two_processes().await else {
        return;
    };
    let id = open_conversation(&_a.chat, "Once").await;
    let mut customer = Client::open(&url_a, "u-alice").await;
    let mut other_tab = Client::open(&url_a, "u-alice").await;
    let mut staff = Client::open(&url_b, "u-ann").await;
    // Both listeners are up: A hears B and B hears A.
    typing_reaches(&mut customer, &mut staff, id).await;
    typing_reaches(&mut staff, &mut customer, id).await;
    other_tab
        .all_of_within("typing", Duration::from_millis(300))
        .await;

    customer
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "once-1", "body": "Once"}))
        .await;
    let sent = customer.next_of("ack").await["message_id"]
        .as_i64()
        .expect("message id");
    let frames_of = |frames: Vec<Value>| {
        frames
            .into_iter()
            .filter(|f| f["message"]["id"].as_i64() == Some(sent))
            .count()
    };
    // The writer's process delivers locally and skips its own notice.
    let mine = customer.all_of_within("message", SETTLE).await;
    assert_eq!(frames_of(mine), 1, "the writer's own frame, once");
    let tab = other_tab.all_of_within("message", SETTLE).await;
    assert_eq!(frames_of(tab), 1, "the writer's other tab, once");
    // The other process delivers what it heard, once.
    let theirs = staff.all_of_within("message", SETTLE).await;
    assert_eq!(frames_of(theirs), 1, "staff on the other process, once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_install_in_another_schema_of_the_same_database_hears_nothing() {
    let Some((a, _b, url_a, url_b, _servers)) = two_processes().await else {
        return;
    };
    let Some((other, other_b, url_other, url_other_b, _other_servers)) = two_processes().await
    else {
        return;
    };
    // Same ids in both schemas: a notice read in the wrong schema would
    // find a row and be delivered.
    let id = open_conversation(&a.chat, "Here").await;
    assert_eq!(open_conversation(&other.chat, "There").await, id);
    let mut customer = Client::open(&url_a, "u-alice").await;
    let mut staff = Client::open(&url_b, "u-ann").await;
    let mut bystander = Client::open(&url_other, "u-ann").await;
    let mut bystander_b = Client::open(&url_other_b, "u-alice").await;
    typing_reaches(&mut customer, &mut staff, id).await;
    typing_reaches(&mut staff, &mut customer, id).await;
    // The other install listens too.
    typing_reaches(&mut bystander_b, &mut bystander, id).await;
    // Forget what came before (typing, the opening of "There").
    bystander
        .all_of_within("", Duration::from_millis(300))
        .await;
    bystander_b
        .all_of_within("", Duration::from_millis(300))
        .await;

    customer
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "s-1", "body": "Hi"}))
        .await;
    let sent = customer.next_of("ack").await["message_id"]
        .as_i64()
        .expect("message id");
    staff.message(sent).await;
    staff
        .send(json!({"type": "read", "conversation_id": id}))
        .await;
    customer.next_of("receipt").await;
    assert_eq!(
        bystander.within(SETTLE).await,
        None,
        "staff of the other install"
    );
    assert_eq!(
        bystander_b.within(Duration::from_millis(100)).await,
        None,
        "the customer of the other install"
    );
    drop(other_b);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_that_loses_its_connection_reconnects() {
    use diesel::{Connection, PgConnection, RunQueryDsl, sql_types::BigInt};
    let Some(a) = TestChat::postgres().await else {
        return;
    };
    // B's connections carry a name of their own, so that only its listener
    // is cut (other tests run alongside).
    let name = format!("storechat-test-{:016x}", rand::random::<u64>());
    let b = a
        .another_instance(|c| {
            c.database_url
                .push_str(&format!("&application_name={name}"))
        })
        .await;
    let ((url_a, _server_a), (url_b, _server_b)) = (serve(&a.chat), serve(&b));
    let id = open_conversation(&a.chat, "Reconnect").await;
    let mut customer = Client::open(&url_a, "u-alice").await;
    let mut staff = Client::open(&url_b, "u-ann").await;
    typing_reaches(&mut customer, &mut staff, id).await;

    let admin_url = std::env::var(crate::support::backend::PG_URL_VAR).expect("set");
    let mut admin = PgConnection::establish(&admin_url).expect("connects");
    let cut: i64 = diesel::select(diesel::dsl::sql::<BigInt>(&format!(
        "(SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE application_name = '{name}' AND query LIKE 'LISTEN%')"
    )))
    .get_result(&mut admin)
    .expect("terminates");
    assert_eq!(cut, 1, "B's listener was cut");

    // B listens again within a second or so, and hears A.
    customer
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "r-1", "body": "Still there?"}))
        .await;
    let sent = customer.next_of("ack").await["message_id"]
        .as_i64()
        .expect("message id");
    typing_reaches(&mut customer, &mut staff, id).await;
    customer
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "r-2", "body": "Hello again"}))
        .await;
    let again = customer.next_of("ack").await["message_id"]
        .as_i64()
        .expect("message id");
    assert!(again > sent);
    assert_eq!(staff.message(again).await["message"]["body"], "Hello again");
}

/// The notices on the channel about the tables of `schema`, as JSON, that
/// `watcher` (a plain `LISTEN`ing connection) has received so far.
fn notices_about(watcher: &mut diesel::PgConnection, schema: &str) -> Vec<Value> {
    use diesel::{RunQueryDsl, sql_types::BigInt};
    // A query reads whatever the server sent meanwhile.
    let scope: i64 = diesel::select(diesel::dsl::sql::<BigInt>(&format!(
        "'{schema}.storechat_conversations'::regclass::oid::bigint"
    )))
    .get_result(watcher)
    .expect("scope");
    watcher
        .notifications_iter()
        .filter_map(Result::ok)
        .filter_map(|n| serde_json::from_str::<Value>(&n.payload).ok())
        .filter(|notice| notice["scope"].as_i64() == Some(scope))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_alone_sends_no_notices_until_another_one_listens() {
    use diesel::{Connection, PgConnection, RunQueryDsl};
    let Some(a) = TestChat::postgres().await else {
        return;
    };
    let schema = a.pg_schema().expect("a PostgreSQL schema").to_owned();
    let admin_url = std::env::var(crate::support::backend::PG_URL_VAR).expect("set");
    let mut watcher = PgConnection::establish(&admin_url).expect("connects");
    diesel::sql_query(format!("LISTEN {}", storechat::realtime::fanout::CHANNEL))
        .execute(&mut watcher)
        .expect("listens");
    let (url_a, _server_a) = serve(&a.chat);
    let id = open_conversation(&a.chat, "Alone").await;
    let mut customer = Client::open(&url_a, "u-alice").await;
    customer
        .send(json!({"type": "send", "conversation_id": id, "client_msg_id": "a-1", "body": "Anyone?"}))
        .await;
    customer.next_of("ack").await;
    tokio::time::sleep(SETTLE).await;
    // Only its own hello when its listener connected; no event.
    let alone = notices_about(&mut watcher, &schema);
    assert!(
        alone.iter().all(|n| n["kind"] == "hello"),
        "nobody else listens: no notices of events: {alone:?}"
    );

    // A second process announces itself, the first answers, and from then
    // on each tells the other.
    let b = a.another_instance(|_| {}).await;
    let (url_b, _server_b) = serve(&b);
    let mut staff = Client::open(&url_b, "u-ann").await;
    typing_reaches(&mut customer, &mut staff, id).await;
    customer
        .send(
            json!({"type": "send", "conversation_id": id, "client_msg_id": "a-2", "body": "Now?"}),
        )
        .await;
    let sent = customer.next_of("ack").await["message_id"]
        .as_i64()
        .expect("message id");
    assert_eq!(staff.message(sent).await["message"]["body"], "Now?");
    let together = notices_about(&mut watcher, &schema);
    let kinds: Vec<&str> = together.iter().filter_map(|n| n["kind"].as_str()).collect();
    assert!(
        kinds.contains(&"hello"),
        "the second process said hello: {kinds:?}"
    );
    assert!(kinds.contains(&"here"), "the first answered: {kinds:?}");
    assert!(
        together
            .iter()
            .any(|n| n["kind"] == "message_created" && n["message"].as_i64() == Some(sent)),
        "the message's notice went out: {together:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_and_reactions_cross_processes_too() {
    let Some((a, _b, url_a, url_b, _servers)) = two_processes().await else {
        return;
    };
    let id = open_conversation(&a.chat, "Edits across").await;
    let mut customer = Client::open(&url_a, "u-alice").await;
    let mut staff = Client::open(&url_b, "u-ann").await;
    customer
        .send(
            json!({"type": "send", "conversation_id": id, "client_msg_id": "e-1", "body": "Helo"}),
        )
        .await;
    let mine = customer.next_of("ack").await["message_id"]
        .as_i64()
        .expect("id");
    staff.message(mine).await;
    customer
        .send(json!({"type": "edit", "message_id": mine, "body": "Hello"}))
        .await;
    let edited = staff.next_of("message_edited").await;
    assert_eq!(edited["message"]["body"], "Hello");
    staff
        .send(json!({"type": "react", "message_id": mine, "emoji": "heart"}))
        .await;
    let reaction = customer.next_of("reaction").await;
    assert_eq!(
        (reaction["emoji"].as_str(), reaction["user"]["id"].as_str()),
        (Some("heart"), Some("u-ann"))
    );
}
