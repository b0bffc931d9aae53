//! The part of an invoice charged to one purchase order line (and its budget line).

use sea_orm::entity::prelude::*;

use crate::ids::{BudgetLineId, InvoiceChargeId, InvoiceId, PurchaseOrderLineId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "invoice_charges")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: InvoiceChargeId,
    pub invoice_id: InvoiceId,
    pub purchase_order_line_id: PurchaseOrderLineId,
    pub budget_line_id: BudgetLineId,
    pub amount: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
