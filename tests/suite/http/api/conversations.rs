//! A customer and the store talk through the API only: open, list, page,
//! reply, read, quote, edit, remove, react and notifications.

use std::collections::HashSet;

use host_example::demo::{ALICE, ANN, BOB};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Api, error_code};
use crate::http::app::TestApp;

fn ids(items: &Value) -> Vec<i64> {
    items
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_and_the_store_talk_through_the_api() {
    let app = TestApp::spawn().await;
    let alice = Api::signed_in(&app, ALICE).await;
    let ann = Api::signed_in(&app, ANN).await;

    // Open, and a retry of the same request opens nothing new.
    let open = json!({ "subject": "Sizes of the beanie", "body": "Does it come in XL?", "client_msg_id": "open-1" });
    let first = alice.post("/conversations", open.clone()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    let id = first.body["conversation"]["id"].as_i64().expect("id");
    assert_eq!(first.body["conversation"]["status"], "OPEN");
    assert_eq!(first.body["message"]["body"], "Does it come in XL?");
    assert_eq!(first.body["message"]["mine"], true);
    let again = alice.post("/conversations", open).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["created"], false);
    assert_eq!(again.body["conversation"]["id"], id);

    let unread_before = alice.get("/unread").await.body["messages"]
        .as_i64()
        .expect("count");

    // Newest first in her list.
    let list = alice.get("/conversations").await;
    assert_eq!(ids(&list.body["items"])[0], id);

    // The store answers: the status moves by itself and Alice has one unread.
    let reply = ann
        .post(
            &format!("/conversations/{id}/messages"),
            json!({ "body": "Yes, XL is in stock.", "client_msg_id": "ann-1" }),
        )
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["conversation"]["status"], "AWAITING_USER");
    let ann_message = reply.body["message"]["id"].as_i64().expect("id");
    let retry = ann
        .post(
            &format!("/conversations/{id}/messages"),
            json!({ "body": "Yes, XL is in stock.", "client_msg_id": "ann-1" }),
        )
        .await;
    assert_eq!(
        retry.status,
        StatusCode::OK,
        "a retry is not a second message"
    );
    assert_eq!(retry.body["message"]["id"], ann_message);
    let unread = alice.get("/unread").await;
    assert_eq!(unread.body["messages"], unread_before + 1);
    let detail = alice.get(&format!("/conversations/{id}")).await;
    assert_eq!(detail.body["conversation"]["unread"], 1);
    assert_eq!(detail.body["conversation"]["status_label"], "Store replied");
    assert_eq!(detail.body["messages"].as_array().map(Vec::len), Some(2));
    assert!(detail.body["earlier_cursor"].is_null());

    // Her notification, then reading the conversation.
    let alerts = alice.get("/notifications").await;
    assert_eq!(alerts.status, StatusCode::OK);
    let alert = alerts.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|n| n["conversation_id"] == id)
        .expect("a NEW_MESSAGE notification")
        .clone();
    assert_eq!(alert["kind"], "NEW_MESSAGE");
    assert!(alert["read_at"].is_null());
    let read = alice
        .post(&format!("/conversations/{id}/read"), json!({}))
        .await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body["unread"], 0);
    assert_eq!(read.body["customer_read_up_to"], ann_message);
    assert_eq!(alice.get("/unread").await.body["messages"], unread_before);

    // A quoted reply, edited, and a reaction.
    let quoted = alice
        .post(
            &format!("/conversations/{id}/messages"),
            json!({ "body": "Great, I'll order two.", "reply_to": ann_message }),
        )
        .await;
    assert_eq!(quoted.status, StatusCode::CREATED);
    assert_eq!(quoted.body["conversation"]["status"], "AWAITING_ADMIN");
    let mine = quoted.body["message"]["id"].as_i64().expect("id");
    let edited = alice
        .patch(
            &format!("/conversations/{id}/messages/{mine}"),
            json!({ "body": "Great, I'll order three." }),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert!(edited.body["edited_at"].is_string());
    let not_hers = alice
        .patch(
            &format!("/conversations/{id}/messages/{ann_message}"),
            json!({ "body": "changed" }),
        )
        .await;
    assert_eq!(not_hers.status, StatusCode::FORBIDDEN, "{}", not_hers.body);
    let heart = alice
        .put(
            &format!("/conversations/{id}/messages/{ann_message}/reactions/heart"),
            None,
        )
        .await;
    assert_eq!(heart.status, StatusCode::NO_CONTENT);
    let seen_by_ann = ann.get(&format!("/conversations/{id}/messages")).await;
    let items = seen_by_ann.body["items"].as_array().expect("items");
    let answered = items
        .iter()
        .find(|m| m["id"] == ann_message)
        .expect("Ann's");
    assert_eq!(
        answered["reactions"],
        json!([{ "emoji": "heart", "count": 1, "mine": false }])
    );
    let quoting = items.iter().find(|m| m["id"] == mine).expect("Alice's");
    assert_eq!(quoting["reply_to"]["id"], ann_message);
    assert_eq!(quoting["body"], "Great, I'll order three.");
    assert_eq!(
        alice
            .call(
                reqwest::Method::DELETE,
                &format!("/conversations/{id}/messages/{ann_message}/reactions/heart"),
                None
            )
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let after = alice.get(&format!("/conversations/{id}/messages")).await;
    let answered = after.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["id"] == ann_message)
        .expect("Ann's")
        .clone();
    assert_eq!(answered["reactions"], json!([]));

    // Removing her own message keeps its place without its text.
    let removed = alice
        .delete(&format!("/conversations/{id}/messages/{mine}"))
        .await;
    assert_eq!(removed.status, StatusCode::NO_CONTENT);
    let history = ann.get(&format!("/conversations/{id}/messages")).await;
    let gone = history.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|m| m["id"] == mine)
        .expect("still listed")
        .clone();
    assert_eq!(gone["deleted"], true);
    assert_eq!(gone["body"], "");

    // Notifications: one read, then all.
    let alert_id = alert["id"].as_i64().expect("id");
    let one = alice
        .post(&format!("/notifications/{alert_id}/read"), json!({}))
        .await;
    assert_eq!(one.status, StatusCode::NO_CONTENT);
    let all = alice.post("/notifications/read-all", json!({})).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(alice.get("/unread").await.body["notifications"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cursors_page_through_lists_and_histories_without_gaps_or_repeats() {
    let app = TestApp::spawn().await;
    let bob = Api::signed_in(&app, BOB).await;
    for n in 0..4 {
        let opened = bob
            .post(
                "/conversations",
                json!({ "subject": format!("Question {n}"), "body": "Hello" }),
            )
            .await;
        assert_eq!(opened.status, StatusCode::CREATED);
    }
    let everything = ids(&bob.get("/conversations?limit=100").await.body["items"]);
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/conversations?limit=2&cursor={c}"),
            None => "/conversations?limit=2".to_owned(),
        };
        let page = bob.get(&path).await;
        assert_eq!(page.status, StatusCode::OK);
        seen.extend(ids(&page.body["items"]));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, everything, "every conversation once, in order");

    let id = everything[0];
    for n in 0..6 {
        let sent = bob
            .post(
                &format!("/conversations/{id}/messages"),
                json!({ "body": format!("line {n}") }),
            )
            .await;
        assert_eq!(sent.status, StatusCode::CREATED);
    }
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/conversations/{id}/messages?limit=3&cursor={c}"),
            None => format!("/conversations/{id}/messages?limit=3"),
        };
        let page = bob.get(&path).await;
        let page_ids = ids(&page.body["items"]);
        assert!(
            page_ids.windows(2).all(|w| w[0] < w[1]),
            "oldest first in a page"
        );
        pages.push(page_ids);
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let all: Vec<i64> = pages.into_iter().rev().flatten().collect();
    assert_eq!(all.len(), 7, "the first message and six more");
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_cannot_reach_each_others_conversations() {
    let app = TestApp::spawn().await;
    let alice = Api::signed_in(&app, ALICE).await;
    let bob = Api::signed_in(&app, BOB).await;
    let opened = alice
        .post(
            "/conversations",
            json!({ "subject": "Private", "body": "Mine" }),
        )
        .await;
    let id = opened.body["conversation"]["id"].as_i64().expect("id");
    let message = opened.body["message"]["id"].as_i64().expect("id");
    for answer in [
        bob.get(&format!("/conversations/{id}")).await,
        bob.get(&format!("/conversations/{id}/messages")).await,
        bob.post(
            &format!("/conversations/{id}/messages"),
            json!({ "body": "hi" }),
        )
        .await,
        bob.post(&format!("/conversations/{id}/read"), json!({}))
            .await,
        bob.patch(
            &format!("/conversations/{id}/messages/{message}"),
            json!({ "body": "x" }),
        )
        .await,
        bob.delete(&format!("/conversations/{id}/messages/{message}"))
            .await,
        bob.put(
            &format!("/conversations/{id}/messages/{message}/reactions/fire"),
            None,
        )
        .await,
    ] {
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{}", answer.body);
        assert!(error_code(&answer).ends_with("not_found"));
    }
    let detail = alice.get(&format!("/conversations/{id}")).await;
    assert_eq!(
        detail.body["conversation"]["message_count"], 1,
        "nothing changed"
    );
    // A message id of another conversation is not found in this one.
    let other = alice
        .post(
            "/conversations",
            json!({ "subject": "Other", "body": "Two" }),
        )
        .await;
    let other_id = other.body["conversation"]["id"].as_i64().expect("id");
    let crossed = alice
        .patch(
            &format!("/conversations/{other_id}/messages/{message}"),
            json!({ "body": "x" }),
        )
        .await;
    assert_eq!(crossed.status, StatusCode::NOT_FOUND);
}
