//! A contact's history: the events every channel appends (tracked behaviour, consent
//! changes, merges), newest first.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde_json::Value;

use super::live;
use crate::page::{Page, PageArgs};
use crate::{
    ContactEvent, ContactEventId, ContactId, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now,
};
use entities::contact_event;

/// Appends one event to `contact`'s history in the transaction.
pub(crate) async fn append(
    tx: &TenantTx<'_>,
    contact: ContactId,
    kind: &str,
    properties: Value,
    occurred_at: DateTime<Utc>,
) -> Result<()> {
    let row = event(tx.tenant_id(), contact, kind, properties, occurred_at);
    contact_event::Entity::insert(row).exec_without_returning(tx).await?;
    Ok(())
}

/// One event of `contact`'s history as a row to write (a decision's presentations are
/// written in batches behind the answer).
pub(crate) fn event(
    tenant: crate::WorkspaceId,
    contact: ContactId,
    kind: &str,
    properties: Value,
    occurred_at: DateTime<Utc>,
) -> contact_event::ActiveModel {
    contact_event::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(new_id()),
        contact_id: Set(Some(contact)),
        anonymous_id: Set(None),
        kind: Set(kind.to_owned()),
        properties: Set(properties),
        occurred_at: Set(occurred_at),
        received_at: Set(now()),
    }
}

/// A contact's events, newest first (in the order Parley received them).
pub async fn events(ctx: &TenantCtx, p: &Parley, contact: ContactId, args: PageArgs) -> Result<Page<ContactEvent>> {
    // This node's decisions not written yet are part of the history.
    crate::decisions::live::flush_for_read(p).await;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let c = live(&tx, contact).await?;
    let q = contact_event::Entity::find().filter(contact_event::Column::ContactId.eq(c.id));
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One event.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: ContactEventId) -> Result<ContactEvent> {
    p.find::<contact_event::Entity>(ctx, Permission::ReadContacts, id).await
}
