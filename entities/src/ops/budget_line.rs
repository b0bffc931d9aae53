//! A budget line: an amount held by a plan, program, project or cost center for one fiscal year; a line carved from another (an allocation) names its parent.

use sea_orm::entity::prelude::*;

use super::enums::{BudgetNodeKind, Overspend};
use crate::ids::{BudgetLineId, CostCenterId, PlanId, ProgramId, ProjectId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "budget_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: BudgetLineId,
    pub node_kind: BudgetNodeKind,
    pub node_id: Uuid,
    /// The plan, program and project the holder sits in (its path), for roll-ups.
    pub plan_id: Option<PlanId>,
    pub program_id: Option<ProgramId>,
    pub project_id: Option<ProjectId>,
    pub cost_center_id: Option<CostCenterId>,
    pub fiscal_year: i32,
    pub name: String,
    pub currency: String,
    /// Minor units.
    pub amount: i64,
    pub overspend: Overspend,
    pub parent_id: Option<BudgetLineId>,
    /// The amount per period of the year (minor units, summing to `amount`); none
    /// while it is spread evenly.
    pub phasing: Option<Json>,
    /// What is expected to be spent per period (`null` where nothing was entered).
    pub forecast: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
