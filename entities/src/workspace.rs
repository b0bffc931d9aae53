//! A workspace is a tenant; a client workspace has a parent agency.

use sea_orm::entity::prelude::*;

use crate::ids::WorkspaceId;

use crate::enums::WorkspaceKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workspaces")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: WorkspaceId,
    pub name: String,
    pub kind: WorkspaceKind,
    pub parent_id: Option<WorkspaceId>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
