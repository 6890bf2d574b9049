use host_example::demo::{ALICE, ANN, BOB};
use reqwest::{Client, StatusCode};
use storechat::domain::{MessageBody, Subject};
use storechat::service::OpenConversation;
use storechat::{Actor, Conversation};

use crate::http::app::{TestApp, get, hidden, post};

pub const A: &str = "/admin/dashboard/conversation";

/// The example store, Ann signed in, and the actors of the demo people.
pub struct Admin {
    pub app: TestApp,
    pub ann: Client,
    pub staff: Actor,
    pub alice: Actor,
    pub bob: Actor,
}

impl Admin {
    pub async fn start() -> Admin {
        let app = TestApp::spawn().await;
        let ann = app.sign_in(ANN.email, ANN.password).await;
        let staff = app.staff().await;
        let alice = app.actor(ALICE.email).await;
        let bob = app.actor(BOB.email).await;
        Admin {
            app,
            ann,
            staff,
            alice,
            bob,
        }
    }

    pub fn url(&self, path: &str) -> String {
        self.app.url(&format!("{A}{path}"))
    }

    /// Ann's CSRF token, from the list page.
    pub async fn token(&self) -> String {
        let (_, html) = get(&self.ann, self.url("/")).await;
        hidden(&html, "csrf_token").expect("the list carries a token")
    }

    /// A conversation opened by `customer`.
    pub async fn open(&self, customer: &Actor, subject: &str) -> Conversation {
        let input = OpenConversation {
            subject: Subject::parse(subject).expect("subject"),
            body: MessageBody::parse("Hello from the test").expect("body"),
            customer_id: None,
            order_id: None,
            product_id: None,
            client_msg_id: None,
            handler: Default::default(),
        };
        self.app
            .chat
            .service()
            .open_conversation(customer, input)
            .await
            .expect("opens")
            .conversation
    }

    pub async fn conversation(&self, id: i64) -> Conversation {
        self.app
            .chat
            .service()
            .get_conversation(&self.staff, id, None, 1)
            .await
            .expect("exists")
            .conversation
    }

    /// How many conversations there are.
    pub async fn count(&self) -> usize {
        let query = storechat::service::AdminQuery {
            per_page: 500,
            ..Default::default()
        };
        self.app
            .chat
            .service()
            .admin_list(&self.staff, query)
            .await
            .expect("list")
            .rows
            .len()
    }

    pub async fn exists(&self, id: i64) -> bool {
        self.app
            .chat
            .service()
            .get_conversation(&self.staff, id, None, 1)
            .await
            .is_ok()
    }

    /// POSTs as Ann, follows the redirect, returns the final page.
    pub async fn post_and_follow(&self, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
        let (status, body, location) = post(&self.ann, self.url(path), form).await;
        match (status, location) {
            (StatusCode::SEE_OTHER, Some(location)) => {
                get(&self.ann, self.app.url(&location)).await
            }
            _ => (status, body),
        }
    }
}

/// A plain message to send through the service.
pub fn text(body: &str) -> storechat::service::SendMessage {
    storechat::service::SendMessage {
        body: MessageBody::parse(body).expect("body"),
        client_msg_id: None,
        reply_to: None,
    }
}

/// The ids of the rows of a list page, in order.
pub fn row_ids(html: &str) -> Vec<i64> {
    html.match_indices("data-id=\"")
        .filter_map(|(at, m)| {
            html[at + m.len()..]
                .split('"')
                .next()
                .and_then(|id| id.parse().ok())
        })
        .collect()
}

/// The href of the link with this rel (`next`, `prev`), HTML-unescaped.
pub fn rel_link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\"");
    let at = html.find(&marker)?;
    let start = html[..at].rfind("href=\"")? + 6;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}
