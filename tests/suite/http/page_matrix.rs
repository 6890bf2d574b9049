//! The authorization matrix of the page routes, generated from the route
//! table the plugin mounts (`storechat::web::page_routes`): every route ×
//! anonymous, the customer of the conversation, another customer, the
//! vendor of its product, another vendor and staff. A route without a row
//! fails the test, so a new page cannot skip it. Posts carry the caller's
//! own valid form token, so a refusal is about who they are, not CSRF.
//!
//! The conversation is the demo's question about one of Victor's products:
//! Bob is its customer, Victor its vendor; Alice is the other customer and
//! Vera the other vendor.

use host_example::demo::{ALICE, ANN, BOB, DemoUser, VENDOR_PRODUCT_QUESTION, VERA, VICTOR};
use reqwest::{Client, StatusCode};
use storechat::service::SendMessage;
use storechat::{Actor, domain::MessageBody};

use super::app::{TestApp, client};

const WHO: [&str; 6] = [
    "anonymous",
    "customer",
    "other customer",
    "vendor",
    "other vendor",
    "staff",
];

/// 303 to the sign-in page.
const SIGN_IN: u16 = 1303;

/// Expected statuses, in the order of [`WHO`], by "METHOD path".
///
/// How to read them: `SIGN_IN` = sent to the sign-in page; 303 elsewhere =
/// a redirect (a form done, staff sent to their own panel, a bare prefix to
/// its slash); 403 = a role that may not; 404 = a conversation or
/// notification that is not theirs; 409 = the delete confirmation of a
/// conversation that is not CLOSED; 422 = the matrix's generic form lacks
/// fields the route needs (so the caller got past authorization); 400 = the
/// WebSocket endpoint without an upgrade. Vendors use the admin panels
/// (list, change view, inbox) for the conversations about their own
/// products (another vendor's are 404) but none of the store's tools
/// (status override, assignment, bulk actions, delete, e-mail, settings,
/// the host's customer actions).
fn expected(route: &str) -> Option<[u16; 6]> {
    Some(match route {
        "GET /dashboard/messages" => [303, 303, 303, 303, 303, 303],
        "GET /dashboard/messages/" => [SIGN_IN, 200, 200, 403, 403, 303],
        "GET /dashboard/messages/new/" => [SIGN_IN, 200, 200, 403, 403, 303],
        "POST /dashboard/messages/new/" => [SIGN_IN, 303, 303, 403, 403, 403],
        "GET /dashboard/messages/badge.json" => [SIGN_IN, 200, 200, 200, 200, 200],
        "GET /dashboard/messages/widget.json" => [200, 200, 200, 200, 200, 200],
        "GET /dashboard/messages/conversations.json" => [SIGN_IN, 200, 200, 403, 403, 403],
        "POST /dashboard/messages/conversations.json" => [SIGN_IN, 422, 422, 403, 403, 403],
        "GET /dashboard/messages/{id}/messages.json" => [SIGN_IN, 200, 404, 200, 404, 200],
        "GET /dashboard/messages/email/" => [SIGN_IN, 200, 200, 200, 200, 200],
        "POST /dashboard/messages/email/" => [SIGN_IN, 303, 303, 303, 303, 303],
        "GET /dashboard/messages/email/unsubscribe/" => [403, 403, 403, 403, 403, 403],
        "POST /dashboard/messages/email/unsubscribe/" => [403, 403, 403, 403, 403, 403],
        "GET /dashboard/messages/notifications/" => [SIGN_IN, 200, 200, 200, 200, 200],
        "GET /dashboard/messages/notifications.json" => [SIGN_IN, 200, 200, 200, 200, 200],
        "POST /dashboard/messages/notifications/read-all.json" => {
            [SIGN_IN, 200, 200, 200, 200, 200]
        }
        "POST /dashboard/messages/notifications/{id}/read.json" => {
            [SIGN_IN, 200, 404, 404, 404, 404]
        }
        "POST /dashboard/messages/notifications/read-all/" => [SIGN_IN, 303, 303, 303, 303, 303],
        "POST /dashboard/messages/notifications/{id}/read/" => [SIGN_IN, 303, 404, 404, 404, 404],
        "GET /dashboard/messages/{id}/" => [SIGN_IN, 200, 404, 200, 404, 200],
        "POST /dashboard/messages/{id}/send/" => [SIGN_IN, 303, 404, 303, 404, 303],
        "GET /admin/dashboard/conversation/inbox" => [303, 303, 303, 303, 303, 303],
        "GET /admin/dashboard/conversation/inbox/" => [SIGN_IN, 403, 403, 200, 200, 200],
        "GET /admin/dashboard/conversation/inbox/rows.json" => [SIGN_IN, 403, 403, 200, 200, 200],
        "GET /admin/dashboard/conversation/inbox/{id}/history.json" => {
            [SIGN_IN, 403, 403, 200, 404, 200]
        }
        "POST /admin/dashboard/conversation/inbox/{id}/reply/" => {
            [SIGN_IN, 403, 403, 303, 404, 303]
        }
        "POST /admin/dashboard/conversation/inbox/{id}/status/" => {
            [SIGN_IN, 403, 403, 403, 403, 303]
        }
        "POST /admin/dashboard/conversation/inbox/{id}/customer-action/" => {
            [SIGN_IN, 403, 403, 403, 403, 303]
        }
        "POST /admin/dashboard/conversation/inbox/{id}/messages/{message}/edit/" => {
            [SIGN_IN, 403, 403, 303, 404, 303]
        }
        "POST /admin/dashboard/conversation/inbox/{id}/messages/{message}/delete/" => {
            [SIGN_IN, 403, 403, 303, 404, 303]
        }
        "POST /admin/dashboard/conversation/inbox/{id}/messages/{message}/react/" => {
            [SIGN_IN, 403, 403, 303, 404, 303]
        }
        "GET /admin/dashboard/conversation" => [303, 303, 303, 303, 303, 303],
        "GET /admin/dashboard/conversation/" => [SIGN_IN, 403, 403, 200, 200, 200],
        "GET /admin/dashboard/conversation/columns/" => [303, 303, 303, 303, 303, 303],
        "GET /admin/dashboard/conversation/badge.json" => [SIGN_IN, 403, 403, 200, 200, 200],
        "GET /admin/dashboard/conversation/mail/" => [SIGN_IN, 403, 403, 403, 403, 200],
        "GET /admin/dashboard/conversation/settings/" => [SIGN_IN, 403, 403, 403, 403, 200],
        "POST /admin/dashboard/conversation/settings/" => [SIGN_IN, 403, 403, 403, 403, 422],
        "POST /admin/dashboard/conversation/mail/{id}/retry/" => [SIGN_IN, 403, 403, 403, 403, 303],
        "POST /admin/dashboard/conversation/bulk/" => [SIGN_IN, 403, 403, 403, 403, 303],
        "POST /admin/dashboard/conversation/bulk/delete/" => [SIGN_IN, 403, 403, 403, 403, 303],
        "GET /admin/dashboard/conversation/add/" => [SIGN_IN, 403, 403, 403, 403, 200],
        "POST /admin/dashboard/conversation/add/" => [SIGN_IN, 403, 403, 403, 403, 422],
        "GET /admin/dashboard/conversation/{id}/change/" => [SIGN_IN, 403, 403, 200, 404, 200],
        "POST /admin/dashboard/conversation/{id}/change/" => [SIGN_IN, 403, 403, 422, 404, 422],
        "POST /admin/dashboard/conversation/{id}/assign/" => [SIGN_IN, 403, 403, 403, 403, 303],
        "POST /admin/dashboard/conversation/{id}/priority/" => [SIGN_IN, 403, 403, 403, 403, 303],
        "POST /admin/dashboard/conversation/{id}/customer-action/" => {
            [SIGN_IN, 403, 403, 403, 403, 303]
        }
        "POST /admin/dashboard/conversation/{id}/messages/{message}/remove/" => {
            [SIGN_IN, 403, 403, 403, 403, 303]
        }
        "POST /admin/dashboard/conversation/{id}/messages/{message}/read/" => {
            [SIGN_IN, 403, 403, 303, 404, 303]
        }
        "GET /admin/dashboard/conversation/{id}/preview/" => [SIGN_IN, 403, 403, 200, 404, 200],
        "GET /admin/dashboard/conversation/{id}/delete/" => [SIGN_IN, 403, 403, 403, 403, 409],
        "POST /admin/dashboard/conversation/{id}/delete/" => [SIGN_IN, 403, 403, 403, 403, 303],
        "GET /storechat/assets/storechat.css" => [200, 200, 200, 200, 200, 200],
        "GET /storechat/assets/storechat-admin.js" => [200, 200, 200, 200, 200, 200],
        "GET /storechat/assets/storechat-live.js" => [200, 200, 200, 200, 200, 200],
        "GET /storechat/assets/storechat-pages.js" => [200, 200, 200, 200, 200, 200],
        "GET /storechat/assets/storechat-widget.js" => [200, 200, 200, 200, 200, 200],
        "GET /storechat/assets/storechat-widget.css" => [200, 200, 200, 200, 200, 200],
        "GET /storechat/assets/storechat-inbox.js" => [200, 200, 200, 200, 200, 200],
        "GET /storechat/assets/storechat-inbox.css" => [200, 200, 200, 200, 200, 200],
        "GET /storechat/ws" => [403, 400, 400, 400, 400, 400],
        _ => return None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_route_answers_every_kind_of_caller_as_expected() {
    let app = TestApp::spawn().await;
    let people: [Option<DemoUser>; 6] = [
        None,
        Some(BOB),
        Some(ALICE),
        Some(VICTOR),
        Some(VERA),
        Some(ANN),
    ];
    let mut callers: Vec<(Client, Option<Actor>)> = Vec::new();
    for who in people {
        callers.push(match who {
            None => (client(), None),
            Some(user) => (
                app.sign_in(user.email, user.password).await,
                Some(app.actor(user.email).await),
            ),
        });
    }
    let staff = app.staff().await;
    let bob = app.actor(BOB.email).await;
    let service = app.chat.service();
    let page = service
        .admin_list(&staff, storechat::service::AdminQuery::default())
        .await
        .expect("list");
    let conversation = page
        .rows
        .iter()
        .find(|c| c.subject == VENDOR_PRODUCT_QUESTION.subject)
        .expect("the vendor question")
        .id;
    let notification = service
        .notifications(&bob, None, 1)
        .await
        .expect("notifications")[0]
        .id;

    let mut failures = Vec::new();
    let mut actual = Vec::new();
    for (method, path) in storechat::web::page_routes(&app.chat.config().routes) {
        let key = format!("{} {path}", method.to_uppercase());
        let expect = expected(&key);
        let mut row = Vec::new();
        for (n, (client, actor)) in callers.iter().enumerate() {
            let message = if path.contains("{message}") {
                service
                    .send_message(
                        &bob,
                        conversation,
                        SendMessage {
                            body: MessageBody::parse("For the matrix").expect("body"),
                            client_msg_id: None,
                            reply_to: None,
                        },
                    )
                    .await
                    .expect("send")
                    .message
                    .id
            } else {
                0
            };
            let id = if path.contains("/notifications/") {
                notification
            } else {
                conversation
            };
            let url = app.url(
                &path
                    .replace("{message}", &message.to_string())
                    .replace("{id}", &id.to_string()),
            );
            let token = actor
                .as_ref()
                .map(|a| app.chat.form_token(a))
                .unwrap_or_default();
            let response = if method == "get" {
                client.get(url).send().await.expect("GET")
            } else if path.ends_with(".json") {
                client
                    .post(url)
                    .json(&serde_json::json!({}))
                    .send()
                    .await
                    .expect("POST")
            } else {
                client
                    .post(url)
                    .form(&[
                        ("csrf_token", token.as_str()),
                        ("body", "Hello"),
                        ("reply_body", "Hello"),
                        ("subject", "Matrix"),
                    ])
                    .send()
                    .await
                    .expect("POST")
            };
            let status = response.status();
            let to_sign_in = status == StatusCode::SEE_OTHER
                && response
                    .headers()
                    .get("location")
                    .and_then(|l| l.to_str().ok())
                    .is_some_and(|l| l.starts_with("/login"));
            let got = if to_sign_in { SIGN_IN } else { status.as_u16() };
            row.push(got);
            if let Some(expect) = expect
                && expect[n] != got
            {
                failures.push(format!(
                    "{key}: {} → {got} (expected {})",
                    WHO[n], expect[n]
                ));
            }
        }
        if expect.is_none() {
            failures.push(format!("{key} has no row in the matrix"));
        }
        actual.push(format!("        \"{key}\" => {row:?},"));
    }
    assert!(
        failures.is_empty(),
        "{}\n\nwhat the routes answer now:\n{}",
        failures.join("\n"),
        actual.join("\n")
    );
}
