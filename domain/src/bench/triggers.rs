//! What the event detection bench needs written straight into a workspace: a backlog of
//! events on its contacts (ten kinds, amounts on every one), and the delays between an
//! event's arrival and the firing it caused, read back afterwards.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;

use crate::db::TenantOwned;
use crate::{ContactEventId, ContactId, Parley, Result, TenantCtx, new_id, now};
use entities::{contact, contact_event, trigger_firing};

/// The event kinds of the backlog.
pub const KINDS: [&str; 10] =
    ["page_view", "add_to_cart", "purchase", "view_item", "search", "sign_in", "wishlist", "share", "review", "refund"];

/// Writes `n` events over the workspace's first `contacts` contacts, kinds in turn,
/// happened within the last ten minutes, in batches of a thousand.
pub async fn backlog(ctx: &TenantCtx, p: &Parley, contacts: u64, n: u64, mut progress: impl FnMut(u64)) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let ids: Vec<ContactId> = contact::Entity::scoped(ctx)
        .order_by_asc(contact::Column::Id)
        .limit(contacts.max(1))
        .select_only()
        .column(contact::Column::Id)
        .into_tuple()
        .all(&tx)
        .await?;
    tx.commit().await?;
    if ids.is_empty() {
        return Ok(());
    }
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(7);
    let t = now();
    let mut written = 0u64;
    while written < n {
        let size = (n - written).min(1_000);
        let rows: Vec<contact_event::ActiveModel> = (0..size)
            .map(|i| {
                let k = (written + i) as usize;
                contact_event::ActiveModel {
                    tenant_id: Set(ctx.tenant_id()),
                    id: Set(new_id()),
                    contact_id: Set(Some(ids[rng.random_range(0..ids.len())])),
                    anonymous_id: Set(None),
                    kind: Set(KINDS[k % KINDS.len()].to_owned()),
                    properties: Set(
                        json!({ "total": rng.random_range(0..1_000), "amount": rng.random_range(0..1_000) }),
                    ),
                    occurred_at: Set(t - Duration::seconds(rng.random_range(0..600))),
                    received_at: Set(t),
                }
            })
            .collect();
        let tx = p.tenant_tx(ctx).await?;
        contact_event::Entity::insert_many(rows).exec_without_returning(&tx).await?;
        tx.commit().await?;
        written += size;
        progress(written);
    }
    Ok(())
}

/// For every firing since `since` that names the event it fired on: how long after the
/// event arrived it was recorded, in seconds, sorted.
pub async fn firing_delays(ctx: &TenantCtx, p: &Parley, since: DateTime<Utc>) -> Result<Vec<f64>> {
    let tx = p.tenant_tx(ctx).await?;
    let fired: Vec<(String, DateTime<Utc>)> = trigger_firing::Entity::scoped(ctx)
        .filter(trigger_firing::Column::FiredAt.gte(since))
        .select_only()
        .column(trigger_firing::Column::Dedupe)
        .column(trigger_firing::Column::FiredAt)
        .into_tuple()
        .all(&tx)
        .await?;
    let mut delays = Vec::with_capacity(fired.len());
    for chunk in fired.chunks(1_000) {
        let ids: Vec<ContactEventId> =
            chunk.iter().filter_map(|(d, _)| d.parse::<uuid::Uuid>().ok().map(Into::into)).collect();
        let arrived: std::collections::HashMap<ContactEventId, DateTime<Utc>> = contact_event::Entity::scoped(ctx)
            .filter(contact_event::Column::Id.is_in(ids))
            .select_only()
            .column(contact_event::Column::Id)
            .column(contact_event::Column::ReceivedAt)
            .into_tuple::<(ContactEventId, DateTime<Utc>)>()
            .all(&tx)
            .await?
            .into_iter()
            .collect();
        for (d, at) in chunk {
            let Some(id) = d.parse::<uuid::Uuid>().ok().map(ContactEventId::from) else { continue };
            if let Some(r) = arrived.get(&id) {
                delays.push((*at - *r).num_microseconds().unwrap_or(0) as f64 / 1e6);
            }
        }
    }
    tx.commit().await?;
    delays.sort_by(f64::total_cmp);
    Ok(delays)
}
