//! Workspaces, their kinds and the roles people hold in them.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};

use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::NodeObject;

/// What a workspace is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::WorkspaceKind")]
pub enum WorkspaceKind {
    /// A business running its own marketing.
    Business,
    /// An agency managing client workspaces.
    Agency,
    /// A client workspace managed by an agency.
    Client,
}

/// A member's role in a workspace.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::Role")]
pub enum Role {
    /// Everything, including ownership.
    Owner,
    /// Everything but ownership.
    Admin,
    /// Runs marketing.
    Marketer,
    /// Reads results and the audit trail.
    Analyst,
    /// Approves budgets, campaigns and assets.
    Approver,
    /// Works leads.
    Sales,
    /// Reads only.
    Viewer,
}

/// A workspace (tenant).
pub struct Workspace(pub domain::Workspace);

impl NodeObject for Workspace {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl Workspace {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> WorkspaceKind {
        self.0.kind.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// An agency's client workspaces (empty for other kinds, and when read from
    /// anywhere but the agency itself).
    async fn clients(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Workspace>> {
        if self.0.kind != domain::WorkspaceKind::Agency {
            return Ok(Vec::new());
        }
        let t = tenant(ctx).await?;
        if t.tenant_id() != self.0.id {
            return Ok(Vec::new());
        }
        let list = domain::workspaces::clients(t, parley(ctx)?).await.gql(ctx)?;
        Ok(list.into_iter().map(Workspace).collect())
    }
    /// The secret URL bounces, delivery status notifications and feedback reports are
    /// posted to as raw messages (`message/rfc822`); point the return-path mailbox of
    /// your sending domains at it. Shown to those who run campaigns, in this workspace.
    async fn inbound_email_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        let t = tenant(ctx).await?;
        if t.tenant_id() != self.0.id || t.require(domain::Permission::ManageCampaigns).is_err() {
            return Ok(None);
        }
        Ok(Some(domain::campaigns::links::inbound_url(parley(ctx)?, self.0.id)))
    }
}
