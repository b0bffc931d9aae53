//! The audit trail.

use async_graphql::{ID, Json, Object};
use chrono::{DateTime, Utc};

use crate::graphql::ids::global_id;
use crate::graphql::node::NodeObject;

/// One line of the audit trail.
pub struct AuditEntry(pub domain::AuditEntry);

impl NodeObject for AuditEntry {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl AuditEntry {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    /// What was done, e.g. `member.role_changed`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Who did it (an email, an API key's name, or Parley).
    async fn actor(&self) -> &str {
        &self.0.actor_label
    }
    /// `user`, `api_key` or `system`.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    /// The global ID of the object acted on.
    async fn object_id(&self) -> Option<ID> {
        self.0.object_id.map(|id| global_id(&self.0.object_type, id))
    }
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.clone().map(Json)
    }
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.clone().map(Json)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
