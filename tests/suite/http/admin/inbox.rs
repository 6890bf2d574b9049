//! The three-pane inbox over HTTP, without JavaScript: who may see it, the
//! list (search by customer, unread only, "99+"), opening a conversation,
//! the JSON the live page asks for, and every form (reply with a quote,
//! edit, delete, react, status) posting and coming back.

use host_example::demo::ALICE;
use reqwest::StatusCode;
use serde_json::Value;
use storechat::service::SendMessage;
use storechat::{Side, Status};

use super::support::{A, Admin, text};
use crate::http::app::{client, get, hidden, post};

/// The conversation ids of the inbox's list, top to bottom.
fn inbox_rows(html: &str) -> Vec<i64> {
    html.split("<li class=\"sci-row")
        .skip(1)
        .filter_map(|row| {
            let at = row.find("data-id=\"")? + 9;
            row[at..].split('"').next()?.parse().ok()
        })
        .collect()
}

async fn json(client: &reqwest::Client, url: String) -> (StatusCode, Value) {
    let response = client.get(url).send().await.expect("GET");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Ids of the rows of a `rows.json` answer.
fn json_rows(body: &Value) -> Vec<i64> {
    body["rows"]
        .as_array()
        .map(|rows| rows.iter().filter_map(|r| r["id"].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_visitors_sign_in_customers_get_403_staff_get_the_inbox() {
    let t = Admin::start().await;
    let id = t.open(&t.alice, "Inbox access").await.id;
    let first = t
        .app
        .chat
        .service()
        .get_conversation(&t.staff, id, None, 1)
        .await;
    let mid = first.expect("loads").messages[0].id.to_string();
    let gets = [
        "/inbox/".to_owned(),
        format!("/inbox/?c={id}"),
        "/inbox/rows.json".to_owned(),
        format!("/inbox/{id}/history.json"),
    ];
    let posts = [
        format!("/inbox/{id}/reply/"),
        format!("/inbox/{id}/status/"),
        format!("/inbox/{id}/customer-action/"),
        format!("/inbox/{id}/messages/{mid}/edit/"),
        format!("/inbox/{id}/messages/{mid}/delete/"),
        format!("/inbox/{id}/messages/{mid}/react/"),
    ];
    let form = [
        ("reply_body", "Forged"),
        ("status", "CLOSED"),
        ("emoji", "fire"),
        ("action", "give_points"),
        ("value", "10"),
    ];

    let anonymous = client();
    for path in &gets {
        let response = anonymous.get(t.url(path)).send().await.expect("GET");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok());
        assert!(
            location.unwrap_or_default().starts_with("/login?next="),
            "{path}"
        );
    }
    for path in &posts {
        let (status, _, location) = post(&anonymous, t.url(path), &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
        assert!(location.unwrap_or_default().starts_with("/login"), "{path}");
    }

    let alice = t.app.sign_in(ALICE.email, ALICE.password).await;
    for path in &gets[..2] {
        let (status, body) = get(&alice, t.url(path)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(body.contains("panels are for the store"), "{path}");
    }
    for path in &gets[2..] {
        let (status, body) = json(&alice, t.url(path)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(body["error"], "forbidden", "{path}");
    }
    for path in &posts {
        let (status, _, _) = post(&alice, t.url(path), &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
    }
    // Staff without the form's token are refused too.
    for path in &posts {
        let (status, body, _) = post(&t.ann, t.url(path), &form).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        assert!(body.contains("Nothing was changed"), "{path}");
    }
    let after = t.conversation(id).await;
    assert_eq!(
        (after.status, after.message_count),
        (Status::Open, 1),
        "nothing changed"
    );

    for path in &gets[..2] {
        let (status, body) = get(&t.ann, t.url(path)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains("data-sci"), "{path}");
    }
    let (status, body) = json(&t.ann, t.url("/inbox/rows.json")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(json_rows(&body).contains(&id));
    let (status, body) = json(&t.ann, t.url(&format!("/inbox/{id}/history.json"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["messages"][0]["body"], "Hello from the test");
    // Unknown conversations are not found, in either form.
    let (status, _) = get(&t.ann, t.url("/inbox/?c=999999")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = json(&t.ann, t.url("/inbox/999999/history.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "conversation_not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_searches_by_customer_and_shows_unread_only() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let from_alice = t.open(&t.alice, "Mug handle came off").await.id;
    let from_bob = t.open(&t.bob, "Scarf colours").await.id;
    let read = t.open(&t.bob, "Already answered").await.id;
    s.mark_read(&t.staff, read, None).await.expect("read");

    // Newest activity first.
    let (_, html) = get(&t.ann, t.url("/inbox/")).await;
    let rows = inbox_rows(&html);
    assert_eq!(rows[..3], [read, from_bob, from_alice]);

    // By e-mail, by name: only that customer's conversations.
    let (_, html) = get(&t.ann, t.url("/inbox/?q=bob%40example.com")).await;
    let rows = inbox_rows(&html);
    assert!(
        rows.contains(&from_bob) && rows.contains(&read) && !rows.contains(&from_alice),
        "{rows:?}"
    );
    let (_, body) = json(&t.ann, t.url("/inbox/rows.json?q=Alice+Mart")).await;
    let rows = json_rows(&body);
    assert!(
        rows.contains(&from_alice) && !rows.contains(&from_bob),
        "{rows:?}"
    );
    assert!(
        body["rows"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|r| r["customer_name"] == "Alice Martin"),
        "{body}"
    );
    // Row links keep the search.
    assert!(
        body["rows"][0]["href"]
            .as_str()
            .unwrap_or_default()
            .contains("q=Alice%20Mart&c=")
    );

    // Unread only: the read one is gone; every row left has a badge.
    let (_, html) = get(&t.ann, t.url("/inbox/?unread=1")).await;
    let rows = inbox_rows(&html);
    assert!(
        rows.contains(&from_alice) && rows.contains(&from_bob) && !rows.contains(&read),
        "{rows:?}"
    );
    assert!(
        html.contains("aria-checked=\"true\""),
        "the toggle shows it is on"
    );
    let (_, body) = json(&t.ann, t.url("/inbox/rows.json?unread=1&q=bob")).await;
    assert_eq!(json_rows(&body), vec![from_bob]);
    assert_eq!(body["rows"][0]["unread"], 1);
    // Nothing matches: said so.
    let (_, html) = get(&t.ann, t.url("/inbox/?q=nobody-at-all")).await;
    assert!(inbox_rows(&html).is_empty());
    assert!(html.contains("No conversations match."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn badges_say_99_plus_above_99() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let busy = t.open(&t.alice, "Many questions").await.id;
    let quiet = t.open(&t.bob, "Ninety-nine").await.id;
    for n in 1..100 {
        s.send_message(&t.alice, busy, text(&format!("Question {n}")))
            .await
            .expect("sent");
    }
    for n in 1..99 {
        s.send_message(&t.bob, quiet, text(&format!("Note {n}")))
            .await
            .expect("sent");
    }
    assert_eq!(t.conversation(busy).await.unread_for_admin, 100);
    assert_eq!(t.conversation(quiet).await.unread_for_admin, 99);

    let (_, html) = get(&t.ann, t.url("/inbox/")).await;
    assert!(
        html.contains("title=\"100 unread\">99+</span>"),
        "100 reads 99+"
    );
    assert!(
        html.contains("title=\"99 unread\">99</span>"),
        "99 is still a number"
    );
    let (_, body) = json(&t.ann, t.url("/inbox/rows.json?q=questions")).await;
    assert_eq!(
        (
            body["rows"][0]["unread"].clone(),
            body["rows"][0]["badge"].clone()
        ),
        (100.into(), "99+".into())
    );

    // Opening it reads it: the badge is gone from its row.
    let (_, html) = get(&t.ann, t.url(&format!("/inbox/?c={busy}"))).await;
    assert_eq!(t.conversation(busy).await.unread_for_admin, 0);
    assert!(!html.contains("title=\"100 unread\""));
    // Its history comes in pages: the newest, then earlier ones.
    assert!(html.contains("Load earlier messages"));
    let (_, page) = json(
        &t.ann,
        t.url(&format!("/inbox/{busy}/history.json?limit=10")),
    )
    .await;
    let ids: Vec<i64> = page["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["id"].as_i64())
        .collect();
    assert_eq!((ids.len(), page["has_earlier"].as_bool()), (10, Some(true)));
    let (_, older) = json(
        &t.ann,
        t.url(&format!(
            "/inbox/{busy}/history.json?limit=10&before={}",
            ids[0]
        )),
    )
    .await;
    let last_older = older["messages"][9]["id"].as_i64().unwrap_or_default();
    assert!(last_older < ids[0], "earlier messages, oldest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_without_javascript_quotes_and_comes_back() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let id = t.open(&t.alice, "Lost parcel").await.id;
    let asked = s
        .send_message(&t.alice, id, text("It has been ten days now."))
        .await
        .expect("sent")
        .message
        .id;

    // "Reply" on a message is a link: the box then quotes it.
    let (status, page) = get(
        &t.ann,
        t.url(&format!("/inbox/?q=lost&c={id}&reply_to={asked}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Replying to Alice Martin"));
    assert!(page.contains(&format!("action=\"{A}/inbox/{id}/reply/\"")));
    let token = hidden(&page, "csrf_token").expect("token");
    let client_id = hidden(&page, "client_msg_id").expect("client id");
    let next = hidden(&page, "next")
        .expect("where to come back")
        .replace("&#38;", "&");
    assert_eq!(next, format!("{A}/inbox/?q=lost&c={id}"));
    let reply_to = asked.to_string();
    let form = [
        ("csrf_token", token.as_str()),
        ("client_msg_id", client_id.as_str()),
        ("next", next.as_str()),
        ("reply_to", reply_to.as_str()),
        (
            "reply_body",
            "We are on it: the courier is looking for it today.",
        ),
    ];
    let (status, _, location) = post(&t.ann, t.url(&format!("/inbox/{id}/reply/")), &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = location.expect("comes back");
    let view = s
        .get_conversation(&t.staff, id, None, 50)
        .await
        .expect("loads");
    let reply = view.messages.last().expect("the reply");
    assert_eq!(location, format!("{next}#m{}", reply.id));
    assert_eq!(
        (reply.sender_side, reply.reply_to_id),
        (Side::Staff, Some(asked))
    );
    assert_eq!(view.conversation.status, Status::AwaitingUser);

    let (_, page) = get(&t.ann, t.app.url(&location)).await;
    assert!(page.contains("Reply sent."));
    assert!(page.contains("<span class=\"sci-quote-text\">It has been ten days now.</span>"));
    // A double submit of the same form stores nothing more.
    post(&t.ann, t.url(&format!("/inbox/{id}/reply/")), &form).await;
    let again = s
        .get_conversation(&t.staff, id, None, 50)
        .await
        .expect("loads");
    assert_eq!(again.messages.len(), view.messages.len());

    // An empty reply sends nothing and says so; a too long one keeps the text.
    let (_, page) = t
        .post_and_follow(
            &format!("/inbox/{id}/reply/"),
            &[("csrf_token", &token), ("reply_body", "  ")],
        )
        .await;
    assert!(page.contains("Nothing was sent: the reply was empty."));
    let long = "x".repeat(10_001);
    let (status, page, _) = post(
        &t.ann,
        t.url(&format!("/inbox/{id}/reply/")),
        &[
            ("csrf_token", &token),
            ("reply_body", &long),
            ("next", &next),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("role=\"alert\"") && page.contains(&long),
        "the text is kept"
    );
    let after = s
        .get_conversation(&t.staff, id, None, 50)
        .await
        .expect("loads");
    assert_eq!(
        after.messages.len(),
        view.messages.len(),
        "nothing was stored"
    );
}

/// Posts a form as Ann and follows the redirect.
async fn submit(t: &Admin, path: String, form: Vec<(&str, &str)>) -> (StatusCode, String) {
    t.post_and_follow(&path, &form).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hover_actions_work_as_forms() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let id = t.open(&t.alice, "Wrong size").await.id;
    let hers = s
        .get_conversation(&t.staff, id, None, 1)
        .await
        .expect("loads")
        .messages[0]
        .id;
    let mine = s
        .send_message(
            &t.staff,
            id,
            SendMessage {
                reply_to: Some(hers),
                ..text("Which size would you like?")
            },
        )
        .await
        .expect("sent")
        .message
        .id;
    let token = t.token().await;
    let here = format!("{A}/inbox/?c={id}");

    // The page offers edit and delete on her own message only.
    let (_, page) = get(&t.ann, t.url(&format!("/inbox/?c={id}"))).await;
    assert!(page.contains(&format!("{A}/inbox/{id}/messages/{mine}/delete/")));
    assert!(!page.contains(&format!("{A}/inbox/{id}/messages/{hers}/delete/")));
    // "Edit" is a link that puts the text in the box.
    let (_, page) = get(&t.ann, t.url(&format!("/inbox/?c={id}&edit={mine}"))).await;
    assert!(page.contains("Editing your message"));
    assert!(page.contains(">Which size would you like?</textarea>"));
    assert!(page.contains(&format!("action=\"{A}/inbox/{id}/messages/{mine}/edit/\"")));

    let send = |path: String, extra: &'static [(&'static str, &'static str)]| {
        let mut form = vec![("csrf_token", token.as_str()), ("next", here.as_str())];
        form.extend_from_slice(extra);
        submit(&t, path, form)
    };

    let (_, page) = send(
        format!("/inbox/{id}/messages/{mine}/edit/"),
        &[("reply_body", "Which size, M or L?")],
    )
    .await;
    assert!(page.contains("Message edited."));
    // Someone else's message cannot be edited: said, and nothing changes.
    let (_, page) = send(
        format!("/inbox/{id}/messages/{hers}/edit/"),
        &[("reply_body", "Forged")],
    )
    .await;
    assert!(page.contains("You can only change messages you wrote."));

    let (_, page) = send(
        format!("/inbox/{id}/messages/{hers}/react/"),
        &[("emoji", "heart")],
    )
    .await;
    assert!(page.contains("Reaction added."));
    assert!(page.contains("data-emoji=\"heart\""));
    assert!(
        page.contains("name=\"unreact\" value=\"heart\""),
        "her own reaction can be taken back"
    );
    let (_, body) = json(&t.ann, t.url(&format!("/inbox/{id}/history.json"))).await;
    let first = &body["messages"][0];
    assert_eq!(first["reactions"][0]["name"], "heart");
    assert_eq!(
        (
            first["reactions"][0]["count"].clone(),
            first["reactions"][0]["mine"].clone()
        ),
        (1.into(), true.into())
    );
    assert_eq!(body["messages"][1]["quote"]["id"], hers);
    assert_eq!(body["messages"][1]["edited"], true);
    let (_, page) = send(
        format!("/inbox/{id}/messages/{hers}/react/"),
        &[("unreact", "heart")],
    )
    .await;
    assert!(page.contains("Reaction taken back."));
    let (_, page) = send(
        format!("/inbox/{id}/messages/{hers}/react/"),
        &[("emoji", "confetti")],
    )
    .await;
    assert!(
        page.contains("Choose one of thumbs_up"),
        "an unknown reaction is refused"
    );

    let (_, page) = send(format!("/inbox/{id}/messages/{mine}/delete/"), &[]).await;
    assert!(page.contains("Message deleted."));
    assert!(page.contains("This message was removed."));

    let (_, page) = send(format!("/inbox/{id}/status/"), &[("status", "RESOLVED")]).await;
    assert!(page.contains("Status set to Resolved."));
    let (_, page) = send(format!("/inbox/{id}/status/"), &[("status", "DONE")]).await;
    assert!(page.contains("unknown status"));

    let view = s.history(&t.staff, id, None, 50).await.expect("loads");
    let by_id = |mid: i64| {
        view.entries
            .iter()
            .find(|e| e.message.id == mid)
            .expect("there")
    };
    assert_eq!(
        by_id(hers).message.body,
        "Hello from the test",
        "hers is untouched"
    );
    assert!(by_id(hers).reactions.is_empty());
    assert!(by_id(mine).message.is_deleted());
    assert_eq!(
        by_id(mine).message.body,
        "Which size, M or L?",
        "the edit was kept for the record"
    );
    assert_eq!(view.conversation.status, Status::Resolved);
}
