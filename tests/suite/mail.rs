//! E-mail notifications against a real SMTP server on loopback (aiosmtpd):
//! the recap of unseen replies, nothing for replies seen in time, one e-mail
//! for a burst, SMTP down and back up, 4xx retried, 5xx dead-lettered,
//! unsubscribe links, and two workers on one PostgreSQL database.

use std::time::Duration;

use actix_web::{App, test};
use storechat::domain::{MessageBody, Subject};
use storechat::service::{OpenConversation, SendMessage};
use storechat::store::outbox::OutboxRow;
use storechat::{EmailConfig, MailTransport, StorechatConfig};

use crate::support::smtp::{ReceivedMail, SmtpOptions, SmtpServer, free_port};
use crate::support::{TestChat, alice, ann};

const PUBLIC: &str = "http://shop.test";
const ALICE_MAIL: &str = "alice@example.com";

fn email(smtp: &str, delay_ms: u64) -> impl FnOnce(&mut StorechatConfig) {
    let smtp = smtp.to_owned();
    move |config: &mut StorechatConfig| {
        config.store_name = "Test Store".into();
        config.public_url = PUBLIC.into();
        config.email = EmailConfig {
            transport: MailTransport::Smtp(smtp),
            from: "Test Store <store@example.com>".into(),
            support_address: Some("support@example.com".into()),
            delay: Duration::from_millis(delay_ms),
            poll_interval: Duration::from_millis(100),
            lease: Duration::from_secs(5),
            retry_base: Duration::from_millis(150),
            max_attempts: 50,
        };
    }
}

fn text(body: &str) -> SendMessage {
    SendMessage {
        body: MessageBody::parse(body).expect("body"),
        client_msg_id: None,
        reply_to: None,
    }
}

fn opening(subject: &str, customer: Option<&str>) -> OpenConversation {
    OpenConversation {
        subject: Subject::parse(subject).expect("subject"),
        body: MessageBody::parse("Hello, I have a question.").expect("body"),
        customer_id: customer.map(str::to_owned),
        order_id: None,
        product_id: None,
        client_msg_id: None,
        handler: Default::default(),
    }
}

fn to(mails: &[ReceivedMail], address: &str) -> Vec<ReceivedMail> {
    mails
        .iter()
        .filter(|m| m.to.iter().any(|t| t.contains(address)))
        .cloned()
        .collect()
}

async fn outbox(t: &TestChat) -> Vec<OutboxRow> {
    let mut rows = Vec::new();
    for status in ["pending", "sent", "skipped", "dead"] {
        let status = status.to_owned();
        rows.extend(
            t.service()
                .db()
                .read(move |conn| storechat::store::outbox::with_status(conn, &status, 1000))
                .await
                .expect("outbox"),
        );
    }
    rows
}

/// Waits until `check` holds for the outbox (the worker runs beside the test).
async fn until(t: &TestChat, what: &str, check: impl Fn(&[OutboxRow]) -> bool) -> Vec<OutboxRow> {
    for _ in 0..100 {
        let rows = outbox(t).await;
        if check(&rows) {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "timed out waiting for the outbox: {what}: {:?}",
        outbox(t).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unread_staff_reply_arrives_as_one_escaped_email_with_a_link() {
    let smtp = SmtpServer::start(SmtpOptions::default());
    let t = TestChat::sqlite_with(email(&smtp.url(), 300)).await;
    let s = t.service();
    let c = s
        .open_conversation(&alice(), opening("Where is <my> order?", None))
        .await
        .expect("opens")
        .conversation;
    s.send_message(
        &ann(),
        c.id,
        text("It ships today. Use <b>code</b> A&B for 10% off."),
    )
    .await
    .expect("reply");

    let mails = smtp.wait_for(1, Duration::from_secs(10)).await;
    let mails = to(&mails, ALICE_MAIL);
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let mail = &mails[0];
    assert!(mail.from.contains("store@example.com"));
    assert!(
        mail.subject.contains("Test Store") && mail.subject.contains("new reply"),
        "{}",
        mail.subject
    );
    let html = mail.html.as_deref().expect("an HTML part");
    let plain = mail.text.as_deref().expect("a plain-text part");
    let link = format!("{PUBLIC}/dashboard/messages/{}/", c.id);
    assert!(
        html.contains(&link) && plain.contains(&link),
        "the link to the conversation"
    );
    assert!(
        plain.contains("It ships today. Use <b>code</b> A&B for 10% off."),
        "plain text as written"
    );
    assert!(
        !html.contains("<b>code</b>"),
        "user text is escaped in HTML"
    );
    assert!(
        html.contains("&#60;b&#62;code&#60;/b&#62;") || html.contains("&lt;b&gt;code&lt;/b&gt;"),
        "{html}"
    );
    assert!(!html.contains("<my>"), "the subject too");
    assert!(
        mail.header("List-Unsubscribe")
            .is_some_and(|h| h.contains("/email/unsubscribe/?u=u-alice"))
    );
    assert_eq!(
        mail.header("List-Unsubscribe-Post"),
        Some("List-Unsubscribe=One-Click")
    );
    // Answering marked Alice's first message seen by the store: no e-mail to
    // the store about it. An unanswered conversation does reach the store's
    // support address.
    let unanswered = s
        .open_conversation(&alice(), opening("Nobody answers", None))
        .await
        .expect("opens")
        .conversation;
    let support = to(
        &smtp.wait_for(2, Duration::from_secs(10)).await,
        "support@example.com",
    );
    assert_eq!(support.len(), 1);
    assert!(
        support[0]
            .subject
            .contains("New message from Alice Martin: Nobody answers"),
        "{}",
        support[0].subject
    );
    let admin_link = format!(
        "{PUBLIC}/admin/dashboard/conversation/{}/change/",
        unanswered.id
    );
    assert!(
        support[0]
            .text
            .as_deref()
            .unwrap_or_default()
            .contains(&admin_link)
    );
    assert!(
        support[0].header("List-Unsubscribe").is_none(),
        "a shared inbox has no one to unsubscribe"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_seen_in_time_sends_nothing_and_a_burst_sends_one_recap() {
    let smtp = SmtpServer::start(SmtpOptions::default());
    let t = TestChat::sqlite_with(email(&smtp.url(), 600)).await;
    let s = t.service();
    let seen = s
        .open_conversation(&alice(), opening("Seen in time", None))
        .await
        .expect("opens")
        .conversation;
    s.send_message(&ann(), seen.id, text("Read me quickly"))
        .await
        .expect("reply");
    s.mark_read(&alice(), seen.id, None)
        .await
        .expect("read at once");

    let burst = s
        .open_conversation(&alice(), opening("Burst", None))
        .await
        .expect("opens")
        .conversation;
    for n in 1..=5 {
        s.send_message(&ann(), burst.id, text(&format!("Reply number {n}")))
            .await
            .expect("reply");
    }
    let rows = until(&t, "both customer rows handled", |rows| {
        rows.iter()
            .filter(|r| r.recipient_side == storechat::Side::Customer && r.status != "pending")
            .count()
            == 2
    })
    .await;
    let skipped = rows
        .iter()
        .find(|r| r.conversation_id == seen.id && r.recipient_side == storechat::Side::Customer);
    assert_eq!(
        skipped.map(|r| (r.status.as_str(), r.last_error.as_deref())),
        Some(("skipped", Some("seen in time")))
    );
    let mails = to(&smtp.received(), ALICE_MAIL);
    assert_eq!(
        mails.len(),
        1,
        "one e-mail for the burst, none for the reply seen in time"
    );
    assert!(
        mails[0].subject.contains("5 new replies"),
        "{}",
        mails[0].subject
    );
    let plain = mails[0].text.as_deref().unwrap_or_default();
    for n in 1..=5 {
        assert!(
            plain.contains(&format!("Reply number {n}")),
            "the recap lists reply {n}"
        );
    }
    assert!(!plain.contains("Read me quickly"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_smtp_down_messages_are_kept_and_each_email_arrives_once_when_it_is_back() {
    let port = free_port();
    let t = TestChat::sqlite_with(email(&format!("smtp://127.0.0.1:{port}"), 100)).await;
    let s = t.service();
    let c = s
        .open_conversation(&alice(), opening("SMTP is down", None))
        .await
        .expect("opens")
        .conversation;
    let sent = s
        .send_message(&ann(), c.id, text("Still saved"))
        .await
        .expect("sending works without SMTP");
    assert!(sent.created);
    until(&t, "a failed attempt recorded", |rows| {
        rows.iter()
            .any(|r| r.attempts >= 1 && r.status == "pending")
    })
    .await;
    let view = s
        .get_conversation(&alice(), c.id, None, 10)
        .await
        .expect("loads");
    assert_eq!(
        view.messages.last().map(|m| m.body.as_str()),
        Some("Still saved")
    );

    let smtp = SmtpServer::start_on(port, SmtpOptions::default());
    until(&t, "nothing pending", |rows| {
        !rows.is_empty() && rows.iter().all(|r| r.status != "pending")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let mails = smtp.received();
    assert_eq!(
        to(&mails, ALICE_MAIL).len(),
        1,
        "exactly once to the customer"
    );
    assert_eq!(
        mails.len(),
        1,
        "the store answered, so it is not e-mailed about Alice's message"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4xx_is_retried_and_a_5xx_is_dead_lettered_for_the_admins() {
    let smtp = SmtpServer::start(SmtpOptions::fail_4xx(2));
    let t = TestChat::sqlite_with(email(&smtp.url(), 50)).await;
    let s = t.service();
    let c = s
        .open_conversation(&ann(), opening("Retried", Some("u-alice")))
        .await
        .expect("opens")
        .conversation;
    let rows = until(&t, "sent after retries", |rows| {
        rows.iter()
            .any(|r| r.conversation_id == c.id && r.status == "sent")
    })
    .await;
    let row = rows
        .iter()
        .find(|r| r.conversation_id == c.id)
        .expect("row");
    assert_eq!(row.attempts, 2, "two 451s, then accepted");
    assert_eq!(to(&smtp.received(), ALICE_MAIL).len(), 1);

    let refusing = SmtpServer::start(SmtpOptions::fail_5xx());
    let t = TestChat::sqlite_with(email(&refusing.url(), 50)).await;
    let c = t
        .service()
        .open_conversation(&ann(), opening("Refused", Some("u-bob")))
        .await
        .expect("opens")
        .conversation;
    let rows = until(&t, "dead", |rows| rows.iter().any(|r| r.status == "dead")).await;
    let dead = rows
        .iter()
        .find(|r| r.status == "dead")
        .expect("dead letter");
    assert_eq!(dead.conversation_id, c.id);
    assert_eq!(dead.attempts, 0, "a 5xx is not retried");
    assert!(
        dead.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("550"),
        "{:?}",
        dead.last_error
    );
    assert_eq!(dead.recipient_email.as_deref(), Some("bob@example.com"));
    // Staff see it on the outbox page, with the server's reason; customers may not.
    let chat = t.chat.clone();
    let app = test::init_service(App::new().configure(|cfg| chat.configure(cfg))).await;
    let page = |user: &'static str| {
        test::TestRequest::get()
            .uri("/admin/dashboard/conversation/mail/")
            .insert_header(("x-test-user", user))
            .to_request()
    };
    let response = test::call_service(&app, page("u-ann")).await;
    assert_eq!(response.status(), 200);
    let body = String::from_utf8(test::read_body(response).await.to_vec()).unwrap_or_default();
    assert!(
        body.contains("Could not be delivered")
            && body.contains("bob@example.com")
            && body.contains("550")
    );
    let list = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/admin/dashboard/conversation/")
            .insert_header(("x-test-user", "u-ann"))
            .to_request(),
    )
    .await;
    let body = String::from_utf8(test::read_body(list).await.to_vec()).unwrap_or_default();
    assert!(
        body.contains("1 e-mail notification could not be delivered"),
        "the list warns the admins"
    );
    assert_eq!(test::call_service(&app, page("u-bob")).await.status(), 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_opened_conversation_is_emailed_at_once() {
    let smtp = SmtpServer::start(SmtpOptions::default());
    let t = TestChat::sqlite_with(email(&smtp.url(), 60_000)).await;
    t.service()
        .open_conversation(&ann(), opening("Your refund", Some("u-bob")))
        .await
        .expect("opens");
    let mails = smtp.wait_for(1, Duration::from_secs(5)).await;
    assert_eq!(
        to(&mails, "bob@example.com").len(),
        1,
        "no waiting for the one-minute delay"
    );
    assert!(mails[0].subject.contains("Your refund"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_unsubscribe_link_works_without_a_session_and_cannot_be_forged() {
    let smtp = SmtpServer::start(SmtpOptions::default());
    let t = TestChat::sqlite_with(email(&smtp.url(), 50)).await;
    let s = t.service();
    let c = s
        .open_conversation(&ann(), opening("Newsletter-ish", Some("u-alice")))
        .await
        .expect("opens")
        .conversation;
    let mail = to(&smtp.wait_for(1, Duration::from_secs(5)).await, ALICE_MAIL).remove(0);
    let header = mail.header("List-Unsubscribe").expect("header").to_owned();
    let url = header
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_owned();
    let path = url.trim_start_matches(PUBLIC).to_owned();
    let chat = t.chat.clone();
    let app = test::init_service(App::new().configure(|cfg| chat.configure(cfg))).await;

    // A tampered link (another person's id, or a changed token) is refused.
    let forged = path.replace("u=u-alice", "u=u-bob");
    let response =
        test::call_service(&app, test::TestRequest::post().uri(&forged).to_request()).await;
    assert_eq!(response.status(), 403);
    let mut cut = path.clone();
    cut.pop();
    cut.push(if path.ends_with('0') { '1' } else { '0' });
    let response = test::call_service(&app, test::TestRequest::post().uri(&cut).to_request()).await;
    assert_eq!(response.status(), 403);
    // Opening the link only asks; it changes nothing.
    let response = test::call_service(&app, test::TestRequest::get().uri(&path).to_request()).await;
    assert_eq!(response.status(), 200);
    // The one-click POST, no cookie, no session.
    let request = test::TestRequest::post()
        .uri(&path)
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload("List-Unsubscribe=One-Click")
        .to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), 200);
    let body = String::from_utf8(test::read_body(response).await.to_vec()).unwrap_or_default();
    assert!(body.contains("You are unsubscribed"));

    // No more mail for Alice; Bob (who never unsubscribed) still gets his.
    s.send_message(&ann(), c.id, text("Are you there?"))
        .await
        .expect("reply");
    let bobs = s
        .open_conversation(&ann(), opening("For Bob", Some("u-bob")))
        .await
        .expect("opens")
        .conversation;
    until(&t, "handled", |rows| {
        rows.iter().filter(|r| r.status != "pending").count() >= 3
    })
    .await;
    let rows = outbox(&t).await;
    let alices = rows
        .iter()
        .find(|r| r.conversation_id == c.id && r.status == "skipped")
        .expect("skipped");
    assert_eq!(
        alices.last_error.as_deref(),
        Some("the recipient turned e-mail off")
    );
    assert!(
        rows.iter()
            .any(|r| r.conversation_id == bobs.id && r.status == "sent")
    );
    assert_eq!(
        to(&smtp.received(), ALICE_MAIL).len(),
        1,
        "only the e-mail before unsubscribing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_one_postgres_database_send_each_email_once() {
    let smtp = SmtpServer::start(SmtpOptions::default());
    let Some(t) = TestChat::postgres_with(email(&smtp.url(), 0)).await else {
        return;
    };
    let _second = t.another_instance(|_| {}).await;
    let s = t.service();
    let mut subjects = Vec::new();
    for n in 0..30 {
        let subject = format!("Parallel {n:02}");
        s.open_conversation(
            &ann(),
            opening(&subject, Some(if n % 2 == 0 { "u-alice" } else { "u-bob" })),
        )
        .await
        .expect("opens");
        subjects.push(subject);
    }
    until(&t, "all sent", |rows| {
        rows.len() == 30 && rows.iter().all(|r| r.status == "sent")
    })
    .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mails = smtp.received();
    assert_eq!(mails.len(), 30, "each e-mail once");
    for subject in subjects {
        assert_eq!(
            mails
                .iter()
                .filter(|m| m.subject.contains(&subject))
                .count(),
            1,
            "{subject}"
        );
    }
}
