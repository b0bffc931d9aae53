//! API keys of a workspace.

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::node::NodeObject;
use crate::graphql::workspaces::Role;

/// A workspace API key (its secret is shown only when created).
pub struct ApiKey(pub domain::ApiKey);

impl NodeObject for ApiKey {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl ApiKey {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The secret's first characters, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// A new API key and its secret, shown this once.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// The secret; store it now, it cannot be shown again.
    pub secret: String,
}
