//! Background jobs of the current workspace.

use async_graphql::{Context, Object};

use super::{Job, JobState};
use crate::graphql::connection::{Conn, list, page_cost};

/// Job reads.
#[derive(Default)]
pub struct JobsQuery;

#[Object]
impl JobsQuery {
    /// Background jobs of the current workspace, newest first (admins).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        state: Option<JobState>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Job>> {
        let state = state.map(Into::into);
        list(ctx, first, after, |t, p, args| domain::jobs::list(t, p, state, args), Job).await
    }
}
