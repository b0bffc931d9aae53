//! A contact in a segment rule's segment when detection last looked.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, TriggerMemberId, TriggerRuleId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "trigger_members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TriggerMemberId,
    pub rule_id: TriggerRuleId,
    pub contact_id: ContactId,
    pub since: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
