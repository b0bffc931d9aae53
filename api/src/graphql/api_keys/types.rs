//! API keys of a workspace.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};

use crate::graphql::node::node_object;
use crate::graphql::workspaces::Role;

node_object! {
    /// A workspace API key (its secret is shown only when created).
    ApiKey(domain::ApiKey) {
        name: String,
        /// The secret's first characters, to recognise it.
        prefix: String,
        role: Role,
        created_at: DateTime<Utc>,
        last_used_at: Option<DateTime<Utc>>,
        revoked_at: Option<DateTime<Utc>>,
    }
}

/// A new API key and its secret, shown this once.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// The secret; store it now, it cannot be shown again.
    pub secret: String,
}
