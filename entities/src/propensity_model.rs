//! A response-propensity model: how likely each contact is to do the target event
//! within the horizon, learned from the workspace's own history and written to a
//! contact attribute.

use sea_orm::entity::prelude::*;

use crate::enums::ModelStatus;
use crate::ids::{JobId, PropensityModelId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "propensity_models")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PropensityModelId,
    pub name: String,
    /// The event type it predicts (`purchase`, `email_clicked`…).
    pub target_event: String,
    pub horizon_days: i32,
    /// The contact attribute its scores are written to.
    pub attribute: String,
    pub status: ModelStatus,
    pub job_id: Option<JobId>,
    /// Area under the ROC curve on the contacts held out of training.
    pub auc: Option<f64>,
    pub training_contacts: i64,
    pub holdout_contacts: i64,
    pub positives: i64,
    pub contacts_scored: i64,
    /// Contacts to score in all (known once scoring starts).
    pub contacts_total: i64,
    /// The fitted model (features, scaling, weights), once trained.
    pub params: Option<Json>,
    pub error: Option<String>,
    pub trained_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
