//! What the leads bench needs written straight into a workspace: members who take
//! leads (with a capacity each), and open leads waiting for routing; and, read back
//! afterwards, how the leads were spread.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde_json::json;

use crate::db::TenantOwned;
use crate::{ContactId, LeadId, Parley, Result, Role, TenantCtx, UserId, new_id};
use entities::{lead, membership, sales_rep};

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
        reps.push(sales_rep::ActiveModel {
            tenant_id: Set(ctx.tenant_id()),
            id: Set(new_id()),
            user_id: Set(*u),
            team: Set(Some("Bench".into())),
            weight: Set(1),
            capacity: Set(Some(capacity)),
            hours: Set(None),
            away_since: Set(None),
            manager_id: Set(None),
            sees: Set("OWN".into()),
            created_at: Set(now),
            updated_at: Set(now),
        });
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
            .map(|c| lead::ActiveModel {
                tenant_id: Set(ctx.tenant_id()),
                id: Set(new_id::<LeadId>()),
                contact_id: Set(*c),
                status: Set("OPEN".into()),
                stage: Set("MQL".into()),
                source: Set("API".into()),
                source_ref: Set(None),
                model_id: Set(None),
                fit: Set(0),
                behaviour_milli: Set(0),
                half_life_secs: Set(86_400 * 30),
                scored_at: Set(now),
                grade: Set("A".into()),
                reasons: Set(json!([])),
                owner_id: Set(None),
                rule_id: Set(None),
                team: Set(None),
                assigned_at: Set(None),
                sla_due_at: Set(None),
                touched_at: Set(None),
                escalations: Set(0),
                route_at: Set(Some(now)),
                waiting: Set(None),
                outcome: Set("NONE".into()),
                revenue_minor: Set(None),
                currency: Set(None),
                lost_reason: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                closed_at: Set(None),
            })
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
