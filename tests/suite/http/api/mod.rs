//! The JSON API under /api/chat/v1, driven over HTTP with bearer tokens from
//! the example store's sign-in endpoint (`POST /api/auth/token`).

mod admin;
mod conversations;
mod document;
mod errors;
mod matrix;
mod tokens;

use host_example::demo::DemoUser;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::app::{TestApp, client};

pub const API: &str = "/api/chat/v1";

/// What an API call answered.
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

/// An API client with (or without) a bearer token.
pub struct Api {
    base: String,
    token: Option<String>,
    client: reqwest::Client,
}

impl Api {
    pub fn anonymous(app: &TestApp) -> Api {
        Api {
            base: app.base.clone(),
            token: None,
            client: client(),
        }
    }

    pub async fn signed_in(app: &TestApp, user: DemoUser) -> Api {
        Api {
            token: Some(token(app, user).await),
            ..Api::anonymous(app)
        }
    }

    pub fn with_token(app: &TestApp, token: &str) -> Api {
        Api {
            token: Some(token.to_owned()),
            ..Api::anonymous(app)
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{API}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("API request");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body").to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Answer {
            status,
            body,
            headers,
            bytes,
        }
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Option<Value>) -> Answer {
        self.call(Method::PUT, path, body).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Answer {
        self.call(Method::PATCH, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.call(Method::DELETE, path, None).await
    }
}

/// A bearer token for a demo user from the store's sign-in endpoint.
pub async fn token(app: &TestApp, user: DemoUser) -> String {
    let response = client()
        .post(app.url("/api/auth/token"))
        .json(&json!({ "email": user.email, "password": user.password }))
        .send()
        .await
        .expect("token request");
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "{} gets a token",
        user.email
    );
    let body: Value = response.json().await.expect("token json");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// Asserts the one error shape and returns its code.
pub fn error_code(answer: &Answer) -> String {
    let body = &answer.body;
    assert!(
        body["error"].is_string() && body["message"].is_string() && body.get("details").is_some(),
        "the error shape {{error, message, details}}: {body}"
    );
    body["error"].as_str().unwrap_or_default().to_owned()
}

/// The id of the demo conversation with this subject, seen by staff.
pub async fn conversation_id(staff: &Api, subject: &str) -> i64 {
    let q = urlencoding(subject);
    let page = staff
        .get(&format!("/admin/conversations?q={q}&limit=200"))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["subject"] == subject)
        .and_then(|c| c["id"].as_i64())
        .unwrap_or_else(|| panic!("a demo conversation \"{subject}\""))
}

pub fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
