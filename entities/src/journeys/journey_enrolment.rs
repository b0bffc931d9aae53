//! One contact's way through a journey, entered once: the version it follows, the step
//! it is at, and when it is to move on.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, JourneyEnrolmentId, JourneyId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journey_enrolments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: JourneyEnrolmentId,
    pub journey_id: JourneyId,
    pub version: i32,
    pub contact_id: ContactId,
    /// What enrolled it, unique per journey (`firing:<id>`, `manual:<id>`): the same
    /// cause twice enrols once.
    pub source: String,
    /// `ACTIVE` (to run at `wake_at`), `WAITING` (in a wait step until `wake_at` or, for
    /// a wait for an event, until the event), `COMPLETED` or `EXITED`.
    pub status: String,
    /// The step it is at (the last one, once finished).
    pub step: String,
    /// When it entered that step.
    pub since: DateTimeUtc,
    /// When it is run next (None once finished).
    pub wake_at: Option<DateTimeUtc>,
    /// Why it left before the end: `goal`, `exit step`, `removed`, `migrated`…
    pub exit_reason: Option<String>,
    pub entered_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
