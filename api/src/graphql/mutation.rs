//! Write operations.

use async_graphql::{Context, ID, InputObject, Object};

use super::context::{OrGql, RequestAuth, auth, parley, principal, tenant, user_id};
use super::ids::parse;
use super::types::*;

/// Root of all writes.
#[derive(Default)]
pub struct MutationRoot;

/// A new customer: the person and their first workspace.
#[derive(InputObject)]
pub struct SignUpInput {
    pub email: String,
    pub password: String,
    pub name: String,
    pub workspace_name: String,
    #[graphql(default_with = "WorkspaceKind::Business")]
    pub workspace_kind: WorkspaceKind,
}

/// Email and password.
#[derive(InputObject)]
pub struct LogInInput {
    pub email: String,
    pub password: String,
    /// The code from the authenticator app, or a recovery code, when two-factor log-in
    /// is on (without it such an account answers `BAD_USER_INPUT` on `totpCode`).
    pub totp_code: Option<String>,
}

/// A client workspace's name.
#[derive(InputObject)]
pub struct CreateClientWorkspaceInput {
    pub name: String,
}

/// Which agency member gets which role in which client.
#[derive(InputObject)]
pub struct GrantClientAccessInput {
    pub client_workspace_id: ID,
    pub user_id: ID,
    pub role: Role,
}

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

/// A new API key.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    pub name: String,
    pub role: Role,
}

/// The link's token and the new password.
#[derive(InputObject)]
pub struct ResetPasswordInput {
    pub token: String,
    pub new_password: String,
}

/// A new display name.
#[derive(InputObject)]
pub struct UpdateProfileInput {
    pub name: String,
}

/// The current and the new password.
#[derive(InputObject)]
pub struct ChangePasswordInput {
    pub current_password: String,
    pub new_password: String,
}

/// The new login email and the current password.
#[derive(InputObject)]
pub struct ChangeEmailInput {
    pub new_email: String,
    pub current_password: String,
}

const ACCESS_COOKIE: &str = "parley_at";
const REFRESH_COOKIE: &str = "parley_rt";

/// The web client keeps its session in httpOnly cookies rather than script memory.
fn set_session_cookies(ctx: &Context<'_>, a: &RequestAuth, s: &domain::auth::Session) {
    if !a.web_client {
        return;
    }
    let secure = parley(ctx).map(|p| p.settings().public_url.starts_with("https://")).unwrap_or(false);
    let flags = if secure { "; Secure" } else { "" };
    ctx.append_http_header(
        "Set-Cookie",
        format!("{ACCESS_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=900{flags}", s.access_token),
    );
    ctx.append_http_header(
        "Set-Cookie",
        format!("{REFRESH_COOKIE}={}; Path=/graphql; HttpOnly; SameSite=Lax; Max-Age=2592000{flags}", s.refresh_token),
    );
}

fn clear_session_cookies(ctx: &Context<'_>) {
    ctx.append_http_header("Set-Cookie", format!("{ACCESS_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"));
    ctx.append_http_header(
        "Set-Cookie",
        format!("{REFRESH_COOKIE}=; Path=/graphql; HttpOnly; SameSite=Lax; Max-Age=0"),
    );
}

/// The web client gets its tokens only as httpOnly cookies: page scripts never see
/// them. API clients get them in the answer.
fn payload(ctx: &Context<'_>, s: domain::auth::Session) -> AuthPayload {
    let a = auth(ctx);
    set_session_cookies(ctx, a, &s);
    let (access_token, refresh_token) =
        if a.web_client { (None, None) } else { (Some(s.access_token), Some(s.refresh_token)) };
    AuthPayload { access_token, refresh_token, user: User(s.user), workspace: Workspace(s.workspace) }
}

fn client(ctx: &Context<'_>) -> domain::accounts::Client {
    domain::accounts::Client { ip: auth(ctx).ip.clone() }
}

fn refresh_token_arg(ctx: &Context<'_>, token: Option<String>) -> async_graphql::Result<String> {
    token
        .or_else(|| auth(ctx).refresh_cookie.clone())
        .ok_or(domain::Error::invalid("refreshToken", "is required"))
        .gql(ctx)
}

#[Object]
impl MutationRoot {
    /// Creates an account and its first workspace, and logs in.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> async_graphql::Result<AuthPayload> {
        let s = domain::accounts::sign_up(
            parley(ctx)?,
            domain::accounts::SignUp {
                email: input.email,
                password: input.password,
                name: input.name,
                workspace_name: input.workspace_name,
                workspace_kind: input.workspace_kind.into(),
            },
            &client(ctx),
        )
        .await
        .gql(ctx)?;
        Ok(payload(ctx, s))
    }

    /// Logs in with email and password.
    async fn log_in(&self, ctx: &Context<'_>, input: LogInInput) -> async_graphql::Result<AuthPayload> {
        let s = domain::accounts::log_in(
            parley(ctx)?,
            &input.email,
            &input.password,
            input.totp_code.as_deref(),
            &client(ctx),
        )
        .await
        .gql(ctx)?;
        Ok(payload(ctx, s))
    }

    /// Trades a refresh token (or the web client's cookie) for a new session.
    async fn refresh_session(
        &self,
        ctx: &Context<'_>,
        refresh_token: Option<String>,
    ) -> async_graphql::Result<AuthPayload> {
        let token = refresh_token_arg(ctx, refresh_token)?;
        let s = domain::auth::refresh_session(parley(ctx)?, &token).await.gql(ctx)?;
        Ok(payload(ctx, s))
    }

    /// Ends the session the refresh token belongs to.
    async fn log_out(&self, ctx: &Context<'_>, refresh_token: Option<String>) -> async_graphql::Result<LogOutPayload> {
        if let Ok(token) = refresh_token_arg(ctx, refresh_token) {
            domain::auth::log_out(parley(ctx)?, &token).await.gql(ctx)?;
        }
        clear_session_cookies(ctx);
        Ok(LogOutPayload { logged_out: true })
    }

    /// Confirms an email address with the emailed link's token.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> async_graphql::Result<User> {
        Ok(User(domain::accounts::verify_email(parley(ctx)?, &token).await.gql(ctx)?))
    }

    /// Emails a password reset link if the address has an account (the answer is the
    /// same either way).
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> async_graphql::Result<RequestPasswordResetPayload> {
        domain::accounts::request_password_reset(parley(ctx)?, &email).await.gql(ctx)?;
        Ok(RequestPasswordResetPayload { requested: true })
    }

    /// Sets a new password with the emailed link; every session of the account ends.
    async fn reset_password(&self, ctx: &Context<'_>, input: ResetPasswordInput) -> async_graphql::Result<User> {
        let u = domain::accounts::reset_password(parley(ctx)?, &input.token, &input.new_password, &client(ctx))
            .await
            .gql(ctx)?;
        Ok(User(u))
    }

    /// Emails a new verification link.
    async fn resend_verification_email(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let t = tenant(ctx).await?;
        Ok(User(domain::accounts::resend_verification_email(t, parley(ctx)?).await.gql(ctx)?))
    }

    /// Changes the display name of the person logged in.
    async fn update_profile(&self, ctx: &Context<'_>, input: UpdateProfileInput) -> async_graphql::Result<User> {
        let uid = user_id(ctx).await?;
        Ok(User(domain::accounts::update_profile(parley(ctx)?, uid, &input.name).await.gql(ctx)?))
    }

    /// Changes the password and ends every session.
    async fn change_password(&self, ctx: &Context<'_>, input: ChangePasswordInput) -> async_graphql::Result<User> {
        let uid = user_id(ctx).await?;
        let u = domain::accounts::change_password(
            parley(ctx)?,
            uid,
            &input.current_password,
            &input.new_password,
            &client(ctx),
        )
        .await
        .gql(ctx)?;
        Ok(User(u))
    }

    /// Changes the login email (the current password proves it is the user); the new
    /// address gets a verification link, the old one a notice.
    async fn change_email(&self, ctx: &Context<'_>, input: ChangeEmailInput) -> async_graphql::Result<User> {
        let uid = user_id(ctx).await?;
        let u =
            domain::accounts::change_email(parley(ctx)?, uid, &input.new_email, &input.current_password, &client(ctx))
                .await
                .gql(ctx)?;
        Ok(User(u))
    }

    /// Starts turning on two-factor log-in: a new secret for the user's authenticator
    /// app, once the current password proves it is the user. Log-in is unchanged until
    /// `confirmTwoFactorSetup`.
    async fn start_two_factor_setup(
        &self,
        ctx: &Context<'_>,
        password: String,
    ) -> async_graphql::Result<TwoFactorSetup> {
        let uid = user_id(ctx).await?;
        let setup = domain::two_factor::start_setup(parley(ctx)?, uid, &password, &client(ctx)).await.gql(ctx)?;
        Ok(TwoFactorSetup { secret: setup.secret, otpauth_uri: setup.uri })
    }

    /// Turns two-factor log-in on with a first code from the app; the answer holds the
    /// recovery codes, shown this once.
    async fn confirm_two_factor_setup(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<RecoveryCodes> {
        let uid = user_id(ctx).await?;
        let codes = domain::two_factor::confirm_setup(parley(ctx)?, uid, &code, &client(ctx)).await.gql(ctx)?;
        Ok(RecoveryCodes { recovery_codes: codes })
    }

    /// Replaces the recovery codes with new ones; the current password and a current
    /// code from the app prove it is the user. The new codes are in the answer and
    /// nowhere else.
    async fn regenerate_recovery_codes(
        &self,
        ctx: &Context<'_>,
        password: String,
        code: String,
    ) -> async_graphql::Result<RecoveryCodes> {
        let uid = user_id(ctx).await?;
        let codes = domain::two_factor::regenerate_recovery_codes(parley(ctx)?, uid, &password, &code, &client(ctx))
            .await
            .gql(ctx)?;
        Ok(RecoveryCodes { recovery_codes: codes })
    }

    /// Turns two-factor log-in off; the password proves it is the user.
    async fn disable_two_factor(&self, ctx: &Context<'_>, password: String) -> async_graphql::Result<User> {
        let uid = user_id(ctx).await?;
        let p = parley(ctx)?;
        domain::two_factor::disable(p, uid, &password, &client(ctx)).await.gql(ctx)?;
        Ok(User(domain::accounts::account(p, uid).await.gql(ctx)?))
    }

    /// Creates a client workspace under the current agency workspace.
    async fn create_client_workspace(
        &self,
        ctx: &Context<'_>,
        input: CreateClientWorkspaceInput,
    ) -> async_graphql::Result<Workspace> {
        let t = tenant(ctx).await?;
        Ok(Workspace(domain::workspaces::create_client(t, parley(ctx)?, &input.name).await.gql(ctx)?))
    }

    /// Gives an agency member a role in one of the agency's clients.
    async fn grant_client_access(
        &self,
        ctx: &Context<'_>,
        input: GrantClientAccessInput,
    ) -> async_graphql::Result<Membership> {
        let client = parse("Workspace", "clientWorkspaceId", &input.client_workspace_id).gql(ctx)?;
        let user = parse("User", "userId", &input.user_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let m =
            domain::workspaces::grant_client_access(t, parley(ctx)?, client, user, input.role.into()).await.gql(ctx)?;
        Ok(Membership { m, user: None, workspace: None })
    }

    /// Invites someone by email; the email is sent in the background.
    async fn invite_member(&self, ctx: &Context<'_>, input: InviteMemberInput) -> async_graphql::Result<Invitation> {
        let t = tenant(ctx).await?;
        Ok(Invitation(domain::invitations::invite(t, parley(ctx)?, &input.email, input.role.into()).await.gql(ctx)?))
    }

    /// Revokes a pending invitation.
    async fn revoke_invitation(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invitation> {
        let id = parse("Invitation", "id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Invitation(domain::invitations::revoke(t, parley(ctx)?, id).await.gql(ctx)?))
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
            Ok(domain::auth::Principal::User { user_id, .. }) => Some(*user_id),
            _ => None,
        };
        let s = domain::invitations::accept(
            parley(ctx)?,
            domain::invitations::Accept {
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
        let id = parse("Membership", "membershipId", &input.membership_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let m = domain::members::change_role(t, parley(ctx)?, id, input.role.into()).await.gql(ctx)?;
        Ok(Membership { m, user: None, workspace: None })
    }

    /// Removes a member (or leaves, for oneself).
    async fn remove_member(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Membership> {
        let id = parse("Membership", "id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let p = parley(ctx)?;
        let m = domain::members::remove(t, p, id).await.gql(ctx)?;
        let user = domain::accounts::account(p, m.user_id).await.ok();
        Ok(Membership { m, user, workspace: None })
    }

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
        let id = parse("ApiKey", "id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(ApiKey(domain::api_keys::revoke(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Puts a dead job back on the queue.
    async fn retry_job(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Job> {
        let id = parse("Job", "id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Job(domain::jobs::retry(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
