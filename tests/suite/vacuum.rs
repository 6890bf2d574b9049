//! PostgreSQL: the plugin vacuums its conversations table as it churns
//! (every message rewrites its conversation's row), without waiting for
//! autovacuum's once-a-minute round; a store that leaves the table to
//! autovacuum can say so. Skipped (with a note) without
//! `STORECHAT_TEST_PG_URL`.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use storechat::ChatService;

use crate::service::helpers::{open_as, send};
use crate::support::{TestChat, alice, ann};

#[derive(QueryableByName)]
struct Stat {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// One of PostgreSQL's statistics of this schema's conversations table.
async fn stat(service: &ChatService, column: &'static str) -> i64 {
    service
        .db()
        .read(move |conn| {
            let row: Stat = diesel::sql_query(format!(
                "SELECT {column} AS n FROM pg_stat_all_tables \
                 WHERE relid = to_regclass('storechat_conversations')"
            ))
            .get_result(conn)
            .map_err(storechat::StoreError::from)?;
            Ok::<_, storechat::StoreError>(row.n)
        })
        .await
        .expect("read the statistics")
}

/// Manual vacuums of the table so far (autovacuum's are counted apart, in
/// `autovacuum_count`).
async fn vacuums(service: &ChatService) -> i64 {
    stat(service, "vacuum_count").await
}

/// A busy conversation: 300 messages, each leaving a dead version of the
/// conversation's row (past autovacuum's rule of 200 + 20 % of one row).
async fn churn(service: &ChatService) {
    let id = open_as(service, &alice(), "Busy").await.conversation.id;
    for n in 0..300 {
        let writer = if n % 2 == 0 { alice() } else { ann() };
        send(service, &writer, id, &format!("Message {n}")).await;
    }
}

#[actix_web::test]
async fn a_churning_conversations_table_is_vacuumed_within_seconds() {
    let Some(t) = TestChat::postgres().await else {
        return;
    };
    let s = t.service();
    assert_eq!(vacuums(s).await, 0);
    churn(s).await;
    // PostgreSQL's statistics reach other sessions within about a second
    // of a busy backend's commits, ten once it is idle; then the plugin's
    // next look (every second) vacuums.
    let deadline = Instant::now() + Duration::from_secs(30);
    while vacuums(s).await == 0 {
        assert!(
            Instant::now() < deadline,
            "the conversations table was not vacuumed within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[actix_web::test]
async fn a_store_can_leave_the_table_to_autovacuum() {
    let Some(t) = TestChat::postgres_with(|config| config.pool.vacuum_every = None).await else {
        return;
    };
    let s = t.service();
    churn(s).await;
    // Once the statistics show the dead versions, the plugin would vacuum
    // at its next look; give it three.
    let deadline = Instant::now() + Duration::from_secs(30);
    while stat(s, "n_dead_tup").await <= 210 {
        assert!(Instant::now() < deadline, "the statistics never came");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(vacuums(s).await, 0);
}
