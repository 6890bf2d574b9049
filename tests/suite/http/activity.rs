//! The example store's own notification centre, fed by the plugin's event
//! hook: the store's replies and status changes become lines on the
//! customer's `/account/activity/` page, counted in the header until seen.

use std::time::{Duration, Instant};

use host_example::demo::{
    ALICE, BOB, EXCHANGE_AWAITING_BOB, INVOICE_RESOLVED, VENDOR_PRODUCT_QUESTION,
};
use reqwest::{Client, StatusCode};
use storechat::Status;
use storechat::service::SendMessage;

use super::app::{TestApp, get};

const ACTIVITY: &str = "/account/activity/";

/// The header's Activity badge: `None` when hidden.
fn activity_badge(html: &str) -> Option<String> {
    let rest = html.split("data-badge=\"activity\"").nth(1)?;
    if rest.starts_with(" hidden") {
        return None;
    }
    let inner = rest.split_once('>')?.1;
    Some(inner.split('<').next()?.to_owned())
}

/// The lines are written by a task of their own after each commit: wait
/// for the header (of a page that does not mark them read) to count `n`.
async fn wait_for_badge(app: &TestApp, client: &Client, n: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, html) = get(client, app.url("/account/orders/")).await;
        let badge = activity_badge(&html);
        if badge.as_deref() == Some(n) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the Activity badge shows {badge:?}, not {n}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn text(body: &str) -> SendMessage {
    SendMessage {
        body: storechat::domain::MessageBody::parse(body).expect("valid"),
        client_msg_id: None,
        reply_to: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_s_doings_reach_the_customer_s_activity_page() {
    let app = TestApp::spawn().await;
    let bob = app.sign_in(BOB.email, BOB.password).await;

    // The demo data: Ann's two replies, Victor's, and a resolved invoice.
    wait_for_badge(&app, &bob, "4").await;
    let (status, page) = get(&bob, app.url(ACTIVITY)).await;
    assert_eq!(status, StatusCode::OK);
    let lines = [
        format!("Ann Admin replied to “{}”", EXCHANGE_AWAITING_BOB.subject),
        format!(
            "Victor Vendor replied to “{}”",
            VENDOR_PRODUCT_QUESTION.subject
        ),
        format!(
            "Your conversation “{}” was marked Resolved",
            INVOICE_RESOLVED.subject
        ),
        format!("Ann Admin replied to “{}”", INVOICE_RESOLVED.subject),
    ];
    let at: Vec<usize> = lines
        .iter()
        .map(|line| {
            page.find(line.as_str())
                .unwrap_or_else(|| panic!("{line} in {page}"))
        })
        .collect();
    assert!(at.is_sorted(), "newest first: {lines:?} at {at:?}");
    assert!(page.contains("4 new since your last visit"));
    assert_eq!(
        page.matches("class=\"activity activity-unread\"").count(),
        4
    );
    assert!(
        page.contains("Happy to help! Send it back with the label"),
        "the reply's start"
    );
    assert!(
        page.contains("href=\"/dashboard/messages/"),
        "lines lead to the conversation"
    );
    // Bob's own messages and Alice's conversations are not his activity.
    assert!(!page.contains("Gift wrapping") && !page.contains("started a conversation"));
    // Shown means seen: this page's header no longer counts them.
    assert_eq!(activity_badge(&page), None);
    let (_, again) = get(&bob, app.url(ACTIVITY)).await;
    assert!(!again.contains("activity-unread") && !again.contains("new since"));

    // A new reply and a status change add lines; Bob's own message does not.
    let service = app.chat.service();
    let bob_actor = app.actor(BOB.email).await;
    let staff = app.staff().await;
    let exchange = service
        .list_conversations(&bob_actor, None, 100)
        .await
        .expect("Bob's conversations")
        .items
        .into_iter()
        .find(|c| c.subject == EXCHANGE_AWAITING_BOB.subject)
        .expect("the exchange conversation")
        .id;
    service
        .send_message(&bob_actor, exchange, text("Yes please, the same colour."))
        .await
        .expect("Bob writes");
    let reply = service
        .send_message(
            &staff,
            exchange,
            text("Great: a size L in grey is on its way."),
        )
        .await
        .expect("Ann replies");
    service
        .set_status(&staff, exchange, Status::Closed)
        .await
        .expect("Ann closes it");
    wait_for_badge(&app, &bob, "2").await;
    let (_, page) = get(&bob, app.url(ACTIVITY)).await;
    assert_eq!(
        page.matches("class=\"activity activity-unread\"").count(),
        2
    );
    let closed = page
        .find(&format!(
            "Your conversation “{}” was closed",
            EXCHANGE_AWAITING_BOB.subject
        ))
        .expect("the close is a line");
    let replied = page
        .find("Great: a size L in grey is on its way.")
        .expect("the reply is a line");
    assert!(closed < replied, "newest first");
    assert!(page.contains(&format!(
        "href=\"/dashboard/messages/{exchange}/#m{}\"",
        reply.message.id
    )));

    // A deleted conversation's lines stay, leading nowhere.
    service
        .delete_conversations(&staff, &[exchange])
        .await
        .expect("a closed conversation can be deleted");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, page) = get(&bob, app.url(ACTIVITY)).await;
        if !page.contains(&format!("href=\"/dashboard/messages/{exchange}/")) {
            assert!(page.contains("(deleted)"));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the deleted conversation is still linked"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Alice's feed is her own.
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let (_, hers) = get(&alice, app.url(ACTIVITY)).await;
    assert!(hers.contains("Gift wrapping") && !hers.contains(EXCHANGE_AWAITING_BOB.subject));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_activity_page_asks_visitors_to_sign_in() {
    let app = TestApp::spawn().await;
    let response = super::app::client()
        .get(app.url(ACTIVITY))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(location.starts_with("/login?next="), "{location}");
}
