//! Who may reach what: anonymous people are sent to sign in; customer B
//! gets 404 on customer A's conversation by every route and changes nothing.

use host_example::demo::{ALICE, BOB};
use reqwest::StatusCode;

use super::app::{TestApp, client, get, hidden, ids_in_links, post};

const M: &str = "/dashboard/messages";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_people_are_sent_to_sign_in() {
    let app = TestApp::spawn().await;
    let anonymous = client();
    for path in [
        format!("{M}/"),
        format!("{M}/new/"),
        format!("{M}/1/"),
        format!("{M}/notifications/"),
        format!("{M}/badge.json"),
    ] {
        let response = anonymous.get(app.url(&path)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(location.starts_with("/login"), "{path} → {location}");
        assert!(
            location.contains("next="),
            "{path} comes back after sign-in: {location}"
        );
    }
    for path in [
        format!("{M}/new/"),
        format!("{M}/1/send/"),
        format!("{M}/notifications/read-all/"),
    ] {
        let (status, _, location) = post(&anonymous, app.url(&path), &[("body", "hi")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert!(location.unwrap_or_default().starts_with("/login"), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_customer_gets_404_on_every_route_and_changes_nothing() {
    // Arrange: Alice's conversations and notifications, seen as Alice.
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let (_, list) = get(&alice, app.url(&format!("{M}/"))).await;
    let alice_ids = ids_in_links(&list, &format!("{M}/"), "/\"");
    assert!(!alice_ids.is_empty(), "the demo gives Alice conversations");
    let (_, alerts) = get(&alice, app.url(&format!("{M}/notifications/"))).await;
    let alice_alerts = ids_in_links(&alerts, &format!("{M}/notifications/"), "/read/");
    assert!(
        !alice_alerts.is_empty(),
        "the demo gives Alice notifications"
    );
    let alice_actor = app.actor(ALICE.email).await;
    let before = app
        .chat
        .service()
        .get_conversation(&alice_actor, alice_ids[0], None, 500)
        .await
        .expect("loads");
    let unread_alerts = app
        .chat
        .service()
        .unread_notifications(&alice_actor)
        .await
        .expect("count");

    // Act and assert: Bob, signed in, with a valid token of his own.
    let bob = app.sign_in(BOB.email, BOB.password).await;
    let (_, bob_new) = get(&bob, app.url(&format!("{M}/new/"))).await;
    let token = hidden(&bob_new, "csrf_token").expect("Bob's token");
    let (_, bob_list) = get(&bob, app.url(&format!("{M}/"))).await;
    for id in &alice_ids {
        assert!(
            !bob_list.contains(&format!("{M}/{id}/\"")),
            "Bob's list does not show #{id}"
        );
        let (status, body) = get(&bob, app.url(&format!("{M}/{id}/"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "thread #{id}");
        assert!(
            body.contains("does not exist or is not yours"),
            "a page that says so"
        );
        let (status, _) = get(&bob, app.url(&format!("{M}/{id}/?before=999999"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "history page of #{id}");
        let (status, _, _) = post(
            &bob,
            app.url(&format!("{M}/{id}/send/")),
            &[
                ("body", "Bob was here"),
                ("csrf_token", &token),
                ("client_msg_id", "bob-1"),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "send to #{id}");
    }
    for id in &alice_alerts {
        let (status, _, _) = post(
            &bob,
            app.url(&format!("{M}/notifications/{id}/read/")),
            &[("csrf_token", &token)],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "notification #{id}");
    }
    for path in ["abc/", "-1/", "99999999/"] {
        let (status, _) = get(&bob, app.url(&format!("{M}/{path}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }

    // Nothing changed for Alice: same messages, same unread state.
    let after = app
        .chat
        .service()
        .get_conversation(&alice_actor, alice_ids[0], None, 500)
        .await
        .expect("loads");
    assert_eq!(after.messages.len(), before.messages.len());
    assert_eq!(
        after.conversation.unread_for_user,
        before.conversation.unread_for_user
    );
    assert_eq!(
        app.chat
            .service()
            .unread_notifications(&alice_actor)
            .await
            .expect("count"),
        unread_alerts
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_posts_without_a_valid_token_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let alice_actor = app.actor(ALICE.email).await;
    let before = app.conversation_count(&alice_actor).await;
    let form = [("subject", "Forged"), ("body", "From another site")];
    let (status, body, _) = post(&alice, app.url(&format!("{M}/new/")), &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Nothing was changed"));
    let forged = [("subject", "Forged"), ("body", "x"), ("csrf_token", "00ff")];
    let (status, _, _) = post(&alice, app.url(&format!("{M}/new/")), &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token of Bob's is no good for Alice.
    let bob = app.sign_in(BOB.email, BOB.password).await;
    let (_, bob_new) = get(&bob, app.url(&format!("{M}/new/"))).await;
    let bob_token = hidden(&bob_new, "csrf_token").expect("token");
    let stolen = [
        ("subject", "Forged"),
        ("body", "x"),
        ("csrf_token", bob_token.as_str()),
    ];
    let (status, _, _) = post(&alice, app.url(&format!("{M}/new/")), &stolen).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let after = app.conversation_count(&alice_actor).await;
    assert_eq!(after, before);
}

/// A store's own `<script>` tags carry no version: after an upgrade the
/// browser must not keep an old widget for a day. Versioned URLs (the
/// plugin's own pages) are cached for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripts_are_revalidated_unless_versioned() {
    let app = TestApp::spawn().await;
    let browser = client();
    let url = app.url("/storechat/assets/storechat-widget.js");
    let first = browser.get(&url).send().await.expect("GET");
    assert_eq!(first.status(), StatusCode::OK);
    let header = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header(&first, "cache-control"), "public, no-cache");
    let etag = header(&first, "etag");
    assert!(etag.starts_with('"') && etag.len() > 2, "{etag}");
    assert!(!first.text().await.expect("body").is_empty());

    let again = browser
        .get(&url)
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert!(again.text().await.expect("body").is_empty());

    let stale = browser
        .get(&url)
        .header("if-none-match", "\"0000000000000000\"")
        .send()
        .await
        .expect("GET");
    assert_eq!(
        stale.status(),
        StatusCode::OK,
        "a changed file is sent again"
    );

    let versioned = browser
        .get(app.url("/storechat/assets/storechat.css?v=1.2.3"))
        .send()
        .await
        .expect("GET");
    assert_eq!(versioned.status(), StatusCode::OK);
    assert!(header(&versioned, "cache-control").contains("immutable"));
}
