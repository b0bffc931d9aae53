//! A yearly marketing plan: its fiscal year, currency and how the year is split.

use sea_orm::entity::prelude::*;

use super::enums::{PeriodKind, WorkStatus};
use crate::ids::{PlanId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PlanId,
    pub name: String,
    pub fiscal_year: i32,
    /// ISO 4217 code every budget line of the plan is kept in.
    pub currency: String,
    pub period_kind: PeriodKind,
    /// The month (1–12) the fiscal year starts in.
    pub start_month: i32,
    pub status: WorkStatus,
    pub owner_id: Option<UserId>,
    pub objectives: String,
    pub tags: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
