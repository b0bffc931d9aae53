//! One task of a workflow: who does it, when, and what it waits for.

use sea_orm::entity::prelude::*;

use super::enums::TaskStatus;
use crate::enums::Role;
use crate::ids::{UserId, WorkflowId, WorkflowTaskId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "workflow_tasks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: WorkflowTaskId,
    pub workflow_id: WorkflowId,
    /// The task's key in its template.
    pub key: String,
    pub name: String,
    pub position: i32,
    pub role: Option<Role>,
    /// An approval step: completed by someone holding its role (an approver by default).
    pub approval: bool,
    pub assignee_id: Option<UserId>,
    pub status: TaskStatus,
    /// The IDs of the tasks it waits for.
    pub depends_on: Json,
    pub starts_on: Date,
    pub due_on: Date,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_by: Option<Uuid>,
    /// When the last reminder or escalation about it was sent.
    pub reminded_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
