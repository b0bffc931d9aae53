//! API keys of the current workspace.

use async_graphql::{Context, Object};

use super::ApiKey;
use crate::graphql::connection::{Conn, list, page_cost};

/// API key reads.
#[derive(Default)]
pub struct ApiKeysQuery;

#[Object]
impl ApiKeysQuery {
    /// API keys of the current workspace.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ApiKey>> {
        list(ctx, first, after, domain::api_keys::list, ApiKey).await
    }
}
