//! Invitations and changes to members.

use async_graphql::{Context, ID, InputObject, Object};

use super::{Invitation, Membership};
use crate::graphql::context::{OrGql, parley, principal, tenant};
use crate::graphql::identity::{AuthPayload, client, payload};
use crate::graphql::node::id_of;
use crate::graphql::workspaces::Role;

/// Whom to invite, with which role.
#[derive(InputObject)]
pub struct InviteMemberInput {
    pub email: String,
    pub role: Role,
}

/// The invitation link's token and the invitee's details.
#[derive(InputObject)]
pub struct AcceptInvitationInput {
    pub token: String,
    /// A new account's password, or the existing account's (not needed when that
    /// account is the one signed in on this request).
    pub password: Option<String>,
    /// Required for a new account.
    pub name: Option<String>,
    /// The code from the authenticator app, or a recovery code, when the existing
    /// account has two-factor log-in on (as at `logIn`).
    pub totp_code: Option<String>,
}

/// A membership's new role.
#[derive(InputObject)]
pub struct ChangeMemberRoleInput {
    pub membership_id: ID,
    pub role: Role,
}

/// Team writes.
#[derive(Default)]
pub struct TeamMutation;

#[Object]
impl TeamMutation {
    /// Invites someone by email; the email is sent in the background.
    async fn invite_member(&self, ctx: &Context<'_>, input: InviteMemberInput) -> async_graphql::Result<Invitation> {
        let t = tenant(ctx).await?;
        Ok(Invitation(
            domain::team::invitations::invite(t, parley(ctx)?, &input.email, input.role.into()).await.gql(ctx)?,
        ))
    }

    /// Revokes a pending invitation.
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invitation> {
        let id = id_of::<Invitation>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Invitation(domain::team::invitations::revoke(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Accepts an invitation (signing up if new) and logs in to its workspace.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        input: AcceptInvitationInput,
    ) -> async_graphql::Result<AuthPayload> {
        // A signed-in session of the invited account needs no password; a credential that
        // does not check out simply does not count.
        let signed_in = match principal(ctx).await {
            Ok(domain::identity::auth::Principal::User { user_id, .. }) => Some(*user_id),
            _ => None,
        };
        let s = domain::team::invitations::accept(
            parley(ctx)?,
            domain::team::invitations::Accept {
                token: input.token,
                password: input.password,
                name: input.name,
                totp_code: input.totp_code,
                signed_in,
            },
            &client(ctx),
        )
        .await
        .gql(ctx)?;
        Ok(payload(ctx, s))
    }

    /// Changes a member's role.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        input: ChangeMemberRoleInput,
    ) -> async_graphql::Result<Membership> {
        let id = id_of::<Membership>("membershipId", &input.membership_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let m = domain::team::members::change_role(t, parley(ctx)?, id, input.role.into()).await.gql(ctx)?;
        Ok(Membership::from(m))
    }

    /// Removes a member (or leaves, for oneself).
    async fn remove_member(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Membership> {
        let id = id_of::<Membership>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let (m, user) = domain::team::members::remove(t, parley(ctx)?, id).await.gql(ctx)?;
        Ok(Membership { m, user, workspace: None })
    }
}
