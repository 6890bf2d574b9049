//! The OpenAPI document: generated from the handlers, served by the plugin,
//! and checked in as docs/openapi.json. A route added or changed without
//! regenerating the file fails here (regenerate with
//! `STORECHAT_BLESS=1 cargo test -p storechat-tests --test suite api::document`).

use std::path::PathBuf;

use reqwest::StatusCode;
use serde_json::Value;

use crate::http::app::{TestApp, client};

fn checked_in_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json")
}

fn generated() -> String {
    let doc = storechat::web::api::document("/api/chat/v1");
    let mut text = serde_json::to_string_pretty(&doc).expect("the document serializes");
    text.push('\n');
    text
}

#[test]
fn the_checked_in_document_matches_the_routes() {
    let now = generated();
    let path = checked_in_path();
    if std::env::var_os("STORECHAT_BLESS").is_some() {
        std::fs::write(&path, &now).expect("write docs/openapi.json");
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == now,
        "docs/openapi.json is not what the routes generate; regenerate it with \
         STORECHAT_BLESS=1 cargo test -p storechat-tests --test suite api::document"
    );
}

#[test]
fn the_document_is_openapi_3_1_and_every_operation_is_complete() {
    let doc: Value = serde_json::from_str(&generated()).expect("json");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1"))
    );
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 15, "every route is in the document");
    let mut ids = std::collections::HashSet::new();
    for (path, item) in paths {
        assert!(path.starts_with("/api/chat/v1/"), "{path}");
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().expect("operationId");
            assert!(ids.insert(id.to_owned()), "{id} is unique");
            assert!(
                op["summary"].as_str().is_some() || op["description"].as_str().is_some(),
                "{method} {path} is described"
            );
            let responses = op["responses"].as_object().expect("responses");
            assert!(
                responses.contains_key("401"),
                "{method} {path} documents 401"
            );
            assert!(
                op["security"].is_array(),
                "{method} {path} names its security"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plugin_serves_the_same_document_without_sign_in() {
    let app = TestApp::spawn().await;
    let response = client()
        .get(app.url("/api/chat/v1/openapi.json"))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::OK);
    let served: Value = response.json().await.expect("json");
    let expected: Value = serde_json::from_str(&generated()).expect("json");
    assert_eq!(served, expected);
}
