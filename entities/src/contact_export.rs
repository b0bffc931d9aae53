//! An export of a workspace's contacts (all, or one segment's) to a CSV file.

use sea_orm::entity::prelude::*;

use crate::enums::TransferStatus;
use crate::ids::{ContactExportId, JobId, SegmentId, StoredFileId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_exports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ContactExportId,
    /// The segment exported (all contacts when empty).
    pub segment_id: Option<SegmentId>,
    /// The file written, once the export has started.
    pub file_id: Option<StoredFileId>,
    pub job_id: Option<JobId>,
    pub status: TransferStatus,
    pub rows_written: i64,
    pub rows_total: i64,
    pub created_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
