//! Settings staff save: stored, in force at once, read again by another
//! process, refused for anyone but staff and for bad values (nothing
//! stored). Turning e-mail off queues nothing, and on again queues again;
//! no message is lost either way.

use storechat::domain::{BusinessHours, DayHours, Settings};
use storechat::{ChatError, MailTransport};

use super::helpers::{open_as, send};
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, rows, victor};

on_both_backends!(
    staff_save_settings_that_are_in_force_at_once_and_stored,
    only_staff_change_settings_and_bad_values_change_nothing,
    email_off_queues_nothing_and_on_again_queues_again,
    the_rate_limit_follows_the_settings,
);

fn changed() -> Settings {
    let day = DayHours {
        opens: chrono::NaiveTime::from_hms_opt(8, 30, 0).expect("time"),
        closes: chrono::NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
    };
    Settings {
        widget_enabled: false,
        api_enabled: false,
        email_delay_minutes: 15,
        messages_per_minute: 30,
        allowed_origins: vec!["https://partner.example".into()],
        business_hours: Some(BusinessHours {
            timezone: "Europe/Dublin".into(),
            days: [
                Some(day),
                Some(day),
                Some(day),
                Some(day),
                Some(day),
                None,
                None,
            ],
        }),
        away_message: "Back soon!".into(),
        ..Settings::default()
    }
}

async fn staff_save_settings_that_are_in_force_at_once_and_stored(t: TestChat) {
    let s = t.service();
    assert!(s.live_settings().change().is_none(), "defaults until saved");
    assert_eq!(*s.settings(), t.chat.config().default_settings());
    let saved = s.save_settings(&ann(), changed()).await.expect("saved");
    assert_eq!(*saved, changed());
    assert_eq!(*s.settings(), changed());
    let change = s.live_settings().change().expect("who and when");
    assert_eq!(change.by, "Ann Admin");

    // Another process on the same database reads them.
    let other = t.another_instance(|_| {}).await;
    assert_eq!(
        *other.service().settings(),
        other.config().default_settings()
    );
    other.service().reload_settings().await.expect("reload");
    assert_eq!(*other.service().settings(), changed());

    // And back on: nothing about the conversations changed meanwhile.
    let opened = open_as(s, &alice(), "Still here").await;
    let before = rows::snapshot(s).await;
    s.save_settings(&ann(), Settings::default())
        .await
        .expect("saved");
    assert_eq!(rows::snapshot(s).await, before);
    let view = s
        .get_conversation(&alice(), opened.conversation.id, None, 10)
        .await
        .expect("still there");
    assert_eq!(view.messages.len(), 1);
}

async fn only_staff_change_settings_and_bad_values_change_nothing(t: TestChat) {
    let s = t.service();
    for who in [alice(), victor()] {
        let refused = s.save_settings(&who, changed()).await;
        assert!(matches!(refused, Err(ChatError::Forbidden(_))), "{who:?}");
    }
    let bad = Settings {
        messages_per_minute: 0,
        ..Settings::default()
    };
    match s.save_settings(&ann(), bad).await {
        Err(ChatError::Invalid(e)) => assert_eq!(e.field, "messages_per_minute"),
        other => panic!("refused, not {other:?}"),
    }
    let mut bad_zone = changed();
    if let Some(hours) = bad_zone.business_hours.as_mut() {
        hours.timezone = "Nowhere/Atlantis".into();
    }
    assert!(matches!(
        s.save_settings(&ann(), bad_zone).await,
        Err(ChatError::Invalid(_))
    ));
    assert!(s.live_settings().change().is_none(), "nothing was stored");
    s.reload_settings().await.expect("reload");
    assert_eq!(*s.settings(), t.chat.config().default_settings());
}

async fn outbox_rows(t: &TestChat) -> i64 {
    t.service()
        .db()
        .read(|conn| {
            Ok::<_, storechat::StoreError>(
                storechat::store::outbox::counts(conn)?
                    .iter()
                    .map(|(_, n)| n)
                    .sum::<i64>(),
            )
        })
        .await
        .expect("count")
}

async fn email_off_queues_nothing_and_on_again_queues_again(t: TestChat) {
    // This backend's test chat has no transport; one with files has.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().to_owned();
    let mail = t
        .another_instance(move |c| c.email.transport = MailTransport::Files(path))
        .await;
    let s = mail.service();
    let opened = open_as(s, &alice(), "Mail").await;
    let id = opened.conversation.id;
    let before = outbox_rows(&t).await;
    send(s, &ann(), id, "A reply that would be e-mailed").await;
    assert_eq!(outbox_rows(&t).await, before + 1, "e-mail on: queued");

    let off = Settings {
        email_enabled: false,
        ..(*s.settings()).clone()
    };
    s.save_settings(&ann(), off).await.expect("saved");
    // (The outbox keeps one pending e-mail per conversation: each check
    // uses a conversation of its own.)
    let quiet = open_as(s, &alice(), "Quiet").await.conversation.id;
    let queued = outbox_rows(&t).await;
    send(s, &ann(), quiet, "A reply while e-mail is off").await;
    send(s, &alice(), quiet, "A customer message").await;
    send(s, &ann(), quiet, "Another reply").await;
    assert_eq!(outbox_rows(&t).await, queued, "e-mail off: nothing queued");
    let kept = s
        .get_conversation(&alice(), quiet, None, 50)
        .await
        .expect("view");
    assert_eq!(kept.messages.len(), 4, "every message stored");

    let on = Settings {
        email_enabled: true,
        ..(*s.settings()).clone()
    };
    s.save_settings(&ann(), on).await.expect("saved");
    let again = open_as(s, &alice(), "Loud").await.conversation.id;
    send(s, &ann(), again, "Answer again").await;
    // The customer's opening message (for the store) and the reply (for her).
    assert!(outbox_rows(&t).await > queued, "e-mail on again: queued");
}

async fn the_rate_limit_follows_the_settings(t: TestChat) {
    let s = t.service();
    let tight = Settings {
        messages_per_minute: 2,
        ..(*s.settings()).clone()
    };
    s.save_settings(&ann(), tight).await.expect("saved");
    let hub = t.chat.hub();
    let who = alice();
    assert!(hub.allow_message(&who));
    assert!(hub.allow_message(&who));
    assert!(!hub.allow_message(&who), "the third in a minute is refused");
    assert!(hub.allow_message(&ann()), "someone else still may");
}
