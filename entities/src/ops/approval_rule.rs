//! A rule saying which objects need whose approval.

use sea_orm::entity::prelude::*;

use super::enums::{ApprovalMode, ApprovalObject};
use crate::enums::Role;
use crate::ids::{ApprovalRuleId, CostCenterId, ProgramId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "approval_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ApprovalRuleId,
    pub object_type: ApprovalObject,
    /// The rule applies from this amount up (in `currency`); none: always.
    pub min_amount: Option<i64>,
    pub currency: Option<String>,
    pub approver_role: Role,
    pub mode: ApprovalMode,
    /// Hours the approvers have to decide; none: no deadline.
    pub deadline_hours: Option<i32>,
    /// Only objects charging budget of this program (none: any).
    pub program_id: Option<ProgramId>,
    /// Only objects charging budget of this cost center (none: any).
    pub cost_center_id: Option<CostCenterId>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
