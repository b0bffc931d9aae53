//! A program of a plan: a group of projects with one aim.

use sea_orm::entity::prelude::*;

use super::enums::WorkStatus;
use crate::ids::{PlanId, ProgramId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "programs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ProgramId,
    pub plan_id: PlanId,
    pub name: String,
    pub status: WorkStatus,
    pub owner_id: Option<UserId>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub objectives: String,
    pub tags: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
