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
    let row = contact_event::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(new_id()),
        contact_id: Set(Some(contact)),
        anonymous_id: Set(None),
        kind: Set(kind.to_owned()),
        properties: Set(properties),
        occurred_at: Set(occurred_at),
        received_at: Set(now()),
    };
    contact_event::Entity::insert(row).exec_without_returning(tx).await?;
    Ok(())
}

/// Appends `events` (kind, properties), all at `occurred_at`, to `contact`'s history in
/// one statement.
pub(crate) async fn append_all(
    tx: &TenantTx<'_>,
    contact: ContactId,
    events: Vec<(&str, Value)>,
    occurred_at: DateTime<Utc>,
) -> Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    let received_at = now();
    let rows = events.into_iter().map(|(kind, properties)| contact_event::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(new_id()),
        contact_id: Set(Some(contact)),
        anonymous_id: Set(None),
        kind: Set(kind.to_owned()),
        properties: Set(properties),
        occurred_at: Set(occurred_at),
        received_at: Set(received_at),
    });
    contact_event::Entity::insert_many(rows).exec_without_returning(tx).await?;
    Ok(())
}

/// A contact's events, newest first (in the order Parley received them).
pub async fn events(ctx: &TenantCtx, p: &Parley, contact: ContactId, args: PageArgs) -> Result<Page<ContactEvent>> {
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
