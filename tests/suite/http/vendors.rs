//! Marketplace vendors in the running example store: Victor sees and
//! answers the questions about his products in the admin panels (scoped by
//! the plugin) and on his vendor dashboard; Vera, another vendor, reaches
//! none of them by page, API or WebSocket; a customer's message reaches
//! Victor live, not Vera; the vendor's reply moves the status like the
//! store's and notifies the customer.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use host_example::demo::{ANN, BOB, OPEN_ORDER_QUESTION, VENDOR_PRODUCT_QUESTION, VERA, VICTOR};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::api::{Api, conversation_id};
use super::app::{TestApp, get, hidden, post};

const ADMIN: &str = "/admin/dashboard/conversation";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendors_see_only_their_products_conversations_in_the_panels() {
    let app = TestApp::spawn().await;
    let staff = Api::signed_in(&app, ANN).await;
    let theirs = conversation_id(&staff, VENDOR_PRODUCT_QUESTION.subject).await;
    let not_theirs = conversation_id(&staff, OPEN_ORDER_QUESTION.subject).await;
    let victor = app.sign_in(VICTOR.email, VICTOR.password).await;
    let vera = app.sign_in(VERA.email, VERA.password).await;

    // Sign-in lands on the vendor dashboard.
    let (status, dashboard) = get(&victor, app.url("/vendor/")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(dashboard.contains(VENDOR_PRODUCT_QUESTION.subject));
    assert!(
        dashboard.contains("Stoneware Pour-Over Set")
            && dashboard.contains("Hand-thrown Ceramic Bowl")
    );
    assert!(
        !dashboard.contains("Stoneware Mug"),
        "Vera's product is not his"
    );
    let (_, vera_dashboard) = get(&vera, app.url("/vendor/")).await;
    assert!(!vera_dashboard.contains(VENDOR_PRODUCT_QUESTION.subject));
    assert!(vera_dashboard.contains("Stoneware Mug"));

    let (status, list) = get(&victor, app.url(&format!("{ADMIN}/"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(VENDOR_PRODUCT_QUESTION.subject));
    assert!(
        !list.contains(OPEN_ORDER_QUESTION.subject),
        "only his products'"
    );
    assert!(
        !list.contains("/bulk/") && !list.contains("Start a conversation"),
        "no store tools"
    );
    let (_, vera_list) = get(&vera, app.url(&format!("{ADMIN}/"))).await;
    assert!(!vera_list.contains(VENDOR_PRODUCT_QUESTION.subject));

    let (status, change) = get(&victor, app.url(&format!("{ADMIN}/{theirs}/change/"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(change.contains("name=\"reply_body\""));
    assert!(
        !change.contains("<select name=\"status\">"),
        "no status override"
    );
    assert!(
        !change.contains("/customer-action/"),
        "no store customer tools"
    );
    for (who, client, id) in [("Victor", &victor, not_theirs), ("Vera", &vera, theirs)] {
        let (status, _) = get(client, app.url(&format!("{ADMIN}/{id}/change/"))).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{who} on another's conversation"
        );
    }

    // His reply from the change view: the store's side of the conversation.
    let token = hidden(&change, "csrf_token").expect("token");
    let was = hidden(&change, "status_was").expect("status_was");
    let (status, _, _) = post(
        &victor,
        app.url(&format!("{ADMIN}/{theirs}/change/")),
        &[
            ("csrf_token", token.as_str()),
            ("status_was", was.as_str()),
            ("status", was.as_str()),
            ("reply_body", "It is dishwasher safe, yes."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let bob = Api::signed_in(&app, BOB).await;
    let seen = bob.get(&format!("/conversations/{theirs}")).await;
    assert_eq!(seen.body["conversation"]["status"], "AWAITING_USER");
    let last = seen.body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["sender_side"], "vendor");
    assert_eq!(last["body"], "It is dishwasher safe, yes.");
    let alerts = bob.get("/notifications").await;
    assert!(
        alerts.body["items"].as_array().is_some_and(|n| n
            .iter()
            .any(|a| a["conversation_id"] == theirs && a["read_at"].is_null())),
        "Bob is notified of the vendor's reply"
    );

    // A status override is the store's: refused, nothing changed.
    let (status, _, _) = post(
        &victor,
        app.url(&format!("{ADMIN}/{theirs}/change/")),
        &[
            ("csrf_token", token.as_str()),
            ("status_was", "AWAITING_USER"),
            ("status", "CLOSED"),
            ("reply_body", ""),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let after = bob.get(&format!("/conversations/{theirs}")).await;
    assert_eq!(after.body["conversation"]["status"], "AWAITING_USER");
}

struct Socket(
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
);

impl Socket {
    async fn open(app: &TestApp, token: &str) -> Socket {
        let url = app.base.replacen("http://", "ws://", 1) + "/storechat/ws";
        let mut request = url.into_client_request().expect("request");
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("upgrade");
        let mut socket = Socket(ws);
        socket.next_of("hello").await.expect("hello");
        socket
    }

    async fn send(&mut self, frame: Value) {
        self.0
            .send(Frame::text(frame.to_string()))
            .await
            .expect("send");
    }

    /// The next frame of this type within a second, skipping others.
    async fn next_of(&mut self, kind: &str) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
        loop {
            let frame = tokio::time::timeout_at(deadline, self.0.next())
                .await
                .ok()??
                .ok()?;
            if let Frame::Text(text) = frame {
                let value: Value = serde_json::from_str(&text).ok()?;
                if value["type"] == kind {
                    return Some(value);
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_delivers_to_the_vendor_and_refuses_another_vendor() {
    let app = TestApp::spawn().await;
    let staff = Api::signed_in(&app, ANN).await;
    let id = conversation_id(&staff, VENDOR_PRODUCT_QUESTION.subject).await;
    let mut victor = Socket::open(&app, &super::api::token(&app, VICTOR).await).await;
    let mut vera = Socket::open(&app, &super::api::token(&app, VERA).await).await;
    let mut bob = Socket::open(&app, &super::api::token(&app, BOB).await).await;

    bob.send(json!({ "type": "send", "conversation_id": id, "client_msg_id": "bob-ws-1", "body": "Does it come in blue?" }))
        .await;
    let delivered = victor
        .next_of("message")
        .await
        .expect("Victor gets Bob's message live");
    assert_eq!(delivered["message"]["body"], "Does it come in blue?");
    assert!(vera.next_of("message").await.is_none(), "Vera gets nothing");

    // Vera can neither write in it nor react to it.
    vera.send(json!({ "type": "send", "ref": "v1", "conversation_id": id, "client_msg_id": "vera-1", "body": "Hi" }))
        .await;
    let refused = vera.next_of("error").await.expect("an error frame");
    assert_eq!(refused["ref"], "v1");
    let message = delivered["message"]["id"].clone();
    vera.send(json!({ "type": "react", "ref": "v2", "message_id": message, "emoji": "fire" }))
        .await;
    assert_eq!(vera.next_of("error").await.expect("refused")["ref"], "v2");

    // Victor answers over the socket; Bob has it live.
    victor
        .send(json!({ "type": "send", "conversation_id": id, "client_msg_id": "victor-ws-1", "body": "Only in oak, sorry." }))
        .await;
    assert_eq!(victor.next_of("ack").await.expect("ack")["created"], true);
    // (Bob's own message comes back to him first, for his other tabs.)
    let mut answer = bob.next_of("message").await.expect("Bob gets the answer");
    while answer["message"]["sender_side"] == "customer" {
        answer = bob.next_of("message").await.expect("Bob gets the answer");
    }
    assert_eq!(answer["message"]["sender_side"], "vendor");
    assert_eq!(answer["conversation"]["status"], "AWAITING_USER");
    let count =
        staff.get(&format!("/conversations/{id}")).await.body["conversation"]["message_count"]
            .as_i64()
            .expect("count");
    let history = staff
        .get(&format!("/conversations/{id}/messages?limit=100"))
        .await;
    assert_eq!(
        history.body["items"].as_array().map(Vec::len),
        Some(count as usize)
    );
    assert!(
        !history.body["items"]
            .as_array()
            .is_some_and(|m| m.iter().any(|x| x["body"] == "Hi")),
        "nothing of Vera's was stored"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_open_about_a_vendors_product_and_choose_who_answers() {
    let app = TestApp::spawn().await;
    let host = app.chat.service().host();
    let product = host
        .search_products("Pour-Over", 5)
        .await
        .expect("search")
        .into_iter()
        .next()
        .expect("Victor's pour-over set");
    let victor_id = product.vendor_id.clone().expect("sold by Victor");
    let alice_id = app.actor(host_example::demo::ALICE.email).await.id;

    // The create form offers the product's vendor first, and the store.
    let ann = app.sign_in(ANN.email, ANN.password).await;
    let (_, form) = get(
        &ann,
        app.url(&format!(
            "{ADMIN}/add/?customer={alice_id}&product={}",
            product.id
        )),
    )
    .await;
    assert!(form.contains("name=\"handled_by\""));
    assert!(form.contains("Victor Vendor (sells this product)"));
    let token = hidden(&form, "csrf_token").expect("token");
    let client = hidden(&form, "client_msg_id").expect("client id");
    let (status, _, location) = post(
        &ann,
        app.url(&format!("{ADMIN}/add/")),
        &[
            ("csrf_token", token.as_str()),
            ("client_msg_id", client.as_str()),
            ("customer", alice_id.as_str()),
            ("product", product.id.as_str()),
            ("handled_by", victor_id.as_str()),
            ("subject", "Your pour-over set"),
            ("body", "Victor will tell you about the glaze."),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location:?}");
    let staff = Api::signed_in(&app, ANN).await;
    let by_vendor = staff
        .get(&format!("/admin/conversations?vendor={victor_id}"))
        .await;
    assert!(
        by_vendor.body["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["subject"] == "Your pour-over set")),
        "the admin list's vendor filter finds it"
    );
    let victor = Api::signed_in(&app, VICTOR).await;
    let seen = victor.get("/admin/conversations").await;
    assert!(
        seen.body["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["subject"] == "Your pour-over set")),
        "it went to Victor"
    );

    // Through the API: "" keeps it with the store's staff.
    let kept = staff
        .post(
            "/admin/conversations",
            json!({ "customer_id": alice_id, "product_id": product.id, "vendor_id": "", "subject": "Store only", "body": "We'll handle this one." }),
        )
        .await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    assert!(kept.body["conversation"]["vendor"].is_null());
    let defaulted = staff
        .post(
            "/admin/conversations",
            json!({ "customer_id": alice_id, "product_id": product.id, "subject": "Default", "body": "Vendor by default." }),
        )
        .await;
    assert_eq!(defaulted.body["conversation"]["vendor"]["id"], victor_id);
    let nobody = staff
        .post(
            "/admin/conversations",
            json!({ "customer_id": alice_id, "vendor_id": alice_id, "subject": "x", "body": "y" }),
        )
        .await;
    assert_eq!(
        nobody.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a customer is not a vendor"
    );
    assert_eq!(nobody.body["details"]["field"], "vendor_id");
    let seen = victor.get("/admin/conversations").await;
    assert!(
        !seen.body["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|c| c["subject"] == "Store only")),
        "kept with the store"
    );
}
