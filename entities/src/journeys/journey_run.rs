//! One row per workspace: when its journeys' last run started. A request for a run
//! is keyed by it, so every request until the next run starts is one job, and the
//! first one after it a new one.

use sea_orm::entity::prelude::*;

use crate::ids::{JourneyRunId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journey_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: JourneyRunId,
    pub started_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
