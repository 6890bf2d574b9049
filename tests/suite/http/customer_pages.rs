//! A customer's way through the pages: open a conversation about an order,
//! see it listed, get a reply with an unread badge, read it; bad forms keep
//! what was typed; bodies are escaped; CLOSED is read-only; reactions are
//! shown with the reader's own (pages and JSON).

use host_example::demo::ALICE;
use reqwest::{Client, StatusCode};
use storechat::Status;
use storechat::service::{Reaction, SendMessage};

use super::app::{TestApp, get, hidden, ids_in_links, post};

const M: &str = "/dashboard/messages";

/// The new-conversation form's hidden values and the first order offered.
async fn new_form(app: &TestApp, client: &Client) -> (String, String, Option<String>) {
    let (status, html) = get(client, app.url(&format!("{M}/new/"))).await;
    assert_eq!(status, StatusCode::OK);
    let token = hidden(&html, "csrf_token").expect("csrf token");
    let client_id = hidden(&html, "client_msg_id").expect("client id");
    let order = html
        .split("<option value=\"")
        .nth(2)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned);
    (token, client_id, order)
}

async fn open(app: &TestApp, client: &Client, subject: &str, body: &str) -> i64 {
    let (token, client_id, _) = new_form(app, client).await;
    let form = [
        ("subject", subject),
        ("body", body),
        ("csrf_token", &token),
        ("client_msg_id", &client_id),
    ];
    let (status, _, location) = post(client, app.url(&format!("{M}/new/")), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("redirect to the thread");
    location
        .trim_start_matches(&format!("{M}/"))
        .trim_end_matches('/')
        .parse()
        .expect("thread id")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_opens_a_conversation_about_an_order_and_follows_the_reply() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let service = app.chat.service();

    // Open it about one of her orders.
    let (token, client_id, order) = new_form(&app, &alice).await;
    let order = order.expect("Alice has orders to choose from");
    let form = [
        ("subject", "Parcel never arrived"),
        ("order_id", order.as_str()),
        ("body", "Tracking says delivered, but nothing came."),
        ("csrf_token", token.as_str()),
        ("client_msg_id", client_id.as_str()),
    ];
    let (status, _, location) = post(&alice, app.url(&format!("{M}/new/")), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let thread_path = location.expect("thread");
    let id: i64 = thread_path
        .trim_start_matches(&format!("{M}/"))
        .trim_end_matches('/')
        .parse()
        .expect("id");

    // Posting the same form again (a double click) opens nothing new.
    let (status, _, again) = post(&alice, app.url(&format!("{M}/new/")), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(again.as_deref(), Some(thread_path.as_str()));

    let (status, thread) = get(&alice, app.url(&thread_path)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(thread.contains("Parcel never arrived"));
    assert!(thread.contains("Tracking says delivered, but nothing came."));
    assert!(thread.contains("Waiting for the store"));
    let (_, list) = get(&alice, app.url(&format!("{M}/"))).await;
    let row = list
        .split(&format!("href=\"{M}/{id}/\""))
        .nth(1)
        .expect("listed");
    assert!(row.contains("Parcel never arrived") && row.contains("Waiting for the store"));
    assert!(row.contains("Order #"), "the linked order is shown");
    let listed = ids_in_links(&list, &format!("href=\"{M}/"), "/\"");
    assert_eq!(
        listed.first(),
        Some(&id),
        "newest activity first: {listed:?}"
    );

    // A staff reply shows up with an unread badge and a notification.
    let staff = app.staff().await;
    let reply = SendMessage {
        body: storechat::domain::MessageBody::parse("So sorry! A new parcel is on its way.")
            .expect("valid"),
        client_msg_id: None,
        reply_to: None,
    };
    service
        .send_message(&staff, id, reply)
        .await
        .expect("staff replies");
    let (_, list) = get(&alice, app.url(&format!("{M}/"))).await;
    let row = list
        .split(&format!("href=\"{M}/{id}/\""))
        .nth(1)
        .expect("listed");
    assert!(row.contains("aria-label=\"1 unread\""), "unread badge");
    assert!(row.contains("Store replied"));
    let (_, badge) = get(&alice, app.url(&format!("{M}/badge.json"))).await;
    let counts: serde_json::Value = serde_json::from_str(&badge).expect("json");
    assert!(counts["unread_messages"].as_i64() >= Some(1));
    assert!(counts["unread_notifications"].as_i64() >= Some(1));
    let (_, alerts) = get(&alice, app.url(&format!("{M}/notifications/"))).await;
    assert!(alerts.contains("So sorry! A new parcel is on its way."));

    // Opening the thread reads it: the badge goes.
    let (_, thread) = get(&alice, app.url(&thread_path)).await;
    assert!(thread.contains("So sorry! A new parcel is on its way."));
    let (_, list) = get(&alice, app.url(&format!("{M}/"))).await;
    let row = list
        .split(&format!("href=\"{M}/{id}/\""))
        .nth(1)
        .expect("listed");
    let row = row.split("</li>").next().unwrap_or_default();
    assert!(!row.contains("unread\""), "badge gone: {row}");
    let alice_actor = app.actor(ALICE.email).await;
    let conversation = service
        .get_conversation(&alice_actor, id, None, 1)
        .await
        .expect("loads")
        .conversation;
    assert!(conversation.is_read_by_user());
    assert_eq!(conversation.status, Status::AwaitingUser);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_form_comes_back_with_the_error_and_what_was_typed() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let alice_actor = app.actor(ALICE.email).await;
    let before = app.conversation_count(&alice_actor).await;
    let (token, client_id, _) = new_form(&app, &alice).await;

    let form = [
        ("subject", "  "),
        ("body", "My typed <b>text</b>"),
        ("csrf_token", &token),
        ("client_msg_id", &client_id),
    ];
    let (status, html, _) = post(&alice, app.url(&format!("{M}/new/")), &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("The subject cannot be empty."));
    assert!(
        html.contains("My typed &#60;b&#62;text&#60;/b&#62;"),
        "typed body kept, escaped"
    );

    let long_subject = "S".repeat(201);
    let form = [
        ("subject", long_subject.as_str()),
        ("body", "fine"),
        ("csrf_token", &token),
        ("client_msg_id", &client_id),
    ];
    let (status, html, _) = post(&alice, app.url(&format!("{M}/new/")), &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("The subject is too long: 201 characters, at most 200"));
    assert!(html.contains(&long_subject), "typed subject kept");

    let long_body = "é".repeat(10_001);
    let form = [
        ("subject", "Fine"),
        ("body", long_body.as_str()),
        ("csrf_token", &token),
        ("client_msg_id", &client_id),
    ];
    let (status, html, _) = post(&alice, app.url(&format!("{M}/new/")), &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("The message is too long: 10001 characters"));
    assert!(html.contains("value=\"Fine\""));
    assert_eq!(
        app.conversation_count(&alice_actor).await,
        before,
        "nothing was opened"
    );

    // In a thread: an empty reply keeps the page and says why.
    let id = open(&app, &alice, "Thread form", "first").await;
    let (_, thread) = get(&alice, app.url(&format!("{M}/{id}/"))).await;
    let token = hidden(&thread, "csrf_token").expect("token");
    let (status, html, _) = post(
        &alice,
        app.url(&format!("{M}/{id}/send/")),
        &[("body", " \n "), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("The message cannot be empty."));
    let view = app
        .chat
        .service()
        .get_conversation(&alice_actor, id, None, 50)
        .await
        .expect("loads");
    assert_eq!(view.messages.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn message_bodies_and_subjects_are_escaped() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let id = open(
        &app,
        &alice,
        "<img src=x onerror=alert(1)>",
        "<script>alert(\"hi\")</script>",
    )
    .await;
    let (_, thread) = get(&alice, app.url(&format!("{M}/{id}/"))).await;
    assert!(!thread.contains("<script>alert"));
    assert!(!thread.contains("<img src=x"));
    assert!(thread.contains("&#60;script&#62;"));
    let (_, list) = get(&alice, app.url(&format!("{M}/"))).await;
    assert!(!list.contains("<img src=x"));
    assert!(list.contains("&#60;img src=x"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_conversation_is_read_only_with_a_way_to_start_again() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let id = open(&app, &alice, "To be closed", "first").await;
    let (_, thread) = get(&alice, app.url(&format!("{M}/{id}/"))).await;
    let token = hidden(&thread, "csrf_token").expect("token");
    let staff = app.staff().await;
    app.chat
        .service()
        .set_status(&staff, id, Status::Closed)
        .await
        .expect("closed");

    let (status, thread) = get(&alice, app.url(&format!("{M}/{id}/"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(thread.contains("This conversation is closed."));
    assert!(thread.contains(&format!("href=\"{M}/new/\"")));
    assert!(
        !thread.contains(&format!("action=\"{M}/{id}/send/\"")),
        "no reply form"
    );

    // A stale page posting anyway is told so, and nothing is stored.
    let (status, html, _) = post(
        &alice,
        app.url(&format!("{M}/{id}/send/")),
        &[("body", "still there?"), ("csrf_token", &token)],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("This conversation is closed."));
    let alice_actor = app.actor(ALICE.email).await;
    let view = app
        .chat
        .service()
        .get_conversation(&alice_actor, id, None, 50)
        .await
        .expect("loads");
    assert!(view.messages.iter().all(|m| m.body != "still there?"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_are_listed_counted_and_marked_read_as_json() {
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let bob = app
        .sign_in(
            host_example::demo::BOB.email,
            host_example::demo::BOB.password,
        )
        .await;
    let staff = app.staff().await;
    let id = open(&app, &alice, "JSON alerts", "first").await;
    for body in ["one", "two"] {
        let reply = SendMessage {
            body: storechat::domain::MessageBody::parse(body).expect("body"),
            client_msg_id: None,
            reply_to: None,
        };
        app.chat
            .service()
            .send_message(&staff, id, reply)
            .await
            .expect("reply");
    }
    let (status, json) = get(&alice, app.url(&format!("{M}/notifications.json"))).await;
    assert_eq!(status, StatusCode::OK);
    let page: serde_json::Value = serde_json::from_str(&json).expect("json");
    let unread = page["unread"].as_i64().expect("count");
    assert!(unread >= 2);
    let newest = &page["notifications"][0];
    assert_eq!(newest["body"], "two");
    assert_eq!(newest["kind"], "NEW_MESSAGE");
    assert_eq!(newest["read"], false);
    let newest_id = newest["id"].as_i64().expect("id");

    // A form post (what another site could send) is refused.
    let form = alice
        .post(app.url(&format!("{M}/notifications/{newest_id}/read.json")))
        .form(&[("x", "1")])
        .send()
        .await
        .expect("post");
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Bob cannot touch Alice's.
    let theirs = bob
        .post(app.url(&format!("{M}/notifications/{newest_id}/read.json")))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    let mine = alice
        .post(app.url(&format!("{M}/notifications/{newest_id}/read.json")))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("post");
    assert_eq!(mine.status(), StatusCode::OK);
    let left: serde_json::Value = mine.json().await.expect("json");
    assert_eq!(left["unread"].as_i64(), Some(unread - 1));
    let all = alice
        .post(app.url(&format!("{M}/notifications/read-all.json")))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("post");
    let all: serde_json::Value = all.json().await.expect("json");
    assert_eq!(all["unread"], 0);
    let (_, json) = get(&alice, app.url(&format!("{M}/notifications.json"))).await;
    let page: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(page["unread"], 0);
    // Anonymous: sent to sign in.
    let anonymous = crate::http::app::client()
        .get(app.url(&format!("{M}/notifications.json")))
        .send()
        .await
        .expect("get");
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
}

/// The markup of one message of a thread page, from its `<li>` to the end.
fn message_markup(html: &str, message_id: i64) -> &str {
    let start = html
        .find(&format!("id=\"m{message_id}\""))
        .expect("the message is on the page");
    let rest = &html[start..];
    &rest[..rest.find("</li>").unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_are_shown_on_the_thread_page_and_in_json_with_the_readers_own() {
    // Arrange: Alice's conversation with a store reply; both sides react.
    let app = TestApp::spawn().await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let alice_actor = app.actor(ALICE.email).await;
    let staff = app.staff().await;
    let service = app.chat.service();
    let id = open(&app, &alice, "Reactions", "Is the blue one back in stock?").await;
    let reply = SendMessage {
        body: storechat::domain::MessageBody::parse("Yes, since this morning.").expect("body"),
        client_msg_id: None,
        reply_to: None,
    };
    let reply = service
        .send_message(&staff, id, reply)
        .await
        .expect("reply")
        .message
        .id;
    let view = service
        .get_conversation(&alice_actor, id, None, 50)
        .await
        .expect("loads");
    let question = view.messages[0].id;
    for (who, message, reaction) in [
        (&staff, question, Reaction::Heart),
        (&alice_actor, question, Reaction::Heart),
        (&alice_actor, reply, Reaction::Fire),
        (&staff, reply, Reaction::ThumbsUp),
    ] {
        assert!(
            service
                .react(who, message, reaction, true)
                .await
                .expect("react")
        );
    }

    // Act
    let (status, thread) = get(&alice, app.url(&format!("{M}/{id}/"))).await;

    // Assert: counts per reaction, in menu order, hers marked.
    assert_eq!(status, StatusCode::OK);
    let first = message_markup(&thread, question);
    assert!(first.contains("data-reactable"));
    assert!(
        first.contains(
            "class=\"sc-reaction sc-reaction-mine\" data-emoji=\"heart\" data-count=\"2\""
        )
    );
    assert!(first.contains("aria-label=\"Heart: 2, including you\""));
    let second = message_markup(&thread, reply);
    let thumbs = second
        .find("class=\"sc-reaction\" data-emoji=\"thumbs_up\" data-count=\"1\"")
        .expect("the store's thumbs up, not hers");
    let fire = second
        .find("class=\"sc-reaction sc-reaction-mine\" data-emoji=\"fire\" data-count=\"1\"")
        .expect("her fire");
    assert!(thumbs < fire, "menu order: thumbs up before fire");

    // The JSON the widget reads says the same.
    let (_, json) = get(&alice, app.url(&format!("{M}/{id}/messages.json"))).await;
    let json: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(
        json["messages"][0]["reactions"],
        serde_json::json!([{ "emoji": "heart", "count": 2, "mine": true }])
    );
    assert_eq!(
        json["messages"][1]["reactions"],
        serde_json::json!([
            { "emoji": "thumbs_up", "count": 1, "mine": false },
            { "emoji": "fire", "count": 1, "mine": true }
        ])
    );

    // A removed message shows neither its text nor its reactions.
    service
        .remove_message(&staff, id, reply)
        .await
        .expect("removed");
    let (_, thread) = get(&alice, app.url(&format!("{M}/{id}/"))).await;
    let removed = message_markup(&thread, reply);
    assert!(removed.contains("This message was removed."));
    assert!(!removed.contains("data-emoji"));
    assert!(!removed.contains("data-reactable"));
}
