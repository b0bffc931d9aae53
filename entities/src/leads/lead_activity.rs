//! One change to a lead (captured, scored into a stage, assigned, escalated, an
//! outcome), in its history and delivered to the CRM webhook.

use sea_orm::entity::prelude::*;

use crate::ids::{LeadActivityId, LeadId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_activities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LeadActivityId,
    pub lead_id: LeadId,
    /// `CAPTURED`, `STAGE`, `ASSIGNED`, `REASSIGNED`, `ESCALATED` or `OUTCOME`.
    pub kind: String,
    /// What changed (`{"from", "to", "reason", …}`).
    pub detail: Json,
    /// The person who made it (None: Parley did).
    pub actor_id: Option<UserId>,
    /// How the history names who made it.
    pub actor: String,
    pub at: DateTimeUtc,
    /// The webhook's delivery: `NONE` (no webhook), `PENDING`, `DELIVERED` or `FAILED`.
    pub delivery: String,
    pub attempts: i32,
    pub delivery_error: Option<String>,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
