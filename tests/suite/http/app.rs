//! The example store started on a random port with a fresh SQLite database
//! and its demo data, plus signed-in HTTP clients.

use host_example::{Application, Settings};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};
use storechat::{Actor, Role, Storechat};

use crate::support::backend::SECRET;

pub struct TestApp {
    pub base: String,
    pub chat: Storechat,
    _dir: tempfile::TempDir,
}

/// A client that keeps cookies and does not follow redirects, so tests see
/// every 303.
pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("http client")
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        // E-mail off (`MailTransport::Disabled`): a test that needs mail
        // sets `settings.email.transport` to an SMTP test server.
        let settings = Settings::new(
            format!("sqlite://{}", dir.path().join("shop.db").display()),
            "127.0.0.1:0",
            SECRET.to_vec(),
        );
        let app = Application::build(settings)
            .await
            .expect("example store starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        let chat = app.chat().clone();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            chat,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A client signed in as the demo user with this e-mail and password.
    pub async fn sign_in(&self, email: &str, password: &str) -> Client {
        let client = client();
        let page = client
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page");
        let html = page.text().await.expect("login html");
        let mut form = vec![
            ("email", email.to_owned()),
            ("password", password.to_owned()),
            ("next", "/".to_owned()),
        ];
        form.push((
            "form_token",
            hidden(&html, "form_token").expect("the sign-in form's token"),
        ));
        let response = client
            .post(self.url("/login"))
            .form(&form)
            .send()
            .await
            .expect("login post");
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{email} signs in");
        client
    }

    /// The plugin's actor for a demo user, as the host adapter knows them.
    pub async fn actor(&self, email: &str) -> Actor {
        let card = self
            .chat
            .service()
            .host()
            .search_users(email, 5)
            .await
            .expect("user search")
            .into_iter()
            .find(|u| u.email == email)
            .expect("demo user exists");
        Actor {
            id: card.id,
            name: card.name,
            role: card.role,
        }
    }

    /// How many conversations `actor` has (customers).
    pub async fn conversation_count(&self, actor: &Actor) -> usize {
        let page = self
            .chat
            .service()
            .list_conversations(actor, None, 100)
            .await;
        page.expect("list").items.len()
    }

    pub async fn staff(&self) -> Actor {
        let actor = self.actor(host_example::demo::ANN.email).await;
        assert_eq!(actor.role, Role::Staff);
        actor
    }
}

/// The value of a hidden input, e.g. the CSRF token of a form.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// Every number `n` in links of the form `{prefix}{n}{suffix}`, in page order.
pub fn ids_in_links(html: &str, prefix: &str, suffix: &str) -> Vec<i64> {
    html.match_indices(prefix)
        .filter_map(|(at, _)| {
            let rest = &html[at + prefix.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            rest[digits.len()..]
                .starts_with(suffix)
                .then(|| digits.parse().ok())
                .flatten()
        })
        .collect()
}

pub async fn get(client: &Client, url: String) -> (StatusCode, String) {
    let response = client.get(url).send().await.expect("GET");
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

pub async fn post(
    client: &Client,
    url: String,
    form: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let response = client.post(url).form(form).send().await.expect("POST");
    let status = response.status();
    let location = response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, response.text().await.unwrap_or_default(), location)
}
