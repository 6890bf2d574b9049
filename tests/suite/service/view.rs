use storechat::ChatError;

use super::helpers::{open_as, send};
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, bob};

on_both_backends!(
    customers_list_only_their_own_conversations_newest_activity_first,
    the_list_pages_with_a_cursor,
    history_pages_from_newest_back_to_oldest,
    staff_may_not_use_the_customer_list,
);

async fn customers_list_only_their_own_conversations_newest_activity_first(t: TestChat) {
    let s = t.service();
    let first = open_as(s, &alice(), "First").await.conversation.id;
    let second = open_as(s, &alice(), "Second").await.conversation.id;
    open_as(s, &bob(), "Bob's").await;
    send(s, &ann(), first, "bump").await;
    let page = s
        .list_conversations(&alice(), None, 20)
        .await
        .expect("list");
    let ids: Vec<i64> = page.items.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![first, second]);
    assert!(page.next.is_none());
    let bobs = s.list_conversations(&bob(), None, 20).await.expect("list");
    assert_eq!(bobs.items.len(), 1);
    assert_eq!(bobs.items[0].subject, "Bob's");
}

async fn the_list_pages_with_a_cursor(t: TestChat) {
    let s = t.service();
    for n in 0..7 {
        open_as(s, &alice(), &format!("Conversation {n}")).await;
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = s
            .list_conversations(&alice(), cursor, 3)
            .await
            .expect("list");
        seen.extend(page.items.iter().map(|c| c.subject.clone()));
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|n| format!("Conversation {n}")).collect();
    assert_eq!(seen, expected);
}

async fn history_pages_from_newest_back_to_oldest(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Long").await.conversation.id;
    for n in 1..120 {
        let writer = if n % 2 == 0 { alice() } else { ann() };
        send(s, &writer, id, &format!("message {n}")).await;
    }
    let newest = s
        .get_conversation(&alice(), id, None, 50)
        .await
        .expect("loads");
    assert_eq!(newest.messages.len(), 50);
    assert!(newest.has_earlier);
    assert_eq!(
        newest.messages.last().map(|m| m.body.as_str()),
        Some("message 119")
    );
    let mut all = newest.messages.clone();
    let mut before = newest.messages.first().map(|m| m.id);
    while let Some(b) = before {
        let page = s
            .get_conversation(&alice(), id, Some(b), 50)
            .await
            .expect("loads");
        let mut older = page.messages.clone();
        older.extend(all);
        all = older;
        before = if page.has_earlier {
            page.messages.first().map(|m| m.id)
        } else {
            None
        };
    }
    assert_eq!(all.len(), 120);
    assert!(
        all.windows(2).all(|w| w[0].id < w[1].id),
        "oldest to newest"
    );
    assert_eq!(all[0].body, "Hello, I need help.");
}

async fn staff_may_not_use_the_customer_list(t: TestChat) {
    let err = t
        .service()
        .list_conversations(&ann(), None, 20)
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::Forbidden(_)), "{err:?}");
}
