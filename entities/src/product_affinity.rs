//! Customers who bought `product` also bought `other`: how many did both, of how many
//! bought `product`, and how much likelier `other` is for them than for anyone.

use sea_orm::entity::prelude::*;

use crate::ids::{ProductAffinityId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "product_affinities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ProductAffinityId,
    pub product: String,
    pub other: String,
    /// Customers who bought both.
    pub together: i64,
    /// Customers who bought `product`.
    pub buyers: i64,
    /// `together / buyers`.
    pub confidence: f64,
    /// `confidence` over the share of all buyers who bought `other`.
    pub lift: f64,
    pub computed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
