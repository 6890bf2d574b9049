use storechat::domain::ClientMsgId;
use storechat::service::OpenConversation;
use storechat::{ChatError, Side, Status};

use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, bob, rows, victor};

on_both_backends!(
    customer_opens_an_open_conversation_and_the_staff_inbox_hears,
    staff_open_with_any_customer_awaiting_user_and_the_customer_hears,
    an_order_of_another_customer_is_refused_and_nothing_is_stored,
    a_product_of_a_vendor_sends_the_conversation_to_the_vendor,
    bad_subjects_and_bodies_are_refused_and_nothing_is_stored,
    a_resubmitted_form_opens_one_conversation,
    vendors_cannot_open_conversations,
);

async fn customer_opens_an_open_conversation_and_the_staff_inbox_hears(t: TestChat) {
    // Arrange
    let service = t.service();
    let input =
        OpenConversation::parse("  Where is my parcel?  ", "It is late.", Some("o-a1"), None)
            .expect("valid");
    // Act
    let opened = service
        .open_conversation(&alice(), input)
        .await
        .expect("opens");
    // Assert
    let c = &opened.conversation;
    assert_eq!(c.subject, "Where is my parcel?");
    assert_eq!(c.status, Status::Open);
    assert_eq!(c.customer_id, "u-alice");
    assert_eq!(c.customer_email, "alice@example.com");
    assert_eq!(c.order_id.as_deref(), Some("o-a1"));
    assert_eq!(c.order_number.as_deref(), Some("#1001"));
    assert_eq!(
        (c.message_count, c.unread_for_admin, c.unread_for_user),
        (1, 1, 0)
    );
    assert!(!c.is_read_by_admin());
    assert!(c.is_read_by_user());
    assert_eq!(opened.message.sender_side, Side::Customer);
    assert_eq!(c.last_message_preview, "It is late.");
    let staff_inbox = service
        .notifications(&ann(), None, 10)
        .await
        .expect("inbox");
    assert_eq!(staff_inbox.len(), 1);
    assert_eq!(staff_inbox[0].kind, "NEW_MESSAGE");
    assert_eq!(service.unread_for_admin(&ann()).await.expect("badge"), 1);
    assert_eq!(t.host.event_names(), vec!["conversation_opened"]);
}

async fn staff_open_with_any_customer_awaiting_user_and_the_customer_hears(t: TestChat) {
    let service = t.service();
    let mut input = OpenConversation::parse("Your refund", "We refunded you.", Some("o-b1"), None)
        .expect("valid");
    input.customer_id = Some("u-bob".into());
    let opened = service
        .open_conversation(&ann(), input)
        .await
        .expect("opens");
    let c = &opened.conversation;
    assert_eq!(c.status, Status::AwaitingUser);
    assert_eq!(c.customer_id, "u-bob");
    assert_eq!((c.unread_for_admin, c.unread_for_user), (0, 1));
    let bob_inbox = service
        .notifications(&bob(), None, 10)
        .await
        .expect("inbox");
    assert_eq!(bob_inbox.len(), 1);
    assert!(
        bob_inbox[0].title.contains("Ann Admin"),
        "{}",
        bob_inbox[0].title
    );
    assert_eq!(
        service.unread_notifications(&bob()).await.expect("count"),
        1
    );
    assert_eq!(service.unread_for_customer(&bob()).await.expect("badge"), 1);
    // Staff must say who the conversation is with.
    let input = OpenConversation::parse("Hi", "Hello", None, None).expect("valid");
    let err = service
        .open_conversation(&ann(), input)
        .await
        .expect_err("no customer");
    assert!(
        matches!(err, ChatError::Invalid(ref v) if v.field == "customer_id"),
        "{err:?}"
    );
}

async fn an_order_of_another_customer_is_refused_and_nothing_is_stored(t: TestChat) {
    let service = t.service();
    let before = rows::snapshot(service).await;
    let input =
        OpenConversation::parse("Bob's order", "Let me see", Some("o-b1"), None).expect("valid");
    let err = service
        .open_conversation(&alice(), input)
        .await
        .expect_err("refused");
    assert!(
        matches!(err, ChatError::Invalid(ref v) if v.field == "order_id"),
        "{err:?}"
    );
    let input =
        OpenConversation::parse("No such order", "Hm", Some("o-none"), None).expect("valid");
    let err = service
        .open_conversation(&alice(), input)
        .await
        .expect_err("refused");
    assert!(
        matches!(err, ChatError::Invalid(ref v) if v.field == "order_id"),
        "{err:?}"
    );
    // Staff opening for Alice cannot attach Bob's order either.
    let mut input = OpenConversation::parse("Mixed up", "Hm", Some("o-b1"), None).expect("valid");
    input.customer_id = Some("u-alice".into());
    assert!(service.open_conversation(&ann(), input).await.is_err());
    assert_eq!(rows::snapshot(service).await, before);
    assert!(t.host.event_names().is_empty());
}

async fn a_product_of_a_vendor_sends_the_conversation_to_the_vendor(t: TestChat) {
    let service = t.service();
    let input =
        OpenConversation::parse("Rug size", "Is it 2 m long?", None, Some("p-rug")).expect("valid");
    let opened = service
        .open_conversation(&alice(), input)
        .await
        .expect("opens");
    assert_eq!(opened.conversation.vendor_id.as_deref(), Some("u-victor"));
    assert_eq!(
        opened.conversation.product_name.as_deref(),
        Some("Wool rug")
    );
    assert_eq!(
        service
            .notifications(&victor(), None, 10)
            .await
            .expect("inbox")
            .len(),
        1
    );
    assert!(
        service
            .notifications(&ann(), None, 10)
            .await
            .expect("inbox")
            .is_empty()
    );
    // The vendor sees it; another customer does not.
    assert!(
        service
            .get_conversation(&victor(), opened.conversation.id, None, 10)
            .await
            .is_ok()
    );
    assert!(matches!(
        service
            .get_conversation(&bob(), opened.conversation.id, None, 10)
            .await,
        Err(ChatError::ConversationNotFound)
    ));
    let unknown = OpenConversation::parse("?", "?", None, Some("p-none")).expect("valid");
    let err = service
        .open_conversation(&alice(), unknown)
        .await
        .expect_err("refused");
    assert!(
        matches!(err, ChatError::Invalid(ref v) if v.field == "product_id"),
        "{err:?}"
    );
}

async fn bad_subjects_and_bodies_are_refused_and_nothing_is_stored(t: TestChat) {
    let service = t.service();
    let long_subject = "s".repeat(201);
    let long_body = "b".repeat(10_001);
    let cases = [
        ("", "hello", "subject"),
        ("   ", "hello", "subject"),
        (long_subject.as_str(), "hello", "subject"),
        ("Fine", "", "body"),
        ("Fine", " \n\t ", "body"),
        ("Fine", long_body.as_str(), "body"),
    ];
    for (subject, body, field) in cases {
        let err = OpenConversation::parse(subject, body, None, None).expect_err("invalid");
        assert_eq!(
            err.field,
            field,
            "subject {:?} body len {}",
            subject.len(),
            body.len()
        );
    }
    // The limits themselves are accepted.
    let edge = OpenConversation::parse(&"s".repeat(200), &"b".repeat(10_000), None, None)
        .expect("valid at limit");
    let opened = service
        .open_conversation(&alice(), edge)
        .await
        .expect("opens");
    assert_eq!(opened.message.body.chars().count(), 10_000);
    assert_eq!(rows::count(service, "storechat_conversations").await, 1);
}

async fn a_resubmitted_form_opens_one_conversation(t: TestChat) {
    let service = t.service();
    let mut input = OpenConversation::parse("Twice", "Double click", None, None).expect("valid");
    input.client_msg_id = Some(ClientMsgId::parse("form-1").expect("valid"));
    let first = service
        .open_conversation(&alice(), input.clone())
        .await
        .expect("opens");
    let second = service
        .open_conversation(&alice(), input)
        .await
        .expect("answers again");
    assert!(first.created);
    assert!(!second.created);
    assert_eq!(first.conversation.id, second.conversation.id);
    assert_eq!(rows::count(service, "storechat_conversations").await, 1);
    assert_eq!(rows::count(service, "storechat_messages").await, 1);
    assert_eq!(t.host.event_names().len(), 1);
}

async fn vendors_cannot_open_conversations(t: TestChat) {
    let service = t.service();
    let input = OpenConversation::parse("Hi", "Hello", None, Some("p-rug")).expect("valid");
    let err = service
        .open_conversation(&victor(), input)
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::Forbidden(_)), "{err:?}");
}
