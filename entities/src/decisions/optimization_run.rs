//! A contact optimization run: the uploaded proposals, the constraints, where the job
//! stands, what it chose and the file of the chosen proposals.

use sea_orm::entity::prelude::*;

use crate::enums::TransferStatus;
use crate::ids::{JobId, OptimizationRunId, StoredFileId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "optimization_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OptimizationRunId,
    pub name: String,
    /// The uploaded proposals.
    pub file_id: StoredFileId,
    pub file_name: String,
    pub size_bytes: i64,
    /// The chosen proposals, once the run has completed.
    pub result_file_id: Option<StoredFileId>,
    pub job_id: Option<JobId>,
    pub status: TransferStatus,
    /// What the job is doing: `queued`, `reading`, `optimizing`, `writing`, `done`.
    pub stage: String,
    /// The constraints as given (with the defaults they took).
    pub constraints: Json,
    /// The currency of values, costs and the budget.
    pub currency: String,
    pub rows_read: i64,
    pub rows_rejected: i64,
    /// Valid proposals among the rows read.
    pub proposals: i64,
    pub chosen: i64,
    pub total_value_minor: i64,
    pub total_cost_minor: i64,
    /// Refusals by reason, and chosen proposals per campaign and per channel.
    pub summary: Json,
    /// The first rejected rows: line, column and reason.
    pub rejections: Json,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
