//! Test support: a fresh database per test on either backend, and an
//! in-memory host for the service tests.

pub mod backend;
pub mod host;
pub mod rows;
pub mod smtp;

pub use backend::TestChat;
pub use host::{TestHost, alice, ann, bob, victor};

/// Declares each listed async test once per backend:
/// `sqlite::name` always, `postgres::name` when PostgreSQL is configured.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let chat = $crate::support::TestChat::sqlite().await;
                    super::$name(chat).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(chat) = $crate::support::TestChat::postgres().await else { return };
                    super::$name(chat).await;
                }
            )*
        }
    };
}
