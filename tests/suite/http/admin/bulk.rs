use reqwest::StatusCode;
use storechat::Status;

use super::support::{Admin, row_ids};
use crate::http::app::{get, hidden, post};

async fn run(t: &Admin, ids: &[i64], action: &str, token: &str) -> (StatusCode, String) {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut form: Vec<(&str, &str)> = ids.iter().map(|id| ("ids", id.as_str())).collect();
    form.push(("action", action));
    form.push(("csrf_token", token));
    t.post_and_follow("/bulk/", &form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_mark_read_resolve_close_and_assign() {
    let t = Admin::start().await;
    let a = t.open(&t.alice, "Bulk A").await.id;
    let b = t.open(&t.bob, "Bulk B").await.id;
    let token = t.token().await;
    let ids = [a, b];
    let run = |action: &'static str| run(&t, &ids, action, &token);
    let (_, page) = run("mark_read").await;
    assert!(page.contains("Marked 2 conversations read."));
    assert!(
        t.conversation(a).await.is_read_by_admin() && t.conversation(b).await.is_read_by_admin()
    );
    let (_, page) = run("resolve").await;
    assert!(page.contains("Set 2 conversations to Resolved."));
    assert_eq!(t.conversation(b).await.status, Status::Resolved);
    let (_, page) = run("assign_me").await;
    assert!(page.contains("Assigned 2 conversations to you."));
    assert_eq!(
        t.conversation(a).await.assignee_name.as_deref(),
        Some("Ann Admin")
    );
    let (_, page) = run("close").await;
    assert!(page.contains("Set 2 conversations to Closed."));
    assert_eq!(t.conversation(a).await.status, Status::Closed);
    let (_, page) = run("close").await;
    assert!(page.contains("2 were already Closed"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_delete_only_when_every_one_is_closed() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let closed = t.open(&t.alice, "Done and dusted").await.id;
    let open = t.open(&t.bob, "Still talking").await.id;
    s.set_status(&t.staff, closed, Status::Closed)
        .await
        .expect("closed");
    let token = t.token().await;
    let (closed_s, open_s) = (closed.to_string(), open.to_string());

    // Asking to delete a mix: refused up front, naming the open one.
    let form = [
        ("ids", closed_s.as_str()),
        ("ids", open_s.as_str()),
        ("action", "delete"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page, _) = post(&t.ann, t.url("/bulk/"), &form).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("Only closed conversations can be deleted"));
    assert!(page.contains("Still talking") && !page.contains("Yes, delete"));
    // Forcing the confirmed delete anyway: nothing is deleted, the error names it.
    let form = [
        ("ids", closed_s.as_str()),
        ("ids", open_s.as_str()),
        ("csrf_token", token.as_str()),
    ];
    let (_, page) = t.post_and_follow("/bulk/delete/", &form).await;
    assert!(
        page.contains("nothing was deleted") && page.contains("Still talking"),
        "the error names the open one"
    );
    assert!(t.exists(closed).await && t.exists(open).await);

    // Unknown ids are reported, never skipped.
    let form = [
        ("ids", closed_s.as_str()),
        ("ids", "987654"),
        ("csrf_token", token.as_str()),
    ];
    let (_, page) = t.post_and_follow("/bulk/delete/", &form).await;
    assert!(page.contains("These conversations do not exist: #987654"));
    assert!(t.exists(closed).await);

    // All closed: the confirmation page, then the delete.
    s.set_status(&t.staff, open, Status::Closed)
        .await
        .expect("closed");
    let form = [
        ("ids", closed_s.as_str()),
        ("ids", open_s.as_str()),
        ("action", "delete"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page, _) = post(&t.ann, t.url("/bulk/"), &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Delete 2 conversations?") && page.contains("Yes, delete"));
    let confirm = [
        ("ids", closed_s.as_str()),
        ("ids", open_s.as_str()),
        ("csrf_token", token.as_str()),
    ];
    let (_, page) = t.post_and_follow("/bulk/delete/", &confirm).await;
    assert!(page.contains("Deleted 2 conversations."));
    assert!(!t.exists(closed).await && !t.exists(open).await);
    assert!(!row_ids(&page).contains(&closed));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_delete_asks_first_and_refuses_unless_closed() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let id = t.open(&t.alice, "Single").await.id;
    let (status, page) = get(&t.ann, t.url(&format!("/{id}/delete/"))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("Only closed conversations can be deleted") && !page.contains("Yes, delete")
    );
    let token = hidden(&page, "csrf_token").expect("token");
    let (_, page) = t
        .post_and_follow(&format!("/{id}/delete/"), &[("csrf_token", &token)])
        .await;
    assert!(page.contains("Only closed conversations can be deleted; nothing was deleted."));
    assert!(t.exists(id).await);
    s.set_status(&t.staff, id, Status::Closed)
        .await
        .expect("closed");
    let (status, page) = get(&t.ann, t.url(&format!("/{id}/delete/"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Delete this conversation?") && page.contains("Yes, delete"));
    let (_, page) = t
        .post_and_follow(&format!("/{id}/delete/"), &[("csrf_token", &token)])
        .await;
    assert!(page.contains("Deleted 1 conversation."));
    assert!(!t.exists(id).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_without_rows_or_action_or_with_junk_ids_changes_nothing() {
    let t = Admin::start().await;
    let id = t.open(&t.alice, "Junk").await.id.to_string();
    let token = t.token().await;
    let (_, page) = t
        .post_and_follow("/bulk/", &[("action", "close"), ("csrf_token", &token)])
        .await;
    assert!(page.contains("Check at least one conversation first."));
    let (_, page) = t
        .post_and_follow(
            "/bulk/",
            &[("ids", &id), ("action", ""), ("csrf_token", &token)],
        )
        .await;
    assert!(page.contains("Choose an action"));
    let (_, page) = t
        .post_and_follow(
            "/bulk/",
            &[
                ("ids", &id),
                ("ids", "DROP TABLE"),
                ("action", "close"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert!(page.contains("These are not conversation ids: DROP TABLE"));
    let (_, page) = t
        .post_and_follow(
            "/bulk/",
            &[
                ("ids", &id),
                ("ids", "424242"),
                ("action", "close"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert!(page.contains("These conversations do not exist: #424242"));
    assert_eq!(
        t.conversation(id.parse().unwrap_or_default()).await.status,
        Status::Open
    );
}
