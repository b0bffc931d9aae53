//! What the leads bench needs written straight into a workspace: members who take
//! leads (with a capacity each), and open leads waiting for routing; and, read back
//! afterwards, how the leads were spread.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};

use crate::db::TenantOwned;
use crate::{ContactId, LeadId, Parley, Result, Role, TenantCtx, UserId, new_id};
use entities::{lead, membership};

/// Makes `users` Sales members of the workspace and reps holding at most `capacity`
/// open leads each.
pub async fn staff(ctx: &TenantCtx, p: &Parley, users: &[UserId], capacity: i32) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let now = p.clock();
    let mut members = Vec::new();
    let mut reps = Vec::new();
    for u in users {
        members.push(membership::ActiveModel {
            tenant_id: Set(ctx.tenant_id()),
            id: Set(new_id()),
            user_id: Set(*u),
            role: Set(Role::Sales),
            via_agency_id: Set(None),
            created_at: Set(now),
        });
        let mut rep = crate::leads::routing::plain_rep(ctx.tenant_id(), *u, now);
        rep.team = Set(Some("Bench".into()));
        rep.capacity = Set(Some(capacity));
        reps.push(rep);
    }
    crate::bulk::insert(&tx, members).await?;
    crate::bulk::insert(&tx, reps).await?;
    tx.commit().await?;
    Ok(())
}

/// Opens a lead, marketing-qualified and due for routing now, for each of the
/// workspace's first `n` contacts, in batches of 5,000.
pub async fn pending(ctx: &TenantCtx, p: &Parley, n: u64) -> Result<u64> {
    let mut after: Option<ContactId> = None;
    let mut written = 0u64;
    while written < n {
        let tx = p.tenant_tx(ctx).await?;
        let ids = super::next_contacts(&tx, &mut after, (n - written).min(5_000)).await?;
        if ids.is_empty() {
            tx.commit().await?;
            break;
        }
        let now = p.clock();
        let rows: Vec<lead::ActiveModel> = ids
            .iter()
            .map(|c| crate::leads::unscored(ctx.tenant_id(), new_id::<LeadId>(), *c, crate::leads::Source::Api, now))
            .collect();
        crate::bulk::insert(&tx, rows).await?;
        tx.commit().await?;
        written += ids.len() as u64;
    }
    Ok(written)
}

/// Open leads held by a rep, and those no rep holds.
pub async fn spread(ctx: &TenantCtx, p: &Parley) -> Result<(Vec<u64>, u64)> {
    let held = crate::leads::routing::held(ctx, p).await?;
    let tx = p.tenant_tx(ctx).await?;
    use sea_orm::PaginatorTrait;
    let waiting = lead::Entity::scoped(ctx)
        .filter(lead::Column::Status.eq("OPEN"))
        .filter(lead::Column::OwnerId.is_null())
        .count(&tx)
        .await?;
    tx.commit().await?;
    let mut per: Vec<u64> = held.into_values().collect();
    per.sort_unstable();
    Ok((per, waiting))
}
