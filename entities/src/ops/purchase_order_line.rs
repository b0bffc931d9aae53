//! One line of a purchase order, charged to one budget line.

use sea_orm::entity::prelude::*;

use crate::ids::{BudgetLineId, PurchaseOrderId, PurchaseOrderLineId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "purchase_order_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: PurchaseOrderLineId,
    pub purchase_order_id: PurchaseOrderId,
    pub position: i32,
    pub budget_line_id: BudgetLineId,
    pub description: String,
    pub amount: i64,
    /// What invoices have charged to it so far.
    pub invoiced: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
