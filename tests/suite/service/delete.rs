use storechat::{ChatError, Status};

use super::helpers::{open_as, send};
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, rows};

on_both_backends!(
    only_closed_conversations_are_deleted,
    bulk_delete_is_all_or_nothing_and_names_the_blockers,
    bulk_delete_reports_unknown_ids_and_deletes_nothing,
    deleting_takes_messages_and_notifications_along,
    customers_cannot_delete,
);

async fn only_closed_conversations_are_deleted(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Keep me").await.conversation.id;
    for status in [
        Status::Open,
        Status::AwaitingAdmin,
        Status::AwaitingUser,
        Status::Resolved,
    ] {
        s.set_status(&ann(), id, status).await.expect("set");
        let before = rows::snapshot(s).await;
        let err = s
            .delete_conversations(&ann(), &[id])
            .await
            .expect_err("refused");
        assert!(
            matches!(err, ChatError::NotClosed(ref b) if b.len() == 1 && b[0].id == id),
            "{err:?}"
        );
        assert!(err.to_string().contains("Keep me"));
        assert_eq!(rows::snapshot(s).await, before);
    }
    s.set_status(&ann(), id, Status::Closed)
        .await
        .expect("closes");
    assert_eq!(
        s.delete_conversations(&ann(), &[id])
            .await
            .expect("deleted"),
        1
    );
    assert_eq!(rows::count(s, "storechat_conversations").await, 0);
}

async fn bulk_delete_is_all_or_nothing_and_names_the_blockers(t: TestChat) {
    let s = t.service();
    let a = open_as(s, &alice(), "Closed A").await.conversation.id;
    let b = open_as(s, &alice(), "Still open B").await.conversation.id;
    let c = open_as(s, &alice(), "Closed C").await.conversation.id;
    let d = open_as(s, &alice(), "Resolved D").await.conversation.id;
    for id in [a, c] {
        s.set_status(&ann(), id, Status::Closed)
            .await
            .expect("closes");
    }
    s.set_status(&ann(), d, Status::Resolved)
        .await
        .expect("resolves");
    let before = rows::snapshot(s).await;
    let err = s
        .delete_conversations(&ann(), &[a, b, c, d])
        .await
        .expect_err("refused");
    match &err {
        ChatError::NotClosed(blockers) => {
            let ids: Vec<i64> = blockers.iter().map(|x| x.id).collect();
            assert_eq!(ids, vec![b, d]);
        }
        other => panic!("expected NotClosed, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains("Still open B") && message.contains("Resolved D"),
        "{message}"
    );
    assert!(!message.contains("Closed A"), "{message}");
    assert_eq!(rows::snapshot(s).await, before, "nothing deleted");
    assert_eq!(
        s.delete_conversations(&ann(), &[a, c, a])
            .await
            .expect("deleted"),
        2
    );
}

async fn bulk_delete_reports_unknown_ids_and_deletes_nothing(t: TestChat) {
    let s = t.service();
    let a = open_as(s, &alice(), "Closed").await.conversation.id;
    s.set_status(&ann(), a, Status::Closed)
        .await
        .expect("closes");
    let err = s
        .delete_conversations(&ann(), &[a, 98_765])
        .await
        .expect_err("refused");
    assert!(
        matches!(err, ChatError::UnknownConversations(ref ids) if ids == &vec![98_765]),
        "{err:?}"
    );
    assert_eq!(rows::count(s, "storechat_conversations").await, 1);
    let err = s
        .delete_conversations(&ann(), &[])
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::Invalid(_)), "{err:?}");
}

async fn deleting_takes_messages_and_notifications_along(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Gone").await.conversation.id;
    send(s, &ann(), id, "reply").await;
    s.set_status(&ann(), id, Status::Closed)
        .await
        .expect("closes");
    s.delete_conversations(&ann(), &[id])
        .await
        .expect("deleted");
    assert_eq!(
        rows::snapshot(s).await,
        [0, 0, 0, 0],
        "foreign keys cascade on both backends"
    );
    assert_eq!(
        t.host.event_names().last().map(String::as_str),
        Some("conversations_deleted")
    );
}

async fn customers_cannot_delete(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Mine").await.conversation.id;
    s.set_status(&ann(), id, Status::Closed)
        .await
        .expect("closes");
    let err = s
        .delete_conversations(&alice(), &[id])
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::Forbidden(_)), "{err:?}");
    assert_eq!(rows::count(s, "storechat_conversations").await, 1);
}
