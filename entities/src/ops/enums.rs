//! The closed sets of marketing operations, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a plan, program or project stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum WorkStatus {
    /// Being prepared.
    #[sea_orm(string_value = "planned")]
    Planned,
    /// Under way.
    #[sea_orm(string_value = "active")]
    Active,
    /// Finished.
    #[sea_orm(string_value = "done")]
    Done,
    /// Called off.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// How a fiscal year is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PeriodKind {
    /// Twelve months.
    #[sea_orm(string_value = "month")]
    Month,
    /// Four quarters.
    #[sea_orm(string_value = "quarter")]
    Quarter,
}

/// What a budget line is held by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BudgetNodeKind {
    #[sea_orm(string_value = "plan")]
    Plan,
    #[sea_orm(string_value = "program")]
    Program,
    #[sea_orm(string_value = "project")]
    Project,
    #[sea_orm(string_value = "cost_center")]
    CostCenter,
}

/// Whether spending may go past a budget line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Overspend {
    /// Spending past the line is allowed (and shows as a negative remainder).
    #[sea_orm(string_value = "allow")]
    Allow,
    /// A purchase order or invoice that would take the line below zero is refused.
    #[sea_orm(string_value = "forbid")]
    Forbid,
}

/// Where a purchase order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum PurchaseOrderStatus {
    /// Being written; can be changed.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Waiting for its approval.
    #[sea_orm(string_value = "submitted")]
    Submitted,
    /// Approved: its amount is committed against its budget lines.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Sent to the vendor; still committed.
    #[sea_orm(string_value = "issued")]
    Issued,
    /// Finished: what was not invoiced is released.
    #[sea_orm(string_value = "closed")]
    Closed,
    /// Refused by its approvers.
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// Withdrawn before it was approved.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// What kind of object an approval is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ApprovalObject {
    #[sea_orm(string_value = "purchase_order")]
    PurchaseOrder,
    #[sea_orm(string_value = "budget_change")]
    BudgetChange,
    #[sea_orm(string_value = "campaign")]
    Campaign,
    #[sea_orm(string_value = "asset_version")]
    AssetVersion,
    #[sea_orm(string_value = "offer")]
    Offer,
}

/// Whether every approver of a step must approve, or any one of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum ApprovalMode {
    #[sea_orm(string_value = "all")]
    All,
    #[sea_orm(string_value = "any")]
    Any,
}

/// Where an approval request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum ApprovalState {
    /// Waiting for decisions.
    #[sea_orm(string_value = "pending")]
    Pending,
    /// Every step approved.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Refused.
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// Sent back to its requester for changes.
    #[sea_orm(string_value = "changes_requested")]
    ChangesRequested,
    /// Its deadline passed before it was decided.
    #[sea_orm(string_value = "expired")]
    Expired,
    /// Withdrawn by its requester.
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
}

/// One approver's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum Decision {
    #[sea_orm(string_value = "approve")]
    Approve,
    #[sea_orm(string_value = "reject")]
    Reject,
    #[sea_orm(string_value = "changes")]
    RequestChanges,
}

/// Where a workflow task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TaskStatus {
    /// Its predecessors are not all done.
    #[sea_orm(string_value = "waiting")]
    Waiting,
    /// It may start.
    #[sea_orm(string_value = "ready")]
    Ready,
    /// Started.
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    /// Finished.
    #[sea_orm(string_value = "done")]
    Done,
}

/// Where a what-if reallocation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum BudgetDraftStatus {
    /// Being written; its effect is shown, nothing has moved.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Waiting for approval.
    #[sea_orm(string_value = "submitted")]
    Submitted,
    /// Its moves were made.
    #[sea_orm(string_value = "applied")]
    Applied,
    /// Refused by its approvers.
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// Set aside.
    #[sea_orm(string_value = "discarded")]
    Discarded,
}
