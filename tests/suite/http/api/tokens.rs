//! Bearer tokens: the example store issues JWTs at `POST /api/auth/token`;
//! the plugin asks the adapter who holds one. A bad token is never
//! rescued by a cookie; a cookie-authenticated POST must be JSON.

use host_example::demo::{ALICE, ANN};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{API, Api, error_code};
use crate::http::app::{TestApp, client};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_from_the_sign_in_endpoint_opens_the_api() {
    let app = TestApp::spawn().await;
    let response = client()
        .post(app.url("/api/auth/token"))
        .json(&json!({ "email": ALICE.email, "password": ALICE.password }))
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["user"]["role"], "customer");
    let token = body["access_token"].as_str().expect("token");
    assert_eq!(token.split('.').count(), 3, "a JWT");

    let alice = Api::with_token(&app, token);
    let list = alice.get("/conversations").await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert!(!list.body["items"].as_array().expect("items").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_and_bad_bodies_get_no_token() {
    let app = TestApp::spawn().await;
    let post = |body: Option<Value>, raw: Option<&'static str>| {
        let mut request = client().post(app.url("/api/auth/token"));
        if let Some(body) = body {
            request = request.json(&body);
        }
        if let Some(raw) = raw {
            request = request.header("content-type", "text/plain").body(raw);
        }
        async move {
            let response = request.send().await.expect("POST");
            let status = response.status();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, body)
        }
    };
    let (status, body) = post(
        Some(json!({ "email": ALICE.email, "password": "nope" })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_credentials");
    assert!(body.get("access_token").is_none());
    let (status, _) = post(
        Some(json!({ "email": "nobody@example.com", "password": "x" })),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = post(Some(json!({ "email": ALICE.email })), None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"], "invalid");
    let (status, _) = post(None, Some("email=a&password=b")).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_forged_and_malformed_credentials_are_401_with_a_challenge() {
    let app = TestApp::spawn().await;
    let real = super::token(&app, ALICE).await;
    let mut forged = real.clone();
    forged.replace_range(forged.len() - 4.., "AAAA");
    for (label, api) in [
        ("no credentials", Api::anonymous(&app)),
        ("forged signature", Api::with_token(&app, &forged)),
        ("not a JWT", Api::with_token(&app, "hello")),
    ] {
        let answer = api.get("/conversations").await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{label}");
        assert_eq!(error_code(&answer), "unauthenticated", "{label}");
        let challenge = answer
            .headers
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(challenge.starts_with("Bearer"), "{label}: {challenge}");
    }
    let response = client()
        .get(app.url(&format!("{API}/conversations")))
        .header("authorization", "Basic YWxpY2U6eA==")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        response.status(),
        StatusCode::UNAUTHORIZED,
        "not a bearer scheme"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_is_not_rescued_by_a_session_cookie() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let with_cookie = alice
        .get(app.url(&format!("{API}/conversations")))
        .send()
        .await
        .expect("GET");
    assert_eq!(
        with_cookie.status(),
        StatusCode::OK,
        "the session works alone"
    );
    let both = alice
        .get(app.url(&format!("{API}/conversations")))
        .bearer_auth("forged")
        .send()
        .await
        .expect("GET");
    assert_eq!(both.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cookie_authenticated_post_must_be_json_so_other_sites_cannot_forge_it() {
    let app = TestApp::spawn().await;
    let ann = app.sign_in(ANN.email, ANN.password).await;
    let before = app
        .chat
        .service()
        .unread_notifications(&app.staff().await)
        .await;
    // What a form on another site could send: no JSON content type.
    let response = ann
        .post(app.url(&format!("{API}/notifications/read-all")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let after = app
        .chat
        .service()
        .unread_notifications(&app.staff().await)
        .await;
    assert_eq!(before.ok(), after.ok(), "nothing was marked read");
    let json = ann
        .post(app.url(&format!("{API}/notifications/read-all")))
        .json(&json!({}))
        .send()
        .await
        .expect("POST");
    assert_eq!(json.status(), StatusCode::OK);
}
