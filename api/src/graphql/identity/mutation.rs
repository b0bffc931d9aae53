//! Sign-up, log-in, sessions and changes to the account.

use async_graphql::{Context, InputObject, Object};

use super::session::{clear_session_cookies, client, payload, refresh_token_arg};
use super::{
    AuthPayload, LogOutPayload, RecoveryCodes, RequestPasswordResetPayload, SignUpPayload, TwoFactorSetup, User,
};
use crate::graphql::context::{OrGql, parley, tenant, user};
use crate::graphql::workspaces::WorkspaceKind;

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

/// Identity writes.
#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Creates an account and its first workspace and emails a link to verify the
    /// address; then log in with `logIn`. When the address already has an account,
    /// nothing is created and its owner is told by email; the answer is the same.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> async_graphql::Result<SignUpPayload> {
        let s = domain::identity::accounts::sign_up(
            parley(ctx)?,
            domain::identity::accounts::SignUp {
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
        Ok(SignUpPayload { email: s.email })
    }

    /// Logs in with email and password.
    async fn log_in(&self, ctx: &Context<'_>, input: LogInInput) -> async_graphql::Result<AuthPayload> {
        let s = domain::identity::accounts::log_in(
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
        let s = domain::identity::auth::refresh_session(parley(ctx)?, &token).await.gql(ctx)?;
        Ok(payload(ctx, s))
    }

    /// Ends the session the refresh token belongs to.
    async fn log_out(&self, ctx: &Context<'_>, refresh_token: Option<String>) -> async_graphql::Result<LogOutPayload> {
        if let Ok(token) = refresh_token_arg(ctx, refresh_token) {
            domain::identity::auth::log_out(parley(ctx)?, &token).await.gql(ctx)?;
        }
        clear_session_cookies(ctx);
        Ok(LogOutPayload { logged_out: true })
    }

    /// Confirms an email address with the emailed link's token.
    async fn verify_email(&self, ctx: &Context<'_>, token: String) -> async_graphql::Result<User> {
        Ok(User(domain::identity::accounts::verify_email(parley(ctx)?, &token).await.gql(ctx)?))
    }

    /// Emails a password reset link if the address has an account (the answer is the
    /// same either way).
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> async_graphql::Result<RequestPasswordResetPayload> {
        domain::identity::accounts::request_password_reset(parley(ctx)?, &email).await.gql(ctx)?;
        Ok(RequestPasswordResetPayload { requested: true })
    }

    /// Sets a new password with the emailed link; every session of the account ends.
    async fn reset_password(&self, ctx: &Context<'_>, input: ResetPasswordInput) -> async_graphql::Result<User> {
        let u =
            domain::identity::accounts::reset_password(parley(ctx)?, &input.token, &input.new_password, &client(ctx))
                .await
                .gql(ctx)?;
        Ok(User(u))
    }

    /// Emails a new verification link.
    async fn resend_verification_email(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let t = tenant(ctx).await?;
        Ok(User(domain::identity::accounts::resend_verification_email(t, parley(ctx)?).await.gql(ctx)?))
    }

    /// Changes the display name of the person logged in.
    async fn update_profile(&self, ctx: &Context<'_>, input: UpdateProfileInput) -> async_graphql::Result<User> {
        let me = user(ctx).await?;
        Ok(User(domain::identity::accounts::update_profile(&me, parley(ctx)?, &input.name).await.gql(ctx)?))
    }

    /// Changes the password and ends every session.
    async fn change_password(&self, ctx: &Context<'_>, input: ChangePasswordInput) -> async_graphql::Result<User> {
        let me = user(ctx).await?;
        let u = domain::identity::accounts::change_password(
            &me,
            parley(ctx)?,
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
        let me = user(ctx).await?;
        let u = domain::identity::accounts::change_email(
            &me,
            parley(ctx)?,
            &input.new_email,
            &input.current_password,
            &client(ctx),
        )
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
        let me = user(ctx).await?;
        let setup =
            domain::identity::two_factor::start_setup(&me, parley(ctx)?, &password, &client(ctx)).await.gql(ctx)?;
        Ok(TwoFactorSetup { secret: setup.secret, otpauth_uri: setup.uri })
    }

    /// Turns two-factor log-in on with a first code from the app; the answer holds the
    /// recovery codes, shown this once.
    async fn confirm_two_factor_setup(&self, ctx: &Context<'_>, code: String) -> async_graphql::Result<RecoveryCodes> {
        let me = user(ctx).await?;
        let codes =
            domain::identity::two_factor::confirm_setup(&me, parley(ctx)?, &code, &client(ctx)).await.gql(ctx)?;
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
        let me = user(ctx).await?;
        let codes =
            domain::identity::two_factor::regenerate_recovery_codes(&me, parley(ctx)?, &password, &code, &client(ctx))
                .await
                .gql(ctx)?;
        Ok(RecoveryCodes { recovery_codes: codes })
    }

    /// Turns two-factor log-in off; the password proves it is the user.
    async fn disable_two_factor(&self, ctx: &Context<'_>, password: String) -> async_graphql::Result<User> {
        let me = user(ctx).await?;
        let p = parley(ctx)?;
        domain::identity::two_factor::disable(&me, p, &password, &client(ctx)).await.gql(ctx)?;
        Ok(User(domain::identity::accounts::account(&me, p).await.gql(ctx)?))
    }
}
