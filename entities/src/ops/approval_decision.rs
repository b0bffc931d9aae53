//! One approver's decision on one step of an approval.

use sea_orm::entity::prelude::*;

use super::enums::Decision;
use crate::ids::{ApprovalDecisionId, ApprovalId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "approval_decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ApprovalDecisionId,
    pub approval_id: ApprovalId,
    pub step: i32,
    /// The person who decided (an API key's maker when a key decided).
    pub decided_by: Uuid,
    /// The person they stood in for, under a delegation.
    pub on_behalf_of: Option<UserId>,
    /// Who acted, for people reading the decision.
    pub actor_label: String,
    pub decision: Decision,
    pub comment: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
