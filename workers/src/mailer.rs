//! Sends composed emails over SMTP with a pooled, reused connection.

use std::sync::Arc;

use domain::campaigns::run::Delivery;
use domain::mail::Email;
use lettre::address::Envelope;
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::campaigns::{Gates, SendingLimits};

/// Where and as whom to send.
#[derive(Debug, Clone, Default)]
pub struct MailerConfig {
    /// `smtp://host:port` (plain), `smtp://host:port?tls=required`, `smtps://…`, or
    /// `file:///path/to/outbox` (development: each email is written as an `.eml` file).
    pub url: String,
    /// The From header of Parley's own emails.
    pub from: String,
    /// How campaigns spread their sending.
    pub limits: SendingLimits,
}

/// An SMTP client; cheap to clone, connections are pooled.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    gates: Arc<Gates>,
}

#[derive(Clone)]
enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("from", &self.from.to_string()).finish()
    }
}

/// Why an email was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The configuration is wrong (never retried into success).
    #[error("mail configuration: {0}")]
    Config(String),
    /// The message cannot be built (a bad address).
    #[error("bad message: {0}")]
    Message(String),
    /// The server could not be reached or refused; worth retrying.
    #[error("smtp: {0}")]
    Smtp(String),
}

impl Mailer {
    /// Builds a mailer; nothing connects until the first send.
    pub fn new(cfg: &MailerConfig) -> Result<Mailer, MailError> {
        let transport = match cfg.url.strip_prefix("file://") {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| MailError::Config(format!("PARLEY_SMTP_URL: {dir}: {e}")))?;
                Transport::Outbox(AsyncFileTransport::new(dir))
            }
            None => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&cfg.url)
                    .map_err(|e| MailError::Config(format!("PARLEY_SMTP_URL: {e}")))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .pool_config(PoolConfig::new().max_size(u32::try_from(cfg.limits.connections.max(1)).unwrap_or(16)))
                    .build(),
            ),
        };
        let from = cfg.from.parse::<Mailbox>().map_err(|e| MailError::Config(format!("PARLEY_MAIL_FROM: {e}")))?;
        Ok(Mailer { transport, from, gates: Arc::new(Gates::new(cfg.limits.clone())) })
    }

    pub(crate) fn gates(&self) -> &Gates {
        &self.gates
    }

    /// Hands one ready message to the server for `envelope`, and says how it went: a
    /// 4xx answer is retried later, a 5xx answer is final, a server that cannot be
    /// reached means the message was never handed over.
    pub async fn send_raw(&self, envelope: &Envelope, bytes: &[u8]) -> Delivery {
        let result = match &self.transport {
            Transport::Smtp(t) => t.send_raw(envelope, bytes).await.map(|_| ()).map_err(|e| {
                if e.is_permanent() {
                    Delivery::Failed(e.to_string())
                } else if e.is_transient() {
                    Delivery::Retry(e.to_string())
                } else {
                    Delivery::Unsent(e.to_string())
                }
            }),
            Transport::Outbox(t) => {
                t.send_raw(envelope, bytes).await.map(|_| ()).map_err(|e| Delivery::Unsent(e.to_string()))
            }
        };
        match result {
            Ok(()) => Delivery::Sent,
            Err(d) => d,
        }
    }

    /// Sends one email (text and HTML alternatives).
    pub async fn send(&self, email: &Email) -> Result<(), MailError> {
        let to = email.to.parse::<Mailbox>().map_err(|e| MailError::Message(e.to_string()))?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .multipart(MultiPart::alternative_plain_html(email.text.clone(), email.html.clone()))
            .map_err(|e| MailError::Message(e.to_string()))?;
        match &self.transport {
            Transport::Smtp(t) => {
                t.send(msg).await.map_err(|e| MailError::Smtp(e.to_string()))?;
            }
            Transport::Outbox(t) => {
                t.send(msg).await.map_err(|e| MailError::Smtp(e.to_string()))?;
            }
        }
        Ok(())
    }
}
