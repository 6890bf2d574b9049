use storechat::domain::MessageBody;
use storechat::service::SendMessage;
use storechat::{ChatError, Status};

use super::helpers::{open_as, send, status_of, text, text_with_id};
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, bob, rows};

on_both_backends!(
    each_side_moves_the_status,
    a_customer_reply_reopens_a_resolved_conversation,
    closed_conversations_refuse_customer_messages_and_change_nothing,
    staff_replies_notify_the_customer_and_customer_replies_the_store,
    the_same_client_id_twice_stores_one_message,
    the_same_client_id_twice_concurrently_stores_one_message,
    a_client_id_reused_in_another_conversation_is_refused,
    strangers_cannot_write_in_a_conversation,
    replies_must_quote_a_message_of_the_same_conversation,
    unknown_conversations_are_not_found,
    many_senders_at_once_each_get_their_own_answer,
    a_burst_from_both_sides_ends_as_one_by_one_sends_would,
    a_burst_across_many_conversations_keeps_each_ones_counters,
    retries_in_a_burst_are_answered_with_their_first_tries,
    a_retry_after_the_conversation_closed_gets_its_first_try,
    what_a_send_answers_is_the_message_as_stored,
    a_send_starts_from_every_change_made_since_the_last_one,
);

/// The SQLite writer keeps the conversation rows its last sends wrote and
/// starts the next sends from them (`store::written_rows`). A change made
/// in between — by the same process's other writes, or by another process
/// on the same database — must be where the next send starts: the status
/// it moves from, the counters it adds to.
async fn a_send_starts_from_every_change_made_since_the_last_one(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Changed elsewhere")
        .await
        .conversation
        .id;
    send(s, &ann(), id, "First answer").await;
    send(s, &alice(), id, "Thanks").await;

    // Another process closes it: this one must refuse the customer.
    let other = t.another_instance(|_| {}).await;
    other
        .service()
        .set_status(&ann(), id, Status::Closed)
        .await
        .expect("closed by the other process");
    let refused = s.send_message(&alice(), id, text("Still there?")).await;
    assert!(matches!(refused, Err(ChatError::Closed)), "{refused:?}");

    // This process reopens it with a write of another kind; the other one
    // adds a message; then this one's sends must count from there.
    s.set_status(&ann(), id, Status::Open)
        .await
        .expect("reopened");
    send(s, &alice(), id, "Back again").await;
    // Closed again by this process: refused again.
    s.set_status(&ann(), id, Status::Closed)
        .await
        .expect("closed here");
    let refused = s.send_message(&alice(), id, text("Hello?")).await;
    assert!(matches!(refused, Err(ChatError::Closed)), "{refused:?}");
    s.set_status(&ann(), id, Status::Open)
        .await
        .expect("reopened");
    send(other.service(), &ann(), id, "From the other process").await;
    let sent = send(s, &alice(), id, "And once more").await;
    // The opening message and five sent here and there, the refused one
    // not; the other process's staff answer read what came before.
    assert_eq!(sent.conversation.message_count, 6);
    assert_eq!(sent.conversation.status, Status::AwaitingAdmin);
    assert_eq!(sent.conversation.unread_for_admin, 1);
    let stored = s
        .get_conversation(&alice(), id, None, 1)
        .await
        .expect("loads")
        .conversation;
    assert_eq!(stored.message_count, 6);
    assert_eq!(stored.unread_for_admin, 1);
    assert_eq!(stored.last_message_preview, "And once more");
}

/// The message a send answers with (the ack, the live frame, the page) is
/// built from what was written, not read back: it must be exactly the row
/// a later read finds, alone or in a group, with or without a client id or
/// a quote, with any text.
async fn what_a_send_answers_is_the_message_as_stored(t: TestChat) {
    let s = t.service();
    let opened = open_as(s, &alice(), "As stored").await;
    let id = opened.conversation.id;
    let first = opened.message.id;
    let mut answered = vec![send(s, &ann(), id, "A lone reply").await.message];
    let mut tasks = Vec::new();
    for n in 0..30 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let actor = if n % 3 == 0 { ann() } else { alice() };
            let body = format!("Line {n}: \"quoted\" <b>&</b> ünïcödé 🔥\nsecond line");
            let mut input = if n % 2 == 0 {
                text_with_id(&body, &format!("as-stored-{n}"))
            } else {
                text(&body)
            };
            if n % 4 == 0 {
                input.reply_to = Some(first);
            }
            s.send_message(&actor, id, input).await
        }));
    }
    for task in tasks {
        let sent = task.await.expect("task").expect("sent");
        assert!(sent.created);
        answered.push(sent.message);
    }
    answered.sort_by_key(|m| m.id);
    let (_, stored, more) = s
        .messages_after(&alice(), id, first, 100)
        .await
        .expect("reads back");
    assert!(!more);
    assert_eq!(answered, stored);
}

/// Concurrent sends are written in groups with set-based statements; what
/// they leave behind must be what the same messages sent one after another
/// (in the order of their ids) would leave: counters, read cursors, status,
/// notifications read and unread, and refused quotes writing nothing.
async fn a_burst_from_both_sides_ends_as_one_by_one_sends_would(t: TestChat) {
    use storechat::domain::Side;
    let s = t.service();
    let opened = open_as(s, &alice(), "Both sides").await;
    let id = opened.conversation.id;
    let first = opened.message.id;
    let elsewhere = open_as(s, &alice(), "Elsewhere").await.message.id;
    let before = rows::snapshot(s).await;
    let mut tasks = Vec::new();
    for n in 0..80 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            let actor = if n % 2 == 0 { alice() } else { ann() };
            let mut input = text_with_id(&format!("Burst {n}"), &format!("both-{n}"));
            // Every fifth quotes the first message; every seventh quotes a
            // message of another conversation and is refused.
            if n % 5 == 0 {
                input.reply_to = Some(first);
            }
            if n % 7 == 0 {
                input.reply_to = Some(elsewhere);
            }
            (n, actor.side(), s.send_message(&actor, id, input).await)
        }));
    }
    let mut accepted: Vec<(i64, Side)> = Vec::new();
    for task in tasks {
        let (n, side, sent) = task.await.expect("task");
        if n % 7 == 0 {
            assert!(
                matches!(sent, Err(ChatError::MessageNotFound)),
                "{n}: {sent:?}"
            );
            continue;
        }
        let sent = sent.unwrap_or_else(|e| panic!("{n}: {e:?}"));
        assert!(sent.created);
        assert_eq!(sent.message.body, format!("Burst {n}"));
        assert_eq!(sent.message.reply_to_id, (n % 5 == 0).then_some(first));
        accepted.push((sent.message.id, side));
    }
    accepted.sort_unstable_by_key(|(id, _)| *id);
    let refused = (0..80).filter(|n| n % 7 == 0).count();
    assert_eq!(accepted.len(), 80 - refused);

    // The same messages, one by one.
    let expected = one_by_one(
        opened.conversation.status,
        (
            opened.conversation.unread_for_admin,
            opened.conversation.unread_for_user,
        ),
        (
            opened.conversation.admin_read_up_to,
            opened.conversation.user_read_up_to,
        ),
        accepted.iter().copied(),
    );
    let c = s
        .get_conversation(&ann(), id, None, 1)
        .await
        .expect("loads")
        .conversation;
    assert_eq!(
        c.message_count,
        opened.conversation.message_count + accepted.len() as i32
    );
    assert_eq!(counters_of(&c), expected);
    assert_eq!(c.last_message_id, accepted.last().map(|(m, _)| *m));
    let last = accepted.last().map(|(m, _)| *m).expect("some were sent");
    let last_body = s
        .get_conversation(&ann(), id, None, 1)
        .await
        .expect("loads")
        .messages
        .last()
        .map(|m| m.body.clone());
    assert_eq!(Some(c.last_message_preview.clone()), last_body);

    // One notification per accepted message, for the other side; Alice's
    // are read up to her own last message, the newer ones are not.
    let after = rows::snapshot(s).await;
    assert_eq!(
        after,
        [
            before[0],
            before[1] + accepted.len() as i64,
            before[2],
            before[3] + accepted.len() as i64
        ]
    );
    let alice_last = accepted
        .iter()
        .filter(|(_, side)| *side == Side::Customer)
        .map(|(m, _)| *m)
        .max()
        .expect("Alice wrote");
    let inbox = s.notifications(&alice(), None, 100).await.expect("inbox");
    let staff_messages = accepted
        .iter()
        .filter(|(_, side)| *side == Side::Staff)
        .count();
    assert_eq!(inbox.len(), staff_messages);
    for n in &inbox {
        let about = n.message_id.expect("about a message");
        assert_eq!(
            n.read_at.is_some(),
            about < alice_last,
            "{about} vs {alice_last}"
        );
    }
    assert!(last >= alice_last);
}

/// Writes are committed in batches (group commit): a refused message in a
/// batch must not take the others down with it, nor leave anything behind.
async fn many_senders_at_once_each_get_their_own_answer(t: TestChat) {
    let s = t.service();
    let opened = open_as(s, &alice(), "Busy").await.conversation;
    let open = opened.id;
    let closed = open_as(s, &alice(), "Done").await.conversation.id;
    s.set_status(&ann(), closed, Status::Closed)
        .await
        .expect("closes");
    let before = rows::snapshot(s).await;
    let mut tasks = Vec::new();
    for n in 0..60 {
        let s = s.clone();
        // Every third one goes to the closed conversation and is refused.
        let target = if n % 3 == 0 { closed } else { open };
        tasks.push(tokio::spawn(async move {
            let sent = s
                .send_message(
                    &alice(),
                    target,
                    text_with_id("Burst", &format!("burst-{n}")),
                )
                .await;
            (n, target, sent)
        }));
    }
    let mut stored = Vec::new();
    for task in tasks {
        let (n, target, sent) = task.await.expect("task");
        if target == closed {
            assert!(matches!(sent, Err(ChatError::Closed)), "{n}: {sent:?}");
        } else {
            let sent = sent.unwrap_or_else(|e| panic!("{n}: {e:?}"));
            assert!(sent.created);
            stored.push(sent.message.id);
        }
    }
    assert_eq!(stored.len(), 40);
    let view = s
        .get_conversation(&alice(), open, None, 100)
        .await
        .expect("loads");
    let mut ids: Vec<i64> = view.messages.iter().map(|m| m.id).collect();
    ids.retain(|id| stored.contains(id));
    assert_eq!(ids.len(), 40, "every acknowledged message is there");
    assert_eq!(view.conversation.message_count, opened.message_count + 40);
    assert_eq!(
        view.conversation.unread_for_admin,
        opened.unread_for_admin + 40
    );
    let after = rows::snapshot(s).await;
    // [conversations, messages, reactions, notifications]: one message
    // and one staff notification per accepted send, nothing for the others.
    assert_eq!(
        after,
        [before[0], before[1] + 40, before[2], before[3] + 40],
        "nothing of a refused message is stored"
    );
    let closed_view = s
        .get_conversation(&ann(), closed, None, 100)
        .await
        .expect("loads");
    assert_eq!(closed_view.conversation.status, Status::Closed);
}

async fn each_side_moves_the_status(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Status walk").await.conversation.id;
    assert_eq!(status_of(s, &ann(), id).await, Status::Open);
    send(s, &alice(), id, "Anyone?").await;
    assert_eq!(status_of(s, &ann(), id).await, Status::AwaitingAdmin);
    send(s, &ann(), id, "Here!").await;
    assert_eq!(status_of(s, &ann(), id).await, Status::AwaitingUser);
    send(s, &alice(), id, "Thanks").await;
    assert_eq!(status_of(s, &ann(), id).await, Status::AwaitingAdmin);
    // Staff writing in a closed conversation reopens it for the customer.
    s.set_status(&ann(), id, Status::Closed)
        .await
        .expect("closes");
    send(s, &ann(), id, "One more thing").await;
    assert_eq!(status_of(s, &ann(), id).await, Status::AwaitingUser);
}

async fn a_customer_reply_reopens_a_resolved_conversation(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Reopen").await.conversation.id;
    s.set_status(&ann(), id, Status::Resolved)
        .await
        .expect("resolves");
    let sent = send(s, &alice(), id, "Actually, it broke again").await;
    assert_eq!(sent.conversation.status, Status::AwaitingAdmin);
}

async fn closed_conversations_refuse_customer_messages_and_change_nothing(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Closing").await.conversation.id;
    s.set_status(&ann(), id, Status::Closed)
        .await
        .expect("closes");
    let before = rows::snapshot(s).await;
    let events_before = t.host.event_names().len();
    let err = s
        .send_message(&alice(), id, text("Hello?"))
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::Closed), "{err:?}");
    assert!(err.to_string().contains("closed"));
    assert_eq!(rows::snapshot(s).await, before);
    assert_eq!(
        t.host.event_names().len(),
        events_before,
        "no event for a refused message"
    );
    assert_eq!(status_of(s, &ann(), id).await, Status::Closed);
}

async fn staff_replies_notify_the_customer_and_customer_replies_the_store(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Notify").await.conversation.id;
    let staff_before = s
        .notifications(&ann(), None, 50)
        .await
        .expect("inbox")
        .len();
    let sent = send(s, &ann(), id, "We are on it").await;
    assert_eq!(sent.conversation.unread_for_user, 1);
    let alice_inbox = s.notifications(&alice(), None, 50).await.expect("inbox");
    assert_eq!(alice_inbox.len(), 1);
    assert_eq!(alice_inbox[0].kind, "NEW_MESSAGE");
    assert_eq!(alice_inbox[0].message_id, Some(sent.message.id));
    assert_eq!(alice_inbox[0].body, "We are on it");
    send(s, &alice(), id, "Thank you").await;
    assert_eq!(
        s.notifications(&ann(), None, 50)
            .await
            .expect("inbox")
            .len(),
        staff_before + 1
    );
    // Bob's inbox stays empty.
    assert!(
        s.notifications(&bob(), None, 50)
            .await
            .expect("inbox")
            .is_empty()
    );
}

async fn the_same_client_id_twice_stores_one_message(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Retry").await.conversation.id;
    let first = s
        .send_message(&alice(), id, text_with_id("Once", "c-1"))
        .await
        .expect("sent");
    let before = rows::snapshot(s).await;
    let retry = s
        .send_message(&alice(), id, text_with_id("Once", "c-1"))
        .await
        .expect("answered");
    assert!(first.created);
    assert!(!retry.created);
    assert_eq!(retry.message.id, first.message.id);
    assert_eq!(rows::snapshot(s).await, before, "a retry writes nothing");
    // Another sender may use the same client id.
    let staff = s
        .send_message(&ann(), id, text_with_id("Mine", "c-1"))
        .await
        .expect("sent");
    assert!(staff.created);
}

async fn the_same_client_id_twice_concurrently_stores_one_message(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Race").await.conversation.id;
    for round in 0..5 {
        let client_id = format!("race-{round}");
        let (a, b) = (s.clone(), s.clone());
        let (ca, cb) = (client_id.clone(), client_id.clone());
        let first = tokio::spawn(async move {
            a.send_message(&alice(), id, text_with_id("Same", &ca))
                .await
        });
        let second = tokio::spawn(async move {
            b.send_message(&alice(), id, text_with_id("Same", &cb))
                .await
        });
        let first = first.await.expect("task").expect("first answered");
        let second = second.await.expect("task").expect("second answered");
        assert_eq!(first.message.id, second.message.id);
        assert!(
            first.created ^ second.created,
            "exactly one of the two stored it"
        );
    }
    // The opening message plus one per round.
    assert_eq!(rows::count(s, "storechat_messages").await, 6);
    let view = s
        .get_conversation(&ann(), id, None, 50)
        .await
        .expect("loads");
    assert_eq!(view.conversation.message_count, 6);
    assert_eq!(view.conversation.unread_for_admin, 6);
}

async fn a_client_id_reused_in_another_conversation_is_refused(t: TestChat) {
    let s = t.service();
    let one = open_as(s, &alice(), "One").await.conversation.id;
    let two = open_as(s, &alice(), "Two").await.conversation.id;
    s.send_message(&alice(), one, text_with_id("Hi", "dup"))
        .await
        .expect("sent");
    let err = s
        .send_message(&alice(), two, text_with_id("Hi", "dup"))
        .await
        .expect_err("refused");
    assert!(
        matches!(err, ChatError::Invalid(ref v) if v.field == "client_msg_id"),
        "{err:?}"
    );
}

/// The writer finds retries by their client id as it inserts: a burst that
/// mixes retries with new messages must answer each retry with its first
/// try, store each new message once, and count only the new ones.
async fn retries_in_a_burst_are_answered_with_their_first_tries(t: TestChat) {
    use storechat::domain::Side;
    let s = t.service();
    let opened = open_as(s, &alice(), "Retries").await;
    let id = opened.conversation.id;
    let mut first_tries = Vec::new();
    for n in 0..20 {
        let sent = s
            .send_message(
                &alice(),
                id,
                text_with_id(&format!("First {n}"), &format!("r-{n}")),
            )
            .await
            .expect("sent");
        first_tries.push(sent.message.id);
    }
    let before = s
        .get_conversation(&ann(), id, None, 1)
        .await
        .expect("loads")
        .conversation;
    let mut tasks = Vec::new();
    for n in 0..60 {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            // Every third is a retry of a first try (same text, same id).
            let input = if n % 3 == 0 {
                text_with_id(&format!("First {}", n / 3), &format!("r-{}", n / 3))
            } else {
                text_with_id(&format!("New {n}"), &format!("n-{n}"))
            };
            (n, s.send_message(&alice(), id, input).await)
        }));
    }
    let mut new_ids = Vec::new();
    for task in tasks {
        let (n, sent) = task.await.expect("task");
        let sent = sent.unwrap_or_else(|e| panic!("{n}: {e:?}"));
        if n % 3 == 0 {
            assert!(!sent.created, "{n} is a retry");
            assert_eq!(sent.message.id, first_tries[n / 3]);
        } else {
            assert!(sent.created, "{n} is new");
            assert_eq!(sent.message.body, format!("New {n}"));
            new_ids.push((sent.message.id, Side::Customer));
        }
    }
    new_ids.sort_unstable_by_key(|(m, _)| *m);
    let after = s
        .get_conversation(&ann(), id, None, 1)
        .await
        .expect("loads")
        .conversation;
    assert_eq!(after.message_count, before.message_count + 40);
    assert_eq!(rows::count(s, "storechat_messages").await, 1 + 20 + 40);
    let expected = one_by_one(
        before.status,
        (before.unread_for_admin, before.unread_for_user),
        (before.admin_read_up_to, before.user_read_up_to),
        new_ids.iter().copied(),
    );
    assert_eq!(counters_of(&after), expected);
    assert_eq!(after.last_message_id, new_ids.last().map(|(m, _)| *m));
}

/// A retry is answered with its first try even where a new message would
/// be refused: the ack was lost, not the message.
async fn a_retry_after_the_conversation_closed_gets_its_first_try(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Lost ack").await.conversation.id;
    let first = s
        .send_message(&alice(), id, text_with_id("Did this arrive?", "lost-1"))
        .await
        .expect("sent");
    s.set_status(&ann(), id, Status::Closed)
        .await
        .expect("closes");
    let before = rows::snapshot(s).await;
    let retry = s
        .send_message(&alice(), id, text_with_id("Did this arrive?", "lost-1"))
        .await
        .expect("answered");
    assert!(!retry.created);
    assert_eq!(retry.message.id, first.message.id);
    let err = s
        .send_message(&alice(), id, text_with_id("And this?", "lost-2"))
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::Closed), "{err:?}");
    assert_eq!(rows::snapshot(s).await, before, "nothing written");
}

async fn strangers_cannot_write_in_a_conversation(t: TestChat) {
    let s = t.service();
    let id = open_as(s, &alice(), "Private").await.conversation.id;
    let before = rows::snapshot(s).await;
    let err = s
        .send_message(&bob(), id, text("Let me in"))
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::ConversationNotFound), "{err:?}");
    let err = s.mark_read(&bob(), id, None).await.expect_err("refused");
    assert!(matches!(err, ChatError::ConversationNotFound), "{err:?}");
    assert_eq!(rows::snapshot(s).await, before);
}

async fn replies_must_quote_a_message_of_the_same_conversation(t: TestChat) {
    let s = t.service();
    let one = open_as(s, &alice(), "One").await;
    let two = open_as(s, &alice(), "Two").await;
    let quoting = SendMessage {
        body: MessageBody::parse("Quoting you").expect("valid"),
        client_msg_id: None,
        reply_to: Some(one.message.id),
    };
    let sent = s
        .send_message(&ann(), one.conversation.id, quoting.clone())
        .await
        .expect("sent");
    assert_eq!(sent.message.reply_to_id, Some(one.message.id));
    let err = s
        .send_message(&ann(), two.conversation.id, quoting)
        .await
        .expect_err("refused");
    assert!(matches!(err, ChatError::MessageNotFound), "{err:?}");
}

async fn unknown_conversations_are_not_found(t: TestChat) {
    let s = t.service();
    let before = rows::snapshot(s).await;
    assert!(matches!(
        s.send_message(&ann(), 4242, text("?")).await,
        Err(ChatError::ConversationNotFound)
    ));
    assert!(matches!(
        s.get_conversation(&ann(), 4242, None, 10).await,
        Err(ChatError::ConversationNotFound)
    ));
    assert!(matches!(
        s.mark_read(&ann(), 4242, None).await,
        Err(ChatError::ConversationNotFound)
    ));
    assert!(matches!(
        s.set_status(&ann(), 4242, Status::Closed).await,
        Err(ChatError::ConversationNotFound)
    ));
    assert_eq!(rows::snapshot(s).await, before);
}

/// A group written at once spans several conversations (PostgreSQL stores
/// all their rows with one statement): each must end as its own messages,
/// one by one, would leave it.
async fn a_burst_across_many_conversations_keeps_each_ones_counters(t: TestChat) {
    use storechat::domain::Side;
    let s = t.service();
    let mut opened = Vec::new();
    for n in 0..12 {
        opened.push(
            open_as(s, &alice(), &format!("Spread {n}"))
                .await
                .conversation,
        );
    }
    let mut tasks = Vec::new();
    for round in 0..6 {
        for (c, conversation) in opened.iter().enumerate() {
            let s = s.clone();
            let id = conversation.id;
            tasks.push(tokio::spawn(async move {
                // Conversations alternate who writes last.
                let actor = if (round + c) % 2 == 0 { alice() } else { ann() };
                let body = format!("Spread {c}.{round}");
                let input = text_with_id(&body, &format!("spread-{c}-{round}"));
                (
                    id,
                    actor.side(),
                    body,
                    s.send_message(&actor, id, input).await,
                )
            }));
        }
    }
    let mut sent: Vec<(i64, i64, Side, String)> = Vec::new();
    for task in tasks {
        let (id, side, body, outcome) = task.await.expect("task");
        let outcome = outcome.unwrap_or_else(|e| panic!("{id}: {e:?}"));
        assert!(outcome.created);
        sent.push((id, outcome.message.id, side, body));
    }
    sent.sort_unstable_by_key(|(_, message, _, _)| *message);
    for start in &opened {
        let mine: Vec<_> = sent.iter().filter(|(id, ..)| *id == start.id).collect();
        assert_eq!(mine.len(), 6);
        let expected = one_by_one(
            start.status,
            (start.unread_for_admin, start.unread_for_user),
            (start.admin_read_up_to, start.user_read_up_to),
            mine.iter().map(|(_, message, side, _)| (*message, *side)),
        );
        let c = s
            .get_conversation(&ann(), start.id, None, 1)
            .await
            .expect("loads")
            .conversation;
        let (_, last, last_side, last_body) = mine.last().expect("six each");
        assert_eq!(c.message_count, start.message_count + 6, "{}", c.subject);
        assert_eq!(counters_of(&c), expected, "{}", c.subject);
        assert_eq!(c.last_message_id, Some(*last));
        assert_eq!(&c.last_message_preview, last_body);
        assert_eq!(c.last_message_side.as_deref(), Some(last_side.as_str()));
    }
}

/// What sending these messages (id, writer's side) one after another does
/// to a conversation's status, unread counters (staff, customer) and read
/// cursors (staff, customer).
fn one_by_one(
    mut status: Status,
    (mut unread_admin, mut unread_user): (i32, i32),
    (mut admin_read, mut user_read): (i64, i64),
    messages: impl IntoIterator<Item = (i64, storechat::domain::Side)>,
) -> (Status, (i32, i32), (i64, i64)) {
    for (message, side) in messages {
        if side == storechat::domain::Side::Customer {
            status = Status::AwaitingAdmin;
            unread_admin += 1;
            unread_user = 0;
            user_read = message;
        } else {
            status = Status::AwaitingUser;
            unread_user += 1;
            unread_admin = 0;
            admin_read = message;
        }
    }
    (status, (unread_admin, unread_user), (admin_read, user_read))
}

/// A conversation's status, unread counters and read cursors, as
/// [`one_by_one`] gives them.
fn counters_of(c: &storechat::store::Conversation) -> (Status, (i32, i32), (i64, i64)) {
    (
        c.status,
        (c.unread_for_admin, c.unread_for_user),
        (c.admin_read_up_to, c.user_read_up_to),
    )
}
