//! Reading vendors, purchase orders and invoices.

use async_graphql::{Context, ID, Object};

use super::{Invoice, PurchaseOrder, PurchaseOrderStatus, Vendor};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Spend reads.
#[derive(Default)]
pub struct SpendQuery;

#[Object]
impl SpendQuery {
    /// Purchase orders, newest first (in one status, or of one vendor, when given).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn purchase_orders(
        &self,
        ctx: &Context<'_>,
        status: Option<PurchaseOrderStatus>,
        vendor_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<PurchaseOrder>> {
        let f = domain::spend::orders::OrderFilter {
            status: status.map(Into::into),
            vendor: vendor_id.map(|v| id_of::<Vendor>("vendorId", &v)).transpose().gql(ctx)?,
        };
        list(ctx, first, after, move |t, p, args| domain::spend::orders::list(t, p, f, args), PurchaseOrder).await
    }

    /// One purchase order.
    async fn purchase_order(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PurchaseOrder> {
        let id = id_of::<PurchaseOrder>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(PurchaseOrder(domain::spend::orders::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Every invoice, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Invoice>> {
        list(ctx, first, after, |t, p, args| domain::spend::invoices::list(t, p, None, args), Invoice).await
    }

    /// The workspace's vendors, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn vendors(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Vendor>> {
        list(ctx, first, after, domain::spend::vendors, Vendor).await
    }
}
