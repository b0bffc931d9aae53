//! One step an enrolment entered: the path a contact took, and what the canvas counts.

use sea_orm::entity::prelude::*;

use crate::ids::{JourneyEnrolmentId, JourneyId, JourneyVisitId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journey_visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: JourneyVisitId,
    pub enrolment_id: JourneyEnrolmentId,
    pub journey_id: JourneyId,
    pub version: i32,
    pub step: String,
    pub entered_at: DateTimeUtc,
    /// None while the contact is still at the step.
    pub left_at: Option<DateTimeUtc>,
    /// `COMPLETED` (moved on or finished the journey there) or `EXITED` (left the
    /// journey there: an exit step, the goal met, removed); None while at the step.
    pub outcome: Option<String>,
    /// What the step did, in words (the branch taken, the value written…).
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
