//! Sign-up, log-in, email verification and a user's own account.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::audit::{Change, record};
use crate::crypto::{hash_password, random_token, sha256_hex};
use crate::db::Scope;
use crate::identity::auth::{Session, issue_session, session_workspace};
use crate::identity::security::{self, Notice};
use crate::identity::two_factor::{self, SecondFactor};
use crate::jobs::{NewJob, PasswordReset, VerifyEmail, enqueue_in};
use crate::mail::{self, Email};
use crate::validate::{self, Email as EmailAddr};
use crate::{
    Actor, Error, Membership, Parley, Result, Role, TenantCtx, User, Workspace, WorkspaceKind, dur, new_id, now, proof,
    throttle,
};
use crate::{UserCtx, UserId, WorkspaceId};
use entities::{email_verification, membership, password_reset, user, workspace};

/// How long a password reset link works.
const RESET_TTL: chrono::Duration = chrono::Duration::hours(1);

/// What a new customer fills in.
#[derive(Debug, Clone)]
pub struct SignUp {
    /// Login email.
    pub email: String,
    /// Password (checked for strength).
    pub password: String,
    /// The person's name.
    pub name: String,
    /// Name of the first workspace.
    pub workspace_name: String,
    /// `Business` or `Agency`.
    pub workspace_kind: WorkspaceKind,
}

/// Where a request comes from, for throttling.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's address, when known.
    pub ip: Option<String>,
}

impl Client {
    /// The address budgets are kept under (`unknown` when the socket gave none).
    pub(crate) fn address(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

/// What a sign-up answers: the same for a new address and a registered one, so the
/// answer does not tell anyone whether an email has an account.
#[derive(Debug, Clone)]
pub struct SignedUp {
    /// The address the next email went to (normalised).
    pub email: String,
}

/// Creates a user and their workspace (they own it) and emails a link to verify the
/// address; the new customer then logs in. An unverified address can log in and set up,
/// but not send to contacts.
///
/// When the address already has an account nothing is created and its owner is told by
/// email instead (at most once a day); the answer, the work done (one password hash) and
/// the email sent look the same either way.
pub async fn sign_up(p: &Parley, input: SignUp, client: &Client) -> Result<SignedUp> {
    let email = EmailAddr::parse("email", &input.email)?;
    let password = validate::password("password", &input.password)?;
    let name = validate::name("name", &input.name, 100)?;
    let ws_name = validate::name("workspaceName", &input.workspace_name, 100)?;
    if input.workspace_kind == WorkspaceKind::Client {
        return Err(Error::invalid("workspaceKind", "a client workspace is created by its agency"));
    }
    throttle::per_address(p, "signup-ip", client, p.settings().signups_per_ip).await?;
    // Hashed before the address is looked up, so both answers take the same time.
    let hash = hash_password(password).await?;
    let answer = SignedUp { email: email.as_str().to_owned() };

    let ws_id = new_id();
    let txn = p.db().begin(Scope::tenant(ws_id)).await?;
    if let Some(existing) = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await? {
        security::notify_in(&txn, p, &existing, None, Notice::SignUpAttempted).await?;
        txn.commit().await?;
        return Ok(answer);
    }
    let t = now();
    let u = user::ActiveModel {
        id: Set(new_id()),
        email: Set(email.as_str().to_owned()),
        name: Set(name),
        password_hash: Set(hash),
        email_verified_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    }
    .insert(&txn)
    .await?;
    let ws = workspace::ActiveModel {
        id: Set(ws_id),
        name: Set(ws_name),
        kind: Set(input.workspace_kind),
        parent_id: Set(None),
        created_at: Set(t),
    }
    .insert(&txn)
    .await?;
    let m = membership::ActiveModel {
        tenant_id: Set(ws.id),
        id: Set(new_id()),
        user_id: Set(u.id),
        role: Set(Role::Owner),
        via_agency_id: Set(None),
        created_at: Set(t),
    }
    .insert(&txn)
    .await?;
    let ctx = TenantCtx::new(ws.id, Actor::User { id: u.id, email: u.email.clone() }, Role::Owner);
    record(&txn, &ctx, Change::new("workspace.created", ws.id).after(ws_json(&ws))).await?;
    record(&txn, &ctx, Change::new("member.added", m.id).after(member_json(&m))).await?;
    enqueue_in(&txn, p, &ctx, NewJob::of(&VerifyEmail { user_id: u.id }).key(format!("verify:{}", u.id))).await?;
    txn.commit().await?;
    Ok(answer)
}

pub(crate) fn ws_json(ws: &Workspace) -> serde_json::Value {
    serde_json::json!({ "name": ws.name, "kind": ws.kind, "parentId": ws.parent_id })
}

pub(crate) fn member_json(m: &Membership) -> serde_json::Value {
    serde_json::json!({ "userId": m.user_id, "role": m.role, "viaAgency": m.via_agency_id.is_some() })
}

/// Logs in with email and password, and the code from the user's authenticator app (or
/// a recovery code) when two-factor log-in is on. Each attempt is reserved against the
/// budgets of [`crate::proof`] before anything is checked, wrong codes included, so a
/// burst gets no more tries than a patient guesser.
pub async fn log_in(
    p: &Parley,
    email: &str,
    password: &str,
    totp_code: Option<&str>,
    client: &Client,
) -> Result<Session> {
    let email = EmailAddr::parse("email", email)?;
    if password.is_empty() {
        return Err(Error::invalid("password", "is required"));
    }
    let attempt = proof::begin(p, email.as_str(), client).await?;
    let found = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(p.db().global()).await?;
    // Verified outside any transaction: hashing takes tens of milliseconds and must not
    // hold a connection.
    let ok = proof::password_matches(found.as_ref(), password).await?;
    let (Some(u), true) = (found, ok) else {
        return Err(Error::Unauthenticated("the email or password is wrong".into()));
    };
    let txn = p.db().begin(Scope::default()).await?;
    second_factor(&txn, p, &u, totp_code).await?;
    let ws = session_workspace(p, &txn, u.id, None).await?;
    let session = issue_session(p, &txn, u, ws, None).await?;
    txn.commit().await?;
    attempt.succeeded(p).await?;
    Ok(session)
}

/// Checks the second factor of someone whose password was right (inside the caller's
/// transaction, which spends the code). The attempt was reserved already, so a wrong
/// code has counted.
pub(crate) async fn second_factor(
    txn: &sea_orm::DatabaseTransaction,
    p: &Parley,
    u: &User,
    totp_code: Option<&str>,
) -> Result<()> {
    match two_factor::check(txn, &p.settings().secrets, u.id, totp_code).await? {
        SecondFactor::NotNeeded | SecondFactor::Passed => Ok(()),
        SecondFactor::PassedWithRecoveryCode => {
            let left = two_factor::codes_left(txn, u.id).await?;
            security::notify_in(txn, p, u, None, Notice::RecoveryCodeUsed { left }).await
        }
        SecondFactor::Missing => {
            Err(Error::invalid("totpCode", "enter the 6-digit code from your authenticator app, or a recovery code"))
        }
        SecondFactor::Wrong => Err(Error::invalid("totpCode", "is wrong, expired or already used")),
    }
}

/// The account of the person a session or credential names. `users` holds no tenant
/// data, so this is one statement on the pool, with no transaction around it.
pub async fn account(user: &UserCtx, p: &Parley) -> Result<User> {
    user_by_id(p, user.id()).await
}

/// An account by ID, for the rules that already know whose it is.
pub(crate) async fn user_by_id(p: &Parley, id: UserId) -> Result<User> {
    user::Entity::find_by_id(id).one(p.db().global()).await?.ok_or(Error::NotFound)
}

/// Each workspace the person belongs to, with their role there, oldest first.
pub async fn memberships(user: &UserCtx, p: &Parley) -> Result<Vec<(Membership, Workspace)>> {
    let user_id = user.id();
    let txn = p.db().begin(Scope { user: Some(user_id), ..Default::default() }).await?;
    let ms = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .order_by_asc(membership::Column::CreatedAt)
        .all(&txn)
        .await?;
    let ids: Vec<WorkspaceId> = ms.iter().map(|m| m.tenant_id).collect();
    let wss = workspace::Entity::find().filter(workspace::Column::Id.is_in(ids)).all(&txn).await?;
    txn.commit().await?;
    Ok(ms.into_iter().filter_map(|m| wss.iter().find(|w| w.id == m.tenant_id).cloned().map(|w| (m, w))).collect())
}

/// Composes the verification email with a fresh single-use link; `None` when the
/// address is already verified (the job then has nothing to send).
pub async fn prepare_verification_email(ctx: &TenantCtx, p: &Parley, user_id: UserId) -> Result<Option<Email>> {
    let txn = p.tenant_tx(ctx).await?;
    let u = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(Error::NotFound)?;
    if u.email_verified_at.is_some() {
        return Ok(None);
    }
    let token = random_token();
    let t = now();
    email_verification::ActiveModel {
        id: Set(new_id()),
        user_id: Set(u.id),
        token_hash: Set(sha256_hex(&token)),
        created_at: Set(t),
        expires_at: Set(t + dur(p.settings().verification_ttl)),
        used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let link = format!("{}/verify-email?token={token}", p.settings().public_url);
    Ok(Some(mail::verification(&u.email, &u.name, &link)))
}

/// Marks the address behind a verification link as verified (single use, expiring).
pub async fn verify_email(p: &Parley, token: &str) -> Result<User> {
    let bad = || Error::invalid("token", "the link is invalid, used or expired");
    let txn = p.db().begin(Scope::default()).await?;
    let v = email_verification::Entity::find()
        .filter(email_verification::Column::TokenHash.eq(sha256_hex(token.trim())))
        .one(&txn)
        .await?
        .ok_or_else(bad)?;
    if v.used_at.is_some() || v.expires_at <= now() {
        return Err(bad());
    }
    let mut used: email_verification::ActiveModel = v.clone().into();
    used.used_at = Set(Some(now()));
    used.update(&txn).await?;
    let u = user::Entity::find_by_id(v.user_id).one(&txn).await?.ok_or(Error::NotFound)?;
    let u = if u.email_verified_at.is_none() {
        let mut am: user::ActiveModel = u.into();
        am.email_verified_at = Set(Some(now()));
        am.updated_at = Set(now());
        am.update(&txn).await?
    } else {
        u
    };
    txn.commit().await?;
    Ok(u)
}

/// Sends a new verification link to the acting user.
pub async fn resend_verification_email(ctx: &TenantCtx, p: &Parley) -> Result<User> {
    let user_id = ctx.user_id().ok_or_else(|| Error::forbidden("only a person can verify an email address"))?;
    let txn = p.tenant_tx(ctx).await?;
    let u = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(Error::NotFound)?;
    if u.email_verified_at.is_some() {
        return Err(Error::Conflict("the email address is already verified".into()));
    }
    // One resend per minute: the key names the minute.
    let minute = now().timestamp() / 60;
    let new =
        enqueue_in(&txn, p, ctx, NewJob::of(&VerifyEmail { user_id: u.id }).key(format!("verify:{}:{minute}", u.id)))
            .await?;
    txn.commit().await?;
    if !new {
        return Err(Error::RateLimited("a verification email was just sent; wait a minute".into()));
    }
    Ok(u)
}

/// Changes the acting user's display name.
pub async fn update_profile(user: &UserCtx, p: &Parley, name: &str) -> Result<User> {
    let user_id = user.id();
    let name = validate::name("name", name, 100)?;
    let txn = p.db().begin(Scope::default()).await?;
    let u = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(Error::NotFound)?;
    let mut am: user::ActiveModel = u.into();
    am.name = Set(name);
    am.updated_at = Set(now());
    let u = am.update(&txn).await?;
    txn.commit().await?;
    Ok(u)
}

/// Changes the acting user's password after checking the current one (through the
/// log-in throttle), and ends every session (all refresh tokens are revoked).
pub async fn change_password(user: &UserCtx, p: &Parley, current: &str, new: &str, client: &Client) -> Result<User> {
    let user_id = user.id();
    let new = validate::password("newPassword", new)?;
    let u = user_by_id(p, user_id).await?;
    proof::current_password(p, &u, current, "currentPassword", client).await?;
    let hash = hash_password(new).await?;
    let txn = p.db().begin(Scope::default()).await?;
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(hash);
    am.updated_at = Set(now());
    let u = am.update(&txn).await?;
    crate::identity::auth::revoke_all_sessions(&txn, u.id).await?;
    security::notify_in(&txn, p, &u, None, Notice::PasswordChanged).await?;
    txn.commit().await?;
    Ok(u)
}

/// Moves the login to `new_email` once the current password (through the log-in
/// throttle) proves it is the user; the new address must be verified again, and the
/// old one is told where the account went.
pub async fn change_email(user: &UserCtx, p: &Parley, new_email: &str, current: &str, client: &Client) -> Result<User> {
    let user_id = user.id();
    let email = EmailAddr::parse("newEmail", new_email)?;
    let u = user_by_id(p, user_id).await?;
    if u.email == email.as_str() {
        return Err(Error::invalid("newEmail", "is already your email"));
    }
    proof::current_password(p, &u, current, "currentPassword", client).await?;
    let old = u.email.clone();
    let txn = p.db().begin(Scope::default()).await?;
    if user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await?.is_some() {
        return Err(Error::Conflict("another account uses this email".into()));
    }
    let mut am: user::ActiveModel = u.into();
    am.email = Set(email.as_str().to_owned());
    am.email_verified_at = Set(None);
    am.updated_at = Set(now());
    let u = am.update(&txn).await?;
    security::notify_in(&txn, p, &u, Some(&old), Notice::EmailChanged { to: u.email.clone() }).await?;
    let ws = session_workspace(p, &txn, u.id, None).await?;
    crate::identity::auth::set_tenant_scope(&txn, ws.id).await?;
    let ctx = TenantCtx::new(ws.id, Actor::User { id: u.id, email: u.email.clone() }, Role::Viewer);
    let minute = now().timestamp() / 60;
    enqueue_in(&txn, p, &ctx, NewJob::of(&VerifyEmail { user_id: u.id }).key(format!("verify:{}:{minute}", u.id)))
        .await?;
    txn.commit().await?;
    Ok(u)
}

/// A user visible from the context: the actor, or a member of the context's workspace.
pub async fn get_user(ctx: &TenantCtx, p: &Parley, user_id: UserId) -> Result<User> {
    let txn = p.tenant_tx(ctx).await?;
    if ctx.user_id() != Some(user_id) {
        use crate::db::TenantOwned;
        membership::Entity::scoped(ctx)
            .filter(membership::Column::UserId.eq(user_id))
            .one(&txn)
            .await?
            .ok_or(Error::NotFound)?;
    }
    let u = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(Error::NotFound)?;
    txn.commit().await?;
    Ok(u)
}

/// The users among `ids` visible from the context (the actor, and members of the
/// context's workspace), read at once: a page of memberships costs one lookup, not one
/// per row. Others are left out, as `get_user` would not find them.
pub async fn visible_users(ctx: &TenantCtx, p: &Parley, ids: &[UserId]) -> Result<Vec<User>> {
    use crate::db::TenantOwned;
    let txn = p.tenant_tx(ctx).await?;
    let mut visible: Vec<UserId> = membership::Entity::scoped(ctx)
        .filter(membership::Column::UserId.is_in(ids.iter().copied()))
        .all(&txn)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    visible.extend(ctx.user_id().filter(|me| ids.contains(me)));
    visible.sort_unstable();
    visible.dedup();
    let users = users_by_id(&txn, visible).await?;
    txn.commit().await?;
    Ok(users)
}

/// Loads the users with these IDs (for listing members).
pub(crate) async fn users_by_id<C: sea_orm::ConnectionTrait>(conn: &C, ids: Vec<UserId>) -> Result<Vec<User>> {
    Ok(user::Entity::find().filter(user::Column::Id.is_in(ids)).all(conn).await?)
}

/// Asks for a password reset link by email. Answers the same whether or not the
/// address has an account (nobody learns who is registered); a few requests per
/// address per window, then `RateLimited`.
pub async fn request_password_reset(p: &Parley, email: &str) -> Result<()> {
    let email = EmailAddr::parse("email", email)?;
    let key = format!("reset:{}", email.as_str());
    throttle::reserve(
        p.db(),
        &key,
        throttle::Limit::Window { max: p.settings().login_max_failures, window: p.settings().login_window },
    )
    .await?;
    let txn = p.db().begin(Scope::default()).await?;
    let found = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await?;
    if let Some(u) = found
        && let Ok(ws) = session_workspace(p, &txn, u.id, None).await
    {
        // The job belongs to the person's first workspace (jobs are owned by tenants).
        crate::identity::auth::set_tenant_scope(&txn, ws.id).await?;
        let ctx = TenantCtx::new(ws.id, Actor::User { id: u.id, email: u.email.clone() }, Role::Viewer);
        let minute = now().timestamp() / 60;
        enqueue_in(&txn, p, &ctx, NewJob::of(&PasswordReset { user_id: u.id }).key(format!("reset:{}:{minute}", u.id)))
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Composes the reset email with a fresh single-use link.
pub async fn prepare_password_reset_email(ctx: &TenantCtx, p: &Parley, user_id: UserId) -> Result<Option<Email>> {
    let txn = p.tenant_tx(ctx).await?;
    let Some(u) = user::Entity::find_by_id(user_id).one(&txn).await? else {
        return Ok(None);
    };
    let token = random_token();
    let t = now();
    password_reset::ActiveModel {
        id: Set(new_id()),
        user_id: Set(u.id),
        token_hash: Set(sha256_hex(&token)),
        created_at: Set(t),
        expires_at: Set(t + RESET_TTL),
        used_at: Set(None),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    let link = format!("{}/reset-password?token={token}", p.settings().public_url);
    Ok(Some(mail::password_reset(&u.email, &u.name, &link)))
}

/// Sets a new password with an emailed link (single use, one hour) and ends every
/// session of the account. The link is looked up before the password is hashed, so a
/// wrong link costs nothing but a lookup; wrong links count against the address.
pub async fn reset_password(p: &Parley, token: &str, new_password: &str, client: &Client) -> Result<User> {
    let bad = || Error::invalid("token", "the link is invalid, used or expired");
    let password = validate::password("newPassword", new_password)?;
    let ip_key = throttle::per_address(p, "reset-ip", client, p.settings().login_max_failures_per_ip).await?;
    let hashed_token = sha256_hex(token.trim());
    let r = password_reset::Entity::find()
        .filter(password_reset::Column::TokenHash.eq(hashed_token.clone()))
        .one(p.db().global())
        .await?
        .ok_or_else(bad)?;
    if r.used_at.is_some() || r.expires_at <= now() {
        return Err(bad());
    }
    throttle::release(p.db().global(), &ip_key).await?;
    let hash = hash_password(password).await?;
    let txn = p.db().begin(Scope::default()).await?;
    let claimed = password_reset::Entity::update_many()
        .col_expr(password_reset::Column::UsedAt, sea_orm::sea_query::Expr::value(now()))
        .filter(password_reset::Column::Id.eq(r.id))
        .filter(password_reset::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected != 1 {
        return Err(bad());
    }
    let u = user::Entity::find_by_id(r.user_id).one(&txn).await?.ok_or(Error::NotFound)?;
    let verified = u.email_verified_at.is_some();
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(hash);
    // The link reached the inbox, so the address is proven too.
    if !verified {
        am.email_verified_at = Set(Some(now()));
    }
    am.updated_at = Set(now());
    let u = am.update(&txn).await?;
    crate::identity::auth::revoke_all_sessions(&txn, u.id).await?;
    throttle::clear(&txn, &format!("login:{}", u.email)).await?;
    security::notify_in(&txn, p, &u, None, Notice::PasswordReset).await?;
    txn.commit().await?;
    Ok(u)
}
