//! Reading plans, programs, projects and cost centers.

use async_graphql::{Context, ID, Object};

use super::{CostCenter, Plan, Program, Project, WorkFilterInput};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::identity::User;
use crate::graphql::node::id_of;
use domain::plans::WorkFilter;

/// A list filter as the domain takes it (`filter.ownerId` names a malformed ID).
pub(super) fn filter(f: Option<WorkFilterInput>) -> domain::Result<WorkFilter> {
    let f = f.unwrap_or_default();
    Ok(WorkFilter {
        status: f.status.map(Into::into),
        owner: f.owner_id.map(|o| id_of::<User>("filter.ownerId", &o)).transpose()?,
        tag: f.tag,
        from: f.from.map(|d| d.0),
        until: f.until.map(|d| d.0),
        ..Default::default()
    })
}

/// Plan reads.
#[derive(Default)]
pub struct PlansQuery;

#[Object]
impl PlansQuery {
    /// The workspace's plans, newest first (of one fiscal year when given).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        fiscal_year: Option<i32>,
        filter: Option<WorkFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Plan>> {
        let mut f = self::filter(filter).gql(ctx)?;
        f.fiscal_year = fiscal_year;
        list(ctx, first, after, move |t, p, args| domain::plans::plans(t, p, f, args), Plan).await
    }

    /// One plan.
    async fn plan(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Plan> {
        let id = id_of::<Plan>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Plan(domain::plans::get_plan(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Programs, oldest first (of one plan when given).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn programs(
        &self,
        ctx: &Context<'_>,
        plan_id: Option<ID>,
        filter: Option<WorkFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Program>> {
        let mut f = self::filter(filter).gql(ctx)?;
        f.plan_id = plan_id.map(|id| id_of::<Plan>("planId", &id)).transpose().gql(ctx)?;
        list(ctx, first, after, move |t, p, args| domain::plans::programs(t, p, f, args), Program).await
    }

    /// Projects, oldest first (of one plan or program when given); `filter.from` and
    /// `filter.until` pick those running in a date range, for a calendar.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        plan_id: Option<ID>,
        program_id: Option<ID>,
        filter: Option<WorkFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Project>> {
        let mut f = self::filter(filter).gql(ctx)?;
        f.plan_id = plan_id.map(|id| id_of::<Plan>("planId", &id)).transpose().gql(ctx)?;
        f.program_id = program_id.map(|id| id_of::<Program>("programId", &id)).transpose().gql(ctx)?;
        list(ctx, first, after, move |t, p, args| domain::plans::projects(t, p, f, args), Project).await
    }

    /// The workspace's cost centers, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn cost_centers(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<CostCenter>> {
        list(ctx, first, after, domain::plans::cost_centers, CostCenter).await
    }
}
