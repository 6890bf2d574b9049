use host_example::demo::ALICE;
use reqwest::StatusCode;

use super::support::Admin;
use crate::http::app::{client, get, post};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_people_are_sent_to_sign_in_and_customers_get_403() {
    let t = Admin::start().await;
    let id = t.open(&t.alice, "Access").await.id;
    let gets = [
        "/".to_owned(),
        "/add/".to_owned(),
        format!("/{id}/change/"),
        format!("/{id}/preview/"),
        format!("/{id}/delete/"),
    ];
    let posts = [
        "/bulk/".to_owned(),
        "/bulk/delete/".to_owned(),
        "/add/".to_owned(),
        format!("/{id}/change/"),
        format!("/{id}/assign/"),
        format!("/{id}/priority/"),
        format!("/{id}/customer-action/"),
        format!("/{id}/delete/"),
    ];
    let anonymous = client();
    for path in &gets {
        let response = anonymous.get(t.url(path)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(location.starts_with("/login?next="), "{path} → {location}");
    }
    for path in &posts {
        let (status, _, location) =
            post(&anonymous, t.url(path), &[("ids", &id.to_string())]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert!(location.unwrap_or_default().starts_with("/login"), "{path}");
    }
    let alice = t.app.sign_in(ALICE.email, ALICE.password).await;
    for path in &gets {
        let (status, body) = get(&alice, t.url(path)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(body.contains("panels are for the store"), "{path}");
    }
    for path in &posts {
        let (status, _, _) = post(
            &alice,
            t.url(path),
            &[("ids", &id.to_string()), ("action", "close")],
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(
        t.conversation(id).await.status,
        storechat::Status::Open,
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_without_a_valid_token_get_403_and_change_nothing() {
    let t = Admin::start().await;
    let c = t.open(&t.alice, "Token").await;
    let id = c.id.to_string();
    let count_before = t.count().await;
    let cases: [(String, Vec<(&str, &str)>); 5] = [
        ("/bulk/".into(), vec![("ids", &id), ("action", "close")]),
        ("/bulk/delete/".into(), vec![("ids", &id)]),
        (
            format!("/{id}/change/"),
            vec![
                ("reply_body", "forged"),
                ("status", "RESOLVED"),
                ("status_was", "OPEN"),
            ],
        ),
        (format!("/{id}/assign/"), vec![("to", "me")]),
        (
            "/add/".into(),
            vec![("customer", &t.bob.id), ("subject", "x"), ("body", "y")],
        ),
    ];
    for (path, form) in cases {
        for token in [None, Some("deadbeef")] {
            let mut form = form.clone();
            if let Some(token) = token {
                form.push(("csrf_token", token));
            }
            let (status, body, _) = post(&t.ann, t.url(&path), &form).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path} with {token:?}");
            assert!(body.contains("Nothing was changed"), "{path}");
        }
    }
    let after = t.conversation(c.id).await;
    assert_eq!(after.status, c.status);
    assert_eq!(after.message_count, c.message_count);
    assert_eq!(after.assignee_id, None);
    assert_eq!(t.count().await, count_before, "no conversation was created");
}
