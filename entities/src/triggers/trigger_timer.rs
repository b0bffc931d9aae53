//! A durable timer: a sequence rule's first event happened for a contact, and the rule
//! fires at `due_at` unless the event that cancels it comes first.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactEventId, ContactId, TriggerRuleId, TriggerTimerId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trigger_timers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TriggerTimerId,
    pub rule_id: TriggerRuleId,
    pub contact_id: ContactId,
    /// The event that started it.
    pub event_id: ContactEventId,
    /// When that event happened.
    pub started_at: DateTimeUtc,
    pub due_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
