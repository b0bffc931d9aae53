//! A published version of a journey: its definition, never changed again.

use sea_orm::entity::prelude::*;

use crate::ids::{JourneyId, JourneyVersionId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journey_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: JourneyVersionId,
    pub journey_id: JourneyId,
    /// 1, 2, … in the order published.
    pub version: i32,
    pub definition: Json,
    pub published_by: UserId,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
