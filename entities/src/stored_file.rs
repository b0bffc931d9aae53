//! A file a workspace uploaded or Parley produced for it (an import's upload, an
//! export), kept in the database in chunks so any API or worker node can read it.

use sea_orm::entity::prelude::*;

use crate::ids::{StoredFileId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stored_files")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: StoredFileId,
    /// The name it was uploaded under, or is downloaded as.
    pub name: String,
    /// What it is for (`import`, `export`).
    pub purpose: String,
    pub size_bytes: i64,
    /// How many chunks hold it (complete when all are written).
    pub chunks: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
