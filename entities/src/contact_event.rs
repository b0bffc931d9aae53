//! One event in a contact's (or an anonymous visitor's) history: tracked behaviour,
//! consent changes, merges. Appended in batches; never edited.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactEventId, ContactId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ContactEventId,
    pub contact_id: Option<ContactId>,
    pub anonymous_id: Option<String>,
    /// What happened (`page_view`, `purchase`, `consent_changed`, …).
    pub kind: String,
    pub properties: Json,
    pub occurred_at: DateTimeUtc,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
