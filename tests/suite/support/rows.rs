//! Counting rows behind the service's back, to prove that a refused
//! operation changed nothing.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use storechat::ChatService;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// `SELECT COUNT(*)` of a plugin table.
pub async fn count(service: &ChatService, table: &'static str) -> i64 {
    service
        .db()
        .read(move |conn| {
            let row: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                .get_result(conn)
                .map_err(storechat::StoreError::from)?;
            Ok::<_, storechat::StoreError>(row.n)
        })
        .await
        .expect("count rows")
}

/// Row counts of every plugin table, to compare before and after.
pub async fn snapshot(service: &ChatService) -> [i64; 4] {
    [
        count(service, "storechat_conversations").await,
        count(service, "storechat_messages").await,
        count(service, "storechat_reactions").await,
        count(service, "storechat_notifications").await,
    ]
}
