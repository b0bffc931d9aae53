//! Authentication: access tokens (JWT), refresh tokens with rotation, API keys, and the
//! one place a request's [`TenantCtx`] is built.

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::crypto::{random_alnum, random_token, sha256_hex};
use crate::db::{Scope, TenantOwned};
use crate::{
    Actor, ApiKeyId, Error, Parley, Result, Role, TenantCtx, TypedId, User, UserCtx, UserId, Workspace, WorkspaceId,
    dur, new_id, now,
};
use entities::{api_key, membership, refresh_token, user, workspace};

/// Issuer of access tokens.
pub const ISSUER: &str = "parley";
/// Audience of access tokens.
pub const AUDIENCE: &str = "parley-api";
/// How API key secrets begin, so a leaked one is easy to recognise.
pub const API_KEY_PREFIX: &str = "prly_sk_";

/// Claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    iss: String,
    aud: String,
    sub: UserId,
    exp: i64,
    iat: i64,
    jti: Uuid,
    /// The workspace the session started in (the default when a request names none).
    wid: WorkspaceId,
    email: String,
}

/// Who presented valid credentials, before a workspace is chosen.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A person, by access token.
    User { user_id: UserId, email: String, default_workspace: WorkspaceId },
    /// A workspace API key.
    ApiKey { tenant_id: WorkspaceId, key_id: ApiKeyId, name: String, role: Role },
}

/// What a successful log-in, sign-up or refresh hands back.
#[derive(Debug, Clone)]
pub struct Session {
    /// Short-lived JWT.
    pub access_token: String,
    /// Single-use refresh token.
    pub refresh_token: String,
    /// The user.
    pub user: User,
    /// The workspace the session starts in.
    pub workspace: Workspace,
}

fn access_token(p: &Parley, user: &User, workspace: WorkspaceId) -> Result<String> {
    let t = now();
    let claims = Claims {
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        sub: user.id,
        iat: t.timestamp(),
        exp: (t + dur(p.settings().access_ttl)).timestamp(),
        jti: new_id(),
        wid: workspace,
        email: user.email.clone(),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(p.settings().jwt_secret.expose().as_bytes()),
    )
    .map_err(Error::internal)
}

/// Verifies an access token: HS256 only, issuer, audience and expiry checked.
pub fn verify_access_token(p: &Parley, token: &str) -> Result<Principal> {
    let mut v = Validation::new(Algorithm::HS256);
    v.set_audience(&[AUDIENCE]);
    v.set_issuer(&[ISSUER]);
    v.set_required_spec_claims(&["exp", "iat", "sub", "aud", "iss"]);
    v.leeway = 5;
    let data = decode::<Claims>(token, &DecodingKey::from_secret(p.settings().jwt_secret.expose().as_bytes()), &v)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            Error::Unauthenticated(match e.kind() {
                ErrorKind::ExpiredSignature => "the access token has expired".into(),
                ErrorKind::InvalidAudience => "the access token is for another audience".into(),
                _ => "the access token is invalid".into(),
            })
        })?;
    Ok(Principal::User { user_id: data.claims.sub, email: data.claims.email, default_workspace: data.claims.wid })
}

/// Starts a session (or continues a refresh family) inside `conn`.
pub(crate) async fn issue_session<C: ConnectionTrait>(
    p: &Parley,
    conn: &C,
    user: User,
    workspace: Workspace,
    family: Option<Uuid>,
) -> Result<Session> {
    let refresh = random_token();
    let t = now();
    refresh_token::ActiveModel {
        id: Set(new_id()),
        user_id: Set(user.id),
        family_id: Set(family.unwrap_or_else(new_id)),
        token_hash: Set(sha256_hex(&refresh)),
        workspace_id: Set(workspace.id),
        created_at: Set(t),
        expires_at: Set(t + dur(p.settings().refresh_ttl)),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(Session { access_token: access_token(p, &user, workspace.id)?, refresh_token: refresh, user, workspace })
}

/// Ends every session of a user (after a password change or reset).
pub(crate) async fn revoke_all_sessions<C: ConnectionTrait>(conn: &C, user_id: UserId) -> Result<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(now()))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

async fn revoke_family<C: ConnectionTrait>(conn: &C, family: Uuid) -> Result<()> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(now()))
        .filter(refresh_token::Column::FamilyId.eq(family))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Trades a refresh token for a new session. A token is good once: it is spent by a
/// conditional update, so of two concurrent refreshes only one spends it. The other is
/// a reuse. Within a short leeway (`Settings::refresh_reuse_leeway`) a reuse continues
/// the family with a session of its own, so two browser tabs refreshing at the same
/// moment both stay signed in; later, a reuse means the token was copied, and the whole
/// family is revoked (whoever holds a newer token is logged out too).
pub async fn refresh_session(p: &Parley, token: &str) -> Result<Session> {
    let unauth = || Error::Unauthenticated("the refresh token is invalid or expired".into());
    let hash = sha256_hex(token.trim());
    let txn = p.db().begin(Scope::default()).await?;
    let Some(row) = refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(hash)).one(&txn).await?
    else {
        return Err(unauth());
    };
    if row.expires_at <= now() && row.revoked_at.is_none() {
        return Err(unauth());
    }
    let spent = if row.used_at.is_none() && row.revoked_at.is_none() {
        refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, sea_orm::sea_query::Expr::value(now()))
            .filter(refresh_token::Column::Id.eq(row.id))
            .filter(refresh_token::Column::UsedAt.is_null())
            .filter(refresh_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected
            == 1
    } else {
        false
    };
    if !spent {
        // Spent before (or just now, by a concurrent request): read it as it is now.
        let current = refresh_token::Entity::find_by_id(row.id).one(&txn).await?.ok_or_else(unauth)?;
        let leeway = dur(p.settings().refresh_reuse_leeway);
        let sibling = current.revoked_at.is_none() && current.used_at.is_some_and(|u| now() - u <= leeway);
        if !sibling {
            revoke_family(&txn, row.family_id).await?;
            txn.commit().await?;
            tracing::warn!(user = %row.user_id, family = %row.family_id, "refresh token reused; family revoked");
            return Err(Error::Unauthenticated(
                "the refresh token was already used; every session of it has ended".into(),
            ));
        }
    }
    let user = user::Entity::find_by_id(row.user_id).one(&txn).await?.ok_or_else(unauth)?;
    // The session's workspace may have been left since; fall back to any membership.
    let ws = match session_workspace(p, &txn, user.id, Some(row.workspace_id)).await {
        Ok(ws) => ws,
        Err(_) => return Err(unauth()),
    };
    let session = issue_session(p, &txn, user, ws, Some(row.family_id)).await?;
    txn.commit().await?;
    Ok(session)
}

/// Ends the session family a refresh token belongs to. Unknown tokens are ignored, so
/// logging out twice is harmless.
pub async fn log_out(p: &Parley, token: &str) -> Result<()> {
    let txn = p.db().begin(Scope::default()).await?;
    if let Some(row) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(sha256_hex(token.trim())))
        .one(&txn)
        .await?
    {
        revoke_family(&txn, row.family_id).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The workspace a session starts in: `preferred` if the user is still a member, else
/// the oldest membership.
pub(crate) async fn session_workspace<C: ConnectionTrait>(
    p: &Parley,
    conn: &C,
    user_id: UserId,
    preferred: Option<WorkspaceId>,
) -> Result<Workspace> {
    let _ = p;
    // The transaction's scope must carry `app.user_id` for this read on PostgreSQL.
    set_user_scope(conn, user_id).await?;
    let mut q = membership::Entity::find().filter(membership::Column::UserId.eq(user_id));
    if let Some(pref) = preferred
        && let Some(m) = q.clone().filter(membership::Column::TenantId.eq(pref)).one(conn).await?
    {
        return workspace::Entity::find_by_id(m.tenant_id).one(conn).await?.ok_or(Error::NotFound);
    }
    q = q.order_by_asc(membership::Column::CreatedAt);
    let m =
        q.one(conn).await?.ok_or_else(|| Error::forbidden("this account is no longer a member of any workspace"))?;
    workspace::Entity::find_by_id(m.tenant_id).one(conn).await?.ok_or(Error::NotFound)
}

/// Lets the current transaction read the memberships of `user_id` (PostgreSQL RLS).
pub(crate) async fn set_user_scope<C: ConnectionTrait>(conn: &C, user_id: UserId) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        conn.execute_unprepared(&format!("SELECT set_config('app.user_id', '{user_id}', true)")).await?;
    }
    Ok(())
}

/// Points the current transaction at `tenant` (PostgreSQL RLS); used where one use case
/// legitimately writes into a second workspace it has just checked (an agency's client).
pub(crate) async fn set_tenant_scope<C: ConnectionTrait>(conn: &C, tenant: WorkspaceId) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        conn.execute_unprepared(&format!("SELECT set_config('app.tenant_id', '{tenant}', true)")).await?;
    }
    Ok(())
}

/// Puts the current transaction back to `ctx`'s own scope after a use case reached into
/// another workspace or another person's memberships (PostgreSQL RLS).
pub(crate) async fn restore_ctx_scope<C: ConnectionTrait>(conn: &C, ctx: &TenantCtx) -> Result<()> {
    if conn.get_database_backend() == sea_orm::DbBackend::Postgres {
        let user = ctx.user_id().map(|u| u.to_string()).unwrap_or_default();
        conn.execute_unprepared(&format!(
            "SELECT set_config('app.tenant_id', '{}', true), set_config('app.user_id', '{user}', true)",
            ctx.tenant_id()
        ))
        .await?;
    }
    Ok(())
}

/// A new API key secret for `tenant`: `prly_sk_<40 random>_<workspace>`; the
/// workspace part lets authentication scope the lookup before it knows anything else.
pub(crate) fn new_api_key_secret(tenant: WorkspaceId) -> (String, String) {
    let random = random_alnum(40);
    let prefix = format!("{API_KEY_PREFIX}{}", random.get(..8).unwrap_or(&random));
    (format!("{API_KEY_PREFIX}{random}_{}", tenant.uuid().simple()), prefix)
}

async fn authenticate_api_key(p: &Parley, secret: &str) -> Result<Principal> {
    let invalid = || Error::Unauthenticated("the API key is invalid or revoked".into());
    let rest = secret.strip_prefix(API_KEY_PREFIX).ok_or_else(invalid)?;
    let (_, tenant) = rest.rsplit_once('_').ok_or_else(invalid)?;
    let tenant = WorkspaceId::from(Uuid::try_parse(tenant).map_err(|_| invalid())?);
    let txn = p.db().begin(Scope::tenant(tenant)).await?;
    let key = api_key::Entity::scoped_to(tenant)
        .filter(api_key::Column::SecretHash.eq(sha256_hex(secret)))
        .one(&txn)
        .await?
        .ok_or_else(invalid)?;
    if key.revoked_at.is_some() {
        return Err(invalid());
    }
    // Recording every use would add a write to every request; once a minute is enough.
    let t = now();
    if key.last_used_at.is_none_or(|last| t - last > chrono::Duration::seconds(60)) {
        api_key::Entity::update_many()
            .col_expr(api_key::Column::LastUsedAt, sea_orm::sea_query::Expr::value(t))
            .filter(api_key::Column::TenantId.eq(tenant))
            .filter(api_key::Column::Id.eq(key.id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Principal::ApiKey { tenant_id: tenant, key_id: key.id, name: key.name, role: key.role })
}

/// Checks a bearer credential (an access token or an API key secret).
pub async fn authenticate(p: &Parley, bearer: &str) -> Result<Principal> {
    let bearer = bearer.trim();
    if bearer.starts_with(API_KEY_PREFIX) {
        authenticate_api_key(p, bearer).await
    } else {
        verify_access_token(p, bearer)
    }
}

/// Builds the context a request acts in: the workspace it names (or the session's
/// default) and the role the principal holds there. An API key's role is its own; a
/// person's is read with their membership by the request's first tenant transaction
/// (or [`role`]). A workspace the principal has no membership or grant in answers
/// `NotFound`, exactly like one that does not exist.
pub fn tenant_ctx(principal: &Principal, workspace: Option<WorkspaceId>) -> Result<TenantCtx> {
    match principal {
        Principal::ApiKey { tenant_id, key_id, name, role } => {
            if workspace.is_some_and(|w| w != *tenant_id) {
                return Err(Error::NotFound);
            }
            Ok(TenantCtx::new(*tenant_id, Actor::ApiKey { id: *key_id, name: name.clone() }, *role))
        }
        Principal::User { user_id, email, default_workspace } => {
            let ws = workspace.unwrap_or(*default_workspace);
            let actor = Actor::User { id: *user_id, email: email.clone() };
            // The membership is read by the request's first tenant transaction.
            Ok(TenantCtx::claimed(ws, actor))
        }
    }
}

/// The role the context's actor holds, reading the membership when no transaction
/// has yet (`NotFound` when there is none).
pub async fn role(ctx: &TenantCtx, p: &Parley) -> Result<Role> {
    if let Some(role) = ctx.known_role() {
        return Ok(role);
    }
    let user = ctx.user_id().ok_or_else(|| Error::internal("a context with no role and no user"))?;
    let role = p.db().member_role(ctx.tenant_id(), user).await?.ok_or(Error::NotFound)?;
    ctx.confirm(role);
    Ok(role)
}

/// The account a principal acts on; API keys act for a workspace, not a person.
pub fn user_ctx(principal: &Principal) -> Result<UserCtx> {
    match principal {
        Principal::User { user_id, email, .. } => Ok(UserCtx::new(*user_id, email.clone())),
        Principal::ApiKey { .. } => Err(Error::forbidden("API keys act for a workspace, not for a user")),
    }
}
