//! At one interaction point, for one segment (or everyone), these candidate offers,
//! under an eligibility expression and with a marketer's weight.

use sea_orm::entity::prelude::*;

use crate::ids::{InteractionPointId, SegmentId, TreatmentRuleId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "treatment_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: TreatmentRuleId,
    pub point_id: InteractionPointId,
    /// None: everyone.
    pub segment_id: Option<SegmentId>,
    /// The candidate offers (IDs, in the marketer's order).
    pub offer_ids: Json,
    /// The eligibility expression (null: always eligible).
    pub eligibility: Json,
    pub weight: f64,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
