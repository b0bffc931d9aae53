//! One version of an offer, as it was when it was saved: decisions and the history name
//! the version they showed.

use sea_orm::entity::prelude::*;

use crate::ids::{OfferId, OfferVersionId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "offer_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OfferVersionId,
    pub offer_id: OfferId,
    pub version: i32,
    /// Everything the offer said at that version (a JSON object).
    pub content: Json,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
