//! The closed sets of campaigns and email, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a campaign stands in its lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum CampaignStatus {
    /// Being built; nothing is sent.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Launched, waiting for its approvers.
    #[sea_orm(string_value = "in_approval")]
    InApproval,
    /// Approved (or needing no approval), waiting for its time.
    #[sea_orm(string_value = "scheduled")]
    Scheduled,
    /// Workers are choosing its audience and sending.
    #[sea_orm(string_value = "running")]
    Running,
    /// Stopped by a person; resumes where it stopped.
    #[sea_orm(string_value = "paused")]
    Paused,
    /// Every targeted contact was sent to (or failed for good).
    #[sea_orm(string_value = "completed")]
    Completed,
    /// Stopped for good; what was not sent never will be.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// Where one contact stands in one campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SendStatus {
    /// To be sent (at `not_before` when set).
    #[sea_orm(string_value = "queued")]
    Queued,
    /// Handed to the mail server by a batch that has not reported yet; after a crash,
    /// these are the batch that was in flight.
    #[sea_orm(string_value = "sending")]
    Sending,
    /// Accepted by the mail server.
    #[sea_orm(string_value = "sent")]
    Sent,
    /// Refused for good, or out of attempts.
    #[sea_orm(string_value = "failed")]
    Failed,
    /// Held out at random, to measure what the campaign caused.
    #[sea_orm(string_value = "control")]
    Control,
    /// Not sent, for the reason recorded with it.
    #[sea_orm(string_value = "suppressed")]
    Suppressed,
}

/// Why an address is on the suppression list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SuppressionReason {
    /// The address does not exist (a permanent failure).
    #[sea_orm(string_value = "hard_bounce")]
    HardBounce,
    /// Temporary failures reached the workspace's threshold.
    #[sea_orm(string_value = "soft_bounces")]
    SoftBounces,
    /// The recipient reported a message as spam.
    #[sea_orm(string_value = "complaint")]
    Complaint,
    /// The recipient unsubscribed.
    #[sea_orm(string_value = "unsubscribed")]
    Unsubscribed,
    /// A person of the workspace put it there.
    #[sea_orm(string_value = "manual")]
    Manual,
}

/// What a message that came back is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum InboundKind {
    /// A delivery status notification (RFC 3464).
    #[sea_orm(string_value = "dsn")]
    Dsn,
    /// A feedback report (RFC 5965), usually a spam complaint.
    #[sea_orm(string_value = "feedback")]
    Feedback,
    /// Anything else (an auto-reply, a malformed message).
    #[sea_orm(string_value = "other")]
    Other,
}

/// What was done with a message that came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum InboundOutcome {
    /// Matched to a send and applied.
    #[sea_orm(string_value = "applied")]
    Applied,
    /// Matched to no send of the workspace: kept, nothing changed.
    #[sea_orm(string_value = "unmatched")]
    Unmatched,
    /// Not a report Parley reads: kept, nothing changed.
    #[sea_orm(string_value = "ignored")]
    Ignored,
}
