//! A durable background job owned by a tenant.

use sea_orm::entity::prelude::*;

use crate::ids::{JobId, WorkspaceId};

use crate::enums::JobState;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: JobId,
    pub kind: String,
    pub payload: Json,
    pub state: JobState,
    pub run_at: DateTimeUtc,
    pub attempts: i32,
    pub max_attempts: i32,
    pub lease_until: Option<DateTimeUtc>,
    pub lease_owner: Option<String>,
    pub idempotency_key: Option<String>,
    /// Who caused the job (a serialized actor), recorded for the audit trail.
    pub actor: Option<Json>,
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
    /// Items a long job has finished (none until its handler reports).
    pub progress_done: Option<i64>,
    /// Items the job has in all, when known.
    pub progress_total: Option<i64>,
    /// Where the job's next batch starts, committed after each batch, so a retried or
    /// reclaimed attempt resumes there.
    pub cursor: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
