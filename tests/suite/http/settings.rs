//! The chat settings panel and what each setting does, in the running
//! example store: the API and the widget off and on again with nothing
//! lost, the away message outside business hours, WebSocket origins.

use chrono::Datelike;
use host_example::demo::{ALICE, ANN};
use reqwest::StatusCode;
use storechat::domain::{BusinessHours, DayHours, Settings};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use super::api::{API, Api, error_code};
use super::app::{TestApp, get, hidden, post};

const PANEL: &str = "/admin/dashboard/conversation/settings/";

async fn save(app: &TestApp, settings: Settings) {
    app.chat
        .service()
        .save_settings(&app.staff().await, settings)
        .await
        .expect("settings saved");
}

fn current(app: &TestApp) -> Settings {
    (*app.chat.service().settings()).clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_change_settings_in_the_panel_and_bad_values_change_nothing() {
    let app = TestApp::spawn().await;
    let ann = app.sign_in(ANN.email, ANN.password).await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let (status, html) = get(&ann, app.url(PANEL)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Chat settings") && html.contains("name=\"away_message\""));
    let (status, _) = get(&alice, app.url(PANEL)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let token = hidden(&html, "csrf_token").expect("token");

    let mut form = vec![
        ("csrf_token", token.clone()),
        ("widget_enabled", "1".into()),
        ("email_enabled", "1".into()),
        ("email_delay_minutes", "10".into()),
        ("messages_per_minute", "40".into()),
        ("max_connections_per_user", "5".into()),
        (
            "allowed_origins",
            "https://partner.example\nhttps://app.example/".into(),
        ),
        ("hours_enabled", "1".into()),
        ("timezone", "Mars/Olympus".into()),
        ("hours_mon", "1".into()),
        ("hours_mon_opens", "09:00".into()),
        ("hours_mon_closes", "17:00".into()),
        ("away_message", "Back tomorrow.".into()),
    ];
    let as_pairs = |form: &Vec<(&'static str, String)>| {
        form.iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect::<Vec<(&str, String)>>()
    };
    let refused = ann
        .post(app.url(PANEL))
        .form(&as_pairs(&form))
        .send()
        .await
        .expect("POST");
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap_or_default();
    assert!(page.contains("is not a time zone"), "the reason is shown");
    assert!(
        page.contains("Back tomorrow."),
        "the form comes back as typed"
    );
    assert!(
        app.chat.service().live_settings().change().is_none(),
        "nothing saved"
    );

    form.retain(|(k, _)| *k != "timezone");
    form.push(("timezone", "Europe/Dublin".into()));
    let (status, _, location) = post(
        &ann,
        app.url(PANEL),
        &form
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location.as_deref(), Some(PANEL));
    let now = current(&app);
    assert!(!now.api_enabled, "an unchecked box is off");
    assert_eq!(now.messages_per_minute, 40);
    assert_eq!(now.email_delay_minutes, 10);
    assert_eq!(
        now.allowed_origins,
        vec!["https://partner.example", "https://app.example"]
    );
    let hours = now.business_hours.expect("hours");
    assert_eq!(hours.timezone, "Europe/Dublin");
    assert!(hours.days[0].is_some() && hours.days[1].is_none());
    let (_, html) = get(&ann, app.url(PANEL)).await;
    assert!(html.contains("Settings saved"));
    assert!(html.contains("Last changed by Ann Admin"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_off_answers_503_and_on_again_loses_nothing() {
    let app = TestApp::spawn().await;
    let alice = Api::signed_in(&app, ALICE).await;
    let before = alice.get("/conversations").await;
    assert_eq!(before.status, StatusCode::OK);
    // The API cannot turn itself off (there would be no way back through it).
    let staff = Api::signed_in(&app, ANN).await;
    let mut off = staff.get("/admin/settings").await.body["settings"].clone();
    off["api_enabled"] = serde_json::json!(false);
    let refused = staff.put("/admin/settings", Some(off)).await;
    assert_eq!(refused.status, StatusCode::CONFLICT);
    assert_eq!(refused.body["details"]["field"], "api_enabled");
    assert!(current(&app).api_enabled, "nothing changed");

    save(
        &app,
        Settings {
            api_enabled: false,
            ..current(&app)
        },
    )
    .await;
    for answer in [
        alice.get("/conversations").await,
        alice
            .post(
                "/conversations",
                serde_json::json!({ "subject": "x", "body": "y" }),
            )
            .await,
    ] {
        assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error_code(&answer), "api_disabled");
    }
    let document = reqwest::get(app.url(&format!("{API}/openapi.json")))
        .await
        .expect("GET");
    assert_eq!(document.status(), StatusCode::OK, "the document stays up");
    // The pages still work meanwhile.
    let pages = app.sign_in(ALICE.email, ALICE.password).await;
    let (status, _) = get(&pages, app.url("/dashboard/messages/")).await;
    assert_eq!(status, StatusCode::OK);

    save(
        &app,
        Settings {
            api_enabled: true,
            ..current(&app)
        },
    )
    .await;
    let after = alice.get("/conversations").await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["items"], before.body["items"], "nothing lost");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_widget_off_leaves_the_storefront_and_comes_back() {
    let app = TestApp::spawn().await;
    let visitor = super::app::client();
    let widget = |html: &str| html.contains("storechat-widget.js");
    let (_, home) = get(&visitor, app.url("/")).await;
    assert!(widget(&home));
    let state: serde_json::Value = reqwest::get(app.url("/dashboard/messages/widget.json"))
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(state["enabled"], true);
    assert_eq!(state["availability"]["open"], true);

    save(
        &app,
        Settings {
            widget_enabled: false,
            ..current(&app)
        },
    )
    .await;
    let (_, home) = get(&visitor, app.url("/")).await;
    assert!(!widget(&home), "the store leaves the script out");
    let state: serde_json::Value = reqwest::get(app.url("/dashboard/messages/widget.json"))
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(state["enabled"], false, "a cached script hides itself");
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let (status, list) = get(&alice, app.url("/dashboard/messages/")).await;
    assert_eq!(status, StatusCode::OK, "conversations stay in the account");
    assert!(list.contains("Where is my weekender bag?"));

    save(
        &app,
        Settings {
            widget_enabled: true,
            ..current(&app)
        },
    )
    .await;
    let (_, home) = get(&visitor, app.url("/")).await;
    assert!(widget(&home));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_business_hours_customers_see_the_away_message() {
    let app = TestApp::spawn().await;
    // Open only on the weekday three days from now: closed right now.
    let today = chrono::Utc::now().weekday().num_days_from_monday() as usize;
    let mut days = [None; 7];
    days[(today + 3) % 7] = Some(DayHours {
        opens: chrono::NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
        closes: chrono::NaiveTime::from_hms_opt(17, 0, 0).expect("time"),
    });
    save(
        &app,
        Settings {
            business_hours: Some(BusinessHours {
                timezone: "UTC".into(),
                days,
            }),
            away_message: "Gone to the workshop today.".into(),
            ..current(&app)
        },
    )
    .await;
    let alice = app.sign_in(ALICE.email, ALICE.password).await;
    let (_, new) = get(&alice, app.url("/dashboard/messages/new/")).await;
    assert!(new.contains("Gone to the workshop today."));
    assert!(new.contains("at 09:00 (UTC)"), "when the store is back");
    let state: serde_json::Value = reqwest::get(app.url("/dashboard/messages/widget.json"))
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(state["availability"]["open"], false);
    assert!(state["availability"]["back_at"].is_string());
    let api = Api::signed_in(&app, ALICE).await;
    let availability = api.get("/availability").await;
    assert_eq!(
        availability.body["away_message"],
        "Gone to the workshop today."
    );

    save(
        &app,
        Settings {
            business_hours: None,
            ..current(&app)
        },
    )
    .await;
    let (_, new) = get(&alice, app.url("/dashboard/messages/new/")).await;
    assert!(!new.contains("Gone to the workshop today."));
    assert_eq!(api.get("/availability").await.body["open"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_origins_follow_the_settings() {
    let app = TestApp::spawn().await;
    let token = super::api::token(&app, ALICE).await;
    let url = app.base.replacen("http://", "ws://", 1) + "/storechat/ws";
    let upgrade = |origin: &'static str| {
        let url = url.clone();
        let token = token.clone();
        async move {
            let mut request = url.into_client_request().expect("request");
            let headers = request.headers_mut();
            headers.insert("origin", origin.parse().expect("header"));
            headers.insert(
                "authorization",
                format!("Bearer {token}").parse().expect("header"),
            );
            match tokio_tungstenite::connect_async(request).await {
                Ok(_) => 101,
                Err(tokio_tungstenite::tungstenite::Error::Http(r)) => r.status().as_u16(),
                Err(e) => panic!("handshake: {e}"),
            }
        }
    };
    assert_eq!(upgrade("https://partner.example").await, 403);
    save(
        &app,
        Settings {
            allowed_origins: vec!["https://partner.example".into()],
            ..current(&app)
        },
    )
    .await;
    assert_eq!(
        upgrade("https://partner.example").await,
        101,
        "a bearer token over an allowed origin"
    );
    assert_eq!(upgrade("https://elsewhere.example").await, 403);
}
