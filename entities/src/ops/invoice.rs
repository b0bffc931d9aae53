//! A vendor's invoice against a purchase order.

use sea_orm::entity::prelude::*;

use crate::ids::{InvoiceId, PurchaseOrderId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "invoices")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: InvoiceId,
    pub purchase_order_id: PurchaseOrderId,
    pub reference: String,
    pub currency: String,
    pub amount: i64,
    /// The invoice's own date.
    pub invoiced_on: Option<Date>,
    /// The month (`yyyymm`) its spending falls in.
    pub month: Option<i32>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
