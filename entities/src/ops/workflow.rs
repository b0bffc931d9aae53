//! A template's tasks laid out for one project, dated from the project's start.

use sea_orm::entity::prelude::*;

use super::enums::WorkStatus;
use crate::ids::{ProjectId, WorkflowId, WorkflowTemplateId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workflows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: WorkflowId,
    pub template_id: WorkflowTemplateId,
    pub project_id: ProjectId,
    pub name: String,
    pub status: WorkStatus,
    pub starts_on: Date,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
