//! Job handlers: one async function per job kind, each given its job's tenant context.

use domain::jobs::{ClaimedJob, Recurring};
use domain::{Parley, accounts, invitations};
use uuid::Uuid;

use crate::Mailer;

/// Kind of the recurring maintenance job.
pub const MAINTENANCE_JOB: &str = "maintenance.purge";
/// Kind of a job that does nothing (benchmarks, smoke tests).
pub const NOOP_JOB: &str = "noop";
/// Kind of a job that only waits `ms` milliseconds (at most a minute): stands in for
/// slow work in fault drills (a worker killed mid-job).
pub const SLEEP_JOB: &str = "debug.sleep";

/// Recurring work every worker schedules (once per period, whatever the number of workers).
pub fn recurring() -> Vec<Recurring> {
    vec![Recurring { kind: MAINTENANCE_JOB, period: std::time::Duration::from_secs(3600) }]
}

/// Why a handler failed.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    /// The payload does not fit the kind; retrying will not help, but the job stays
    /// visible as dead for a person to look at.
    #[error("bad payload: {0}")]
    Payload(String),
    /// No handler knows this kind.
    #[error("no handler for job kind {0:?}")]
    UnknownKind(String),
    /// The domain refused or failed.
    #[error(transparent)]
    Domain(#[from] domain::Error),
    /// Sending mail failed.
    #[error(transparent)]
    Mail(#[from] crate::mailer::MailError),
}

fn uuid_field(job: &ClaimedJob, field: &str) -> Result<Uuid, HandlerError> {
    job.payload
        .get(field)
        .and_then(|v| v.as_str())
        .and_then(|s| Uuid::try_parse(s).ok())
        .ok_or_else(|| HandlerError::Payload(format!("{field} is missing or not a UUID")))
}

/// Runs one claimed job.
pub async fn handle(p: &Parley, mailer: &Mailer, job: &ClaimedJob) -> Result<(), HandlerError> {
    match job.kind.as_str() {
        accounts::VERIFY_EMAIL_JOB => {
            let user_id = uuid_field(job, "user_id")?;
            if let Some(email) = accounts::prepare_verification_email(&job.ctx, p, user_id).await? {
                mailer.send(&email).await?;
            }
            Ok(())
        }
        accounts::PASSWORD_RESET_JOB => {
            let user_id = uuid_field(job, "user_id")?;
            if let Some(email) = accounts::prepare_password_reset_email(&job.ctx, p, user_id).await? {
                mailer.send(&email).await?;
            }
            Ok(())
        }
        invitations::INVITATION_EMAIL_JOB => {
            let id = uuid_field(job, "invitation_id")?;
            match invitations::prepare_invitation_email(&job.ctx, p, id).await {
                Ok(Some(email)) => mailer.send(&email).await?,
                // Revoked, accepted or deleted since: nothing to send.
                Ok(None) | Err(domain::Error::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
            Ok(())
        }
        domain::security::SECURITY_NOTICE_JOB => {
            let email = domain::security::prepare_notice(p, &job.payload).await?;
            mailer.send(&email).await?;
            Ok(())
        }
        MAINTENANCE_JOB => {
            let purged = domain::jobs::purge_done(p, std::time::Duration::from_secs(7 * 24 * 3600)).await?;
            tracing::info!(purged, "maintenance: finished jobs purged");
            Ok(())
        }
        NOOP_JOB => Ok(()),
        SLEEP_JOB => {
            let ms = job.payload.get("ms").and_then(|v| v.as_u64()).unwrap_or(0).min(60_000);
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            Ok(())
        }
        other => Err(HandlerError::UnknownKind(other.to_owned())),
    }
}
