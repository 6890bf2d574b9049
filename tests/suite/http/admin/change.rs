use reqwest::StatusCode;
use storechat::service::Reaction;
use storechat::{Side, Status};

use super::support::{Admin, text};
use crate::http::app::{get, hidden};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_with_reply_body_reaches_the_customer() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let id = t.open(&t.alice, "Reply to me").await.id;
    let (status, page) = get(&t.ann, t.url(&format!("/{id}/change/"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-panel=\"MessageHistoryPanel\""));
    assert!(page.contains("name=\"reply_body\""));
    let token = hidden(&page, "csrf_token").expect("token");
    let client_id = hidden(&page, "client_msg_id").expect("client id");
    let before = s.unread_notifications(&t.alice).await.expect("count");

    let form = [
        ("reply_body", "Your parcel left our warehouse today."),
        ("status", "OPEN"),
        ("status_was", "OPEN"),
        ("client_msg_id", client_id.as_str()),
        ("csrf_token", token.as_str()),
    ];
    let (status, page) = t.post_and_follow(&format!("/{id}/change/"), &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Reply sent to the customer."));
    let view = s
        .get_conversation(&t.staff, id, None, 50)
        .await
        .expect("loads");
    let last = view.messages.last().expect("a reply");
    assert_eq!(last.body, "Your parcel left our warehouse today.");
    assert_eq!(
        (last.sender_side, last.sender_name.as_str()),
        (Side::Staff, "Ann Admin")
    );
    assert_eq!(view.conversation.status, Status::AwaitingUser);
    assert_eq!(
        s.unread_notifications(&t.alice).await.expect("count"),
        before + 1,
        "the customer is notified"
    );
    // The same form again (a double submit) sends nothing more.
    t.post_and_follow(&format!("/{id}/change/"), &form).await;
    let again = s
        .get_conversation(&t.staff, id, None, 50)
        .await
        .expect("loads");
    assert_eq!(again.messages.len(), view.messages.len());
    // The staff message shows its read state.
    let (_, page) = get(&t.ann, t.url(&format!("/{id}/change/"))).await;
    assert!(page.contains(">Sent<"));
    s.mark_read(&t.alice, id, None).await.expect("read");
    let (_, page) = get(&t.ann, t.url(&format!("/{id}/change/"))).await;
    assert!(page.contains(">Seen<"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_reply_with_an_unchanged_status_sends_nothing_and_says_so() {
    let t = Admin::start().await;
    let id = t.open(&t.alice, "Nothing").await.id;
    let token = t.token().await;
    let before = t.conversation(id).await;
    let form = [
        ("reply_body", "   "),
        ("status", "OPEN"),
        ("status_was", "OPEN"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page) = t.post_and_follow(&format!("/{id}/change/"), &form).await;
    assert_eq!(status, StatusCode::OK, "not an error page");
    assert!(page.contains("Nothing was sent: the reply was empty and the status unchanged."));
    let after = t.conversation(id).await;
    assert_eq!(
        (after.message_count, after.status),
        (before.message_count, before.status)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_override_is_recorded_in_the_history() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let id = t.open(&t.alice, "Override").await.id;
    let token = t.token().await;
    let form = [
        ("reply_body", ""),
        ("status", "RESOLVED"),
        ("status_was", "OPEN"),
        ("csrf_token", token.as_str()),
    ];
    let (_, page) = t.post_and_follow(&format!("/{id}/change/"), &form).await;
    assert!(page.contains("Status set to Resolved."));
    assert!(
        page.contains("Status set to RESOLVED by Ann Admin"),
        "shown in the history"
    );
    assert_eq!(t.conversation(id).await.status, Status::Resolved);
    // A reply and a status together: the reply goes, then the status is set.
    let form = [
        ("reply_body", "Closing this now."),
        ("status", "CLOSED"),
        ("status_was", "RESOLVED"),
        ("csrf_token", token.as_str()),
    ];
    t.post_and_follow(&format!("/{id}/change/"), &form).await;
    let view = s
        .get_conversation(&t.staff, id, None, 50)
        .await
        .expect("loads");
    assert_eq!(view.conversation.status, Status::Closed);
    let bodies: Vec<&str> = view.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies[bodies.len() - 2..],
        ["Closing this now.", "Status set to CLOSED by Ann Admin"]
    );
    // A bad status is refused with the typed reply kept.
    let form = [
        ("reply_body", "keep me"),
        ("status", "DONE"),
        ("status_was", "CLOSED"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page) = t.post_and_follow(&format!("/{id}/change/"), &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("unknown status") && page.contains("keep me"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_long_reply_comes_back_with_the_text() {
    let t = Admin::start().await;
    let id = t.open(&t.alice, "Long").await.id;
    let token = t.token().await;
    let long = "x".repeat(10_001);
    let form = [
        ("reply_body", long.as_str()),
        ("status", "OPEN"),
        ("status_was", "OPEN"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page) = t.post_and_follow(&format!("/{id}/change/"), &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The message is too long: 10001 characters"));
    assert!(page.contains(&long));
    assert_eq!(t.conversation(id).await.message_count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_remove_a_message_assign_and_set_the_priority() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let c = t.open(&t.alice, "Rude words").await;
    let rude = s
        .send_message(&t.alice, c.id, text("something rude"))
        .await
        .expect("sent")
        .message
        .id;
    let token = t.token().await;
    let (_, page) = t
        .post_and_follow(
            &format!("/{}/messages/{rude}/remove/", c.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert!(page.contains("Message removed."));
    assert!(page.contains("This message was removed."));
    assert!(
        !page.contains("something rude"),
        "the text is no longer shown"
    );
    let view = s
        .get_conversation(&t.staff, c.id, None, 50)
        .await
        .expect("loads");
    let removed = view
        .messages
        .iter()
        .find(|m| m.id == rude)
        .expect("kept in the database");
    assert_eq!(removed.body, "something rude");
    assert_eq!(removed.deleted_by.as_deref(), Some(t.staff.id.as_str()));
    // A message of another conversation is not found.
    let other = t.open(&t.bob, "Other").await;
    let (_, page) = t
        .post_and_follow(
            &format!("/{}/messages/{rude}/remove/", other.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert!(page.contains("This message does not exist in this conversation."));

    let (_, page) = t
        .post_and_follow(
            &format!("/{}/assign/", c.id),
            &[("to", "me"), ("csrf_token", &token)],
        )
        .await;
    assert!(page.contains("Assigned to you."));
    assert_eq!(
        t.conversation(c.id).await.assignee_name.as_deref(),
        Some("Ann Admin")
    );
    let (_, page) = t
        .post_and_follow(
            &format!("/{}/assign/", c.id),
            &[("to", "nobody"), ("csrf_token", &token)],
        )
        .await;
    assert!(page.contains("Unassigned."));
    assert_eq!(t.conversation(c.id).await.assignee_id, None);

    let (_, page) = t
        .post_and_follow(
            &format!("/{}/priority/", c.id),
            &[("priority", "urgent"), ("csrf_token", &token)],
        )
        .await;
    assert!(page.contains("Priority set to Urgent."));
    assert_eq!(t.conversation(c.id).await.priority, 2);
    let (_, page) = t
        .post_and_follow(
            &format!("/{}/priority/", c.id),
            &[("priority", "whenever"), ("csrf_token", &token)],
        )
        .await;
    assert!(page.contains("Choose low, normal, high or urgent."));
    assert_eq!(t.conversation(c.id).await.priority, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_customer_panel_shows_host_sections_and_runs_their_actions() {
    let t = Admin::start().await;
    let c = t.open(&t.alice, "Points").await;
    let (_, page) = get(&t.ann, t.url(&format!("/{}/change/", c.id))).await;
    assert!(page.contains("Alice Martin") && page.contains("alice@example.com"));
    assert!(page.contains("Loyalty points"), "the host's section");
    assert!(page.contains("Recent orders"));
    let token = hidden(&page, "csrf_token").expect("token");
    let path = format!("/{}/customer-action/", c.id);
    let (_, page) = t
        .post_and_follow(
            &path,
            &[
                ("action", "give_points"),
                ("value", "100"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert!(
        page.contains("Gave 100 points to Alice Martin."),
        "the host's answer is shown"
    );
    let (_, page) = t
        .post_and_follow(
            &path,
            &[
                ("action", "give_points"),
                ("value", "lots"),
                ("csrf_token", &token),
            ],
        )
        .await;
    assert!(page.contains("Enter a whole number of points"));
    let (_, page) = t
        .post_and_follow(
            &path,
            &[("action", "launch_rocket"), ("csrf_token", &token)],
        )
        .await;
    assert!(page.contains("sc-alert"), "an unknown action is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reactions_show_in_the_message_history_panel_with_staffs_own() {
    // Arrange: Alice and Ann both give a heart; Bob, a stranger, cannot.
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let id = t.open(&t.alice, "React to me").await.id;
    let message = s
        .get_conversation(&t.staff, id, None, 50)
        .await
        .expect("loads")
        .messages[0]
        .id;
    for who in [&t.alice, &t.staff] {
        assert!(
            s.react(who, message, Reaction::Heart, true)
                .await
                .expect("react")
        );
    }
    assert!(
        s.react(&t.bob, message, Reaction::Fire, true)
            .await
            .is_err(),
        "another customer cannot react in Alice's conversation"
    );

    // Act
    let (status, page) = get(&t.ann, t.url(&format!("/{id}/change/"))).await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    let start = page.find(&format!("id=\"m{message}\"")).expect("listed");
    let li = &page[start..start + page[start..].find("</li>").unwrap_or(0)];
    assert!(li.contains("data-reactable"));
    assert!(
        li.contains("class=\"sc-reaction sc-reaction-mine\" data-emoji=\"heart\" data-count=\"2\"")
    );
    assert!(li.contains("title=\"Heart · you reacted\""));
    assert!(!li.contains("data-emoji=\"fire\""));

    // Ann takes hers back: one heart, not hers.
    assert!(
        s.react(&t.staff, message, Reaction::Heart, false)
            .await
            .expect("unreact")
    );
    let (_, page) = get(&t.ann, t.url(&format!("/{id}/change/"))).await;
    assert!(page.contains("class=\"sc-reaction\" data-emoji=\"heart\" data-count=\"1\""));
}
