//! Seeds 100,000 conversations and 1,000,000 messages into the example
//! store, then times the admin conversation list (default, filtered,
//! searched, sorted, deep page, page sizes) and the change view of one
//! 10,000-message conversation, on SQLite and PostgreSQL.
//!
//! ```sh
//! cargo run --release -p storechat-bench --bin admin-list -- --backend both
//! ```
//!
//! The store runs in this process (so the SQL it runs can be counted and
//! its peak memory read); requests go to it over loopback HTTP, signed in
//! as the demo staff member.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clap::{Parser, ValueEnum};
use diesel::Connection;
use diesel::connection::SimpleConnection;
use host_example::{Application, Settings};
use storechat::store::Db;
use storechat_bench::data::{self, Person, RARE_SUBJECT_WORD, Spec};
use storechat_bench::http::{self, Timed};
use storechat_bench::report::{self, Case, Target};
use storechat_bench::{queries, seed, sql};

const LIST: &str = "/admin/dashboard/conversation/";
const SECRET: &[u8] = b"storechat-bench-secret-of-at-least-32-bytes!";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Which {
    Sqlite,
    Postgres,
    Both,
}

/// Seed the example store with conversations and messages, then time the
/// admin conversation list and change view.
#[derive(Debug, Parser)]
#[command(
    name = "admin-list",
    version,
    after_help = "Exit status: 0 when every case met its target, 3 when some case missed it or had failed requests, 1 on an error."
)]
struct Options {
    /// Which database(s) to run on.
    #[arg(long, value_enum, default_value_t = Which::Both)]
    backend: Which,
    /// Conversations to seed (the big one included).
    #[arg(long, default_value_t = 100_000)]
    conversations: usize,
    /// Messages to seed in all (the big conversation's included).
    #[arg(long, default_value_t = 1_000_000)]
    messages: usize,
    /// Messages in the one big conversation (whose change view is timed).
    #[arg(long, default_value_t = 10_000)]
    big: usize,
    /// Distinct customers.
    #[arg(long, default_value_t = 2_000)]
    customers: usize,
    /// Timed requests per case.
    #[arg(long, default_value_t = 200)]
    samples: usize,
    /// Untimed requests per case first.
    #[arg(long, default_value_t = 10)]
    warmup: usize,
    /// The row the deep page starts after, in the default order.
    #[arg(long, default_value_t = 90_000)]
    deep_row: i64,
    /// PostgreSQL database to use: dropped and created afresh (the server must
    /// be on this machine).
    #[arg(
        long,
        default_value = "postgres://postgres@127.0.0.1:5432/storechat_bench"
    )]
    pg_url: String,
    /// Seed of the data generator.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print the SQL statements of one request per case, with their durations.
    #[arg(long)]
    show_sql: bool,
    /// Keep the SQLite file and the PostgreSQL database after the run.
    #[arg(long)]
    keep: bool,
    /// Seed and check the data, time nothing.
    #[arg(long)]
    seed_only: bool,
    /// Set when `--backend both` runs this program once per backend.
    #[arg(long, hide = true)]
    child: bool,
}

/// Exit status when every case ran but some missed their target.
const MISSED: u8 = 3;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<ExitCode> {
    let options = Options::parse();
    if !options.child {
        println!("# storechat admin list benchmark\n");
        print!("{}", report::machine());
        println!(
            "- data: {} conversations ({} customers), {} messages, one conversation with {}; {} timed requests per case after {} warm-up\n",
            options.conversations,
            options.customers,
            options.messages,
            options.big,
            options.samples,
            options.warmup
        );
    }
    let all_ok = match options.backend {
        Which::Sqlite => run_here(Which::Sqlite, &options).await?,
        Which::Postgres => run_here(Which::Postgres, &options).await?,
        // One process per backend, so that each one's memory figures are
        // its own and nothing of the first run lingers in the second.
        Which::Both => {
            let sqlite = run_child("sqlite")?;
            let postgres = run_child("postgres")?;
            sqlite && postgres
        }
    };
    if all_ok {
        Ok(ExitCode::SUCCESS)
    } else {
        if !options.child {
            println!("\nSome cases missed their target or failed (see the tables).");
        }
        Ok(ExitCode::from(MISSED))
    }
}

async fn run_here(backend: Which, options: &Options) -> anyhow::Result<bool> {
    // Before any pool exists: only connections opened later are counted.
    queries::install()?;
    run(backend, options).await
}

/// Runs this program again for one backend, with the same options.
fn run_child(backend: &str) -> anyhow::Result<bool> {
    let mut args: Vec<String> = Vec::new();
    let mut raw = std::env::args().skip(1);
    while let Some(arg) = raw.next() {
        if arg == "--backend" {
            raw.next();
        } else if !arg.starts_with("--backend=") {
            args.push(arg);
        }
    }
    let exe = std::env::current_exe().context("finding this program")?;
    let status = std::process::Command::new(exe)
        .args(&args)
        .args(["--backend", backend, "--child"])
        .status()
        .with_context(|| format!("running the {backend} benchmark"))?;
    match status.code() {
        Some(0) => Ok(true),
        Some(code) if code == i32::from(MISSED) => Ok(false),
        _ => bail!("the {backend} benchmark failed ({status})"),
    }
}

/// Where a backend's database lives; dropped (or kept) at the end.
enum Place {
    Sqlite(Option<tempfile::TempDir>),
    Postgres { admin_url: String, name: String },
}

async fn prepare(backend: Which, options: &Options) -> anyhow::Result<(String, Place)> {
    match backend {
        Which::Sqlite => {
            let dir = tempfile::Builder::new()
                .prefix("storechat-bench-")
                .tempdir()
                .context("creating a temporary directory")?;
            let url = format!("sqlite://{}", dir.path().join("shop.db").display());
            Ok((url, Place::Sqlite(Some(dir))))
        }
        Which::Postgres | Which::Both => {
            let (admin_url, name) = sql::split_pg_url(&options.pg_url)?;
            let (admin, db) = (admin_url.clone(), name.clone());
            tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
                let mut conn = diesel::PgConnection::establish(&admin)
                    .with_context(|| format!("connecting to PostgreSQL at {admin}"))?;
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)"))?;
                conn.batch_execute(&format!("CREATE DATABASE \"{db}\""))?;
                Ok(())
            })
            .await??;
            Ok((options.pg_url.clone(), Place::Postgres { admin_url, name }))
        }
    }
}

async fn person(app: &Application, email: &str) -> anyhow::Result<Person> {
    let card = app
        .chat()
        .service()
        .host()
        .search_users(email, 5)
        .await?
        .into_iter()
        .find(|u| u.email == email)
        .with_context(|| format!("the demo user {email} is missing"))?;
    Ok(Person {
        id: card.id,
        name: card.name,
        email: card.email,
    })
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

async fn run(backend: Which, options: &Options) -> anyhow::Result<bool> {
    let label = if backend == Which::Sqlite {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    eprintln!("== {label}: preparing the database");
    let (database_url, mut place) = prepare(backend, options).await?;
    let app = Application::build(Settings::new(database_url, "127.0.0.1:0", SECRET.to_vec()))
        .await
        .map_err(|e| anyhow!("the example store did not start: {e}"))?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let db: Db = app.db().clone();
    let alice = person(&app, host_example::demo::ALICE.email).await?;
    let ann = person(&app, host_example::demo::ANN.email).await?;
    let handle = app.handle();
    let server = tokio::spawn(app.run_until_stopped());
    let version = seed::version(&db).await?;

    // Plan, then write.
    let (first_conversation, first_message) = seed::next_ids(&db).await?;
    let mut staff = vec![ann];
    for (i, name) in ["Ben Ortiz", "Chloe Park", "Dev Rao", "Eva Novak"]
        .iter()
        .enumerate()
    {
        staff.push(Person {
            id: format!("bench-staff-{}", i + 1),
            name: (*name).to_owned(),
            email: format!("staff{}@example.net", i + 1),
        });
    }
    let spec = Spec {
        conversations: options.conversations,
        messages: options.messages,
        big: options.big,
        customers: options.customers,
        seed: options.seed,
        first_conversation_id: first_conversation,
        first_message_id: first_message,
        now: chrono::Utc::now().naive_utc(),
        big_customer: alice,
        staff,
    };
    let planning = Instant::now();
    let plan = Arc::new(tokio::task::spawn_blocking(move || data::plan(&spec)).await??);
    let planned = planning.elapsed();
    eprintln!("== {label}: seeding");
    let times = seed::write(&db, plan.clone()).await?;
    let checked = seed::verify(&db, first_conversation, first_message).await?;

    println!("## {label} ({version})\n");
    println!(
        "Seeded {} conversations and {} messages in {} (plan {}, conversations {}, messages {}, {} {}).",
        plan.conversations.len(),
        plan.messages.len(),
        secs(times.total() + planned),
        secs(planned),
        secs(times.conversations),
        secs(times.messages),
        if backend == Which::Sqlite {
            "ANALYZE + WAL checkpoint"
        } else {
            "VACUUM (ANALYZE)"
        },
        secs(times.analyze),
    );
    let statuses: Vec<String> = checked
        .statuses
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    println!(
        "Tables now: {} conversations (demo ones included), {} messages, {} customers; {}; {} unread by the store, {} unassigned, {} with an order, {} with a product ({} of them a vendor's).",
        checked.conversations,
        checked.messages,
        checked.customers,
        statuses.join(", "),
        checked.unread_by_admin,
        checked.unassigned,
        checked.with_order,
        checked.with_product,
        checked.with_vendor,
    );
    println!(
        "Checks: {} seeded conversations whose counters, read cursors or times disagree with their messages; {} messages whose id order disagrees with time order.\n",
        checked.inconsistent, checked.out_of_order
    );
    if checked.inconsistent > 0 || checked.out_of_order > 0 {
        bail!("the seeded data is inconsistent");
    }

    let mut ok = true;
    if !options.seed_only {
        // The deep page needs a row after it, whatever the size asked for.
        let deep_row = options.deep_row.min(checked.conversations - 2).max(0);
        ok = time_pages(&db, &base, &plan, deep_row, options).await?;
    }

    handle.stop(true).await;
    let _ = server.await;
    drop(db);
    if options.keep {
        match &mut place {
            Place::Sqlite(dir) => {
                if let Some(dir) = dir.take() {
                    println!("Kept the SQLite database in {}", dir.keep().display());
                }
            }
            Place::Postgres { name, .. } => println!("Kept the PostgreSQL database {name}"),
        }
    } else if let Place::Postgres { admin_url, name } = &place {
        let (admin, name) = (admin_url.clone(), name.clone());
        tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            let mut conn = diesel::PgConnection::establish(&admin)?;
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))?;
            Ok(())
        })
        .await??;
    }
    println!();
    Ok(ok)
}

async fn time_pages(
    db: &Db,
    base: &str,
    plan: &data::Plan,
    deep_row: i64,
    options: &Options,
) -> anyhow::Result<bool> {
    let client = http::client()?;
    http::sign_in(
        &client,
        base,
        host_example::demo::ANN.email,
        host_example::demo::ANN.password,
    )
    .await?;
    let (status, _, _) = http::get(&client, &format!("{base}{LIST}")).await?;
    if status != reqwest::StatusCode::OK {
        bail!("{LIST} answers {status} to staff: the admin list is not there yet");
    }

    let (deep_id, deep_at) = seed::row_at(db, deep_row).await?;
    let deep_cursor = format!("{deep_id}.{}", data::micros_of(deep_at));
    // A cursor the page cannot read silently shows the first page: check
    // that the deep page starts right after the cursor's row.
    let (next_id, _) = seed::row_at(db, deep_row + 1).await?;
    let deep_url = format!("{base}{LIST}?after={}", urlencoding::encode(&deep_cursor));
    let (status, body, _) = http::get(&client, &deep_url).await?;
    let first_row = format!("/{next_id}/preview/\"");
    if status != reqwest::StatusCode::OK || !String::from_utf8_lossy(&body).contains(&first_row) {
        bail!(
            "the deep page ({deep_url}) answered {status} without row {next_id}: does the cursor format differ?"
        );
    }
    let email_fragment = plan
        .customers
        .get(1234 % plan.customers.len().max(1))
        .and_then(|c| c.email.split('@').next())
        .unwrap_or("example")
        .to_owned();
    let rare_matches = seed::matches(db, RARE_SUBJECT_WORD).await?;
    let email_matches = seed::matches(db, &email_fragment).await?;
    let big = plan.big_conversation();
    println!(
        "Search terms: \"{RARE_SUBJECT_WORD}\" matches {rare_matches} conversations, \"{email_fragment}\" matches {email_matches}. Deep page: after row {} (id {deep_id}, last message {deep_at}). Change view: conversation {} ({} messages, customer {}).\n",
        deep_row, big.id, big.message_count, plan.customers[big.customer].email,
    );

    let under = |ms: f64| Target::P50Under(ms);
    let mut cases: Vec<(String, String, Target)> = vec![
        ("list default".into(), LIST.into(), under(10.0)),
        (
            "filtered: awaiting admin, unread".into(),
            format!("{LIST}?status=AWAITING_ADMIN&read=unread"),
            under(10.0),
        ),
        (
            "filtered: unassigned, active 7 days".into(),
            format!("{LIST}?assignee=none&recent=7d"),
            under(10.0),
        ),
        (
            format!("searched: subject word (~1%, {rare_matches} rows)"),
            format!("{LIST}?q={}", urlencoding::encode(RARE_SUBJECT_WORD)),
            under(30.0),
        ),
        (
            format!("searched: e-mail fragment ({email_matches} rows)"),
            format!("{LIST}?q={}", urlencoding::encode(&email_fragment)),
            under(30.0),
        ),
        (
            "sorted: subject".into(),
            format!("{LIST}?o=subject"),
            under(10.0),
        ),
        (
            "sorted: -messages".into(),
            format!("{LIST}?o=-messages"),
            under(10.0),
        ),
        (
            "sorted: customer".into(),
            format!("{LIST}?o=customer"),
            under(10.0),
        ),
        (
            format!("deep page (after row {deep_row})"),
            format!("{LIST}?after={}", urlencoding::encode(&deep_cursor)),
            under(10.0),
        ),
    ];
    for size in [25, 50, 100, 200] {
        cases.push((
            format!("per_page={size}"),
            format!("{LIST}?per_page={size}"),
            Target::QueriesAs("per_page=25".into()),
        ));
    }
    cases.push((
        format!("change view ({} messages)", big.message_count),
        format!("{LIST}{}/change/", big.id),
        under(20.0),
    ));

    let rss_before = report::rss_mib();
    let reset = report::reset_peak_rss();
    let mut done: Vec<Case> = Vec::new();
    let mut sql_logs: Vec<(String, Vec<queries::Statement>)> = Vec::new();
    let started = Instant::now();
    for (name, path, target) in cases {
        eprintln!("   timing {name}: {path}");
        let url = format!("{base}{path}");
        let timed: Timed = http::time(&client, &url, options.warmup, options.samples).await;
        if options.show_sql {
            queries::start_recording();
            let _ = http::get(&client, &url).await;
            sql_logs.push((name.clone(), queries::stop_recording()));
        }
        done.push(Case {
            name,
            path,
            target,
            timed,
        });
    }
    let timing_took = started.elapsed();

    println!("{}", report::table(&done));
    let rss = |v: Option<f64>| v.map_or_else(|| "unknown".to_owned(), |v| format!("{v:.0} MiB"));
    println!(
        "Server (this process) memory: {} resident before timing, peak {} during timing{}. Timing took {}.",
        rss(rss_before),
        rss(report::peak_rss_mib()),
        if reset {
            ""
        } else {
            " (could not reset the peak: it includes seeding)"
        },
        secs(timing_took),
    );
    if options.show_sql {
        println!("\nSQL of one request per case:\n");
        for (name, statements) in &sql_logs {
            println!("- {name}:");
            for s in statements {
                let mut sql = shorten(&s.sql);
                if sql.len() > 700 {
                    let mut cut = 700;
                    while !sql.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    sql.truncate(cut);
                    sql.push('…');
                }
                println!("  - {:>8.3} ms `{sql}`", s.took.as_secs_f64() * 1000.0);
            }
        }
    }
    Ok(done.iter().all(|c| c.ok(&done)))
}

/// A statement on one line, a long column list replaced by `…`.
fn shorten(sql: &str) -> String {
    let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(rest) = sql.strip_prefix("SELECT ")
        && let Some(from) = rest.find(" FROM ")
        && from > 80
    {
        return format!("SELECT … {}", &rest[from + 1..]);
    }
    sql
}
