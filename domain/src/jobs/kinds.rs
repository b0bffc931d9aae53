//! Every job kind Parley runs: one payload type per kind, named by the kind stored in
//! the queue. Stored names never change, so jobs queued by an older release still run.

use serde::{Deserialize, Serialize};

use crate::identity::security::Notice;
use crate::{
    ApprovalId, CampaignId, ContactExportId, ContactImportId, InvitationId, OptimizationRunId, PropensityModelId,
    ScoreRunId, ScoreScheduleId, UserId, WorkflowId,
};

/// A job payload and the kind name it is stored under.
pub trait JobKind: Serialize + serde::de::DeserializeOwned {
    /// The stored kind (stable across releases).
    const KIND: &'static str;
}

/// Emails a verification link to a new or changed address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyEmail {
    /// The person to verify.
    pub user_id: UserId,
}
impl JobKind for VerifyEmail {
    const KIND: &'static str = "email.verify";
}

/// Emails a password reset link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordReset {
    /// The person who asked.
    pub user_id: UserId,
}
impl JobKind for PasswordReset {
    const KIND: &'static str = "email.password_reset";
}

/// Emails an invitation with a fresh link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationEmail {
    /// The invitation, in the job's own workspace.
    pub invitation_id: InvitationId,
}
impl JobKind for InvitationEmail {
    const KIND: &'static str = "email.invitation";
}

/// Tells a person by email of a change to how their account is protected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityNotice {
    /// Whose account changed.
    pub user_id: UserId,
    /// The address told (the old one when the address itself changed).
    pub to: String,
    /// What happened.
    pub notice: Notice,
}
impl JobKind for SecurityNotice {
    const KIND: &'static str = "email.security_notice";
}

/// Imports an uploaded file of contacts, batch by batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportContacts {
    /// The import, in the job's own workspace.
    pub import_id: ContactImportId,
}
impl JobKind for ImportContacts {
    const KIND: &'static str = "contacts.import";
}

/// Writes a workspace's contacts (or a segment's) to a CSV file, batch by batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportContacts {
    /// The export, in the job's own workspace.
    pub export_id: ContactExportId,
}
impl JobKind for ExportContacts {
    const KIND: &'static str = "contacts.export";
}

/// Scores every customer from their purchases (RFM, lifetime value) and pairs the
/// products bought together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshScores {
    /// The run, in the job's own workspace.
    pub run_id: ScoreRunId,
}
impl JobKind for RefreshScores {
    const KIND: &'static str = "scores.refresh";
}

/// Starts the score run a workspace's schedule has due at `due` (Unix seconds), and
/// queues the next one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledScores {
    /// The schedule, in the job's own workspace.
    pub schedule_id: ScoreScheduleId,
    /// The time it was due: a job for a time the schedule no longer holds is stale.
    pub due: i64,
}
impl JobKind for ScheduledScores {
    const KIND: &'static str = "scores.scheduled";
}

/// The daily look at a workflow's tasks: reminders before a task is due, escalation
/// once it is overdue; queues the next look while the workflow runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkflowReminders {
    /// The workflow, in the job's own workspace.
    pub workflow_id: WorkflowId,
    /// When this look was due (Unix seconds).
    pub due: i64,
}
impl JobKind for WorkflowReminders {
    const KIND: &'static str = "workflows.reminders";
}

/// An approval request's deadline: the request expires if it is still undecided, and
/// its object goes back to its author.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApprovalDeadline {
    /// The request, in the job's own workspace.
    pub approval_id: ApprovalId,
}
impl JobKind for ApprovalDeadline {
    const KIND: &'static str = "approvals.deadline";
}

/// Sends a campaign: chooses its audience batch by batch (control group, suppressions),
/// then hands its messages to the mail server batch by batch, until all are sent, it is
/// paused, or the next contacts wait for their local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunCampaign {
    /// The campaign, in the job's own workspace.
    pub campaign_id: CampaignId,
}
impl JobKind for RunCampaign {
    const KIND: &'static str = "campaigns.run";
}

/// Sends a template to a few addresses to look at, personalised for one contact (or
/// none), signed for its sending domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestEmail {
    pub template_id: crate::EmailTemplateId,
    pub sending_domain_id: crate::SendingDomainId,
    pub from: String,
    pub to: Vec<String>,
    pub contact_id: Option<crate::ContactId>,
}
impl JobKind for TestEmail {
    const KIND: &'static str = "campaigns.test_email";
}

/// Trains a propensity model, then writes its scores to every contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainModel {
    /// The model, in the job's own workspace.
    pub model_id: PropensityModelId,
}
impl JobKind for TrainModel {
    const KIND: &'static str = "scores.train";
}

/// Chooses among a run's proposed contacts under its constraints (DEC-9), and writes the
/// chosen ones to a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OptimizeContacts {
    /// The run, in the job's own workspace.
    pub run_id: OptimizationRunId,
}
impl JobKind for OptimizeContacts {
    const KIND: &'static str = "decisions.optimize";
}

/// One run of a workspace's event detection (its trigger rules): passes until caught
/// up, then the next run queued.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DetectEvents {
    /// What keys it: the quarter second it was queued for, or the last pass it follows.
    #[serde(default)]
    pub slot: i64,
}
impl JobKind for DetectEvents {
    const KIND: &'static str = "triggers.detect";
}

/// One run of a workspace's journeys: the contacts due move on, then the next run is
/// queued for the next deadline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdvanceJourneys {
    /// What keys it: the quarter second it was queued for.
    #[serde(default)]
    pub slot: i64,
}
impl JobKind for AdvanceJourneys {
    const KIND: &'static str = "journeys.advance";
}

/// Tells a workspace member by email that a contact reached a journey's notify step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneyNotice {
    /// The contact's way through the journey.
    pub enrolment_id: crate::JourneyEnrolmentId,
    /// The notify step it reached.
    pub step: String,
}
impl JobKind for JourneyNotice {
    const KIND: &'static str = "journeys.notify";
}

/// Posts a contact's arrival at a journey's webhook step to the step's URL, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneyWebhook {
    /// The contact's way through the journey.
    pub enrolment_id: crate::JourneyEnrolmentId,
    /// The webhook step it reached.
    pub step: String,
    /// When it reached it.
    pub at: chrono::DateTime<chrono::Utc>,
}
impl JobKind for JourneyWebhook {
    const KIND: &'static str = "journeys.webhook";
}

/// Asks the decisioning engine for a contact waiting at a journey's decide step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JourneyDecide {
    /// The contact's way through the journey.
    pub enrolment_id: crate::JourneyEnrolmentId,
    /// The decide step it waits at.
    pub step: String,
}
impl JobKind for JourneyDecide {
    const KIND: &'static str = "journeys.decide";
}

/// One routing run of a workspace's leads: leads waiting for a rep are given out,
/// missed first-touch deadlines escalated, leads of reps away or gone reassigned; the
/// next run is queued for the next deadline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteLeads {
    /// What keys it: the quarter second it was queued for.
    #[serde(default)]
    pub slot: i64,
}
impl JobKind for RouteLeads {
    const KIND: &'static str = "leads.route";
}

/// Posts one lead change to the workspace's CRM webhook, signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadWebhook {
    /// The change, in the job's own workspace.
    pub activity_id: crate::LeadActivityId,
}
impl JobKind for LeadWebhook {
    const KIND: &'static str = "leads.webhook";
}

/// Tells a manager by email that a lead's first-touch deadline passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadEscalation {
    /// The escalation, in the job's own workspace.
    pub activity_id: crate::LeadActivityId,
}
impl JobKind for LeadEscalation {
    const KIND: &'static str = "leads.escalate";
}

/// The recurring purge of old finished jobs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Maintenance {
    /// The period this run belongs to.
    #[serde(default)]
    pub period: i64,
}
impl JobKind for Maintenance {
    const KIND: &'static str = "maintenance.purge";
}

/// Does nothing (benchmarks, smoke tests).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Noop {}
impl JobKind for Noop {
    const KIND: &'static str = "noop";
}

/// Only waits (at most a minute): stands in for slow work in fault drills.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sleep {
    /// How long, in milliseconds.
    #[serde(default)]
    pub ms: u64,
}
impl JobKind for Sleep {
    const KIND: &'static str = "debug.sleep";
}

/// Counts to `to` in batches of `batch`, pausing `delay_ms` per batch: stands in for
/// an import or a campaign in progress and resume drills.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// How far to count.
    pub to: u64,
    /// Numbers per batch.
    pub batch: u64,
    /// Pause per batch, in milliseconds (at most ten seconds).
    #[serde(default)]
    pub delay_ms: u64,
}
impl JobKind for Count {
    const KIND: &'static str = "debug.count";
}

/// Every kind, the one list the worker's registry is checked against.
pub const KINDS: &[&str] = &[
    VerifyEmail::KIND,
    PasswordReset::KIND,
    InvitationEmail::KIND,
    SecurityNotice::KIND,
    ImportContacts::KIND,
    ExportContacts::KIND,
    RefreshScores::KIND,
    ScheduledScores::KIND,
    TrainModel::KIND,
    WorkflowReminders::KIND,
    ApprovalDeadline::KIND,
    RunCampaign::KIND,
    TestEmail::KIND,
    OptimizeContacts::KIND,
    DetectEvents::KIND,
    AdvanceJourneys::KIND,
    JourneyNotice::KIND,
    JourneyWebhook::KIND,
    JourneyDecide::KIND,
    RouteLeads::KIND,
    LeadWebhook::KIND,
    LeadEscalation::KIND,
    Maintenance::KIND,
    Noop::KIND,
    Sleep::KIND,
    Count::KIND,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_names_are_unique() {
        let mut names = KINDS.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), KINDS.len());
    }

    #[test]
    fn payloads_queued_by_earlier_releases_still_decode() {
        let id = uuid::Uuid::nil();
        let v: VerifyEmail = serde_json::from_value(serde_json::json!({ "user_id": id })).unwrap();
        assert_eq!(uuid::Uuid::from(v.user_id), id);
        let _: Noop = serde_json::from_value(serde_json::json!({})).unwrap();
        let _: Maintenance = serde_json::from_value(serde_json::json!({ "period": 7 })).unwrap();
        let n: SecurityNotice = serde_json::from_value(serde_json::json!({
            "user_id": id, "to": "a@example.com", "notice": { "kind": "recovery_code_used", "left": 3 }
        }))
        .unwrap();
        assert_eq!(n.notice, Notice::RecoveryCodeUsed { left: 3 });
    }
}
