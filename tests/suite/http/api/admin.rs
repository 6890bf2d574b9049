//! The store's side through the API: the admin list (filters, search, sort,
//! cursors both ways), vendors scoped to their products, and every admin
//! operation.

use host_example::demo::{
    ALICE, ANN, GIFT_WRAP_AWAITING_STORE, OPEN_ORDER_QUESTION, VENDOR_PRODUCT_QUESTION, VERA,
    VICTOR,
};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{Api, conversation_id, error_code};
use crate::http::app::TestApp;

fn subjects(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["subject"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_list_filters_searches_sorts_and_pages_both_ways() {
    let app = TestApp::spawn().await;
    let ann = Api::signed_in(&app, ANN).await;
    let all = ann.get("/admin/conversations?limit=200").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let total = all.body["items"].as_array().map(Vec::len).unwrap_or(0);
    assert!(total >= 6, "the demo conversations");

    let open = ann
        .get("/admin/conversations?status=OPEN,AWAITING_ADMIN")
        .await;
    for c in open.body["items"].as_array().expect("items") {
        assert!(
            c["status"] == "OPEN" || c["status"] == "AWAITING_ADMIN",
            "{c}"
        );
    }
    assert!(subjects(&open.body).contains(&OPEN_ORDER_QUESTION.subject.to_owned()));
    let found = ann.get("/admin/conversations?q=gift").await;
    assert_eq!(
        subjects(&found.body),
        vec![GIFT_WRAP_AWAITING_STORE.subject]
    );
    let by_subject = ann.get("/admin/conversations?sort=subject&limit=200").await;
    let names = subjects(&by_subject.body);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    // Two rows at a time forwards, then back from the last page.
    let mut forward = Vec::new();
    let mut cursor: Option<String> = None;
    let last_page;
    loop {
        let path = match &cursor {
            Some(c) => format!("/admin/conversations?sort=subject&limit=2&cursor={c}"),
            None => "/admin/conversations?sort=subject&limit=2".to_owned(),
        };
        let page = ann.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        forward.extend(subjects(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(super::urlencoding(next)),
            None => {
                last_page = page.body;
                break;
            }
        }
    }
    assert_eq!(forward, names, "every row once, in order");
    let previous = last_page["previous_cursor"]
        .as_str()
        .expect("a page before");
    let back = ann
        .get(&format!(
            "/admin/conversations?sort=subject&limit=2&before={}",
            super::urlencoding(previous)
        ))
        .await;
    let back_rows = subjects(&back.body);
    let last_rows = subjects(&last_page);
    let at = names.len() - last_rows.len();
    assert_eq!(back_rows, names[at - 2..at].to_vec());

    for (path, parameter) in [
        ("/admin/conversations?status=DONE", "status"),
        // Exactly the document's values: no other case, no empty value.
        ("/admin/conversations?status=OPEN,open", "status"),
        ("/admin/conversations?status=", "status"),
        ("/admin/conversations?sort=password", "sort"),
        ("/admin/conversations?sort=", "sort"),
        ("/admin/conversations?read=maybe", "read"),
        ("/admin/conversations?read=", "read"),
        ("/admin/conversations?limit=1000", "limit"),
        ("/admin/conversations?cursor=zz", "cursor"),
    ] {
        let answer = ann.get(path).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(answer.body["details"]["parameter"], parameter, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendors_see_and_answer_only_conversations_about_their_products() {
    let app = TestApp::spawn().await;
    let ann = Api::signed_in(&app, ANN).await;
    let victor = Api::signed_in(&app, VICTOR).await;
    let vera = Api::signed_in(&app, VERA).await;
    let theirs = victor.get("/admin/conversations").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert_eq!(
        subjects(&theirs.body),
        vec![VENDOR_PRODUCT_QUESTION.subject]
    );
    // Asking for another vendor's does not widen it.
    let sneaky = vera
        .get(&format!(
            "/admin/conversations?vendor={}",
            victor_id(&theirs.body)
        ))
        .await;
    assert_eq!(subjects(&sneaky.body), Vec::<String>::new());
    let id = conversation_id(&ann, VENDOR_PRODUCT_QUESTION.subject).await;
    let answer = victor
        .post(
            &format!("/conversations/{id}/messages"),
            json!({ "body": "Yes, it is." }),
        )
        .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.body["message"]["sender_side"], "vendor");
    assert_eq!(answer.body["conversation"]["status"], "AWAITING_USER");
    for denied in [
        vera.get(&format!("/conversations/{id}")).await,
        vera.post(
            &format!("/conversations/{id}/messages"),
            json!({ "body": "Hi" }),
        )
        .await,
    ] {
        assert_eq!(denied.status, StatusCode::NOT_FOUND, "{}", denied.body);
    }
    let other = conversation_id(&ann, OPEN_ORDER_QUESTION.subject).await;
    assert_eq!(
        victor.get(&format!("/conversations/{other}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        victor
            .put(
                &format!("/admin/conversations/{id}/status"),
                Some(json!({ "status": "CLOSED" }))
            )
            .await
            .status,
        StatusCode::FORBIDDEN,
        "status overrides are staff's"
    );
    assert_eq!(victor.get("/unread").await.status, StatusCode::OK);
}

fn victor_id(page: &Value) -> String {
    page["items"][0]["vendor"]["id"]
        .as_str()
        .expect("vendor id")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_open_set_status_assign_prioritise_and_delete() {
    let app = TestApp::spawn().await;
    let ann = Api::signed_in(&app, ANN).await;
    let alice = Api::signed_in(&app, ALICE).await;
    let alice_id = app.actor(ALICE.email).await.id;

    let opened = ann
        .post(
            "/admin/conversations",
            json!({ "customer_id": alice_id, "subject": "Your parcel", "body": "It is on its way." }),
        )
        .await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    assert_eq!(opened.body["conversation"]["status"], "AWAITING_USER");
    let id = opened.body["conversation"]["id"].as_i64().expect("id");
    assert_eq!(
        alice.get(&format!("/conversations/{id}")).await.status,
        StatusCode::OK
    );
    let nobody = ann
        .post(
            "/admin/conversations",
            json!({ "customer_id": "999999", "subject": "x", "body": "y" }),
        )
        .await;
    assert_eq!(nobody.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(nobody.body["details"]["field"], "customer_id");
    let by_customer = alice
        .post(
            "/admin/conversations",
            json!({ "customer_id": alice_id, "subject": "x", "body": "y" }),
        )
        .await;
    assert_eq!(by_customer.status, StatusCode::FORBIDDEN);

    let assigned = ann
        .put(
            &format!("/admin/conversations/{id}/assignee"),
            Some(json!({ "assignee": "me" })),
        )
        .await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    assert_eq!(assigned.body["assignee"]["name"], ANN.name);
    let mine = ann.get("/admin/conversations?assignee=me").await;
    assert_eq!(subjects(&mine.body), vec!["Your parcel"]);
    let unassigned = ann
        .put(
            &format!("/admin/conversations/{id}/assignee"),
            Some(json!({ "assignee": null })),
        )
        .await;
    assert!(unassigned.body["assignee"].is_null());
    let urgent = ann
        .put(
            &format!("/admin/conversations/{id}/priority"),
            Some(json!({ "priority": "urgent" })),
        )
        .await;
    assert_eq!(urgent.body["priority"], "urgent");
    let bad = ann
        .put(
            &format!("/admin/conversations/{id}/priority"),
            Some(json!({ "priority": "asap" })),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let bad_status = ann
        .put(
            &format!("/admin/conversations/{id}/status"),
            Some(json!({ "status": "DONE" })),
        )
        .await;
    assert_eq!(bad_status.status, StatusCode::UNPROCESSABLE_ENTITY);

    let closed = ann
        .put(
            &format!("/admin/conversations/{id}/status"),
            Some(json!({ "status": "CLOSED" })),
        )
        .await;
    assert_eq!(closed.status, StatusCode::OK);
    assert_eq!(closed.body["status"], "CLOSED");
    let history = ann.get(&format!("/conversations/{id}/messages")).await;
    let last = history.body["items"]
        .as_array()
        .and_then(|i| i.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(last["kind"], "system", "the override is in the history");
    let deleted = ann.delete(&format!("/admin/conversations/{id}")).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = ann.get(&format!("/conversations/{id}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(error_code(&gone), "conversation_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_operations_and_exports_are_all_or_nothing() {
    let app = TestApp::spawn().await;
    let ann = Api::signed_in(&app, ANN).await;
    let a = conversation_id(&ann, OPEN_ORDER_QUESTION.subject).await;
    let b = conversation_id(&ann, GIFT_WRAP_AWAITING_STORE.subject).await;

    let unknown = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "resolve", "ids": [a, 999_999] }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.body["details"]["unknown"], json!([999_999]));
    let still = ann.get(&format!("/conversations/{a}")).await;
    assert_eq!(
        still.body["conversation"]["status"], "OPEN",
        "nothing changed"
    );
    let not_closed = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "delete", "ids": [a, b] }),
        )
        .await;
    assert_eq!(not_closed.status, StatusCode::CONFLICT);
    let empty = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "close", "ids": [] }),
        )
        .await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    let nonsense = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "explode", "ids": [a] }),
        )
        .await;
    assert_eq!(nonsense.status, StatusCode::UNPROCESSABLE_ENTITY);

    let resolved = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "resolve", "ids": [a, b] }),
        )
        .await;
    assert_eq!(resolved.status, StatusCode::OK);
    assert_eq!(resolved.body["changed"], 2);
    let read = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "mark_read", "ids": [a, b] }),
        )
        .await;
    assert_eq!(read.status, StatusCode::OK);
    let mine = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "assign_to_me", "ids": [a] }),
        )
        .await;
    assert_eq!(mine.body["changed"], 1);
    let closed = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "close", "ids": [a, b] }),
        )
        .await;
    assert_eq!(closed.body["changed"], 2);

    let csv = ann
        .post(
            "/admin/conversations/export",
            json!({ "ids": [b, a], "format": "csv" }),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/csv")
    );
    let mut reader = csv::Reader::from_reader(csv.bytes.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        &rows[0][0], GIFT_WRAP_AWAITING_STORE.subject,
        "in the order asked"
    );
    assert_eq!(&rows[0][5], "CLOSED");
    let xlsx = ann
        .post(
            "/admin/conversations/export",
            json!({ "ids": [a], "format": "xlsx" }),
        )
        .await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.bytes.starts_with(b"PK"), "a zip container");

    let deleted = ann
        .post(
            "/admin/conversations/bulk",
            json!({ "action": "delete", "ids": [a, b] }),
        )
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body["changed"], 2);
    assert_eq!(
        ann.get(&format!("/conversations/{a}")).await.status,
        StatusCode::NOT_FOUND
    );
}
