//! A project of a program (and so of its plan).

use sea_orm::entity::prelude::*;

use super::enums::WorkStatus;
use crate::ids::{PlanId, ProgramId, ProjectId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "projects")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ProjectId,
    pub plan_id: PlanId,
    pub program_id: ProgramId,
    pub name: String,
    pub status: WorkStatus,
    pub owner_id: Option<UserId>,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    pub objectives: String,
    pub tags: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
