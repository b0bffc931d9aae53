//! Retrying background jobs.

use async_graphql::{Context, ID, Object};

use super::Job;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Job writes.
#[derive(Default)]
pub struct JobsMutation;

#[Object]
impl JobsMutation {
    /// Puts a dead job back on the queue.
    async fn retry_job(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Job> {
        let id = id_of::<Job>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Job(domain::jobs::retry(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
