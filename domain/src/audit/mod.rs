//! The audit trail: who did what, when, to which object, before and after. Rows are
//! only ever inserted (the database refuses updates and deletes).

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::Order;
use crate::page::{Page, PageArgs};
use crate::{AuditEntry, AuditEntryId, Parley, Permission, Result, TenantCtx, TypedId, WorkspaceId, new_id, now};
use entities::audit_entry;

/// What changed, for one audit line.
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub object_type: &'static str,
    pub object_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Change<'a> {
    /// A change to `object`; the trail names the object's type by its ID's type.
    pub fn new<I: TypedId>(action: &'a str, object: I) -> Self {
        Change { action, object_type: I::TYPE_NAME, object_id: Some(object.uuid()), before: None, after: None }
    }
    pub fn before(mut self, v: impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    pub fn after(mut self, v: impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Appends one line for `ctx`'s tenant inside the caller's transaction.
pub(crate) async fn record<C: ConnectionTrait>(conn: &C, ctx: &TenantCtx, change: Change<'_>) -> Result<()> {
    record_in(conn, ctx, ctx.tenant_id(), change).await
}

/// Appends one line to `tenant`'s trail (an agency acting in its client's workspace).
pub(crate) async fn record_in<C: ConnectionTrait>(
    conn: &C,
    ctx: &TenantCtx,
    tenant: WorkspaceId,
    change: Change<'_>,
) -> Result<()> {
    audit_entry::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(new_id()),
        actor_kind: Set(ctx.actor().kind().to_owned()),
        actor_id: Set(ctx.actor().id()),
        actor_label: Set(ctx.actor().label()),
        action: Set(change.action.to_owned()),
        object_type: Set(change.object_type.to_owned()),
        object_id: Set(change.object_id),
        before: Set(change.before),
        after: Set(change.after),
        request_id: Set(None),
        created_at: Set(now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The workspace's audit trail, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<AuditEntry>> {
    p.page::<audit_entry::Entity>(ctx, Permission::ReadAudit, Order::Newest, args).await
}

/// One audit line of the workspace.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: AuditEntryId) -> Result<AuditEntry> {
    p.find::<audit_entry::Entity>(ctx, Permission::ReadAudit, id).await
}
