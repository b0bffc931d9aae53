//! Job handlers: one async function per job kind, given its decoded payload and a
//! [`JobCtx`] (the job's tenant, progress reports, batches that resume).

use std::future::Future;
use std::time::Duration;

use domain::identity::accounts;
use domain::jobs::{
    self, ApprovalDeadline, ClaimedJob, Count, ExportContacts, ImportContacts, InvitationEmail, JobKind, Maintenance,
    Noop, OptimizeContacts, PasswordReset, Progress, Recurring, RefreshScores, RunCampaign, ScheduledScores,
    SecurityNotice, Sleep, TrainModel, VerifyEmail, WorkflowReminders,
};
use domain::team::invitations;
use domain::{Parley, TenantCtx};

use crate::Mailer;

/// Recurring work every worker schedules (once per period, whatever the number of workers).
pub fn recurring() -> Vec<Recurring> {
    vec![Recurring { kind: Maintenance::KIND, period: Duration::from_secs(3600) }]
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
    /// Another worker took the job over (this one's lease ran out): stop at once.
    #[error("the lease on the job was lost")]
    LeaseLost,
    /// The domain refused or failed.
    #[error(transparent)]
    Domain(#[from] domain::Error),
    /// Sending mail failed.
    #[error(transparent)]
    Mail(#[from] crate::mailer::MailError),
    /// A webhook's receiver did not take a delivery (retried with backoff).
    #[error("webhook delivery failed: {0}")]
    Webhook(String),
}

/// What a handler runs with: the job, its tenant, and the worker holding its lease.
pub struct JobCtx<'a> {
    /// The domain.
    pub parley: &'a Parley,
    /// Outgoing mail.
    pub mailer: &'a Mailer,
    /// The claimed job (with the progress and cursor an earlier attempt committed).
    pub job: &'a ClaimedJob,
    worker: &'a str,
}

/// What one batch of a long job did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Items it finished.
    pub items: i64,
    /// Where the next batch starts (kept when finished, so a repeat finds nothing left).
    pub next: String,
    /// Whether nothing is left after it.
    pub finished: bool,
}

impl<'a> JobCtx<'a> {
    /// A context for `job`, leased by `worker`.
    pub fn new(parley: &'a Parley, mailer: &'a Mailer, worker: &'a str, job: &'a ClaimedJob) -> Self {
        JobCtx { parley, mailer, job, worker }
    }

    /// The job's tenant.
    pub fn tenant(&self) -> &TenantCtx {
        &self.job.ctx
    }

    /// Records progress and the next cursor in a short transaction of its own.
    pub async fn report(&self, progress: Progress, cursor: Option<&str>) -> Result<(), HandlerError> {
        if jobs::report(self.parley, self.worker, self.job, progress, cursor).await? {
            Ok(())
        } else {
            Err(HandlerError::LeaseLost)
        }
    }

    /// The lease owner, for a domain use case that records progress inside its own
    /// transaction (`domain::jobs::report_in`), so a batch's effects and the position
    /// after it commit together.
    pub fn worker(&self) -> &str {
        self.worker
    }

    /// Runs `step` batch after batch from the stored cursor (None on a first attempt),
    /// committing progress and the next cursor after each, so an attempt that follows
    /// a crash starts where the last committed batch ended and repeats at most the
    /// batch that was in flight.
    pub async fn run_in_batches<F, Fut>(&self, total: Option<i64>, mut step: F) -> Result<Progress, HandlerError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<Batch, HandlerError>>,
    {
        let mut progress = Progress { done: self.job.progress.map_or(0, |p| p.done), total };
        let mut cursor = self.job.cursor.clone();
        if self.job.progress.is_none() {
            // Shows 0 of total at once, before the first batch is through.
            self.report(progress, cursor.as_deref()).await?;
        }
        loop {
            let batch = step(cursor).await?;
            progress.done = progress.done.saturating_add(batch.items);
            self.report(progress, Some(&batch.next)).await?;
            if batch.finished {
                return Ok(progress);
            }
            cursor = Some(batch.next);
        }
    }
}

fn decode<J: JobKind>(job: &ClaimedJob) -> Result<J, HandlerError> {
    J::deserialize(&job.payload).map_err(|e| HandlerError::Payload(format!("{}: {e}", J::KIND)))
}

/// Declares the registry: each kind's payload type and its handler, in one place.
macro_rules! registry {
    ($($kind:ty => $handler:path),* $(,)?) => {
        /// Every kind a handler is registered for.
        pub const HANDLED: &[&str] = &[$(<$kind as JobKind>::KIND),*];

        /// Runs one claimed job with the handler of its kind.
        pub async fn handle(cx: &JobCtx<'_>) -> Result<(), HandlerError> {
            $(
                if cx.job.kind == <$kind as JobKind>::KIND {
                    return $handler(cx, decode::<$kind>(cx.job)?).await;
                }
            )*
            Err(HandlerError::UnknownKind(cx.job.kind.clone()))
        }
    };
}

registry! {
    VerifyEmail => verify_email,
    PasswordReset => password_reset,
    InvitationEmail => invitation_email,
    SecurityNotice => security_notice,
    ImportContacts => import_contacts,
    ExportContacts => export_contacts,
    RefreshScores => refresh_scores,
    ScheduledScores => scheduled_scores,
    TrainModel => train_model,
    WorkflowReminders => workflow_reminders,
    ApprovalDeadline => approval_deadline,
    RunCampaign => crate::campaigns::run,
    domain::jobs::TestEmail => crate::campaigns::test_email,
    OptimizeContacts => optimize_contacts,
    domain::jobs::DetectEvents => detect_events,
    domain::jobs::AdvanceJourneys => advance_journeys,
    domain::jobs::JourneyNotice => journey_notice,
    domain::jobs::JourneyWebhook => crate::webhooks::journey_webhook,
    domain::jobs::JourneyDecide => journey_decide,
    domain::jobs::RouteLeads => route_leads,
    domain::jobs::LeadWebhook => crate::webhooks::lead_webhook,
    domain::jobs::LeadEscalation => lead_escalation,
    Maintenance => maintenance,
    Noop => noop,
    Sleep => sleep,
    Count => count,
}

async fn verify_email(cx: &JobCtx<'_>, job: VerifyEmail) -> Result<(), HandlerError> {
    if let Some(email) = accounts::prepare_verification_email(cx.tenant(), cx.parley, job.user_id).await? {
        cx.mailer.send(&email).await?;
    }
    Ok(())
}

async fn password_reset(cx: &JobCtx<'_>, job: PasswordReset) -> Result<(), HandlerError> {
    if let Some(email) = accounts::prepare_password_reset_email(cx.tenant(), cx.parley, job.user_id).await? {
        cx.mailer.send(&email).await?;
    }
    Ok(())
}

async fn invitation_email(cx: &JobCtx<'_>, job: InvitationEmail) -> Result<(), HandlerError> {
    match invitations::prepare_invitation_email(cx.tenant(), cx.parley, job.invitation_id).await {
        Ok(Some(email)) => cx.mailer.send(&email).await?,
        // Revoked, accepted or deleted since: nothing to send.
        Ok(None) | Err(domain::Error::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// Sends a workflow's reminders and escalations (the domain queues the next look).
async fn workflow_reminders(cx: &JobCtx<'_>, job: WorkflowReminders) -> Result<(), HandlerError> {
    let look = domain::workflows::reminders::look(cx.tenant(), cx.parley, &job).await?;
    for email in &look.emails {
        cx.mailer.send(email).await?;
    }
    domain::workflows::reminders::sent(cx.tenant(), cx.parley, &job, &look).await?;
    Ok(())
}

/// Expires an approval request past its deadline (its object goes back to its author).
async fn approval_deadline(cx: &JobCtx<'_>, job: ApprovalDeadline) -> Result<(), HandlerError> {
    domain::approvals::requests::expire_if_due(cx.tenant(), cx.parley, job.approval_id).await?;
    Ok(())
}

async fn security_notice(cx: &JobCtx<'_>, job: SecurityNotice) -> Result<(), HandlerError> {
    let email = domain::identity::security::prepare_notice(cx.parley, &job).await?;
    cx.mailer.send(&email).await?;
    Ok(())
}

/// Imports the file batch by batch; each batch's contacts, rejections, counters and
/// position commit together (the domain records the job's progress in that
/// transaction), so a repeat after a crash starts after the last committed batch.
async fn import_contacts(cx: &JobCtx<'_>, job: ImportContacts) -> Result<(), HandlerError> {
    match domain::imports::run(cx.parley, cx.worker(), cx.job, job.import_id).await? {
        true => Ok(()),
        false => Err(HandlerError::LeaseLost),
    }
}

/// Scores every customer and pairs the products bought together; each batch of
/// customers commits with the job's progress.
async fn refresh_scores(cx: &JobCtx<'_>, job: RefreshScores) -> Result<(), HandlerError> {
    match domain::scores::run(cx.parley, cx.worker(), cx.job, job.run_id).await? {
        true => Ok(()),
        false => Err(HandlerError::LeaseLost),
    }
}

/// Starts the score run a workspace's schedule has due, and queues the next.
async fn scheduled_scores(cx: &JobCtx<'_>, job: ScheduledScores) -> Result<(), HandlerError> {
    domain::scores::schedule::run_due(cx.tenant(), cx.parley, &job).await?;
    Ok(())
}

/// Trains a propensity model, then scores every contact batch by batch.
async fn train_model(cx: &JobCtx<'_>, job: TrainModel) -> Result<(), HandlerError> {
    match domain::scores::propensity::run(cx.parley, cx.worker(), cx.job, job.model_id).await? {
        true => Ok(()),
        false => Err(HandlerError::LeaseLost),
    }
}

/// Writes the export batch by batch, each batch a chunk of the file committed with
/// the position after it.
async fn export_contacts(cx: &JobCtx<'_>, job: ExportContacts) -> Result<(), HandlerError> {
    match domain::exports::run(cx.parley, cx.worker(), cx.job, job.export_id).await? {
        true => Ok(()),
        false => Err(HandlerError::LeaseLost),
    }
}

/// Chooses among an optimization run's proposals and writes the chosen ones.
async fn optimize_contacts(cx: &JobCtx<'_>, job: OptimizeContacts) -> Result<(), HandlerError> {
    match domain::decisions::optimization::run(cx.parley, cx.worker(), cx.job, job.run_id).await? {
        true => Ok(()),
        false => Err(HandlerError::LeaseLost),
    }
}

/// Runs a workspace's event detection until caught up (two seconds at most), and
/// queues its next run.
async fn detect_events(cx: &JobCtx<'_>, _job: domain::jobs::DetectEvents) -> Result<(), HandlerError> {
    let r = domain::triggers::detect::run(cx.parley, cx.tenant().tenant_id(), Duration::from_secs(2)).await?;
    if r.fired > 0 || r.events > 0 {
        tracing::debug!(events = r.events, fired = r.fired, "event detection");
    }
    Ok(())
}

/// Moves a workspace's journey contacts that are due (two seconds at most), and queues
/// its next run.
async fn advance_journeys(cx: &JobCtx<'_>, _job: domain::jobs::AdvanceJourneys) -> Result<(), HandlerError> {
    let r = domain::journeys::advance::run(cx.parley, cx.tenant().tenant_id(), Duration::from_secs(2)).await?;
    if r.moved > 0 {
        tracing::debug!(moved = r.moved, steps = r.steps, finished = r.finished, "journeys");
    }
    Ok(())
}

/// Asks the decisioning engine for a contact waiting at a journey's decide step.
async fn journey_decide(cx: &JobCtx<'_>, job: domain::jobs::JourneyDecide) -> Result<(), HandlerError> {
    domain::journeys::decide_step(cx.tenant(), cx.parley, &job).await?;
    Ok(())
}

/// Tells a member that a contact reached a journey's notify step.
async fn journey_notice(cx: &JobCtx<'_>, job: domain::jobs::JourneyNotice) -> Result<(), HandlerError> {
    if let Some(email) = domain::journeys::prepare_notice(cx.tenant(), cx.parley, &job).await? {
        cx.mailer.send(&email).await?;
    }
    Ok(())
}

/// Routes a workspace's leads (two seconds at most), and queues its next run.
async fn route_leads(cx: &JobCtx<'_>, _job: domain::jobs::RouteLeads) -> Result<(), HandlerError> {
    let r = domain::leads::routing::run(cx.parley, cx.tenant().tenant_id(), Duration::from_secs(2)).await?;
    if r.routed > 0 || r.escalated > 0 {
        tracing::debug!(routed = r.routed, escalated = r.escalated, waiting = r.waiting, "lead routing");
    }
    Ok(())
}

/// Tells a routing rule's manager that a lead's first touch was missed.
async fn lead_escalation(cx: &JobCtx<'_>, job: domain::jobs::LeadEscalation) -> Result<(), HandlerError> {
    if let Some(email) = domain::leads::routing::prepare_escalation(cx.tenant(), cx.parley, &job).await? {
        cx.mailer.send(&email).await?;
    }
    Ok(())
}

async fn maintenance(cx: &JobCtx<'_>, _job: Maintenance) -> Result<(), HandlerError> {
    let purged = jobs::purge_done(cx.parley, Duration::from_secs(7 * 24 * 3600)).await?;
    tracing::info!(purged, "maintenance: finished jobs purged");
    Ok(())
}

async fn noop(_cx: &JobCtx<'_>, _job: Noop) -> Result<(), HandlerError> {
    Ok(())
}

async fn sleep(_cx: &JobCtx<'_>, job: Sleep) -> Result<(), HandlerError> {
    tokio::time::sleep(Duration::from_millis(job.ms.min(60_000))).await;
    Ok(())
}

/// The cursor of a [`Count`] job: the next number, and a record of each committed
/// batch (`"from-to@attempt"`), which lets drills see that no batch ran twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CountCursor {
    /// The next number to count.
    pub next: u64,
    /// Committed batches, oldest first.
    pub batches: Vec<String>,
}

async fn count(cx: &JobCtx<'_>, job: Count) -> Result<(), HandlerError> {
    let per = job.batch.max(1);
    let total = i64::try_from(job.to).map_err(|_| HandlerError::Payload("to is too large".into()))?;
    let attempt = cx.job.attempt;
    cx.run_in_batches(Some(total), |cursor| async move {
        let mut at: CountCursor = match cursor {
            Some(c) => serde_json::from_str(&c).map_err(|e| HandlerError::Payload(format!("cursor: {e}")))?,
            None => CountCursor::default(),
        };
        let end = at.next.saturating_add(per).min(job.to);
        tokio::time::sleep(Duration::from_millis(job.delay_ms.min(10_000))).await;
        let items = i64::try_from(end.saturating_sub(at.next)).unwrap_or(0);
        if items > 0 {
            at.batches.push(format!("{}-{end}@{attempt}", at.next));
        }
        at.next = end;
        let next = serde_json::to_string(&at).map_err(|e| HandlerError::Payload(format!("cursor: {e}")))?;
        Ok(Batch { items, next, finished: end >= job.to })
    })
    .await?;
    Ok(())
}
