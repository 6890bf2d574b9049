use storechat::ChatError;
use storechat::service::{Reaction, SendMessage};

use super::helpers::{open_as, send, text};
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, bob};

on_both_backends!(
    history_carries_reactions_and_quotes,
    history_pages_back_and_keeps_strangers_out,
);

async fn history_carries_reactions_and_quotes(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Quotes").await.conversation.id;
    let asked = send(s, &alice(), id, "Is it waterproof?").await.message.id;
    let answer = SendMessage {
        reply_to: Some(asked),
        ..text("Yes, up to a light rain.")
    };
    let answered = s
        .send_message(&ann(), id, answer)
        .await
        .expect("sent")
        .message
        .id;
    s.react(&ann(), asked, Reaction::Heart, true)
        .await
        .expect("reacts");
    s.react(&alice(), asked, Reaction::Heart, true)
        .await
        .expect("reacts");
    s.react(&alice(), asked, Reaction::ThumbsUp, true)
        .await
        .expect("reacts");
    s.react(&alice(), answered, Reaction::Fire, true)
        .await
        .expect("reacts");

    let page = s.history(&ann(), id, None, 50).await.expect("loads");
    let entry = |mid: i64| {
        page.entries
            .iter()
            .find(|e| e.message.id == mid)
            .expect("on the page")
    };
    // In menu order, counted, with the reader's own marked.
    let on_asked: Vec<(Reaction, i64, bool)> = entry(asked)
        .reactions
        .iter()
        .map(|r| (r.reaction, r.count, r.mine))
        .collect();
    assert_eq!(
        on_asked,
        [(Reaction::ThumbsUp, 1, false), (Reaction::Heart, 2, true)]
    );
    assert_eq!(entry(answered).quoted.as_ref().map(|q| q.id), Some(asked));
    assert_eq!(entry(answered).reactions.len(), 1);
    assert!(entry(asked).quoted.is_none());
    // The quoted message is found even when it is not on the page.
    let newest = s.history(&ann(), id, None, 1).await.expect("loads");
    assert_eq!(newest.entries.len(), 1);
    let quoted = newest.entries[0].quoted.as_ref().map(|q| q.body.as_str());
    assert_eq!(quoted, Some("Is it waterproof?"));
    assert!(newest.has_earlier);
}

async fn history_pages_back_and_keeps_strangers_out(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Pages").await.conversation.id;
    for n in 0..5 {
        send(s, &alice(), id, &format!("Line {n}")).await;
    }
    let newest = s.history(&ann(), id, None, 4).await.expect("loads");
    let bodies: Vec<&str> = newest
        .entries
        .iter()
        .map(|e| e.message.body.as_str())
        .collect();
    assert_eq!(bodies, ["Line 1", "Line 2", "Line 3", "Line 4"]);
    let before = newest.entries[0].message.id;
    let older = s.history(&ann(), id, Some(before), 4).await.expect("loads");
    assert_eq!(older.entries.len(), 2);
    assert!(!older.has_earlier);
    // Another customer: not found, as on every route.
    let refused = s.history(&bob(), id, None, 4).await;
    assert!(matches!(refused, Err(ChatError::ConversationNotFound)));
}
