//! A journey: a graph of steps contacts go through one by one, edited as a draft and
//! run as its published versions.

use sea_orm::entity::prelude::*;

use crate::ids::{JourneyId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journeys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: JourneyId,
    pub name: String,
    /// The definition being edited (published as the next version).
    pub draft: Json,
    /// `DRAFT` (never published), `ACTIVE` or `PAUSED`.
    pub status: String,
    /// The latest published version (0: none).
    pub version: i32,
    /// What enrols contacts in the latest version: `TRIGGER`, `SEGMENT` or `MANUAL`
    /// (None before the first publication).
    pub entry_kind: Option<String>,
    /// The trigger rule or segment that enrols them.
    pub entry_ref: Option<Uuid>,
    /// Event kinds the journey's versions wait for or take as their goal (a JSON list):
    /// event detection wakes its contacts when one is tracked.
    pub watches: Json,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
