//! A rule evaluated on a workspace's event stream and contact changes: when it holds for
//! a contact, it fires.

use sea_orm::entity::prelude::*;

use crate::ids::{TriggerRuleId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trigger_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TriggerRuleId,
    pub name: String,
    /// The definition as checked (`{"event": …}`, `{"sequence": …}`, …).
    pub definition: Json,
    /// `EVENT`, `SEQUENCE`, `THRESHOLD`, `COUNT`, `ATTRIBUTE`, `SEGMENT_ENTERED` or
    /// `SEGMENT_LEFT`.
    pub kind: String,
    /// `ACTIVE` or `PAUSED`.
    pub status: String,
    /// When a segment rule last took stock of its segment's members (None: not yet).
    pub baseline_at: Option<DateTimeUtc>,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
