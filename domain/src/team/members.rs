//! Members of a workspace: list, change roles, remove.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::MembershipId;
use crate::Order;
use crate::api_keys::{cap_keys_made_by, revoke_keys_made_by};
use crate::audit::{Change, record};
use crate::ctx::role_rank;
use crate::db::TenantOwned;
use crate::identity::accounts::{member_json, users_by_id};
use crate::page::{Page, PageArgs};
use crate::{Audited, Error, Membership, Parley, Permission, Result, Role, TenantCtx, TenantTx, User};
use entities::membership;

/// The workspace's members with their users, in the order they joined.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<(Membership, User)>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let page = tx.page(membership::Entity::find(), Order::Oldest, args).await?;
    let users = users_by_id(&tx, page.items.iter().map(|m| m.user_id).collect()).await?;
    tx.commit().await?;
    Ok(page.filter_map(|m| users.iter().find(|u| u.id == m.user_id).cloned().map(|u| (m, u))))
}

/// One membership of the workspace.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: MembershipId) -> Result<Membership> {
    p.find::<membership::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// The workspace's owners, locked on PostgreSQL until the transaction ends: two owners
/// demoting or removing each other at once then run one after the other, and the second
/// sees that only one owner is left. (SQLite has one writer, which serialises them.)
async fn lock_owners(tx: &TenantTx<'_>) -> Result<Vec<Membership>> {
    let mut q = membership::Entity::scoped(tx.ctx())
        .filter(membership::Column::Role.eq(Role::Owner))
        .order_by_asc(membership::Column::Id);
    if tx.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    Ok(q.all(tx).await?)
}

fn may_manage(ctx: &TenantCtx, target: &Membership, new_role: Option<Role>) -> Result<()> {
    ctx.require(Permission::ManageMembers)?;
    let mine = role_rank(ctx.role()?);
    if role_rank(target.role) > mine || new_role.is_some_and(|r| role_rank(r) > mine) {
        return Err(Error::forbidden("you cannot manage a role above your own"));
    }
    Ok(())
}

/// Changes a member's role. Nobody raises anyone above their own role, and a workspace
/// always keeps an owner.
pub async fn change_role(ctx: &TenantCtx, p: &Parley, id: MembershipId, role: Role) -> Result<Membership> {
    let txn = p.tenant_tx(ctx).await?;
    // Lock before reading the member, so the read sees any demotion that won the lock.
    let owners = lock_owners(&txn).await?;
    let m = membership::Entity::secure_find(ctx, id, &txn).await?;
    may_manage(ctx, &m, Some(role))?;
    if m.role == Role::Owner && role != Role::Owner && owners.len() <= 1 {
        return Err(Error::Conflict("a workspace needs at least one owner".into()));
    }
    let before = member_json(&m);
    let lowered = role_rank(role) < role_rank(m.role);
    let mut am: membership::ActiveModel = m.into();
    am.role = Set(role);
    let m = am.update(&txn).await?;
    record(&txn, ctx, Change::new("member.role_changed", m.id).before(before).after(member_json(&m))).await?;
    if lowered {
        // What the person set up must not keep the authority they just lost.
        cap_keys_made_by(&txn, ctx.tenant_id(), m.user_id, role, "the member's role was lowered").await?;
        if m.via_agency_id.is_none() {
            crate::workspaces::cap_agency_grants(&txn, m.user_id, role).await?;
        }
    }
    txn.commit().await?;
    Ok(m)
}

/// Removes a member (anyone may leave; managing others needs the role). Leaving an
/// agency also ends that person's grants in its clients.
pub async fn remove(ctx: &TenantCtx, p: &Parley, id: MembershipId) -> Result<(Membership, Option<User>)> {
    let txn = p.tenant_tx(ctx).await?;
    let owners = lock_owners(&txn).await?;
    let m = membership::Entity::secure_find(ctx, id, &txn).await?;
    let leaving = ctx.user_id() == Some(m.user_id);
    if !leaving {
        may_manage(ctx, &m, None)?;
    }
    if m.role == Role::Owner && owners.len() <= 1 {
        return Err(Error::Conflict("a workspace needs at least one owner".into()));
    }
    let m = txn.delete::<membership::Entity>("member.removed", m).await?;
    let reason = match (leaving, m.via_agency_id.is_some()) {
        (true, _) => "the member left",
        (false, true) => "the agency grant was withdrawn",
        (false, false) => "the member was removed",
    };
    revoke_keys_made_by(&txn, ctx.tenant_id(), m.user_id, reason).await?;
    crate::leads::routing::member_left(&txn, p, m.user_id).await?;
    if m.via_agency_id.is_none() {
        crate::workspaces::drop_agency_grants(&txn, m.user_id).await?;
    }
    let user = users_by_id(&txn, vec![m.user_id]).await?.pop();
    txn.commit().await?;
    Ok((m, user))
}

impl Audited for Membership {
    fn audit_json(&self) -> serde_json::Value {
        member_json(self)
    }
}
