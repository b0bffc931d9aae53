//! Reads about the current workspace.

use async_graphql::{Context, Object};

use super::{Role, Workspace};
use crate::graphql::context::{OrGql, parley, tenant};

/// Workspace reads.
#[derive(Default)]
pub struct WorkspacesQuery;

#[Object]
impl WorkspacesQuery {
    /// The workspace this request acts in (`X-Parley-Workspace`, else the session's).
    async fn workspace(&self, ctx: &Context<'_>) -> async_graphql::Result<Workspace> {
        let t = tenant(ctx).await?;
        Ok(Workspace(domain::workspaces::current(t, parley(ctx)?).await.gql(ctx)?))
    }

    /// The role this request holds in the current workspace.
    async fn my_role(&self, ctx: &Context<'_>) -> async_graphql::Result<Role> {
        let t = tenant(ctx).await?;
        Ok(domain::identity::auth::role(t, parley(ctx)?).await.gql(ctx)?.into())
    }
}
