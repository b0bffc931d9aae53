//! A piece of creative under review: its versions hold the files.

use sea_orm::entity::prelude::*;

use super::enums::{AssetKind, AssetVersionState};
use crate::ids::{AssetId, AssetVersionId, ProjectId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AssetId,
    pub name: String,
    pub description: String,
    /// The project it is made for, if any.
    pub project_id: Option<ProjectId>,
    /// The kind of its latest version.
    pub kind: AssetKind,
    /// How many versions it has (the latest is this number).
    pub versions: i32,
    pub latest_version_id: AssetVersionId,
    /// The state of the latest version.
    pub state: AssetVersionState,
    /// The newest approved version, if any.
    pub approved_version_id: Option<AssetVersionId>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
