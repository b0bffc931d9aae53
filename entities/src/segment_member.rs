//! One contact on a static segment (a list kept by hand); unique per segment.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, SegmentId, SegmentMemberId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "segment_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SegmentMemberId,
    pub segment_id: SegmentId,
    pub contact_id: ContactId,
    pub added_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
