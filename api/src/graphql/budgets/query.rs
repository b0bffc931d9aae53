//! Reading budget lines and roll-ups.

use async_graphql::{Context, ID, Object};

use super::{BudgetLine, BudgetSummary, node_ref};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};

/// Budget reads.
#[derive(Default)]
pub struct BudgetsQuery;

#[Object]
impl BudgetsQuery {
    /// Budget lines, oldest first (of one holder when `nodeId` is given), with their figures.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn budget_lines(
        &self,
        ctx: &Context<'_>,
        node_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<BudgetLine>> {
        let holder = node_id.map(|n| node_ref("nodeId", &n)).transpose().gql(ctx)?;
        list(ctx, first, after, move |t, p, args| domain::budgets::lines(t, p, holder, args), BudgetLine).await
    }

    /// The roll-up of a plan, program, project or cost center for a fiscal year:
    /// budgeted, allocated, committed, actual and remaining.
    async fn budget_summary(
        &self,
        ctx: &Context<'_>,
        node_id: ID,
        fiscal_year: i32,
    ) -> async_graphql::Result<BudgetSummary> {
        let holder = node_ref("nodeId", &node_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(domain::budgets::summary(t, parley(ctx)?, holder, fiscal_year).await.gql(ctx)?.into())
    }
}
