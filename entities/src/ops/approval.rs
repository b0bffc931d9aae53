//! A request for approval of one object, decided in steps (one per rule that applied).

use sea_orm::entity::prelude::*;

use super::enums::{ApprovalObject, ApprovalState};
use crate::ids::{ApprovalId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "approvals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ApprovalId,
    pub object_type: ApprovalObject,
    pub object_id: Uuid,
    pub state: ApprovalState,
    /// Who asked (a person or an API key).
    pub requested_by: Uuid,
    /// The person behind the request, who may not decide it.
    pub requester: Option<UserId>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    /// What it is about, in words.
    pub summary: String,
    /// The steps, in order: each a rule's role, mode and (for `ALL`) the people asked.
    pub steps: Json,
    /// The step being decided (0-based).
    pub step: i32,
    pub deadline_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub decided_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
