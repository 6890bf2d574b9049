use storechat::service::AdminQuery;
use storechat::store::admin_list::AdminFilter;

use super::helpers::open_as;
use crate::on_both_backends;
use crate::support::{TestChat, alice, ann, bob};

on_both_backends!(the_admin_search_finds_subjects_people_and_literal_wildcards,);

async fn found(t: &TestChat, words: &str) -> Vec<String> {
    let query = AdminQuery {
        filter: AdminFilter {
            search: Some(words.to_owned()),
            ..AdminFilter::default()
        },
        ..AdminQuery::default()
    };
    let page = t.service().admin_list(&ann(), query).await.expect("list");
    let mut subjects: Vec<String> = page.rows.into_iter().map(|c| c.subject).collect();
    subjects.sort();
    subjects
}

async fn the_admin_search_finds_subjects_people_and_literal_wildcards(t: TestChat) {
    open_as(t.service(), &alice(), "Parcel is 50% late").await;
    open_as(t.service(), &bob(), "Wrong colour").await;
    open_as(t.service(), &alice(), "A_B testing").await;
    assert_eq!(
        found(&t, "PARCEL").await,
        vec!["Parcel is 50% late"],
        "case-insensitive"
    );
    assert_eq!(
        found(&t, "bob@example").await,
        vec!["Wrong colour"],
        "by e-mail"
    );
    assert_eq!(found(&t, "Alice Mar").await.len(), 2, "by name");
    assert_eq!(
        found(&t, "50%").await,
        vec!["Parcel is 50% late"],
        "a typed % is a letter"
    );
    assert_eq!(found(&t, "a_b").await, vec!["A_B testing"], "so is _");
    assert_eq!(
        found(&t, "ab").await,
        Vec::<String>::new(),
        "no wildcard for _ in a short term either"
    );
    assert_eq!(
        found(&t, "wr").await,
        vec!["Wrong colour"],
        "terms under 3 letters still work"
    );
    assert!(found(&t, "nothing like it").await.is_empty());
}
