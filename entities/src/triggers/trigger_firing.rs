//! One firing of a trigger rule for a contact, with the events that made it fire.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, TriggerFiringId, TriggerRuleId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trigger_firings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TriggerFiringId,
    pub rule_id: TriggerRuleId,
    pub contact_id: ContactId,
    /// What makes it the same firing again (unique per rule).
    pub dedupe: String,
    /// The IDs of the events that made it fire (none for a change of segment).
    pub events: Json,
    pub fired_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
