//! Creating and revoking API keys.

use async_graphql::{Context, ID, InputObject, Object};

use super::{ApiKey, CreateApiKeyPayload};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;
use crate::graphql::workspaces::Role;

/// A new API key.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    pub name: String,
    pub role: Role,
}

/// API key writes.
#[derive(Default)]
pub struct ApiKeysMutation;

#[Object]
impl ApiKeysMutation {
    /// Creates an API key; the secret is in the answer and nowhere else.
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        input: CreateApiKeyInput,
    ) -> async_graphql::Result<CreateApiKeyPayload> {
        let t = tenant(ctx).await?;
        let (k, secret) = domain::api_keys::create(t, parley(ctx)?, &input.name, input.role.into()).await.gql(ctx)?;
        Ok(CreateApiKeyPayload { api_key: ApiKey(k), secret })
    }

    /// Revokes an API key at once.
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApiKey> {
        let id = id_of::<ApiKey>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(ApiKey(domain::api_keys::revoke(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
