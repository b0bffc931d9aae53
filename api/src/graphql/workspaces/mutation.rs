//! Client workspaces and agency grants.

use async_graphql::{Context, ID, InputObject, Object};

use super::{Role, Workspace};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::identity::User;
use crate::graphql::node::id_of;
use crate::graphql::team::Membership;

/// A client workspace's name.
#[derive(InputObject)]
pub struct CreateClientWorkspaceInput {
    pub name: String,
}

/// Which agency member gets which role in which client.
#[derive(InputObject)]
pub struct GrantClientAccessInput {
    pub client_workspace_id: ID,
    pub user_id: ID,
    pub role: Role,
}

/// Workspace writes.
#[derive(Default)]
pub struct WorkspacesMutation;

#[Object]
impl WorkspacesMutation {
    /// Creates a client workspace under the current agency workspace.
    async fn create_client_workspace(
        &self,
        ctx: &Context<'_>,
        input: CreateClientWorkspaceInput,
    ) -> async_graphql::Result<Workspace> {
        let t = tenant(ctx).await?;
        Ok(Workspace(domain::workspaces::create_client(t, parley(ctx)?, &input.name).await.gql(ctx)?))
    }

    /// Gives an agency member a role in one of the agency's clients.
    async fn grant_client_access(
        &self,
        ctx: &Context<'_>,
        input: GrantClientAccessInput,
    ) -> async_graphql::Result<Membership> {
        let client = id_of::<Workspace>("clientWorkspaceId", &input.client_workspace_id).gql(ctx)?;
        let user = id_of::<User>("userId", &input.user_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let m =
            domain::workspaces::grant_client_access(t, parley(ctx)?, client, user, input.role.into()).await.gql(ctx)?;
        Ok(Membership::from(m))
    }
}
