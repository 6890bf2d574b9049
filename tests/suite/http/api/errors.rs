//! Every bad request gets the one error shape, the right status, and
//! changes nothing.

use host_example::demo::{ADDRESS_CLOSED, ALICE, ANN, BOB};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{API, Api, conversation_id, error_code};
use crate::http::app::{TestApp, client};

async fn message_count(api: &Api, id: i64) -> i64 {
    api.get(&format!("/conversations/{id}")).await.body["conversation"]["message_count"]
        .as_i64()
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_errors_and_change_nothing() {
    let app = TestApp::spawn().await;
    let alice = Api::signed_in(&app, ALICE).await;
    let opened = alice
        .post(
            "/conversations",
            json!({ "subject": "Errors", "body": "First" }),
        )
        .await;
    let id = opened.body["conversation"]["id"].as_i64().expect("id");

    // 400: a cursor or limit this API never gave out.
    for path in [
        "/conversations?cursor=garbage".to_owned(),
        "/conversations?limit=0".to_owned(),
        "/conversations?limit=abc".to_owned(),
        format!("/conversations/{id}/messages?cursor=-4"),
    ] {
        let answer = alice.get(&path).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(error_code(&answer), "invalid_parameter", "{path}");
    }
    let answer = alice.get("/conversations?limit=0").await;
    assert_eq!(answer.body["details"]["parameter"], "limit");

    // 400: not JSON at all.
    let token = super::token(&app, ALICE).await;
    let broken = client()
        .post(app.url(&format!("{API}/conversations/{id}/messages")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"body\": ")
        .send()
        .await
        .expect("POST");
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    // 415: a body that is not JSON.
    let text = client()
        .post(app.url(&format!("{API}/conversations/{id}/messages")))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("hello")
        .send()
        .await
        .expect("POST");
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // 413: far too large.
    let huge = "x".repeat(300 * 1024);
    let answer = alice
        .post(
            &format!("/conversations/{id}/messages"),
            json!({ "body": huge }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&answer), "payload_too_large");
    // 422: values that cannot be accepted name their field.
    for (body, field) in [
        (json!({ "body": "   " }), "body"),
        (json!({ "body": "y".repeat(10_001) }), "body"),
        (
            json!({ "body": "ok", "client_msg_id": "has spaces" }),
            "client_msg_id",
        ),
    ] {
        let answer = alice
            .post(&format!("/conversations/{id}/messages"), body)
            .await;
        assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert_eq!(error_code(&answer), "invalid");
        assert_eq!(answer.body["details"]["field"], field);
    }
    let wrong_type = alice
        .post(
            &format!("/conversations/{id}/messages"),
            json!({ "body": 7 }),
        )
        .await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    let unknown_reaction = alice
        .put(
            &format!(
                "/conversations/{id}/messages/{}/reactions/clown",
                opened.body["message"]["id"]
            ),
            None,
        )
        .await;
    assert_eq!(unknown_reaction.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(message_count(&alice, id).await, 1, "nothing was stored");

    // 404: unknown routes and ids that are not numbers, as JSON.
    for path in ["/nothing-here", "/conversations/abc"] {
        let answer = alice.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        error_code(&answer);
    }

    // 405: a method an address does not answer, with the ones it does.
    for (method, path, allow) in [
        (Method::PUT, "/conversations".to_owned(), "GET, POST"),
        (
            Method::DELETE,
            "/admin/conversations/bulk".to_owned(),
            "POST",
        ),
        (Method::GET, format!("/conversations/{id}/read"), "POST"),
    ] {
        let answer = alice.call(method, &path, None).await;
        assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        assert_eq!(error_code(&answer), "method_not_allowed", "{path}");
        assert_eq!(answer.headers["allow"], allow, "{path}");
    }

    // JSON has one kind of number: a whole one may be written `5.0`.
    let newest = opened.body["message"]["id"].as_i64().expect("message id");
    let read = alice
        .post(
            &format!("/conversations/{id}/read"),
            json!({ "up_to": newest as f64 }),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let fraction = alice
        .post(
            &format!("/conversations/{id}/read"),
            json!({ "up_to": newest as f64 + 0.5 }),
        )
        .await;
    assert_eq!(fraction.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_are_409() {
    let app = TestApp::spawn().await;
    let alice = Api::signed_in(&app, ALICE).await;
    let ann = Api::signed_in(&app, ANN).await;
    let closed = conversation_id(&ann, ADDRESS_CLOSED.subject).await;
    let before = message_count(&ann, closed).await;
    let answer = alice
        .post(
            &format!("/conversations/{closed}/messages"),
            json!({ "body": "Hello?" }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CONFLICT);
    assert_eq!(error_code(&answer), "conversation_closed");
    assert_eq!(message_count(&ann, closed).await, before);

    let open = alice
        .post(
            "/conversations",
            json!({ "subject": "Keep me", "body": "Hi" }),
        )
        .await;
    let id = open.body["conversation"]["id"].as_i64().expect("id");
    let refused = ann.delete(&format!("/admin/conversations/{id}")).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(error_code(&refused), "not_closed");
    assert_eq!(refused.body["details"]["not_closed"][0]["id"], id);
    assert_eq!(
        alice.get(&format!("/conversations/{id}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_message_rate_limit_is_429_for_that_person_only() {
    let app = TestApp::spawn().await;
    let alice = Api::signed_in(&app, ALICE).await;
    let bob = Api::signed_in(&app, BOB).await;
    let mine = alice
        .post("/conversations", json!({ "subject": "Fast", "body": "1" }))
        .await;
    let id = mine.body["conversation"]["id"].as_i64().expect("id");
    let limit = app.chat.config().realtime.messages_per_minute;
    let mut limited = None;
    let mut stored = 1;
    // The allowance refills as time passes: send until it is spent.
    for n in 0..limit * 3 {
        let answer = alice
            .post(
                &format!("/conversations/{id}/messages"),
                json!({ "body": format!("m{n}") }),
            )
            .await;
        if answer.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(answer);
            break;
        }
        assert_eq!(answer.status, StatusCode::CREATED);
        stored += 1;
    }
    let limited = limited.expect("the allowance runs out");
    assert_eq!(error_code(&limited), "rate_limited");
    assert!(limited.headers.contains_key("retry-after"));
    let count = message_count(&alice, id).await;
    assert_eq!(count, stored, "the refused message was not stored");
    let theirs = bob
        .post("/conversations", json!({ "subject": "Slow", "body": "1" }))
        .await;
    let bob_id = theirs.body["conversation"]["id"].as_i64().expect("id");
    let answer = bob
        .post(
            &format!("/conversations/{bob_id}/messages"),
            json!({ "body": "still fine" }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "others are unaffected");
}
