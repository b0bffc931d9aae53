//! The audit trail of the current workspace.

use async_graphql::{Context, Object};

use super::AuditEntry;
use crate::graphql::connection::{Conn, list, page_cost};

/// Audit reads.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail of the current workspace, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<AuditEntry>> {
        list(ctx, first, after, domain::audit::list, AuditEntry).await
    }
}
