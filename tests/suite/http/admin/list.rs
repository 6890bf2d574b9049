use reqwest::StatusCode;
use storechat::Status;

use super::support::{A, Admin, rel_link, row_ids};
use crate::http::app::get;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_and_search_combine() {
    let t = Admin::start().await;
    let s = t.app.chat.service();
    let parcel_a = t.open(&t.alice, "Broken parcel lid").await.id;
    let parcel_b = t.open(&t.bob, "Parcel arrived late").await.id;
    let other = t.open(&t.alice, "Colour of the mugs").await.id;
    s.set_status(&t.staff, parcel_b, Status::Resolved)
        .await
        .expect("resolved");

    // Search alone: subject words, case-insensitive.
    let (_, html) = get(&t.ann, t.url("/?q=PARCEL")).await;
    let ids = row_ids(&html);
    assert!(
        ids.contains(&parcel_a) && ids.contains(&parcel_b) && !ids.contains(&other),
        "{ids:?}"
    );
    // Search by customer e-mail and name.
    let (_, html) = get(&t.ann, t.url("/?q=bob%40example")).await;
    assert!(row_ids(&html).contains(&parcel_b) && !row_ids(&html).contains(&parcel_a));
    // Search and status together.
    let (_, html) = get(&t.ann, t.url("/?q=parcel&status=OPEN")).await;
    assert_eq!(row_ids(&html), vec![parcel_a]);
    // Several statuses at once, plus the customer.
    let (_, html) = get(
        &t.ann,
        t.url(&format!(
            "/?status=OPEN&status=RESOLVED&customer={}",
            t.bob.id
        )),
    )
    .await;
    let ids = row_ids(&html);
    assert!(
        ids.contains(&parcel_b) && !ids.contains(&parcel_a),
        "{ids:?}"
    );
    assert!(
        html.contains("Customer: Bob Chen"),
        "the active filter is named"
    );
    // Unread by the store, then read.
    s.mark_read(&t.staff, other, None).await.expect("read");
    let (_, html) = get(&t.ann, t.url("/?read=unread&q=colour")).await;
    assert!(row_ids(&html).is_empty());
    let (_, html) = get(&t.ann, t.url("/?read=read&q=colour")).await;
    assert_eq!(row_ids(&html), vec![other]);
    // Assignee: nobody, then me.
    s.assign(&t.staff, &[other], storechat::service::Assignment::ToMe)
        .await
        .expect("assigned");
    let (_, html) = get(&t.ann, t.url("/?assignee=me")).await;
    assert_eq!(row_ids(&html), vec![other]);
    let (_, html) = get(&t.ann, t.url("/?assignee=none&q=colour")).await;
    assert!(row_ids(&html).is_empty());
    // Recent activity and unread messages.
    let (_, html) = get(&t.ann, t.url("/?recent=7d&has_unread=1&q=parcel")).await;
    assert!(row_ids(&html).contains(&parcel_a));
    // Vendor and product filters come from the demo's vendor conversation.
    let (_, html) = get(&t.ann, t.url("/")).await;
    let vendor_link = html
        .split("href=\"")
        .find(|s| s.starts_with(&format!("{A}/?vendor=")))
        .map(|s| {
            s.split('"')
                .next()
                .unwrap_or_default()
                .replace("&#38;", "&")
        });
    let vendor_link = vendor_link.expect("a vendor cell links to its filter");
    let (_, html) = get(&t.ann, t.app.url(&vendor_link)).await;
    assert_eq!(row_ids(&html).len(), 1, "only the vendor's conversation");
    assert!(html.contains("Vendor: Victor Vendor"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filter_that_matches_nothing_says_so_with_a_way_back() {
    let t = Admin::start().await;
    let (status, html) = get(&t.ann, t.url("/?q=zzzz-nothing&o=subject")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("No conversations"));
    assert!(html.contains("Nothing matches these filters."));
    assert!(
        html.contains(&format!("href=\"{A}/?o=subject\"")),
        "clear filters keeps the sort"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_column_sorts_both_ways() {
    let t = Admin::start().await;
    for subject in ["alpha", "Charlie", "bravo"] {
        t.open(&t.alice, subject).await;
    }
    let (_, asc) = get(&t.ann, t.url("/?o=subject&q=a")).await;
    let (_, desc) = get(&t.ann, t.url("/?o=-subject&q=a")).await;
    let (asc, mut desc) = (row_ids(&asc), row_ids(&desc));
    desc.reverse();
    assert_eq!(asc, desc, "descending is ascending reversed");
    assert!(asc.len() >= 3);
    for key in [
        "subject",
        "customer",
        "context",
        "vendor",
        "status",
        "assignee",
        "messages",
        "unread",
        "last_message",
        "created",
        "updated",
    ] {
        for o in [key.to_owned(), format!("-{key}")] {
            let (status, html) = get(&t.ann, t.url(&format!("/?o={o}"))).await;
            assert_eq!(status, StatusCode::OK, "{o}");
            assert_eq!(row_ids(&html).len(), 6 + 3, "{o}: every row");
            assert!(
                html.contains("aria-sort="),
                "{o}: the sorted column is marked"
            );
        }
    }
    // The default: last message, newest first.
    let newest = t.open(&t.bob, "Newest").await.id;
    let (_, html) = get(&t.ann, t.url("/")).await;
    assert_eq!(row_ids(&html).first(), Some(&newest));
}

/// Every page from `start`, following the Next links.
async fn walk(t: &Admin, start: String) -> Vec<String> {
    let mut pages = Vec::new();
    let mut page = get(&t.ann, start).await.1;
    loop {
        pages.push(page.clone());
        match rel_link(&page, "next") {
            Some(next) => page = get(&t.ann, t.app.url(&next)).await.1,
            None => break,
        }
    }
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_walk_forward_and_back_without_gaps_or_repeats() {
    let t = Admin::start().await;
    for n in 0..53 {
        t.open(
            if n % 2 == 0 { &t.alice } else { &t.bob },
            &format!("Paged {n:02}"),
        )
        .await;
    }
    for sort in ["", "&o=subject", "&o=-messages"] {
        let pages = walk(&t, t.url(&format!("/?q=paged&per_page=25{sort}"))).await;
        assert_eq!(pages.len(), 3, "{sort}: 53 rows at 25 a page");
        let seen: Vec<i64> = pages.iter().flat_map(|p| row_ids(p)).collect();
        let mut unique = seen.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            (seen.len(), unique.len()),
            (53, 53),
            "{sort}: no row twice, none missing"
        );
        // Back from the last page comes the middle page again.
        let previous = rel_link(&pages[2], "prev").expect("a previous page");
        let (_, middle) = get(&t.ann, t.app.url(&previous)).await;
        assert_eq!(row_ids(&middle), seen[25..50].to_vec(), "{sort}");
        assert!(rel_link(&pages[0], "prev").is_none());
    }
    // Sorted by subject, the pages read in order.
    let (_, first) = get(&t.ann, t.url("/?q=paged&per_page=25&o=subject")).await;
    let firsts: Vec<i64> = row_ids(&first);
    let mut by_subject = Vec::new();
    for id in &firsts {
        by_subject.push(t.conversation(*id).await.subject);
    }
    let mut sorted = by_subject.clone();
    sorted.sort();
    assert_eq!(by_subject, sorted);
    assert_eq!(by_subject.first().map(String::as_str), Some("Paged 00"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nav_badge_counts_unread_customer_messages() {
    let t = Admin::start().await;
    let (_, json) = get(&t.ann, t.url("/badge.json")).await;
    let before: serde_json::Value = serde_json::from_str(&json).expect("json");
    let before = before["unread"].as_i64().expect("count");
    let id = t.open(&t.alice, "Badge").await.id;
    let (_, json) = get(&t.ann, t.url("/badge.json")).await;
    let after: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(after["unread"].as_i64(), Some(before + 1));
    // Opening the change view reads it: the badge drops.
    let (status, _) = get(&t.ann, t.url(&format!("/{id}/change/"))).await;
    assert_eq!(status, StatusCode::OK);
    let (_, json) = get(&t.ann, t.url("/badge.json")).await;
    let last: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(last["unread"].as_i64(), Some(before));
    assert!(t.conversation(id).await.is_read_by_admin());
}
