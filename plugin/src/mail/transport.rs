//! The transports lettre offers that we use: SMTP, or `.eml` files.

use std::time::Duration;

use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncFileTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailTransport;

/// Why a message was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendFailure {
    /// A 5xx reply or an address the server refuses: retrying will not help.
    pub permanent: bool,
    /// What the server or the system said.
    pub reason: String,
}

/// A ready transport.
pub(crate) enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Files(AsyncFileTransport<Tokio1Executor>),
}

impl Transport {
    /// `None` when e-mail is disabled; an error for a bad SMTP URL.
    pub fn build(config: &MailTransport) -> Result<Option<Transport>, String> {
        match config {
            MailTransport::Disabled => Ok(None),
            MailTransport::Files(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| {
                    format!(
                        "storechat: cannot create the mail folder {}: {e}",
                        dir.display()
                    )
                })?;
                Ok(Some(Transport::Files(
                    AsyncFileTransport::<Tokio1Executor>::new(dir),
                )))
            }
            MailTransport::Smtp(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| {
                        format!(
                            "storechat: the SMTP URL {} cannot be used: {e}",
                            crate::store::redact(url)
                        )
                    })?
                    .timeout(Some(Duration::from_secs(15)))
                    .build();
                Ok(Some(Transport::Smtp(transport)))
            }
        }
    }

    pub async fn send(&self, message: Message) -> Result<(), SendFailure> {
        match self {
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendFailure {
                        permanent: e.is_permanent(),
                        reason: e.to_string(),
                    })
            }
            Transport::Files(files) => {
                files
                    .send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendFailure {
                        permanent: false,
                        reason: e.to_string(),
                    })
            }
        }
    }
}
