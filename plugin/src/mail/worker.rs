//! The mail worker: claim due outbox rows, send each, mark each.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use rand::Rng;

use super::compose::{Letter, RECAP_LIMIT};
use super::transport::Transport;
use super::unsubscribe;
use crate::Storechat;
use crate::domain::Side;
use crate::error::ChatError;
use crate::store::outbox::OutboxRow;
use crate::store::{self, StoreError};

/// Rows claimed at once: small, so a slow server never holds many.
const BATCH: i64 = 10;
/// The longest wait between temporary failures.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// What became of one row.
enum Outcome {
    Sent {
        email: String,
        count: i32,
    },
    Skipped(String),
    Retry(String),
    Dead {
        error: String,
        email: Option<String>,
    },
}

struct Worker {
    chat: Storechat,
    transport: Transport,
    id: String,
}

/// Starts the worker for this process, unless e-mail is disabled. Needs a
/// tokio runtime.
pub fn spawn(chat: &Storechat) -> Result<bool, String> {
    let Some(transport) = Transport::build(&chat.config().email.transport)? else {
        return Ok(false);
    };
    let handle = tokio::runtime::Handle::try_current().map_err(|_| {
        "storechat: start the plugin inside a tokio runtime (the mail worker runs there)".to_owned()
    })?;
    let id = format!("{}-{:08x}", std::process::id(), rand::rng().random::<u32>());
    let worker = Arc::new(Worker {
        chat: chat.clone(),
        transport,
        id,
    });
    handle.spawn(async move { worker.run().await });
    Ok(true)
}

fn backoff(base: Duration, attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    let wait = base
        .saturating_mul(2u32.saturating_pow(exp))
        .min(MAX_BACKOFF);
    // ±25% so that many e-mails failing together do not retry together.
    wait.mul_f64(rand::rng().random_range(0.75..1.25))
}

fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::seconds(60))
}

impl Worker {
    async fn run(self: Arc<Self>) {
        let config = &self.chat.config().email;
        let wake = self.chat.service().mail_queue().wake.clone();
        loop {
            let claimed = self.claim().await;
            let full = match &claimed {
                Ok(rows) => {
                    for row in rows {
                        self.handle(row).await;
                    }
                    rows.len() as i64 == BATCH
                }
                Err(e) => {
                    tracing::warn!(error = %e, "mail worker cannot read the outbox; retrying");
                    false
                }
            };
            if full {
                continue;
            }
            let wait = match self.chat.service().db().read(store::outbox::next_due).await {
                Ok(Some(next)) => (next - store::now()).to_std().unwrap_or(Duration::ZERO),
                Ok(None) | Err(_) => config.poll_interval,
            };
            let wait = wait.clamp(Duration::from_millis(20), config.poll_interval);
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = wake.notified() => {}
            }
        }
    }

    async fn claim(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let (id, lease) = (self.id.clone(), delta(self.chat.config().email.lease));
        self.chat
            .service()
            .db()
            .write(move |conn| {
                let now = store::now();
                store::outbox::claim_due(conn, &id, now, now + lease, BATCH)
            })
            .await
    }

    async fn handle(&self, row: &OutboxRow) {
        let outcome = match self.deliver(row).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Retry(e.to_string()),
        };
        let (db, id, worker) = (self.chat.service().db().clone(), row.id, self.id.clone());
        let attempts = row.attempts + 1;
        let config = &self.chat.config().email;
        let outcome = match outcome {
            Outcome::Retry(error) if attempts >= config.max_attempts => Outcome::Dead {
                error: format!("gave up after {attempts} attempts: {error}"),
                email: None,
            },
            other => other,
        };
        let next = store::now() + delta(backoff(config.retry_base, row.attempts));
        let result = db
            .write(move |conn| match &outcome {
                Outcome::Sent { email, count } => {
                    store::outbox::mark_sent(conn, id, &worker, email, *count, store::now())
                }
                Outcome::Skipped(reason) => store::outbox::mark_skipped(conn, id, &worker, reason),
                Outcome::Retry(error) => store::outbox::mark_retry(conn, id, &worker, error, next),
                Outcome::Dead { error, email } => {
                    store::outbox::mark_dead(conn, id, &worker, error, email.as_deref())
                }
            })
            .await;
        match result {
            Ok(true) => {}
            Ok(false) => tracing::warn!(
                id,
                "an outbox row was taken over by another worker while being sent"
            ),
            Err(e) => tracing::error!(error = %e, id, "could not record the outcome of an e-mail"),
        }
    }

    async fn deliver(&self, row: &OutboxRow) -> Result<Outcome, ChatError> {
        let chat = &self.chat;
        let config = chat.config();
        let service = chat.service();
        let host = service.host();
        let conversation_id = row.conversation_id;
        let Some(conversation) = service
            .db()
            .read(move |conn| store::conversations::find(conn, conversation_id))
            .await?
        else {
            return Ok(Outcome::Skipped("the conversation was deleted".into()));
        };
        let c = &conversation;
        let customer_link = format!("{}{}/{}/", config.public_url, config.routes.customer, c.id);
        let admin_link = format!(
            "{}{}/{}/change/",
            config.public_url, config.routes.admin, c.id
        );
        // Who hears, at which address, and which messages they have not seen.
        let (user_id, name, email, link, cursor, writers): (
            Option<String>,
            String,
            Option<String>,
            String,
            i64,
            &[Side],
        ) = match row.recipient_side {
            Side::Customer => {
                let card = host.user(&c.customer_id).await?;
                (
                    Some(c.customer_id.clone()),
                    card.as_ref()
                        .map(|u| u.name.clone())
                        .unwrap_or_else(|| c.customer_name.clone()),
                    card.map(|u| u.email)
                        .or_else(|| Some(c.customer_email.clone())),
                    customer_link,
                    c.user_read_up_to,
                    &[Side::Staff, Side::Vendor],
                )
            }
            Side::Staff | Side::Vendor | Side::System => {
                let person = match (row.recipient_side, &c.assignee_id, &c.vendor_id) {
                    (Side::Vendor, _, Some(vendor)) => Some(vendor.clone()),
                    (_, Some(assignee), _) => Some(assignee.clone()),
                    _ => None,
                };
                match person {
                    Some(id) => {
                        let card = host.user(&id).await?;
                        let name = card.as_ref().map(|u| u.name.clone()).unwrap_or_default();
                        (
                            Some(id),
                            name,
                            card.map(|u| u.email),
                            admin_link,
                            c.admin_read_up_to,
                            &[Side::Customer],
                        )
                    }
                    None => (
                        None,
                        format!("{} support", config.store_name),
                        config.email.support_address.clone(),
                        admin_link,
                        c.admin_read_up_to,
                        &[Side::Customer],
                    ),
                }
            }
        };
        let Some(email) = email.filter(|e| !e.trim().is_empty()) else {
            return Ok(Outcome::Skipped(
                "no e-mail address for the recipient".into(),
            ));
        };
        if let Some(user) = user_id.clone() {
            let enabled = service
                .db()
                .read(move |conn| store::prefs::email_enabled(conn, &user))
                .await?;
            if !enabled {
                return Ok(Outcome::Skipped("the recipient turned e-mail off".into()));
            }
        }
        let after = cursor.max(row.first_message_id - 1);
        let writers = writers.to_vec();
        let (messages, total) = service
            .db()
            .read(move |conn| {
                store::messages::unseen(conn, conversation_id, after, &writers, RECAP_LIMIT as i64)
            })
            .await?;
        if total == 0 {
            return Ok(Outcome::Skipped("seen in time".into()));
        }
        let unsubscribe = user_id.as_deref().map(|u| {
            unsubscribe::url(
                &config.public_url,
                &config.routes.customer,
                &config.secret,
                u,
            )
        });
        let letter = Letter {
            store_name: &config.store_name,
            from: &config.email.from,
            to_name: &name,
            to_email: &email,
            reader: row.recipient_side,
            opened: row.kind == "opened",
            conversation: c,
            messages: &messages,
            more: usize::try_from(total)
                .unwrap_or(0)
                .saturating_sub(messages.len()),
            link: &link,
            unsubscribe: unsubscribe.as_deref(),
        };
        let message = match letter.build() {
            Ok(message) => message,
            Err(e) => {
                return Ok(Outcome::Dead {
                    error: e.0,
                    email: Some(email),
                });
            }
        };
        let count = i32::try_from(total).unwrap_or(i32::MAX);
        Ok(match self.transport.send(message).await {
            Ok(()) => Outcome::Sent { email, count },
            Err(failure) if failure.permanent => Outcome::Dead {
                error: failure.reason,
                email: Some(email),
            },
            Err(failure) => Outcome::Retry(failure.reason),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_an_hour() {
        let base = Duration::from_secs(30);
        for _ in 0..50 {
            let first = backoff(base, 0);
            assert!(
                first >= Duration::from_millis(22_500) && first <= Duration::from_millis(37_500),
                "{first:?}"
            );
            let third = backoff(base, 2);
            assert!(
                third >= Duration::from_secs(90) && third <= Duration::from_secs(150),
                "{third:?}"
            );
            assert!(backoff(base, 30) <= MAX_BACKOFF.mul_f64(1.25));
        }
    }
}
