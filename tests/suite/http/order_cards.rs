//! Order updates over HTTP: the example store's admin changes an order's
//! status, and the customer's conversation shows one order progress card,
//! in the customer thread, the messages JSON (the widget) and the admin
//! change view.

use host_example::demo::{ALICE, ANN};
use reqwest::StatusCode;
use serde_json::Value;
use storechat::store::MessageKind;

use super::app::{TestApp, get, hidden, post};

/// Where the card of `number` at `status` is, and how many there are.
async fn cards_of(app: &TestApp, number: &str, status: &str) -> Vec<i64> {
    let s = app.chat.service();
    let alice = app.actor(ALICE.email).await;
    let list = s.list_conversations(&alice, None, 100).await.expect("list");
    let mut found = Vec::new();
    for c in list.items {
        let view = s
            .get_conversation(&alice, c.id, None, 200)
            .await
            .expect("loads");
        found.extend(
            view.messages
                .iter()
                .filter(|m| m.kind == MessageKind::OrderCard)
                .filter_map(|m| m.order_card())
                .filter(|card| card.number == number && card.status == status)
                .map(|_| c.id),
        );
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_status_change_shows_one_card_to_both_sides() {
    // Arrange: one of Alice's orders and a status it does not have yet.
    let app = TestApp::spawn().await;
    let (ann, alice) = (
        app.sign_in(ANN.email, ANN.password).await,
        app.sign_in(ALICE.email, ALICE.password).await,
    );
    let alice_id = app.actor(ALICE.email).await.id;
    let order = app
        .chat
        .service()
        .host()
        .orders_of(&alice_id, 10)
        .await
        .expect("orders")
        .into_iter()
        .next()
        .expect("Alice has an order");
    let status = ["Paid", "Shipped", "Delivered"]
        .into_iter()
        .find(|s| *s != order.status)
        .expect("another status");
    let (_, orders_page) = get(&ann, app.url("/admin/orders/")).await;
    let token = hidden(&orders_page, "form_token").expect("the status form's token");
    let url = app.url(&format!("/admin/orders/{}/status", order.id));

    // Act: the admin sets the status, then submits the same form again.
    for _ in 0..2 {
        let (code, _, _) = post(
            &ann,
            url.clone(),
            &[("status", status), ("form_token", &token)],
        )
        .await;
        assert_eq!(code, StatusCode::SEE_OTHER);
    }

    // Assert: one card, in the customer's thread and the admin's history.
    let found = cards_of(&app, &order.number, status).await;
    assert_eq!(
        found.len(),
        1,
        "one card for {} {status}: {found:?}",
        order.number
    );
    let id = found[0];
    let current = format!("aria-current=\"step\">{status}</li>");
    let heading = format!("Order {}", order.number);
    let (code, thread) = get(&alice, app.url(&format!("/dashboard/messages/{id}/"))).await;
    assert_eq!(code, StatusCode::OK);
    assert!(
        thread.contains("sc-order-card") && thread.contains(&heading),
        "{thread}"
    );
    assert!(thread.contains(&current), "the current step is marked");
    let (code, change) = get(
        &ann,
        app.url(&format!("/admin/dashboard/conversation/{id}/change/")),
    )
    .await;
    assert_eq!(code, StatusCode::OK);
    assert!(change.contains("sc-order-card") && change.contains(&heading));
    assert!(change.contains(&current));
    // The widget reads the card from the messages JSON.
    let (_, json) = get(
        &alice,
        app.url(&format!("/dashboard/messages/{id}/messages.json")),
    )
    .await;
    let json: Value = serde_json::from_str(&json).expect("json");
    let cards: Vec<&Value> = json["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["kind"] == "order_card")
        .collect();
    assert_eq!(cards.len(), 1, "{json}");
    assert_eq!(cards[0]["order_card"]["status"], status);
    assert_eq!(cards[0]["order_card"]["number"], order.number.as_str());
}
