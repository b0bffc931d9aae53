//! Typed operations of `spend.graphql`.

use super::*;

super::operations!("src/ops/spend.graphql":
    /// `BudgetLines` in `spend.graphql`.
    BudgetLines,
    /// `PurchaseOrders` in `spend.graphql`.
    PurchaseOrders,
    /// `CreatePurchaseOrder` in `spend.graphql`.
    CreatePurchaseOrder,
    /// `SubmitPurchaseOrder` in `spend.graphql`.
    SubmitPurchaseOrder,
    /// `IssuePurchaseOrder` in `spend.graphql`.
    IssuePurchaseOrder,
    /// `ClosePurchaseOrder` in `spend.graphql`.
    ClosePurchaseOrder,
    /// `CancelPurchaseOrder` in `spend.graphql`.
    CancelPurchaseOrder,
    /// `RecordInvoice` in `spend.graphql`.
    RecordInvoice,
);

/// A purchase order in the list.
pub type PurchaseOrder = purchase_orders::PurchaseOrdersPurchaseOrdersNodes;

super::page_info_from!(purchase_orders::PurchaseOrdersPurchaseOrdersPageInfo);
super::connection_chunk!(purchase_orders::PurchaseOrdersPurchaseOrders => PurchaseOrder);
