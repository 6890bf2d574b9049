use storechat::{ChatError, Status};

use super::helpers::{open_as, status_of};
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, rows};

on_both_backends!(
    staff_set_any_status_recorded_as_a_system_message,
    setting_the_same_status_writes_nothing,
    only_staff_set_the_status,
);

async fn staff_set_any_status_recorded_as_a_system_message(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Manual").await.conversation.id;
    for to in [
        Status::Resolved,
        Status::Open,
        Status::Closed,
        Status::AwaitingAdmin,
        Status::AwaitingUser,
    ] {
        let (after, changed) = s.set_status(&ann(), id, to).await.expect("set");
        assert!(changed);
        assert_eq!(after.status, to);
        assert_eq!(status_of(s, &alice(), id).await, to);
    }
    let view = s
        .get_conversation(&ann(), id, None, 50)
        .await
        .expect("loads");
    let last = view.messages.last().expect("a message");
    assert_eq!(last.body, "Status set to AWAITING_USER by Ann Admin");
    assert_eq!(last.sender_side, storechat::Side::System);
    // System messages are history, not conversation: counters stay.
    assert_eq!(view.conversation.message_count, 1);
    assert_eq!(view.conversation.unread_for_user, 0);
}

async fn setting_the_same_status_writes_nothing(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Same").await.conversation.id;
    let before = rows::snapshot(s).await;
    let (after, changed) = s.set_status(&ann(), id, Status::Open).await.expect("set");
    assert!(!changed);
    assert_eq!(after.status, Status::Open);
    assert_eq!(rows::snapshot(s).await, before);
}

async fn only_staff_set_the_status(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Mine").await.conversation.id;
    let err = s
        .set_status(&alice(), id, Status::Resolved)
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::Forbidden(_)), "{err:?}");
    assert_eq!(status_of(s, &ann(), id).await, Status::Open);
}
