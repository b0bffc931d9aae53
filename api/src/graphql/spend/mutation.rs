//! Writing, moving and invoicing purchase orders.

use async_graphql::{Context, ID, InputObject, Object};

use super::{Invoice, PurchaseOrder};
use crate::graphql::budgets::BudgetLine;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::date::Date;
use crate::graphql::money::MoneyInput;
use crate::graphql::node::id_of;

/// One line of a new purchase order.
#[derive(InputObject)]
pub struct PurchaseOrderLineInput {
    pub budget_line_id: ID,
    pub amount: MoneyInput,
    #[graphql(default)]
    pub description: String,
}

/// A new purchase order (a draft).
#[derive(InputObject)]
pub struct CreatePurchaseOrderInput {
    /// The vendor's name; a vendor not seen before is added.
    pub vendor: String,
    pub lines: Vec<PurchaseOrderLineInput>,
    /// How far invoices may go past the order, in percent (0–25; 5 when left out).
    pub tolerance_percent: Option<f64>,
    /// When the goods or services are expected: the budget period its commitment falls
    /// in (the approval's day when left out).
    pub expected_on: Option<Date>,
    /// The campaign it pays for (its cost in the campaign's ROI).
    pub campaign_id: Option<ID>,
}

/// A vendor's invoice against a purchase order.
#[derive(InputObject)]
pub struct RecordInvoiceInput {
    pub purchase_order_id: ID,
    pub amount: MoneyInput,
    /// The vendor's invoice number, unique per order.
    pub reference: String,
    /// The invoice's own date: the budget period its spending falls in (today when left out).
    pub invoiced_on: Option<Date>,
}

/// Spend writes.
#[derive(Default)]
pub struct SpendMutation;

#[Object]
impl SpendMutation {
    /// Writes a draft purchase order.
    async fn create_purchase_order(
        &self,
        ctx: &Context<'_>,
        input: CreatePurchaseOrderInput,
    ) -> async_graphql::Result<PurchaseOrder> {
        let mut lines = Vec::with_capacity(input.lines.len());
        for (i, l) in input.lines.into_iter().enumerate() {
            lines.push(domain::spend::orders::NewOrderLine {
                budget_line_id: id_of::<BudgetLine>(&format!("lines[{i}].budgetLineId"), &l.budget_line_id).gql(ctx)?,
                amount: l.amount.pair(),
                description: l.description,
            });
        }
        let new = domain::spend::orders::NewPurchaseOrder {
            vendor: input.vendor,
            lines,
            tolerance_percent: input.tolerance_percent,
            expected_on: input.expected_on.map(|d| d.0),
            campaign: input
                .campaign_id
                .map(|c| id_of::<crate::graphql::campaigns::Campaign>("campaignId", &c))
                .transpose()
                .gql(ctx)?,
        };
        let t = tenant(ctx).await?;
        Ok(PurchaseOrder(domain::spend::orders::create(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Submits a draft: `APPROVED` at once where no approval rule applies (its budget
    /// checked: `CONFLICT` when it would overspend a `FORBID` line), else `SUBMITTED`
    /// with an approval request.
    async fn submit_purchase_order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PurchaseOrder> {
        let id = id_of::<PurchaseOrder>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(PurchaseOrder(domain::spend::orders::submit(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Marks an approved order as sent to its vendor.
    async fn issue_purchase_order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PurchaseOrder> {
        let id = id_of::<PurchaseOrder>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(PurchaseOrder(domain::spend::orders::issue(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Closes an approved or issued order, releasing what was not invoiced.
    async fn close_purchase_order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PurchaseOrder> {
        let id = id_of::<PurchaseOrder>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(PurchaseOrder(domain::spend::orders::close(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Withdraws a draft or submitted order.
    async fn cancel_purchase_order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PurchaseOrder> {
        let id = id_of::<PurchaseOrder>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(PurchaseOrder(domain::spend::orders::cancel(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Records a vendor's invoice against an approved or issued order.
    async fn record_invoice(&self, ctx: &Context<'_>, input: RecordInvoiceInput) -> async_graphql::Result<Invoice> {
        let new = domain::spend::invoices::NewInvoice {
            purchase_order_id: id_of::<PurchaseOrder>("purchaseOrderId", &input.purchase_order_id).gql(ctx)?,
            amount: input.amount.pair(),
            reference: input.reference,
            invoiced_on: input.invoiced_on.map(|d| d.0),
        };
        let t = tenant(ctx).await?;
        Ok(Invoice(domain::spend::invoices::record(t, parley(ctx)?, new).await.gql(ctx)?))
    }
}
