//! An import of contacts from an uploaded CSV file: its options, where it stands and
//! what became of every row read so far.

use sea_orm::entity::prelude::*;

use crate::enums::TransferStatus;
use crate::ids::{ContactImportId, JobId, StoredFileId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ContactImportId,
    pub file_id: StoredFileId,
    pub file_name: String,
    /// The checked options: identity column and kind, column mapping, consents, delimiter.
    pub options: Json,
    /// The job that runs it.
    pub job_id: Option<JobId>,
    pub status: TransferStatus,
    pub size_bytes: i64,
    pub bytes_read: i64,
    pub rows_read: i64,
    pub rows_imported: i64,
    pub rows_updated: i64,
    pub rows_unchanged: i64,
    pub rows_rejected: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
