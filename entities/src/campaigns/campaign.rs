//! An email campaign: who, what, from where, when, and where it stands.

use sea_orm::entity::prelude::*;

use super::enums::CampaignStatus;
use crate::ids::{
    ApprovalId, BudgetLineId, CampaignId, EmailTemplateId, JobId, JourneyId, ProjectId, SendingDomainId, UserId,
    WorkspaceId,
};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CampaignId,
    pub name: String,
    pub status: CampaignStatus,
    /// The first variant's template (the only one without an A/B split).
    pub template_id: EmailTemplateId,
    /// The content variants and their shares: a JSON array of `{"templateId", "percent"}`
    /// (one variant of 100% when there is no split).
    pub variants: Json,
    pub sending_domain_id: SendingDomainId,
    /// The address in `From` (at the sending domain).
    pub from_address: String,
    /// The name in `From` (may be empty).
    pub from_name: String,
    /// The segments and lists whose contacts are targeted (JSON array of IDs).
    pub segment_ids: Json,
    /// The segments and lists whose contacts are left out (JSON array of IDs).
    pub exclude_segment_ids: Json,
    /// The share held out as a control group, in hundredths of a percent.
    pub control_basis_points: i32,
    /// When sending starts (None: at launch, or once approved).
    pub schedule_at: Option<DateTimeUtc>,
    /// `HH:MM`: each contact receives it at that time of day in their own zone, on or
    /// after the scheduled day.
    pub local_time: Option<String>,
    pub project_id: Option<ProjectId>,
    pub budget_line_id: Option<BudgetLineId>,
    /// The approval request of its launch, if a rule asked for one.
    pub approval_id: Option<ApprovalId>,
    /// The job sending it now (or last).
    pub job_id: Option<JobId>,
    /// How many times sending was started (launch and each resume).
    pub runs: i32,
    pub created_by: UserId,
    pub launched_by: Option<UserId>,
    pub launched_at: Option<DateTimeUtc>,
    pub started_at: Option<DateTimeUtc>,
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The journey whose email step sends through it (such a campaign runs as long as
    /// the journey does and is never completed).
    pub journey_id: Option<JourneyId>,
    /// That step's ID.
    pub journey_step: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
