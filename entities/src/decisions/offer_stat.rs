//! What has been learnt of one offer at one point: trials and successes.

use sea_orm::entity::prelude::*;

use crate::ids::{InteractionPointId, OfferId, OfferStatId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "offer_stats")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OfferStatId,
    pub point_id: InteractionPointId,
    pub offer_id: OfferId,
    pub trials: i64,
    pub successes: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
