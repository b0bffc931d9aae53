//! A workspace's schedule of score runs: how often, and when the next one is due (a
//! job waits for that time; the time here says which job is the current one).

use sea_orm::entity::prelude::*;

use crate::enums::ScoreEvery;
use crate::ids::{ScoreScheduleId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "score_schedules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ScoreScheduleId,
    pub every: ScoreEvery,
    pub next_run_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
