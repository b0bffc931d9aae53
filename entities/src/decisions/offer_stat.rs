//! What has been learnt of one offer at one point, for the point's whole traffic or (when
//! the point learns per segment) for one segment of its rules: trials and successes.

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
    /// The segment learnt for; the nil UUID for the point's whole traffic.
    pub segment_key: Uuid,
    pub trials: i64,
    pub successes: i64,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
