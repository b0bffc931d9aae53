//! How a workspace scores leads: points for profile fit and for behaviour (decaying with
//! a half-life), and the thresholds that make a lead marketing- or sales-qualified.

use sea_orm::entity::prelude::*;

use crate::ids::{LeadScoringModelId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_scoring_models")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LeadScoringModelId,
    pub name: String,
    /// `{"fit": [{"when", "points", "reason"}], "behaviour": [{"event", "where", "points"}]}`.
    pub rules: Json,
    pub half_life_secs: i64,
    pub mql_threshold: i32,
    pub sql_threshold: i32,
    /// `ACTIVE` (the one leads are scored by) or `RETIRED`.
    pub status: String,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
