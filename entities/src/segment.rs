//! A saved segment of a workspace's contacts: a rule (dynamic) or a list of members
//! kept by hand (static, see `segment_member`).

use sea_orm::entity::prelude::*;

use crate::enums::SegmentKind;
use crate::ids::{SegmentId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "segments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SegmentId,
    pub name: String,
    pub kind: SegmentKind,
    /// The rule as the client wrote it (checked when saved); none for a static list.
    pub rule: Option<Json>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
