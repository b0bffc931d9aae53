//! Reading approval rules, requests and delegations.

use async_graphql::{Context, ID, Object};

use super::{Approval, ApprovalDelegation, ApprovalRule, ApprovalState};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Approval reads.
#[derive(Default)]
pub struct ApprovalsQuery;

#[Object]
impl ApprovalsQuery {
    /// Approval requests, newest first; `state: PENDING` is the inbox (each says
    /// whether the one asking `canDecide` it).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn approvals(
        &self,
        ctx: &Context<'_>,
        state: Option<ApprovalState>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Approval>> {
        let state = state.map(Into::into);
        list(ctx, first, after, move |t, p, args| domain::approvals::requests::list(t, p, state, args), Approval).await
    }

    /// One approval request.
    async fn approval(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Approval> {
        let id = id_of::<Approval>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Approval(domain::approvals::requests::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The approval rules, in the order their steps are decided.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn approval_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ApprovalRule>> {
        list(ctx, first, after, domain::approvals::rules, ApprovalRule).await
    }

    /// Delegations of approvals, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn approval_delegations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ApprovalDelegation>> {
        list(ctx, first, after, domain::approvals::delegations, ApprovalDelegation).await
    }
}
