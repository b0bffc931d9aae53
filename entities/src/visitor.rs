//! A tracked visitor (the snippet's anonymous ID) and the contact they identified as,
//! so their anonymous events can be given to that contact at once.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, VisitorId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visitors")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: VisitorId,
    /// Unique in the workspace.
    pub anonymous_id: String,
    pub contact_id: ContactId,
    pub identified_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
