//! A standard workflow: tasks with durations, dependencies, roles and approval steps, instantiated per project.

use sea_orm::entity::prelude::*;

use crate::ids::{WorkflowTemplateId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: WorkflowTemplateId,
    pub name: String,
    pub description: String,
    /// The tasks, in order: each `{key, name, durationDays, dependsOn, role, approval}`.
    pub tasks: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
