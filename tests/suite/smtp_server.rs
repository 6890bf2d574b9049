//! The SMTP server of the e-mail tests (`tests/smtp/server.py`) against
//! lettre's SMTP client, the one the plugin sends with: what it accepts is
//! read back whole, and each way of refusing reaches lettre as the kind of
//! error the mail worker tells apart.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::support::smtp::{SmtpOptions, SmtpServer, free_port};

const WAIT: Duration = Duration::from_secs(10);

fn mailbox(address: &str) -> Mailbox {
    address.parse().expect("a valid mailbox")
}

fn message(to: &str, subject: &str) -> Message {
    Message::builder()
        .from(mailbox("Northwind Goods <support@northwind.example>"))
        .to(mailbox(to))
        .subject(subject)
        .multipart(MultiPart::alternative_plain_html(
            "Ann Admin wrote:\n\nWe do: recycled paper and a cotton ribbon.".to_owned(),
            "<p>Ann Admin wrote:</p><blockquote>We do: recycled paper &amp; a cotton ribbon.</blockquote>"
                .to_owned(),
        ))
        .expect("a well-formed message")
}

async fn send(url: &str, message: Message) -> Result<(), lettre::transport::smtp::Error> {
    let mailer = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .expect("a plain smtp:// URL")
        .timeout(Some(Duration::from_secs(5)))
        .build();
    mailer.send(message).await.map(|_| ())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_received_and_parsed() {
    let smtp = SmtpServer::start(SmtpOptions::default());
    assert_eq!(smtp.url(), format!("smtp://127.0.0.1:{}", smtp.port()));
    send(
        &smtp.url(),
        message(
            "Bob Chen <bob@example.com>",
            "Ann Admin replied to “Gift wrapping”",
        ),
    )
    .await
    .expect("the server accepts the message");

    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.from, "support@northwind.example");
    assert_eq!(mail.to, vec!["bob@example.com".to_owned()]);
    // Non-ASCII subjects travel as RFC 2047 words and come back decoded.
    assert_eq!(mail.subject, "Ann Admin replied to “Gift wrapping”");
    assert_eq!(
        mail.header("subject"),
        Some("Ann Admin replied to “Gift wrapping”")
    );
    assert!(
        !mail.raw.contains('“'),
        "the raw message is 7-bit: {}",
        mail.raw
    );
    assert_eq!(
        mail.header("From"),
        Some("\"Northwind Goods\" <support@northwind.example>")
    );
    assert_eq!(mail.header("To"), Some("\"Bob Chen\" <bob@example.com>"));
    assert_eq!(mail.header("MIME-Version"), Some("1.0"));
    assert!(mail.header("Date").is_some());
    let names: Vec<&str> = mail.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        names.iter().position(|n| *n == "From") < names.iter().position(|n| *n == "Content-Type"),
        "headers keep their order: {names:?}"
    );
    assert_eq!(
        mail.text.as_deref().map(str::trim_end),
        Some("Ann Admin wrote:\n\nWe do: recycled paper and a cotton ribbon.")
    );
    assert_eq!(
        mail.headers_named("content-type").len(),
        1,
        "top-level headers only"
    );
    assert!(mail.received_at.starts_with("20"), "{}", mail.received_at);
    // One JSON file per message, nothing left half-written.
    let files: Vec<_> = std::fs::read_dir(smtp.out_dir())
        .expect("the server's folder")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.len() == 1 && files[0].ends_with(".json"), "{files:?}");
    let html = mail.html.as_deref().expect("an HTML part");
    assert!(html.contains("<blockquote>We do: recycled paper &amp; a cotton ribbon."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_5xx_is_a_permanent_error() {
    let smtp = SmtpServer::start(SmtpOptions::fail_5xx());
    let error = send(&smtp.url(), message("bob@example.com", "Hello"))
        .await
        .expect_err("the server refuses every message");
    assert!(error.is_permanent(), "permanent: {error:?}");
    assert!(!error.is_transient());
    assert!(smtp.received().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_4xx_is_a_transient_error_and_the_retry_goes_through() {
    let smtp = SmtpServer::start(SmtpOptions::fail_4xx(1));
    let error = send(&smtp.url(), message("bob@example.com", "First try"))
        .await
        .expect_err("the first message is deferred");
    assert!(error.is_transient(), "transient: {error:?}");
    assert!(!error.is_permanent());
    assert!(smtp.received().is_empty());

    send(&smtp.url(), message("bob@example.com", "Second try"))
        .await
        .expect("the second message is accepted");
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails[0].subject, "Second try");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_refused_recipient_leaves_the_others_accepted() {
    let smtp = SmtpServer::start(SmtpOptions::fail_5xx_rcpt("gone@example.com"));
    let error = send(&smtp.url(), message("gone@example.com", "To nobody"))
        .await
        .expect_err("that recipient is refused");
    assert!(error.is_permanent(), "permanent: {error:?}");

    send(&smtp.url(), message("bob@example.com", "To Bob"))
        .await
        .expect("another recipient is accepted");
    let mails = smtp.wait_for(1, WAIT).await;
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, vec!["bob@example.com".to_owned()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_can_go_down_and_come_back_on_its_port() {
    // Nobody listens yet on the port the sender was told about.
    let port = free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let error = send(&url, message("bob@example.com", "Too early"))
        .await
        .expect_err("nothing listens yet");
    assert!(
        !error.is_permanent(),
        "a refused connection is not permanent: {error:?}"
    );

    let mut smtp = SmtpServer::start_on(port, SmtpOptions::default());
    assert_eq!(smtp.url(), url);
    send(&url, message("bob@example.com", "First"))
        .await
        .expect("up");
    smtp.wait_for(1, WAIT).await;

    smtp.stop();
    assert!(!smtp.is_running());
    send(&url, message("bob@example.com", "While down"))
        .await
        .expect_err("the server is down");

    smtp.restart();
    assert_eq!(smtp.port(), port);
    send(&url, message("bob@example.com", "Back"))
        .await
        .expect("up again");
    let subjects: Vec<String> = smtp
        .wait_for(2, WAIT)
        .await
        .into_iter()
        .map(|m| m.subject)
        .collect();
    assert_eq!(subjects, ["First", "Back"]);

    // A second server on a port in use says so instead of hanging.
    let taken = std::panic::catch_unwind(|| SmtpServer::start_on(port, SmtpOptions::default()));
    let message = taken
        .err()
        .and_then(|e| e.downcast::<String>().ok())
        .expect("starting on a taken port panics with a message");
    assert!(message.contains("cannot listen"), "{message}");
}
