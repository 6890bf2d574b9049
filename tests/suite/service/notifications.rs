use storechat::ChatError;

use super::helpers::{open_as, send};
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, bob};

on_both_backends!(
    notifications_are_listed_counted_and_marked_read,
    strangers_cannot_touch_notifications,
);

async fn notifications_are_listed_counted_and_marked_read(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Alerts").await.conversation.id;
    for body in ["a", "b", "c"] {
        send(s, &ann(), id, body).await;
    }
    let inbox = s.notifications(&alice(), None, 10).await.expect("inbox");
    assert_eq!(
        inbox.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
        vec!["c", "b", "a"],
        "newest first"
    );
    s.mark_notification_read(&alice(), inbox[0].id)
        .await
        .expect("read");
    assert_eq!(s.unread_notifications(&alice()).await.expect("count"), 2);
    assert_eq!(
        s.mark_all_notifications_read(&alice())
            .await
            .expect("read all"),
        2
    );
    assert_eq!(s.unread_notifications(&alice()).await.expect("count"), 0);
    let older = s
        .notifications(&alice(), Some(inbox[1].id), 10)
        .await
        .expect("page");
    assert_eq!(older.len(), 1);
}

async fn strangers_cannot_touch_notifications(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Alerts").await.conversation.id;
    send(s, &ann(), id, "for alice").await;
    let mine = s.notifications(&alice(), None, 10).await.expect("inbox");
    let err = s
        .mark_notification_read(&bob(), mine[0].id)
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::NotificationNotFound), "{err:?}");
    assert_eq!(s.unread_notifications(&alice()).await.expect("count"), 1);
    assert_eq!(
        s.mark_all_notifications_read(&bob())
            .await
            .expect("nothing"),
        0
    );
    assert_eq!(s.unread_notifications(&alice()).await.expect("count"), 1);
}
