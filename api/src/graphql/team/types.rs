//! Members and invitations of a workspace.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};

use crate::graphql::context::OrGql;
use crate::graphql::identity::User;
use crate::graphql::loaders::loaders;
use crate::graphql::node::NodeObject;
use crate::graphql::workspaces::{Role, Workspace};

/// Where an invitation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum InvitationStatus {
    /// Sent, not yet accepted.
    Pending,
    /// Accepted.
    Accepted,
    /// Revoked (or replaced by a newer invitation).
    Revoked,
    /// Not accepted in time.
    Expired,
}

/// A user's role in a workspace.
pub struct Membership {
    /// The membership itself.
    pub m: domain::Membership,
    /// Its user, when already read with it.
    pub user: Option<domain::User>,
    /// Its workspace, when already read with it.
    pub workspace: Option<domain::Workspace>,
}

impl From<domain::Membership> for Membership {
    fn from(m: domain::Membership) -> Self {
        Membership { m, user: None, workspace: None }
    }
}

impl NodeObject for Membership {
    fn node_id(&self) -> Self::Id {
        self.m.id
    }
}

#[Object]
impl Membership {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn role(&self) -> Role {
        self.m.role.into()
    }
    /// Whether this is an agency's grant into its client.
    async fn via_agency(&self) -> bool {
        self.m.via_agency_id.is_some()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.m.created_at
    }
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        if let Some(u) = &self.user {
            return Ok(User(u.clone()));
        }
        let found = loaders(ctx).await?.users.load_one(self.m.user_id).await?;
        Ok(User(found.ok_or(domain::Error::NotFound).gql(ctx)?))
    }
    async fn workspace(&self, ctx: &Context<'_>) -> async_graphql::Result<Workspace> {
        if let Some(w) = &self.workspace {
            return Ok(Workspace(w.clone()));
        }
        let found = loaders(ctx).await?.workspaces.load_one(self.m.tenant_id).await?;
        Ok(Workspace(found.ok_or(domain::Error::NotFound).gql(ctx)?))
    }
}

/// An invitation to join a workspace.
pub struct Invitation(pub domain::Invitation);

impl NodeObject for Invitation {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl Invitation {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn status(&self) -> InvitationStatus {
        match domain::team::invitations::shown_status(&self.0) {
            "PENDING" => InvitationStatus::Pending,
            "ACCEPTED" => InvitationStatus::Accepted,
            "EXPIRED" => InvitationStatus::Expired,
            _ => InvitationStatus::Revoked,
        }
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
}
