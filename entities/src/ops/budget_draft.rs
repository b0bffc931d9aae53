//! A what-if reallocation: moves of budget between lines, shown with their effect
//! before they are applied (after approval where a budget-change rule asks for it).

use sea_orm::entity::prelude::*;

use super::enums::BudgetDraftStatus;
use crate::ids::{ApprovalId, BudgetDraftId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_drafts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: BudgetDraftId,
    pub name: String,
    pub status: BudgetDraftStatus,
    /// `[{from, to, amount}]`: budget line IDs and minor units.
    pub moves: Json,
    /// The currency every move is in.
    pub currency: String,
    /// Who wrote it (a person or an API key).
    pub created_by: Uuid,
    /// The person behind it, who may not approve it.
    pub requester: Option<UserId>,
    pub approval_id: Option<ApprovalId>,
    pub applied_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
