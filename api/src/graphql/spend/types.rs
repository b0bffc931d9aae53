//! Vendors, purchase orders with their lines, and invoices.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::approvals::Approval;
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::date::Date;
use crate::graphql::ids::global_id;
use crate::graphql::money::Money;
use crate::graphql::node::{NodeObject, node_object};

/// Where a purchase order stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::PurchaseOrderStatus")]
pub enum PurchaseOrderStatus {
    Draft,
    Submitted,
    Approved,
    Issued,
    Closed,
    Rejected,
    Cancelled,
}

node_object! {
    /// A vendor purchase orders are placed with.
    Vendor(domain::spend::Vendor) {
        name: String,
        created_at: DateTime<Utc>,
    }
}

/// One line of a purchase order.
#[derive(SimpleObject)]
pub struct PurchaseOrderLine {
    pub id: ID,
    pub budget_line_id: ID,
    pub description: String,
    pub amount: Money,
    /// What invoices have charged to it so far.
    pub invoiced: Money,
}

/// A purchase order placed with a vendor, its lines charged to budget lines.
pub struct PurchaseOrder(pub domain::spend::orders::PurchaseOrder);

impl NodeObject for PurchaseOrder {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl PurchaseOrder {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    /// The campaign it pays for.
    async fn campaign_id(&self) -> Option<ID> {
        self.0.campaign_id.map(|c| crate::graphql::ids::global_id("Campaign", c.into()))
    }
    async fn status(&self) -> PurchaseOrderStatus {
        self.0.status.into()
    }
    async fn vendor(&self, ctx: &Context<'_>) -> async_graphql::Result<Vendor> {
        let t = tenant(ctx).await?;
        Ok(Vendor(domain::spend::get_vendor(t, parley(ctx)?, self.0.vendor_id).await.gql(ctx)?))
    }
    async fn total(&self) -> Money {
        Money::of(self.0.total, &self.0.currency)
    }
    /// How far invoices may go past the total, in percent.
    async fn tolerance_percent(&self) -> f64 {
        f64::from(self.0.tolerance_bp) / 100.0
    }
    async fn lines(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PurchaseOrderLine>> {
        let t = tenant(ctx).await?;
        let lines = domain::spend::orders::lines(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
        Ok(lines
            .into_iter()
            .map(|l| PurchaseOrderLine {
                id: global_id("PurchaseOrderLine", l.id.into()),
                budget_line_id: global_id("BudgetLine", l.budget_line_id.into()),
                description: l.description,
                amount: Money::of(l.amount, &self.0.currency),
                invoiced: Money::of(l.invoiced, &self.0.currency),
            })
            .collect())
    }
    /// The invoices recorded against it, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Invoice>> {
        let id = self.0.id;
        list(ctx, first, after, move |t, p, args| domain::spend::invoices::list(t, p, Some(id), args), Invoice).await
    }
    /// Its approval request, while or since it was submitted.
    async fn approval(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Approval>> {
        let Some(id) = self.0.approval_id else { return Ok(None) };
        let t = tenant(ctx).await?;
        Ok(Some(Approval(domain::approvals::requests::get(t, parley(ctx)?, id).await.gql(ctx)?)))
    }
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.0.submitted_at
    }
    async fn approved_at(&self) -> Option<DateTime<Utc>> {
        self.0.approved_at
    }
    /// When the goods or services are expected.
    async fn expected_on(&self) -> Option<Date> {
        self.0.expected_on.map(Date)
    }
    async fn issued_at(&self) -> Option<DateTime<Utc>> {
        self.0.issued_at
    }
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

node_object! {
    /// A vendor's invoice against a purchase order.
    Invoice(domain::spend::invoices::Invoice) {
        reference: String,
        created_at: DateTime<Utc>,
    }
    extra {
        async fn purchase_order_id(&self) -> ID {
            global_id("PurchaseOrder", self.0.purchase_order_id.into())
        }
        async fn amount(&self) -> Money {
            Money::of(self.0.amount, &self.0.currency)
        }
        /// The invoice's own date.
        async fn invoiced_on(&self) -> Date {
            Date(self.0.invoiced_on.unwrap_or(self.0.created_at.date_naive()))
        }
    }
}
