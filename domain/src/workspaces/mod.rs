//! Workspaces and agencies: the current workspace, an agency's clients, and grants
//! that let agency members work inside a client.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::api_keys::{cap_keys_made_by, revoke_keys_made_by};
use crate::audit::{Change, record, record_in};
use crate::ctx::role_rank;
use crate::db::TenantOwned;
use crate::identity::accounts::{member_json, ws_json};
use crate::identity::auth::{restore_ctx_scope, set_tenant_scope, set_user_scope};
use crate::{
    Error, Membership, Parley, Permission, Result, Role, TenantCtx, TenantTx, Workspace, WorkspaceKind, new_id, now,
    validate,
};
use crate::{UserId, WorkspaceId};
use entities::{membership, workspace};

/// The workspace the context acts in.
pub async fn current(ctx: &TenantCtx, p: &Parley) -> Result<Workspace> {
    let txn = p.tenant_tx(ctx).await?;
    let ws = workspace::Entity::find_by_id(ctx.tenant_id()).one(&txn).await?.ok_or(Error::NotFound)?;
    txn.commit().await?;
    Ok(ws)
}

/// A workspace visible from the context: itself, or one of its clients (agency).
pub async fn get(ctx: &TenantCtx, p: &Parley, id: WorkspaceId) -> Result<Workspace> {
    let txn = p.tenant_tx(ctx).await?;
    let ws = workspace::Entity::find_by_id(id).one(&txn).await?.ok_or(Error::NotFound)?;
    txn.commit().await?;
    if ws.id == ctx.tenant_id() || ws.parent_id == Some(ctx.tenant_id()) { Ok(ws) } else { Err(Error::NotFound) }
}

/// The workspaces among `ids` visible from the context (itself, or its clients), read
/// at once; others are left out, as `get` would not find them.
pub async fn visible(ctx: &TenantCtx, p: &Parley, ids: &[WorkspaceId]) -> Result<Vec<Workspace>> {
    let txn = p.tenant_tx(ctx).await?;
    let found = workspace::Entity::find().filter(workspace::Column::Id.is_in(ids.iter().copied())).all(&txn).await?;
    txn.commit().await?;
    Ok(found.into_iter().filter(|ws| ws.id == ctx.tenant_id() || ws.parent_id == Some(ctx.tenant_id())).collect())
}

/// An agency's client workspaces, oldest first; empty for any other kind.
pub async fn clients(ctx: &TenantCtx, p: &Parley) -> Result<Vec<Workspace>> {
    let txn = p.tenant_tx(ctx).await?;
    txn.require(Permission::ReadWorkspace)?;
    let list = workspace::Entity::find()
        .filter(workspace::Column::ParentId.eq(ctx.tenant_id()))
        .order_by_asc(workspace::Column::CreatedAt)
        .all(&txn)
        .await?;
    txn.commit().await?;
    Ok(list)
}

async fn agency(tx: &TenantTx<'_>) -> Result<Workspace> {
    let ws = workspace::Entity::find_by_id(tx.tenant_id()).one(tx).await?.ok_or(Error::NotFound)?;
    if ws.kind != WorkspaceKind::Agency {
        return Err(Error::forbidden("only an agency workspace has client workspaces"));
    }
    Ok(ws)
}

/// Creates a client workspace under the acting agency. The person who creates it is
/// granted the admin role in it, so they can switch to it at once.
pub async fn create_client(ctx: &TenantCtx, p: &Parley, name: &str) -> Result<Workspace> {
    let txn = p.tenant_tx(ctx).await?;
    txn.require(Permission::ManageClients)?;
    let name = validate::name("name", name, 100)?;
    let agency = agency(&txn).await?;
    let t = now();
    let client = workspace::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        kind: Set(WorkspaceKind::Client),
        parent_id: Set(Some(agency.id)),
        created_at: Set(t),
    }
    .insert(&txn)
    .await?;
    record(&txn, ctx, Change::new("client.created", client.id).after(ws_json(&client))).await?;
    set_tenant_scope(&txn, client.id).await?;
    record_in(&txn, ctx, client.id, Change::new("workspace.created", client.id).after(ws_json(&client))).await?;
    if let Some(user_id) = ctx.user_id() {
        let m = membership::ActiveModel {
            tenant_id: Set(client.id),
            id: Set(new_id()),
            user_id: Set(user_id),
            role: Set(Role::Admin),
            via_agency_id: Set(Some(agency.id)),
            created_at: Set(t),
        }
        .insert(&txn)
        .await?;
        record_in(&txn, ctx, client.id, Change::new("member.granted", m.id).after(member_json(&m))).await?;
    }
    txn.commit().await?;
    Ok(client)
}

/// Gives a member of the acting agency a role in one of its clients (or changes it).
/// Unknown clients, other agencies' clients, and users who are not agency members
/// answer `NotFound`; nobody grants a role above their own.
pub async fn grant_client_access(
    ctx: &TenantCtx,
    p: &Parley,
    client_id: WorkspaceId,
    user_id: UserId,
    role: Role,
) -> Result<Membership> {
    let txn = p.tenant_tx(ctx).await?;
    txn.require(Permission::ManageClients)?;
    if role_rank(role) > role_rank(txn.role()) {
        return Err(Error::forbidden("you cannot grant a role above your own"));
    }
    let agency = agency(&txn).await?;
    let client = workspace::Entity::find_by_id(client_id).one(&txn).await?.ok_or(Error::NotFound)?;
    if client.parent_id != Some(agency.id) {
        return Err(Error::NotFound);
    }
    membership::Entity::scoped(ctx)
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::ViaAgencyId.is_null())
        .one(&txn)
        .await?
        .ok_or(Error::NotFound)?;
    set_tenant_scope(&txn, client.id).await?;
    let existing =
        membership::Entity::scoped_to(client.id).filter(membership::Column::UserId.eq(user_id)).one(&txn).await?;
    let m = match existing {
        Some(m) if m.via_agency_id.is_none() => {
            return Err(Error::Conflict("this person is already a member of the client workspace".into()));
        }
        Some(m) => {
            let before = member_json(&m);
            let lowered = role_rank(role) < role_rank(m.role);
            let mut am: membership::ActiveModel = m.into();
            am.role = Set(role);
            let m = am.update(&txn).await?;
            if lowered {
                cap_keys_made_by(&txn, client.id, user_id, role, "the agency grant was lowered").await?;
            }
            record_in(&txn, ctx, client.id, Change::new("member.granted", m.id).before(before).after(member_json(&m)))
                .await?;
            m
        }
        None => {
            let m = membership::ActiveModel {
                tenant_id: Set(client.id),
                id: Set(new_id()),
                user_id: Set(user_id),
                role: Set(role),
                via_agency_id: Set(Some(agency.id)),
                created_at: Set(now()),
            }
            .insert(&txn)
            .await?;
            record_in(&txn, ctx, client.id, Change::new("member.granted", m.id).after(member_json(&m))).await?;
            m
        }
    };
    set_tenant_scope(&txn, agency.id).await?;
    record(&txn, ctx, Change::new("client.access_granted", client.id).after(member_json(&m))).await?;
    txn.commit().await?;
    Ok(m)
}

/// The grants an agency gave `user_id` in its clients. The person's own rows across
/// clients are readable through the user scope (read-only on PostgreSQL); the caller
/// must restore its own scope afterwards.
async fn agency_grants(txn: &TenantTx<'_>, agency_id: WorkspaceId, user_id: UserId) -> Result<Vec<Membership>> {
    set_user_scope(txn, user_id).await?;
    Ok(membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::ViaAgencyId.eq(agency_id))
        .order_by_asc(membership::Column::TenantId)
        .all(txn)
        .await?)
}

/// Removes every grant the acting agency gave `user_id` in its clients (they left the
/// agency), with the API keys they made there; each change lands in the client's trail.
pub(crate) async fn drop_agency_grants(txn: &TenantTx<'_>, user_id: UserId) -> Result<()> {
    let ctx = txn.ctx();
    let grants = agency_grants(txn, ctx.tenant_id(), user_id).await?;
    for g in grants {
        // Writes go through the client's own tenant wall, not the read-only user scope.
        set_tenant_scope(txn, g.tenant_id).await?;
        membership::Entity::delete_many()
            .filter(membership::Column::TenantId.eq(g.tenant_id))
            .filter(membership::Column::Id.eq(g.id))
            .exec(txn)
            .await?;
        let after = serde_json::json!({ "reason": "removed from the agency" });
        record_in(txn, ctx, g.tenant_id, Change::new("member.removed", g.id).before(member_json(&g)).after(after))
            .await?;
        revoke_keys_made_by(txn, g.tenant_id, user_id, "the agency grant ended").await?;
    }
    restore_ctx_scope(txn, ctx).await
}

/// Lowers every grant the acting agency gave `user_id` to at most `role` (their agency
/// role was lowered), and the API keys they made in those clients with it.
pub(crate) async fn cap_agency_grants(txn: &TenantTx<'_>, user_id: UserId, role: Role) -> Result<()> {
    let ctx = txn.ctx();
    let grants = agency_grants(txn, ctx.tenant_id(), user_id).await?;
    for g in grants {
        set_tenant_scope(txn, g.tenant_id).await?;
        let client = g.tenant_id;
        let capped = if role_rank(g.role) > role_rank(role) {
            let before = member_json(&g);
            let mut am: membership::ActiveModel = g.into();
            am.role = Set(role);
            let g = am.update(txn).await?;
            let mut after = member_json(&g);
            if let Some(o) = after.as_object_mut() {
                o.insert("reason".into(), "the agency role was lowered".into());
            }
            record_in(txn, ctx, client, Change::new("member.role_changed", g.id).before(before).after(after)).await?;
            g.role
        } else {
            g.role
        };
        cap_keys_made_by(txn, client, user_id, capped, "the agency role was lowered").await?;
    }
    restore_ctx_scope(txn, ctx).await
}
