//! `cargo run -p host-example`: the example store on http://127.0.0.1:8080
//! with a SQLite database under `data/` and the demo data loaded.
//!
//! Environment: `DATABASE_URL` (a SQLite path or a `postgres://` URL),
//! `BIND` (address:port), `STORECHAT_SECRET` (32+ bytes; generated into
//! `data/secret` when unset), `RUST_LOG` (default `info`).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use host_example::{Application, Settings, demo};
use rand::Rng;

const DATA_DIR: &str = "data";
const DEFAULT_DATABASE: &str = "data/host-example.db";
const DEFAULT_BIND: &str = "127.0.0.1:8080";
const SECRET_FILE: &str = "data/secret";

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
    let app = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    print_banner(&app, &database);
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
    Ok(Settings {
        database_url,
        bind: env("BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned()),
        seed_demo: true,
        secret,
    })
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

fn print_banner(app: &Application, database: &str) {
    let url = match app.address() {
        a if a.ip().is_unspecified() => format!("http://127.0.0.1:{}", a.port()),
        a => format!("http://{a}"),
    };
    let mut out = String::new();
    out.push_str("\n  Northwind Goods (storechat example store) is running\n\n");
    out.push_str(&format!("  URL       {url}/\n"));
    out.push_str(&format!("  Database  {database}\n\n"));
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
        ("/dashboard/messages/", "a customer's messages (storechat)"),
        ("/admin/", "admin site (staff)"),
    ] {
        out.push_str(&format!("    {url}{path:<22} {what}\n"));
    }
    out.push_str("\n  Press Ctrl-C to stop.\n");
    println!("{out}");
}
