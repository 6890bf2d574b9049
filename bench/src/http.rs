//! A signed-in HTTP client and timed requests.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

use crate::queries::{self, Counts};

/// A client that keeps cookies and sees every redirect.
pub fn client() -> anyhow::Result<Client> {
    Ok(Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .timeout(Duration::from_secs(30))
        .build()?)
}

/// The value of a hidden input.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// Signs in through the store's own form.
pub async fn sign_in(
    client: &Client,
    base: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<()> {
    let html = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let token = hidden(&html, "form_token").context("the sign-in form has no form_token")?;
    let response = client
        .post(format!("{base}/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("next", "/"),
            ("form_token", token.as_str()),
        ])
        .send()
        .await?;
    if response.status() != StatusCode::SEE_OTHER {
        bail!("signing in as {email} answered {}", response.status());
    }
    Ok(())
}

/// One GET: its status, its body and how long it took from sending the
/// request to the last byte of the body.
pub async fn get(client: &Client, url: &str) -> anyhow::Result<(StatusCode, Vec<u8>, Duration)> {
    let started = Instant::now();
    let response = client.get(url).send().await?;
    let status = response.status();
    let body = response.bytes().await?;
    let took = started.elapsed();
    Ok((status, body.to_vec(), took))
}

/// How many conversation rows a list page shows (one "View" link each).
pub fn rows_on_page(body: &[u8]) -> usize {
    let marker = b"/preview/\"";
    body.windows(marker.len()).filter(|w| w == marker).count()
}

/// The result of timing one case.
#[derive(Debug, Clone)]
pub struct Timed {
    /// Durations of the successful (200) requests.
    pub durations: Vec<Duration>,
    /// Requests that failed or answered anything but 200, with the first reason.
    pub failures: usize,
    /// The first failure.
    pub first_failure: Option<String>,
    /// Statements run during the timed requests.
    pub statements: Counts,
    /// Requests sent (timed ones).
    pub requests: usize,
    /// Size of the last 200 body.
    pub body_bytes: usize,
    /// Conversation rows in the last 200 body.
    pub rows: usize,
}

/// Sends `warmup` untimed then `samples` timed GETs, one after the other.
pub async fn time(client: &Client, url: &str, warmup: usize, samples: usize) -> Timed {
    for _ in 0..warmup {
        let _ = get(client, url).await;
    }
    let mut timed = Timed {
        durations: Vec::with_capacity(samples),
        failures: 0,
        first_failure: None,
        statements: Counts::default(),
        requests: samples,
        body_bytes: 0,
        rows: 0,
    };
    let before = queries::counts();
    for _ in 0..samples {
        match get(client, url).await {
            Ok((StatusCode::OK, body, took)) => {
                timed.durations.push(took);
                timed.body_bytes = body.len();
                timed.rows = rows_on_page(&body);
            }
            Ok((status, _, _)) => {
                timed.failures += 1;
                timed
                    .first_failure
                    .get_or_insert_with(|| format!("HTTP {status}"));
            }
            Err(e) => {
                timed.failures += 1;
                timed.first_failure.get_or_insert_with(|| e.to_string());
            }
        }
    }
    timed.statements = queries::counts() - before;
    timed
}
