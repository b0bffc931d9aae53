//! A user's role in a workspace; `via_agency_id` marks an agency's grant into a client.

use sea_orm::entity::prelude::*;

use crate::ids::{MembershipId, UserId, WorkspaceId};

use crate::enums::Role;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: MembershipId,
    pub user_id: UserId,
    pub role: Role,
    pub via_agency_id: Option<WorkspaceId>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
