use host_example::demo::BOB;
use reqwest::StatusCode;
use storechat::Status;

use super::support::{A, Admin};
use crate::http::app::{get, hidden};

/// The first order offered for `customer` on the create form.
async fn first_order_of(t: &Admin, customer: &str) -> String {
    let (_, page) = get(&t.ann, t.url(&format!("/add/?customer={customer}"))).await;
    page.split("<option value=\"")
        .nth(2)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned)
        .expect("an order")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_start_a_conversation_with_any_customer() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    // The picker finds customers through the host.
    let (status, page) = get(&t.ann, t.url("/add/?customer_q=bob")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(BOB.email));
    assert!(page.contains(&format!("name=\"customer\" value=\"{}\"", t.bob.id)));
    let order = first_order_of(&t, &t.bob.id).await;
    let token = hidden(&page, "csrf_token").expect("token");
    let before = s.unread_notifications(&t.bob).await.expect("count");
    let form = [
        ("customer", t.bob.id.as_str()),
        ("order", order.as_str()),
        ("subject", "About your order"),
        ("body", "We have a question about your delivery address."),
        ("save", "save"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page) = t.post_and_follow("/add/", &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Started “About your order” with Bob Chen"));
    let opened = s
        .list_conversations(&t.bob, None, 50)
        .await
        .expect("list")
        .items;
    let c = opened
        .iter()
        .find(|c| c.subject == "About your order")
        .expect("Bob has it");
    assert_eq!(c.status, Status::AwaitingUser);
    assert_eq!(c.order_id.as_deref(), Some(order.as_str()));
    assert_eq!(
        s.unread_notifications(&t.bob).await.expect("count"),
        before + 1,
        "Bob is notified"
    );
    // Save and add another comes back to an empty form.
    let form = [
        ("customer", t.bob.id.as_str()),
        ("subject", "Second one"),
        ("body", "Hello again"),
        ("save", "another"),
        ("csrf_token", token.as_str()),
    ];
    let (_, location) = {
        let (status, _, location) = crate::http::app::post(&t.ann, t.url("/add/"), &form).await;
        (status, location)
    };
    assert_eq!(location.as_deref(), Some(format!("{A}/add/").as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_create_form_comes_back_with_what_was_typed() {
    let t = Admin::start().await;
    let token = t.token().await;
    let count = t.count().await;
    // No customer.
    let form = [
        ("subject", "Hello"),
        ("body", "Typed text"),
        ("save", "save"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page) = t.post_and_follow("/add/", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose the customer to write to.") && page.contains("Typed text"));
    // Alice's order for Bob.
    let alices = first_order_of(&t, &t.alice.id).await;
    let form = [
        ("customer", t.bob.id.as_str()),
        ("order", alices.as_str()),
        ("subject", "Mixed up"),
        ("body", "Typed text"),
        ("save", "save"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page) = t.post_and_follow("/add/", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("That order is not one of this customer"));
    assert!(page.contains("value=\"Mixed up\""));
    // An empty subject.
    let form = [
        ("customer", t.bob.id.as_str()),
        ("subject", ""),
        ("body", "x"),
        ("save", "save"),
        ("csrf_token", token.as_str()),
    ];
    let (status, page) = t.post_and_follow("/add/", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The subject cannot be empty."));
    assert_eq!(t.count().await, count, "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_product_picker_finds_products_through_the_host() {
    let t = Admin::start().await;
    let (status, page) = get(&t.ann, t.url("/add/?product_q=BOWL&subject=Kept")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("Hand-thrown Ceramic Bowl"),
        "found by a case-insensitive search"
    );
    assert!(
        page.contains("name=\"product\" value=\""),
        "offered as a choice"
    );
    assert!(page.contains("value=\"Kept\""), "what was typed stays");
    let (_, page) = get(&t.ann, t.url("/add/?product_q=%25")).await;
    assert!(
        page.contains("No product matches"),
        "a typed % is a letter, not a wildcard"
    );
}
