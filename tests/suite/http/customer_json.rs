//! The customer's conversations as JSON (what the storefront widget uses):
//! `conversations.json` to list and to open, `{id}/messages.json` for a
//! conversation's history. Customers see only their own; posts must be JSON.

use host_example::demo::{ALICE, BOB, OPEN_ORDER_QUESTION};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use storechat::service::SendMessage;

use super::app::{TestApp, client, get};

const M: &str = "/dashboard/messages";

async fn get_json(client: &Client, url: String) -> (StatusCode, Value) {
    let (status, body) = get(client, url).await;
    let value = serde_json::from_str(&body).unwrap_or(Value::Null);
    (status, value)
}

async fn post_json(client: &Client, url: String, body: &Value) -> (StatusCode, Value) {
    let response = client.post(url).json(body).send().await.expect("POST");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_lists_her_conversations() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;

    let (status, page) = get_json(&alice, app.url(&format!("{M}/conversations.json"))).await;
    assert_eq!(status, StatusCode::OK);
    let items = page["conversations"].as_array().expect("a list");
    let alice_actor = app.actor(ALICE.email).await;
    assert_eq!(items.len(), app.conversation_count(&alice_actor).await);
    // Newest activity first: the demo opens the weekender question last.
    let newest = &items[0];
    assert_eq!(newest["subject"], OPEN_ORDER_QUESTION.subject);
    assert_eq!(newest["status"], "OPEN");
    assert_eq!(newest["customer_label"], "Waiting for the store");
    let id = newest["id"].as_i64().expect("id");
    assert_eq!(newest["href"], format!("{M}/{id}/"));
    assert!(
        newest["last_message_preview"]
            .as_str()
            .is_some_and(|p| !p.is_empty())
    );
    let at = newest["last_message_at"].as_str().expect("a time");
    assert!(
        chrono::DateTime::parse_from_rfc3339(at).is_ok(),
        "RFC 3339: {at}"
    );
    assert!(newest["unread_for_user"].is_i64());
    // The total matches the counters of the rows.
    let sum: i64 = items
        .iter()
        .map(|c| c["unread_for_user"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(page["unread"].as_i64(), Some(sum));
    // Bob's conversations are not in Alice's list.
    assert!(
        items
            .iter()
            .all(|c| c["subject"] != host_example::demo::INVOICE_RESOLVED.subject)
    );

    // A page at a time.
    let (_, first) = get_json(&alice, app.url(&format!("{M}/conversations.json?limit=1"))).await;
    assert_eq!(first["conversations"].as_array().map(Vec::len), Some(1));
    let after = first["next_after"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let (_, second) = get_json(
        &alice,
        app.url(&format!("{M}/conversations.json?limit=1&after={after}")),
    )
    .await;
    assert_eq!(second["conversations"][0]["id"], items[1]["id"]);

    // Not signed in: sent to sign in. Staff have no customer list.
    let anonymous = client()
        .get(app.url(&format!("{M}/conversations.json")))
        .send()
        .await
        .expect("GET");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    let ann = app
        .sign_in(
            host_example::demo::ANN.email,
            host_example::demo::ANN.password,
        )
        .await;
    let (status, refused) = get_json(&ann, app.url(&format!("{M}/conversations.json"))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(refused["error"], "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alice_opens_one_and_reads_its_history_bob_cannot() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let bob = app.sign_in(BOB.email, BOB.password).await;
    let open = json!({
        "subject": "  Size of the wool throw ",
        "body": "How large is the wool throw blanket?",
        "client_msg_id": "widget-7f3c-1",
    });

    let (status, opened) =
        post_json(&alice, app.url(&format!("{M}/conversations.json")), &open).await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    assert_eq!(opened["created"], true);
    let conversation = &opened["conversation"];
    let id = conversation["id"].as_i64().expect("id");
    assert_eq!(conversation["subject"], "Size of the wool throw");
    assert_eq!(conversation["status"], "OPEN");
    assert_eq!(conversation["customer_label"], "Waiting for the store");
    assert_eq!(conversation["href"], format!("{M}/{id}/"));
    assert_eq!(
        opened["message"]["body"],
        "How large is the wool throw blanket?"
    );
    assert_eq!(opened["message"]["mine"], true);
    assert_eq!(opened["message"]["sender_side"], "customer");

    // The same request again (a retry after a lost answer) opens nothing new.
    let (status, again) =
        post_json(&alice, app.url(&format!("{M}/conversations.json")), &open).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["created"], false);
    assert_eq!(again["conversation"]["id"], id);

    // The store answers; the history has both, oldest first.
    let staff = app.staff().await;
    for body in ["It is 130 × 170 cm.", "And it is machine washable."] {
        let reply = SendMessage {
            body: storechat::domain::MessageBody::parse(body).expect("body"),
            client_msg_id: None,
            reply_to: None,
        };
        app.chat
            .service()
            .send_message(&staff, id, reply)
            .await
            .expect("reply");
    }
    let (status, history) = get_json(&alice, app.url(&format!("{M}/{id}/messages.json"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(history["conversation"]["id"], id);
    assert_eq!(history["conversation"]["status"], "AWAITING_USER");
    assert_eq!(history["conversation"]["customer_label"], "Store replied");
    assert_eq!(history["conversation"]["unread_for_user"], 2);
    assert_eq!(history["has_earlier"], false);
    let messages = history["messages"].as_array().expect("messages");
    let bodies: Vec<&str> = messages.iter().filter_map(|m| m["body"].as_str()).collect();
    assert_eq!(
        bodies,
        [
            "How large is the wool throw blanket?",
            "It is 130 × 170 cm.",
            "And it is machine washable."
        ]
    );
    let reply = &messages[1];
    assert_eq!(reply["mine"], false);
    assert_eq!(reply["sender_side"], "staff");
    assert_eq!(reply["sender_name"], host_example::demo::ANN.name);
    assert_eq!(reply["kind"], "text");
    assert_eq!(reply["edited"], false);
    assert_eq!(reply["deleted"], false);
    assert!(
        reply["created_at"]
            .as_str()
            .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok())
    );
    // Reading the history marks nothing read.
    let (_, list) = get_json(&alice, app.url(&format!("{M}/conversations.json"))).await;
    assert_eq!(list["conversations"][0]["id"], id);
    assert_eq!(list["conversations"][0]["unread_for_user"], 2);

    // Earlier pages.
    let newest_id = messages[2]["id"].as_i64().expect("id");
    let (_, last) = get_json(&alice, app.url(&format!("{M}/{id}/messages.json?limit=1"))).await;
    assert_eq!(last["has_earlier"], true);
    assert_eq!(last["messages"][0]["id"], newest_id);
    let (_, earlier) = get_json(
        &alice,
        app.url(&format!(
            "{M}/{id}/messages.json?before={newest_id}&limit=5"
        )),
    )
    .await;
    assert_eq!(earlier["has_earlier"], false);
    assert_eq!(earlier["messages"].as_array().map(Vec::len), Some(2));

    // Bob: not found, as if it did not exist; so are ids that are not ids.
    let (status, refused) = get_json(&bob, app.url(&format!("{M}/{id}/messages.json"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(refused["error"], "conversation_not_found");
    assert!(refused["message"].is_string());
    assert!(!refused.to_string().contains("wool throw"));
    let (status, _) = get_json(&bob, app.url(&format!("{M}/x{id}/messages.json"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get_json(&alice, app.url(&format!("{M}/999999/messages.json"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, bobs) = get_json(&bob, app.url(&format!("{M}/conversations.json"))).await;
    assert!(
        bobs["conversations"]
            .as_array()
            .expect("list")
            .iter()
            .all(|c| c["id"] != id)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_refuses_bad_input_and_form_posts() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let alice_actor = app.actor(ALICE.email).await;
    let before = app.conversation_count(&alice_actor).await;
    let url = app.url(&format!("{M}/conversations.json"));

    for (body, field) in [
        (
            json!({ "subject": "  ", "body": "hello", "client_msg_id": "a-1" }),
            "subject",
        ),
        (
            json!({ "subject": "Hi", "body": "", "client_msg_id": "a-2" }),
            "body",
        ),
        (json!({ "subject": "Hi", "body": "hello" }), "client_msg_id"),
        (
            json!({ "subject": "Hi", "body": "hello", "client_msg_id": "no spaces" }),
            "client_msg_id",
        ),
        (
            json!({ "subject": "Hi", "body": "hello", "client_msg_id": "a-3", "order_id": "999999" }),
            "order_id",
        ),
    ] {
        let (status, refused) = post_json(&alice, url.clone(), &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {refused}"
        );
        assert_eq!(refused["error"], "invalid");
        assert_eq!(refused["field"], field, "{body}");
        assert!(refused["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // Not JSON at all.
    let broken = alice
        .post(url.clone())
        .header("Content-Type", "application/json")
        .body("{ nope")
        .send()
        .await
        .expect("POST");
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);

    // A form post (what a page on another site could send) is refused.
    let form = alice
        .post(url.clone())
        .form(&[
            ("subject", "Hi"),
            ("body", "hello"),
            ("client_msg_id", "f-1"),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let refused: Value = form.json().await.expect("json");
    assert_eq!(refused["error"], "unsupported_media_type");
    let plain = alice
        .post(url.clone())
        .header("Content-Type", "text/plain")
        .body(r#"{"subject":"Hi","body":"hello","client_msg_id":"t-1"}"#)
        .send()
        .await
        .expect("POST");
    assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    assert_eq!(
        app.conversation_count(&alice_actor).await,
        before,
        "nothing was opened"
    );
}
