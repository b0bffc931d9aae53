//! One version of an asset: a stored file, approved or not on its own.

use sea_orm::entity::prelude::*;

use super::enums::{AssetKind, AssetVersionState};
use crate::ids::{ApprovalId, AssetId, AssetVersionId, StoredFileId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "asset_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AssetVersionId,
    pub asset_id: AssetId,
    /// 1 for the first version, then one more each time.
    pub number: i32,
    pub file_id: StoredFileId,
    pub file_name: String,
    pub kind: AssetKind,
    pub content_type: String,
    pub size_bytes: i64,
    /// What changed, in the uploader's words.
    pub note: String,
    pub state: AssetVersionState,
    pub approval_id: Option<ApprovalId>,
    /// Who uploaded it (a person or an API key).
    pub created_by: Uuid,
    pub author_label: String,
    /// The person behind it, who may not approve it.
    pub requester: Option<UserId>,
    pub decided_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
