//! `cargo run -p host-example`: the example store on http://127.0.0.1:8080
//! with a SQLite database under `data/` and the demo data loaded.
//!
//! Environment: `DATABASE_URL` (a SQLite path or a `postgres://` URL),
//! `BIND` (address:port), `STORECHAT_SECRET` (32+ bytes; generated into
//! `data/secret` when unset), `RUST_LOG` (default `info`), and for e-mail:
//! `SMTP_URL` (`smtp://host:port`, `smtps://user:password@host:465`, …;
//! unset: each e-mail is written as an `.eml` file to `data/mail/`),
//! `MAIL_FROM` (default `Northwind Goods <support@northwind.example>`),
//! `SUPPORT_EMAIL` (the staff inbox for unassigned conversations, default
//! `support@northwind.example`), `MAIL_DELAY_SECONDS` (how long a reply may
//! stay unseen before it is e-mailed, default 120) and `PUBLIC_URL` (the
//! address in e-mail links, default `http://` and `BIND`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use host_example::{Application, Settings, demo};
use rand::Rng;
use storechat::MailTransport;

const DATA_DIR: &str = "data";
const DEFAULT_DATABASE: &str = "data/host-example.db";
const DEFAULT_BIND: &str = "127.0.0.1:8080";
const SECRET_FILE: &str = "data/secret";
const MAIL_DIR: &str = "data/mail";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();

    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("\nhost-example could not start: {}\n", message.trim_end());
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let settings = settings()?;
    let database = describe_database(&settings.database_url);
    let mail = describe_mail(&settings);
    let app = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    print_banner(&app, &database, &mail);
    app.run_until_stopped()
        .await
        .map_err(|e| format!("the server stopped with an error: {e}"))
}

fn settings() -> Result<Settings, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let database_url = match env("DATABASE_URL") {
        Some(url) => url,
        None => {
            ensure_data_dir()?;
            DEFAULT_DATABASE.to_owned()
        }
    };
    let secret = match env("STORECHAT_SECRET") {
        Some(secret) => secret.into_bytes(),
        None => stored_secret()?,
    };
    let bind = env("BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
    let mut settings = Settings::new(database_url, bind, secret);
    // Unset, the store's own address (as bound, so port 0 works too).
    settings.public_url = env("PUBLIC_URL").map(|url| url.trim().trim_end_matches('/').to_owned());

    let transport = match env("SMTP_URL") {
        Some(url) => MailTransport::Smtp(url.trim().to_owned()),
        None => MailTransport::Files(mail_dir()?),
    };
    settings.email = Settings::store_email(transport);
    if let Some(from) = env("MAIL_FROM") {
        settings.email.from = from.trim().to_owned();
    }
    if let Some(support) = env("SUPPORT_EMAIL") {
        settings.email.support_address = Some(support.trim().to_owned());
    }
    if let Some(delay) = env("MAIL_DELAY_SECONDS") {
        let seconds: u64 = delay.trim().parse().map_err(|_| {
            format!("MAIL_DELAY_SECONDS must be a whole number of seconds (got \"{delay}\")")
        })?;
        settings.email.delay = Duration::from_secs(seconds);
    }
    Ok(settings)
}

/// `data/mail/` as an absolute path, so the banner says exactly where.
fn mail_dir() -> Result<PathBuf, String> {
    ensure_data_dir()?;
    std::path::absolute(MAIL_DIR).map_err(|e| format!("cannot resolve {MAIL_DIR}/: {e}"))
}

fn ensure_data_dir() -> Result<(), String> {
    std::fs::create_dir_all(DATA_DIR)
        .map_err(|e| format!("cannot create the {DATA_DIR}/ directory: {e}"))
}

/// The secret kept in `data/secret`, made on first start: sessions and form
/// tokens then survive restarts.
fn stored_secret() -> Result<Vec<u8>, String> {
    let path = Path::new(SECRET_FILE);
    match std::fs::read_to_string(path) {
        Ok(existing) if existing.trim().len() >= 32 => {
            return Ok(existing.trim().as_bytes().to_vec());
        }
        Ok(_) => {
            return Err(format!(
                "{SECRET_FILE} holds fewer than 32 characters; delete it to make a new one"
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read {SECRET_FILE}: {e}")),
    }
    ensure_data_dir()?;
    let bytes: [u8; 32] = rand::rng().random();
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    write_private(path, &secret).map_err(|e| format!("cannot write {SECRET_FILE}: {e}"))?;
    tracing::info!("generated a new secret in {SECRET_FILE}");
    Ok(secret.into_bytes())
}

fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(content.as_bytes())?;
    file.write_all(b"\n")
}

/// The database for the banner, without its password.
fn describe_database(url: &str) -> String {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match (url.find("://"), url.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let credentials = &url[scheme + 3..at];
                let user = credentials.split(':').next().unwrap_or("");
                format!("PostgreSQL {}{user}@{}", &url[..scheme + 3], &url[at + 1..])
            }
            _ => format!("PostgreSQL {url}"),
        }
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let shown = std::path::absolute(path)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| path.to_owned());
        format!("SQLite {shown}")
    }
}

/// Where e-mail goes, for the banner (never a password): label and text
/// of each line.
fn describe_mail(settings: &Settings) -> Vec<(&'static str, String)> {
    let email = &settings.email;
    let transport = match &email.transport {
        MailTransport::Smtp(url) => format!("SMTP {}", redact_url(url)),
        MailTransport::Files(dir) => format!(
            "written as .eml files to {} (set SMTP_URL to send)",
            dir.display()
        ),
        MailTransport::Disabled => "off".to_owned(),
    };
    let mut lines = vec![
        ("E-mail", transport),
        ("Mail from", format!("{} (MAIL_FROM)", email.from)),
    ];
    if let Some(support) = &email.support_address {
        lines.push((
            "Staff",
            format!("{support} (SUPPORT_EMAIL), for conversations nobody is assigned to"),
        ));
    }
    lines.push((
        "Delay",
        format!(
            "replies unseen for {} s are e-mailed (MAIL_DELAY_SECONDS)",
            email.delay.as_secs()
        ),
    ));
    lines
}

/// A URL without the password of its `user:password@` part.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***@{}", &url[..scheme + 3], &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn print_banner(app: &Application, database: &str, mail: &[(&str, String)]) {
    let url = host_example::app::local_url(app.address());
    let mut out = String::new();
    out.push_str("\n  Northwind Goods (storechat example store) is running\n\n");
    out.push_str(&format!("  URL       {url}/\n"));
    out.push_str(&format!("  Database  {database}\n"));
    for (label, text) in mail {
        out.push_str(&format!("  {label:<9} {text}\n"));
    }
    out.push_str(&format!(
        "  Links     {} in e-mails (PUBLIC_URL)\n\n",
        app.public_url()
    ));
    out.push_str("  Demo logins\n");
    for user in demo::USERS {
        out.push_str(&format!(
            "    {:<9} {:<14} {:<20} {}\n",
            user.role_label(),
            user.name,
            user.email,
            user.password
        ));
    }
    out.push_str("\n  Pages\n");
    for (path, what) in [
        ("/", "storefront"),
        ("/login", "sign in"),
        ("/account/orders/", "a customer's orders"),
        ("/account/activity/", "a customer's activity (chat events)"),
        ("/dashboard/messages/", "a customer's messages (storechat)"),
        ("/admin/", "admin site (staff)"),
    ] {
        out.push_str(&format!("    {url}{path:<22} {what}\n"));
    }
    out.push_str("\n  Press Ctrl-C to stop.\n");
    println!("{out}");
}
