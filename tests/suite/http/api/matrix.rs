//! The authorization matrix of the API, generated from its route table (the
//! OpenAPI document is built from the mounted handlers): every operation ×
//! anonymous, the customer of the conversation, another customer, the
//! vendor of its product, another vendor and staff. An operation without a
//! row here fails the test, so a new route cannot skip it.
//!
//! The conversation is the demo's question about one of Victor's products:
//! Bob is its customer, Victor its vendor; Alice is the other customer and
//! Vera the other vendor.

use host_example::demo::{ALICE, ANN, BOB, DemoUser, VENDOR_PRODUCT_QUESTION, VERA, VICTOR};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Api, conversation_id};
use crate::http::app::TestApp;

const WHO: [&str; 6] = [
    "anonymous",
    "customer",
    "other customer",
    "vendor",
    "other vendor",
    "staff",
];

/// Expected statuses, in the order of [`WHO`].
fn expected(operation: &str) -> Option<[u16; 6]> {
    Some(match operation {
        "list_conversations" => [401, 200, 200, 403, 403, 403],
        "open_conversation" => [401, 201, 201, 403, 403, 403],
        "get_conversation" => [401, 200, 404, 200, 404, 200],
        "list_messages" => [401, 200, 404, 200, 404, 200],
        "mark_read" => [401, 200, 404, 200, 404, 200],
        "send_message" => [401, 201, 404, 201, 404, 201],
        // The message is the customer's: only they edit it; staff may remove it.
        "edit_message" => [401, 200, 404, 403, 404, 403],
        "delete_message" => [401, 204, 404, 403, 404, 204],
        "add_reaction" => [401, 204, 404, 204, 404, 204],
        "remove_reaction" => [401, 204, 404, 204, 404, 204],
        "unread" => [401, 200, 200, 200, 200, 200],
        "list_notifications" => [401, 200, 200, 200, 200, 200],
        "read_all_notifications" => [401, 200, 200, 200, 200, 200],
        // The notification is the customer's.
        "read_notification" => [401, 204, 404, 404, 404, 404],
        "admin_list_conversations" => [401, 403, 403, 200, 200, 200],
        "admin_open_conversation" => [401, 403, 403, 403, 403, 201],
        "admin_bulk" => [401, 403, 403, 403, 403, 200],
        "admin_export" => [401, 403, 403, 403, 403, 200],
        "admin_set_status" => [401, 403, 403, 403, 403, 200],
        "admin_assign" => [401, 403, 403, 403, 403, 200],
        "admin_set_priority" => [401, 403, 403, 403, 403, 200],
        // Authorized, but the conversation is not CLOSED.
        "admin_delete_conversation" => [401, 403, 403, 403, 403, 409],
        "admin_get_settings" => [401, 403, 403, 403, 403, 200],
        "admin_save_settings" => [401, 403, 403, 403, 403, 200],
        "availability" => [401, 200, 200, 200, 200, 200],
        _ => return None,
    })
}

struct Fixture {
    conversation: i64,
    customer_id: String,
    notification: i64,
}

/// A fresh message of the customer's, for operations that change or remove one.
async fn fresh_message(bob: &Api, conversation: i64) -> i64 {
    let sent = bob
        .post(
            &format!("/conversations/{conversation}/messages"),
            json!({ "body": "A message for the matrix" }),
        )
        .await;
    assert_eq!(sent.status, StatusCode::CREATED, "{}", sent.body);
    sent.body["message"]["id"].as_i64().expect("id")
}

fn body_of(operation: &str, f: &Fixture) -> Option<Value> {
    Some(match operation {
        "open_conversation" => json!({ "subject": "Matrix", "body": "Hello" }),
        "admin_open_conversation" => {
            json!({ "customer_id": f.customer_id, "subject": "Matrix", "body": "Hello" })
        }
        "send_message" => json!({ "body": "Hello" }),
        "edit_message" => json!({ "body": "Edited" }),
        "mark_read" | "read_all_notifications" | "read_notification" => json!({}),
        "admin_bulk" => json!({ "action": "mark_read", "ids": [f.conversation] }),
        "admin_export" => json!({ "ids": [f.conversation], "format": "csv" }),
        "admin_set_status" => json!({ "status": "AWAITING_USER" }),
        "admin_assign" => json!({ "assignee": "me" }),
        "admin_set_priority" => json!({ "priority": "high" }),
        "admin_save_settings" => {
            serde_json::to_value(storechat::domain::Settings::default()).unwrap_or_default()
        }
        _ => return None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_route_answers_every_kind_of_caller_as_expected() {
    let app = TestApp::spawn().await;
    let people: [Option<DemoUser>; 6] = [
        None,
        Some(BOB),
        Some(ALICE),
        Some(VICTOR),
        Some(VERA),
        Some(ANN),
    ];
    let mut apis = Vec::new();
    for who in people {
        apis.push(match who {
            None => Api::anonymous(&app),
            Some(user) => Api::signed_in(&app, user).await,
        });
    }
    let bob = &apis[1];
    let conversation = conversation_id(&apis[5], VENDOR_PRODUCT_QUESTION.subject).await;
    let alerts = bob.get("/notifications").await;
    let notification = alerts.body["items"][0]["id"]
        .as_i64()
        .expect("the demo gives Bob a notification");
    let fixture = Fixture {
        conversation,
        customer_id: app.actor(BOB.email).await.id,
        notification,
    };

    let document = storechat::web::api::document("/api/chat/v1");
    let document = serde_json::to_value(&document).expect("json");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("operations") {
            let id = operation["operationId"].as_str().expect("operationId");
            let Some(expect) = expected(id) else {
                failures.push(format!("{id} ({method} {path}) has no row in the matrix"));
                continue;
            };
            for (n, api) in apis.iter().enumerate() {
                let message = if path.contains("{message_id}") {
                    fresh_message(bob, conversation).await
                } else {
                    0
                };
                let concrete = path
                    .trim_start_matches("/api/chat/v1")
                    .replace("{message_id}", &message.to_string())
                    .replace("{emoji}", "heart")
                    .replace(
                        "{id}",
                        &if path.starts_with("/api/chat/v1/notifications/") {
                            fixture.notification
                        } else {
                            fixture.conversation
                        }
                        .to_string(),
                    );
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let answer = api
                    .call(method.clone(), &concrete, body_of(id, &fixture))
                    .await;
                checked += 1;
                if answer.status.as_u16() != expect[n] {
                    failures.push(format!(
                        "{id}: {} {method} {concrete} → {} (expected {}): {}",
                        WHO[n],
                        answer.status.as_u16(),
                        expect[n],
                        answer.body
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 6 * 20, "{checked} calls");
}
