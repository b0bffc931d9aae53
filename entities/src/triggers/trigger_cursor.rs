//! Where a workspace's event detection stands: the last event read, and when changed
//! contacts and lists were last looked at.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactEventId, TriggerCursorId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trigger_cursors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TriggerCursorId,
    pub last_event_id: Option<ContactEventId>,
    pub contacts_seen_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
