//! Closed sets of values stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a workspace is: a business, an agency, or an agency's client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WorkspaceKind {
    #[sea_orm(string_value = "business")]
    Business,
    #[sea_orm(string_value = "agency")]
    Agency,
    #[sea_orm(string_value = "client")]
    Client,
}

/// A member's role in one workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Role {
    #[sea_orm(string_value = "owner")]
    Owner,
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "marketer")]
    Marketer,
    #[sea_orm(string_value = "analyst")]
    Analyst,
    #[sea_orm(string_value = "approver")]
    Approver,
    #[sea_orm(string_value = "sales")]
    Sales,
    #[sea_orm(string_value = "viewer")]
    Viewer,
}

/// Where an invitation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum InvitationStatus {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "revoked")]
    Revoked,
}

/// Where a job stands in the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum JobState {
    #[sea_orm(string_value = "queued")]
    Queued,
    #[sea_orm(string_value = "running")]
    Running,
    #[sea_orm(string_value = "done")]
    Done,
    #[sea_orm(string_value = "dead")]
    Dead,
}

/// The type of a custom contact attribute, which decides what values it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AttributeKind {
    /// Text.
    #[sea_orm(string_value = "string")]
    String,
    /// A number (integer or decimal).
    #[sea_orm(string_value = "number")]
    Number,
    /// Yes or no.
    #[sea_orm(string_value = "boolean")]
    Boolean,
    /// A calendar date (`YYYY-MM-DD`).
    #[sea_orm(string_value = "date")]
    Date,
    /// An amount of money: integer minor units and an ISO currency.
    #[sea_orm(string_value = "money")]
    Money,
    /// One of a fixed list of options.
    #[sea_orm(string_value = "enum")]
    Enum,
    /// A set of short texts.
    #[sea_orm(string_value = "list")]
    List,
}

/// Where an import or an export stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TransferStatus {
    /// Waiting for a worker.
    #[sea_orm(string_value = "queued")]
    Queued,
    /// A worker is on it.
    #[sea_orm(string_value = "running")]
    Running,
    /// Finished; every row is accounted for.
    #[sea_orm(string_value = "completed")]
    Completed,
    /// Stopped for good (what was committed stays).
    #[sea_orm(string_value = "failed")]
    Failed,
}

/// What a segment is: a rule evaluated whenever it is read, or a list kept by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum SegmentKind {
    /// The contacts its rule matches at the time it is read.
    #[sea_orm(string_value = "dynamic")]
    Dynamic,
    /// The contacts added to it, until they are removed.
    #[sea_orm(string_value = "static")]
    Static,
}

/// How often a workspace's scores are refreshed on their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ScoreEvery {
    /// Every 24 hours.
    #[sea_orm(string_value = "daily")]
    Daily,
    /// Every 7 days.
    #[sea_orm(string_value = "weekly")]
    Weekly,
}

/// Where a propensity model stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ModelStatus {
    /// Defined, never trained.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// A job is training it (the scores of the last training stay meanwhile).
    #[sea_orm(string_value = "training")]
    Training,
    /// Trained; its scores are on the contacts.
    #[sea_orm(string_value = "ready")]
    Ready,
    /// The last training could not finish (its error says why).
    #[sea_orm(string_value = "failed")]
    Failed,
}
