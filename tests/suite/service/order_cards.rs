//! Order updates: the host tells the plugin an order changed and the
//! customer's conversation gets one order progress card per status.

use storechat::service::OrderUpdated;
use storechat::store::MessageKind;
use storechat::{Actor, ChatService, OrderCard, Status};

use super::helpers::open_as;
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, rows};

on_both_backends!(
    a_status_change_adds_one_card_to_the_linked_conversation,
    the_same_status_twice_adds_one_card,
    two_identical_calls_at_once_add_one_card,
    without_a_linked_conversation_the_most_recent_open_one_gets_it,
    a_customer_without_an_open_conversation_gets_nothing,
    the_card_is_seen_by_both_sides_and_moves_no_counter,
);

/// Alice's order `o-a1` at `status`, as the host would describe it.
fn order_at(status: &str) -> OrderCard {
    OrderCard {
        id: "o-a1".into(),
        number: "#1001".into(),
        status: status.into(),
        total: "€42.00".into(),
        owner_id: "u-alice".into(),
        placed_at: None,
        items: Vec::new(),
    }
}

async fn open_about_order(s: &ChatService) -> i64 {
    let input =
        storechat::service::OpenConversation::parse("My order", "Where is it?", Some("o-a1"), None)
            .expect("valid");
    s.open_conversation(&alice(), input)
        .await
        .expect("opens")
        .conversation
        .id
}

/// The cards of a conversation as `reader` sees them: (number, status).
async fn cards(s: &ChatService, reader: &Actor, id: i64) -> Vec<(String, String)> {
    s.get_conversation(reader, id, None, 100)
        .await
        .expect("loads")
        .messages
        .iter()
        .filter(|m| m.kind == MessageKind::OrderCard)
        .filter_map(|m| m.order_card())
        .map(|c| (c.number, c.status))
        .collect()
}

fn posted_in(outcome: &OrderUpdated) -> i64 {
    match outcome {
        OrderUpdated::Posted { conversation, .. } => conversation.id,
        other => panic!("expected a card to be posted, got {other:?}"),
    }
}

async fn a_status_change_adds_one_card_to_the_linked_conversation(t: TestChat) {
    // Arrange: the linked conversation is older than another open one.
    let s = t.service();
    let linked = open_about_order(s).await;
    let _newer = open_as(s, &alice(), "Something else").await;
    // Act: the host's order o-a1 is "Shipped".
    let outcome = s.order_updated("o-a1").await.expect("posts");
    // Assert
    assert_eq!(posted_in(&outcome), linked);
    assert_eq!(
        cards(s, &alice(), linked).await,
        [("#1001".to_owned(), "Shipped".to_owned())]
    );
    // The next status is a card of its own.
    let next = s
        .post_order_card(&order_at("Delivered"))
        .await
        .expect("posts");
    assert_eq!(posted_in(&next), linked);
    assert_eq!(cards(s, &alice(), linked).await.len(), 2);
}

async fn the_same_status_twice_adds_one_card(t: TestChat) {
    let s = t.service();
    let id = open_about_order(s).await;
    let first = s.post_order_card(&order_at("Paid")).await.expect("posts");
    let before = rows::snapshot(s).await;
    // "paid " is the same status as "Paid".
    let again = s.post_order_card(&order_at("paid ")).await.expect("ok");
    let OrderUpdated::Posted { message, .. } = first else {
        panic!("first call posts");
    };
    assert_eq!(
        again,
        OrderUpdated::AlreadyPosted {
            conversation_id: id,
            message_id: message.id
        }
    );
    assert_eq!(rows::snapshot(s).await, before);
    assert_eq!(cards(s, &ann(), id).await.len(), 1);
}

async fn two_identical_calls_at_once_add_one_card(t: TestChat) {
    let s = t.service();
    let id = open_about_order(s).await;
    let (a, b) = tokio::join!(s.order_updated("o-a1"), s.order_updated("o-a1"));
    let outcomes = [a.expect("first"), b.expect("second")];
    let posted = outcomes
        .iter()
        .filter(|o| matches!(o, OrderUpdated::Posted { .. }))
        .count();
    assert_eq!(posted, 1, "{outcomes:?}");
    assert!(
        outcomes
            .iter()
            .any(|o| matches!(o, OrderUpdated::AlreadyPosted { conversation_id, .. } if *conversation_id == id)),
        "{outcomes:?}"
    );
    assert_eq!(cards(s, &alice(), id).await.len(), 1);
}

async fn without_a_linked_conversation_the_most_recent_open_one_gets_it(t: TestChat) {
    let s = t.service();
    let older = open_as(s, &alice(), "Older").await.conversation.id;
    let recent = open_as(s, &alice(), "Recent").await.conversation.id;
    let closed = open_as(s, &alice(), "Closed").await.conversation.id;
    s.set_status(&ann(), closed, Status::Closed)
        .await
        .expect("closes");
    let outcome = s.order_updated("o-a1").await.expect("posts");
    assert_eq!(posted_in(&outcome), recent);
    assert!(cards(s, &alice(), older).await.is_empty());
    assert!(cards(s, &alice(), closed).await.is_empty());
}

async fn a_customer_without_an_open_conversation_gets_nothing(t: TestChat) {
    let s = t.service();
    // Alice's only conversation is CLOSED; Bob has none at all.
    let closed = open_about_order(s).await;
    s.set_status(&ann(), closed, Status::Closed)
        .await
        .expect("closes");
    let before = rows::snapshot(s).await;
    assert_eq!(
        s.order_updated("o-a1").await.expect("answers"),
        OrderUpdated::NoConversation
    );
    assert_eq!(
        s.order_updated("o-b1").await.expect("answers"),
        OrderUpdated::NoConversation
    );
    assert_eq!(
        s.order_updated("o-none").await.expect("answers"),
        OrderUpdated::UnknownOrder
    );
    assert_eq!(rows::snapshot(s).await, before);
    assert_eq!(rows::count(s, "storechat_order_cards").await, 0);
}

async fn the_card_is_seen_by_both_sides_and_moves_no_counter(t: TestChat) {
    let s = t.service();
    let id = open_about_order(s).await;
    let staff_view = s
        .get_conversation(&ann(), id, None, 10)
        .await
        .expect("read");
    let before = staff_view.conversation;
    s.order_updated("o-a1").await.expect("posts");
    let expected = [("#1001".to_owned(), "Shipped".to_owned())];
    assert_eq!(cards(s, &alice(), id).await, expected);
    assert_eq!(cards(s, &ann(), id).await, expected);
    let after = s
        .get_conversation(&ann(), id, None, 10)
        .await
        .expect("loads")
        .conversation;
    assert_eq!(after.status, before.status);
    assert_eq!(
        (
            after.message_count,
            after.unread_for_admin,
            after.unread_for_user
        ),
        (
            before.message_count,
            before.unread_for_admin,
            before.unread_for_user
        )
    );
    assert_eq!(after.last_message_preview, before.last_message_preview);
    let card = s
        .get_conversation(&alice(), id, None, 10)
        .await
        .expect("loads")
        .messages
        .last()
        .and_then(|m| m.order_card())
        .expect("the card is the last message");
    let states: Vec<_> = card.steps.iter().map(|s| (s.label, s.state)).collect();
    assert_eq!(
        states,
        [
            ("Placed", "done"),
            ("Paid", "done"),
            ("Shipped", "current"),
            ("Delivered", "todo")
        ]
    );
}
