//! What a person did with an offer a decision showed.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, DecisionId, InteractionPointId, OfferId, OfferResponseId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer_responses")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OfferResponseId,
    pub decision_id: DecisionId,
    pub offer_id: OfferId,
    pub point_id: InteractionPointId,
    pub contact_id: Option<ContactId>,
    /// `CLICKED`, `ACCEPTED`, `REJECTED` or `CONVERTED`.
    pub outcome: String,
    pub revenue_minor: Option<i64>,
    pub currency: Option<String>,
    /// 1 when it counted for learning (within the point's window), else 0.
    pub learned: i32,
    pub responded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
