use storechat::Status;

use super::helpers::{open_as, send};
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann};

on_both_backends!(
    unread_counters_and_read_flags_follow_each_side,
    reading_part_of_a_conversation_leaves_the_rest_unread,
    read_cursors_never_move_back,
    writing_marks_the_writers_side_read,
);

async fn unread_counters_and_read_flags_follow_each_side(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Counters").await.conversation.id;
    assert_eq!(s.unread_for_admin(&ann()).await.expect("badge"), 1);
    let read = s.mark_read(&ann(), id, None).await.expect("read");
    assert!(read.is_read_by_admin());
    assert_eq!(read.unread_for_admin, 0);
    assert_eq!(s.unread_for_admin(&ann()).await.expect("badge"), 0);
    assert_eq!(
        s.unread_notifications(&ann()).await.expect("count"),
        0,
        "opening clears its notifications"
    );
    for body in ["one", "two", "three"] {
        send(s, &ann(), id, body).await;
    }
    let view = s
        .get_conversation(&alice(), id, None, 50)
        .await
        .expect("loads");
    assert_eq!(view.conversation.unread_for_user, 3);
    assert!(!view.conversation.is_read_by_user());
    assert_eq!(s.unread_for_customer(&alice()).await.expect("badge"), 3);
    assert_eq!(s.unread_notifications(&alice()).await.expect("count"), 3);
    let read = s.mark_read(&alice(), id, None).await.expect("read");
    assert!(read.is_read_by_user());
    assert_eq!(s.unread_for_customer(&alice()).await.expect("badge"), 0);
    assert_eq!(s.unread_notifications(&alice()).await.expect("count"), 0);
    // Reading changes no status.
    assert_eq!(read.status, Status::AwaitingUser);
}

async fn reading_part_of_a_conversation_leaves_the_rest_unread(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Partial").await.conversation.id;
    let first = send(s, &ann(), id, "one").await.message.id;
    send(s, &ann(), id, "two").await;
    send(s, &ann(), id, "three").await;
    let read = s.mark_read(&alice(), id, Some(first)).await.expect("read");
    assert_eq!(read.user_read_up_to, first);
    assert_eq!(read.unread_for_user, 2);
    assert_eq!(s.unread_notifications(&alice()).await.expect("count"), 2);
}

async fn read_cursors_never_move_back(t: TestChat) {
    let s = t.service();
    let opened = open_as(s, &alice(), "Back").await;
    let id = opened.conversation.id;
    send(s, &ann(), id, "one").await;
    let read = s.mark_read(&alice(), id, None).await.expect("read");
    let cursor = read.user_read_up_to;
    let again = s
        .mark_read(&alice(), id, Some(opened.message.id))
        .await
        .expect("read");
    assert_eq!(again.user_read_up_to, cursor);
    assert_eq!(again.unread_for_user, 0);
    // Beyond the newest message is the newest message.
    let beyond = s
        .mark_read(&alice(), id, Some(cursor + 1000))
        .await
        .expect("read");
    assert_eq!(beyond.user_read_up_to, cursor);
}

async fn writing_marks_the_writers_side_read(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Writer").await.conversation.id;
    send(s, &alice(), id, "and another").await;
    let sent = send(s, &ann(), id, "answer").await;
    assert_eq!(
        sent.conversation.unread_for_admin, 0,
        "answering means the store read it"
    );
    assert_eq!(sent.conversation.admin_read_up_to, sent.message.id);
    let sent = send(s, &alice(), id, "ok").await;
    assert_eq!(sent.conversation.unread_for_user, 0);
    assert_eq!(sent.conversation.unread_for_admin, 1);
}
