//! A run of the scoring job: RFM scores and lifetime values written to contacts, and
//! the products bought together, with what the run found.

use sea_orm::entity::prelude::*;

use crate::enums::TransferStatus;
use crate::ids::{JobId, ScoreRunId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "score_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ScoreRunId,
    pub job_id: Option<JobId>,
    pub status: TransferStatus,
    pub purchases_read: i64,
    pub contacts_scored: i64,
    /// Contacts to score in all (known once scoring starts).
    pub contacts_total: i64,
    pub products: i64,
    /// What the run found (RFM grid and segments, lifetime value figures), once completed.
    pub summary: Option<Json>,
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
