//! API keys: a secret shown once, stored as a hash, bound to one workspace and role.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, QueryOrder};

use crate::audit::{Change, record_in};
use crate::crypto::sha256_hex;
use crate::ctx::role_rank;
use crate::db::TenantOwned;
use crate::identity::auth::new_api_key_secret;
use crate::page::{Page, PageArgs};
use crate::{
    ApiKey, ApiKeyId, Audited, Error, Order, Parley, Permission, Result, Role, TenantCtx, TenantTx, TypedId, UserId,
    WorkspaceId, new_id, now, validate,
};
use entities::api_key;

fn key_json(k: &ApiKey) -> serde_json::Value {
    serde_json::json!({ "name": k.name, "prefix": k.prefix, "role": k.role, "revoked": k.revoked_at.is_some() })
}

fn with_reason(k: &ApiKey, reason: &str) -> serde_json::Value {
    let mut v = key_json(k);
    if let Some(o) = v.as_object_mut() {
        o.insert("reason".into(), reason.into());
    }
    v
}

/// The keys of `tenant` that `user_id` made, and the keys those keys made in turn: a
/// key acts with its maker's authority, so it must not outlive or outrank it.
async fn keys_made_by(tx: &TenantTx<'_>, tenant: WorkspaceId, user_id: UserId) -> Result<Vec<ApiKey>> {
    // A workspace holds a handful of keys; walking them in memory is one query.
    let mut rest = api_key::Entity::scoped_to(tenant).order_by_asc(api_key::Column::Id).all(tx).await?;
    let mut makers = vec![user_id.uuid()];
    let mut made = Vec::new();
    loop {
        let (found, others): (Vec<ApiKey>, Vec<ApiKey>) =
            rest.into_iter().partition(|k| makers.contains(&k.created_by));
        rest = others;
        if found.is_empty() {
            return Ok(made);
        }
        makers = found.iter().map(|k| k.id.uuid()).collect();
        made.extend(found);
    }
}

/// Revokes the live keys `user_id` made in `tenant` (their access there ended), each
/// audited in `tenant`'s trail with `reason`. The transaction must be scoped to `tenant`.
pub(crate) async fn revoke_keys_made_by(
    tx: &TenantTx<'_>,
    tenant: WorkspaceId,
    user_id: UserId,
    reason: &str,
) -> Result<()> {
    for k in keys_made_by(tx, tenant, user_id).await? {
        if k.revoked_at.is_none() {
            let (before, k) = (key_json(&k), set_revoked(tx, k).await?);
            let change = Change::new("api_key.revoked", k.id).before(before).after(with_reason(&k, reason));
            record_in(tx, tx.ctx(), tenant, change).await?;
        }
    }
    Ok(())
}

/// Lowers the live keys `user_id` made in `tenant` to at most `role` (their role there
/// was lowered), each audited with `reason`. The transaction must be scoped to `tenant`.
pub(crate) async fn cap_keys_made_by(
    tx: &TenantTx<'_>,
    tenant: WorkspaceId,
    user_id: UserId,
    role: Role,
    reason: &str,
) -> Result<()> {
    for k in keys_made_by(tx, tenant, user_id).await? {
        if k.revoked_at.is_some() || role_rank(k.role) <= role_rank(role) {
            continue;
        }
        let before = key_json(&k);
        let mut am: api_key::ActiveModel = k.into();
        am.role = Set(role);
        let k = am.update(tx).await?;
        let change = Change::new("api_key.role_capped", k.id).before(before).after(with_reason(&k, reason));
        record_in(tx, tx.ctx(), tenant, change).await?;
    }
    Ok(())
}

async fn set_revoked(tx: &TenantTx<'_>, k: ApiKey) -> Result<ApiKey> {
    let mut am: api_key::ActiveModel = k.into();
    am.revoked_at = Set(Some(now()));
    Ok(am.update(tx).await?)
}

impl Audited for ApiKey {
    fn audit_json(&self) -> serde_json::Value {
        key_json(self)
    }
}

/// Creates a key; the secret is returned this once and never stored.
pub async fn create(ctx: &TenantCtx, p: &Parley, name: &str, role: Role) -> Result<(ApiKey, String)> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageApiKeys)?;
    let name = validate::name("name", name, 100)?;
    if role_rank(role) > role_rank(tx.role()) {
        return Err(Error::forbidden("a key cannot hold a role above your own"));
    }
    if role == Role::Owner {
        return Err(Error::invalid("role", "a key cannot be an owner"));
    }
    let (secret, prefix) = new_api_key_secret(ctx.tenant_id());
    let row = api_key::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        prefix: Set(prefix),
        secret_hash: Set(sha256_hex(&secret)),
        role: Set(role),
        created_by: Set(ctx.actor().id().unwrap_or_default()),
        created_at: Set(now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    };
    let key = tx.create("api_key.created", row).await?;
    if let crate::Actor::User { id, email } = ctx.actor() {
        let notice = crate::identity::security::Notice::ApiKeyCreated { name: key.name.clone() };
        crate::identity::security::notify_ctx_in(&tx, p, ctx, *id, email, notice).await?;
    }
    tx.commit().await?;
    Ok((key, secret))
}

/// The workspace's keys, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<ApiKey>> {
    p.page::<api_key::Entity>(ctx, Permission::ManageApiKeys, Order::Oldest, args).await
}

/// One key of the workspace.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: ApiKeyId) -> Result<ApiKey> {
    p.find::<api_key::Entity>(ctx, Permission::ManageApiKeys, id).await
}

/// Revokes a key at once; revoking twice answers the already revoked key.
pub async fn revoke(ctx: &TenantCtx, p: &Parley, id: ApiKeyId) -> Result<ApiKey> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageApiKeys)?;
    let k = tx
        .update::<api_key::Entity>("api_key.revoked", id, |k| {
            if k.revoked_at.as_ref().is_none() {
                k.revoked_at = Set(Some(now()));
            }
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(k)
}
