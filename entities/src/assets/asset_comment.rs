//! A comment on one version of an asset, pinned to a point of it or to a page.

use sea_orm::entity::prelude::*;

use crate::ids::{AssetCommentId, AssetId, AssetVersionId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "asset_comments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: AssetCommentId,
    pub asset_id: AssetId,
    pub version_id: AssetVersionId,
    pub author: Uuid,
    pub author_label: String,
    pub body: String,
    /// Where it is pinned, in ten-thousandths of the width and height from the top left.
    pub pin_x: Option<i32>,
    pub pin_y: Option<i32>,
    /// The page it is about (PDFs), from 1.
    pub page: Option<i32>,
    pub resolved_at: Option<DateTimeUtc>,
    pub resolved_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
