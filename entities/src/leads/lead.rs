//! A contact in a sales process: its score and grade with the reasons, its stage, who
//! holds it and by when they must first touch it, and how it ended.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, LeadId, LeadScoringModelId, RoutingRuleId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "leads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LeadId,
    pub contact_id: ContactId,
    /// `OPEN` or `CLOSED` (won or lost); a contact has one open lead at most.
    pub status: String,
    /// `NEW`, `MQL`, `SQL`, `CONTACTED`, `QUALIFIED`, `WON` or `LOST`.
    pub stage: String,
    /// `FORM`, `API`, `TRIGGER`, `JOURNEY` or `MANUAL`.
    pub source: String,
    /// The form, rule or journey it came from.
    pub source_ref: Option<String>,
    /// The scoring model that scored it last.
    pub model_id: Option<LeadScoringModelId>,
    /// Points for profile fit, as last scored.
    pub fit: i32,
    /// Points for behaviour in thousandths, as of `scored_at` (they halve every
    /// half-life from then on).
    pub behaviour_milli: i64,
    /// The half-life behaviour decays by (the model's, when it last scored).
    pub half_life_secs: i64,
    pub scored_at: DateTimeUtc,
    /// `A` to `D`, from fit.
    pub grade: String,
    /// Why it scores what it does: `[{"points", "reason", "kind"}]`.
    pub reasons: Json,
    /// The rep who holds it.
    pub owner_id: Option<UserId>,
    /// The routing rule that gave it out.
    pub rule_id: Option<RoutingRuleId>,
    /// The owner's team when it was given out.
    pub team: Option<String>,
    pub assigned_at: Option<DateTimeUtc>,
    /// When the owner must have touched it by (None: no SLA, or touched).
    pub sla_due_at: Option<DateTimeUtc>,
    /// When it was first contacted.
    pub touched_at: Option<DateTimeUtc>,
    /// How many times its SLA was missed.
    pub escalations: i32,
    /// When routing is to look at it (None: nothing to do).
    pub route_at: Option<DateTimeUtc>,
    /// Why no rep took it yet.
    pub waiting: Option<String>,
    /// `NONE`, `CONTACTED`, `QUALIFIED`, `WON` or `LOST`: the last outcome recorded.
    pub outcome: String,
    pub revenue_minor: Option<i64>,
    pub currency: Option<String>,
    pub lost_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
