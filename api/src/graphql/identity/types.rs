//! The person, their account and what identity operations answer.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::context::{OrGql, parley, user};
use crate::graphql::node::NodeObject;
use crate::graphql::team::Membership;
use crate::graphql::workspaces::Workspace;

/// A person with a login.
pub struct User(pub domain::User);

impl NodeObject for User {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl User {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Whether the person confirmed their address.
    async fn email_verified(&self) -> bool {
        self.0.email_verified_at.is_some()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether log-in asks for a code from an authenticator app (only for the person
    /// themself; null for others).
    async fn two_factor_enabled(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        let Some(me) = user(ctx).await.ok().filter(|me| me.id() == self.0.id) else {
            return Ok(None);
        };
        Ok(Some(domain::identity::two_factor::enabled(&me, parley(ctx)?).await.gql(ctx)?))
    }
    /// Unused recovery codes (only for the person themself; null for others).
    async fn recovery_codes_left(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i32>> {
        let Some(me) = user(ctx).await.ok().filter(|me| me.id() == self.0.id) else {
            return Ok(None);
        };
        let left = domain::identity::two_factor::recovery_codes_left(&me, parley(ctx)?).await.gql(ctx)?;
        Ok(Some(i32::try_from(left).unwrap_or(i32::MAX)))
    }
    /// The person's workspaces and roles (only for the person themself).
    async fn memberships(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Membership>> {
        let Some(me) = user(ctx).await.ok().filter(|me| me.id() == self.0.id) else {
            return Ok(Vec::new());
        };
        let list = domain::identity::accounts::memberships(&me, parley(ctx)?).await.gql(ctx)?;
        Ok(list.into_iter().map(|(m, w)| Membership { m, user: Some(self.0.clone()), workspace: Some(w) }).collect())
    }
}

/// Tokens of a new session, with its user and workspace.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived JWT for `Authorization: Bearer`. Null for the web client (requests
    /// with `X-Parley-CSRF`): its session lives in httpOnly cookies, so a script injected
    /// into the page has no token to steal.
    pub access_token: Option<String>,
    /// Single-use token for `refreshSession`. Null for the web client, for the same
    /// reason: the refresh cookie carries it.
    pub refresh_token: Option<String>,
    pub user: User,
    pub workspace: Workspace,
}

/// The result of logging out.
#[derive(SimpleObject)]
pub struct LogOutPayload {
    /// Always true: the session family has ended (or never existed).
    pub logged_out: bool,
}

/// A new authenticator secret, to add to the app (by hand or as a QR code of the URI).
#[derive(SimpleObject)]
pub struct TwoFactorSetup {
    /// The shared secret in base32.
    pub secret: String,
    /// `otpauth://totp/…`, what authenticator apps scan.
    pub otpauth_uri: String,
}

/// One-time recovery codes for two-factor log-in, each usable once in place of a code.
#[derive(SimpleObject)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// The answer to a sign-up: the same whether or not the address already had an account
/// (its owner gets an email instead), so it reveals nothing. Log in next.
#[derive(SimpleObject)]
pub struct SignUpPayload {
    /// The address the next email went to, normalised.
    pub email: String,
}

/// The result of asking for a password reset.
#[derive(SimpleObject)]
pub struct RequestPasswordResetPayload {
    /// Always true: if the address has an account, an email is on its way.
    pub requested: bool,
}
