//! Members and invitations of the current workspace.

use async_graphql::{Context, Object};

use super::{Invitation, Membership};
use crate::graphql::connection::{Conn, list, page_cost};

/// Team reads.
#[derive(Default)]
pub struct TeamQuery;

#[Object]
impl TeamQuery {
    /// Members of the current workspace.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Membership>> {
        list(ctx, first, after, domain::team::members::list, |(m, u)| Membership { m, user: Some(u), workspace: None })
            .await
    }

    /// Invitations of the current workspace, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Invitation>> {
        list(ctx, first, after, domain::team::invitations::list, Invitation).await
    }
}
