//! What the journeys bench needs written straight into a workspace: contacts waiting in
//! a journey's wait step (their deadlines all at one moment), and, read back afterwards,
//! how long after its event each trigger-enrolled contact's first step took effect.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QuerySelect};

use crate::db::TenantOwned;
use crate::{
    ContactEventId, ContactId, JourneyEnrolmentId, JourneyId, Parley, Result, TenantCtx, TriggerFiringId, new_id,
};
use entities::{contact_event, journey_enrolment, journey_visit, trigger_firing};

/// Puts the workspace's first `n` contacts in version `version` of journey `journey`,
/// waiting at `step` since an hour before `due` and due at `due`, in batches of 5,000;
/// `progress` hears the count written.
pub async fn waiting(
    ctx: &TenantCtx,
    p: &Parley,
    (journey, version, step): (JourneyId, i32, &str),
    n: u64,
    due: DateTime<Utc>,
    mut progress: impl FnMut(u64),
) -> Result<()> {
    let mut after: Option<ContactId> = None;
    let mut written = 0u64;
    let since = due - Duration::hours(1);
    while written < n {
        let tx = p.tenant_tx(ctx).await?;
        let ids = super::next_contacts(&tx, &mut after, (n - written).min(5_000)).await?;
        if ids.is_empty() {
            tx.commit().await?;
            break;
        }
        let mut enrolments = Vec::with_capacity(ids.len());
        let mut visits = Vec::with_capacity(ids.len());
        for c in &ids {
            let id: JourneyEnrolmentId = new_id();
            enrolments.push(journey_enrolment::ActiveModel {
                tenant_id: Set(ctx.tenant_id()),
                id: Set(id),
                journey_id: Set(journey),
                version: Set(version),
                contact_id: Set(*c),
                source: Set(format!("bench:{}", uuid::Uuid::from(id))),
                status: Set("WAITING".into()),
                step: Set(step.to_owned()),
                since: Set(since),
                wake_at: Set(Some(due)),
                exit_reason: Set(None),
                entered_at: Set(since),
                finished_at: Set(None),
                updated_at: Set(since),
            });
            visits.push(journey_visit::ActiveModel {
                tenant_id: Set(ctx.tenant_id()),
                id: Set(new_id()),
                enrolment_id: Set(id),
                journey_id: Set(journey),
                version: Set(version),
                step: Set(step.to_owned()),
                entered_at: Set(since),
                left_at: Set(None),
                outcome: Set(None),
                note: Set(None),
            });
        }
        crate::bulk::insert(&tx, enrolments).await?;
        crate::bulk::insert(&tx, visits).await?;
        tx.commit().await?;
        written += ids.len() as u64;
        progress(written);
    }
    Ok(())
}

/// How many of journey `journey`'s enrolments are in each state.
pub async fn states(ctx: &TenantCtx, p: &Parley, journey: JourneyId) -> Result<HashMap<String, i64>> {
    let tx = p.tenant_tx(ctx).await?;
    let rows: Vec<(String, i64)> = journey_enrolment::Entity::scoped(ctx)
        .filter(journey_enrolment::Column::JourneyId.eq(journey))
        .select_only()
        .column(journey_enrolment::Column::Status)
        .column_as(journey_enrolment::Column::Id.count(), "n")
        .group_by(journey_enrolment::Column::Status)
        .into_tuple()
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(rows.into_iter().collect())
}

/// For every contact a firing enrolled in journey `journey` since `since`: how long after
/// the firing's event arrived its first step (`step`) took effect, in seconds, sorted.
pub async fn first_step_delays(
    ctx: &TenantCtx,
    p: &Parley,
    journey: JourneyId,
    step: &str,
    since: DateTime<Utc>,
) -> Result<Vec<f64>> {
    let tx = p.tenant_tx(ctx).await?;
    let enrolled: Vec<(JourneyEnrolmentId, String)> = journey_enrolment::Entity::scoped(ctx)
        .filter(journey_enrolment::Column::JourneyId.eq(journey))
        .filter(journey_enrolment::Column::EnteredAt.gte(since))
        .select_only()
        .column(journey_enrolment::Column::Id)
        .column(journey_enrolment::Column::Source)
        .into_tuple()
        .all(&tx)
        .await?;
    let mut delays = Vec::with_capacity(enrolled.len());
    for chunk in enrolled.chunks(1_000) {
        let firing_of: HashMap<TriggerFiringId, JourneyEnrolmentId> = chunk
            .iter()
            .filter_map(|(e, s)| Some((s.strip_prefix("firing:")?.parse::<uuid::Uuid>().ok()?.into(), *e)))
            .collect();
        let firings: Vec<(TriggerFiringId, String)> = trigger_firing::Entity::scoped(ctx)
            .filter(trigger_firing::Column::Id.is_in(firing_of.keys().copied().collect::<Vec<_>>()))
            .select_only()
            .column(trigger_firing::Column::Id)
            .column(trigger_firing::Column::Dedupe)
            .into_tuple()
            .all(&tx)
            .await?;
        let event_of: HashMap<JourneyEnrolmentId, ContactEventId> = firings
            .iter()
            .filter_map(|(f, d)| Some((*firing_of.get(f)?, d.parse::<uuid::Uuid>().ok()?.into())))
            .collect();
        let arrived: HashMap<ContactEventId, DateTime<Utc>> = contact_event::Entity::scoped(ctx)
            .filter(contact_event::Column::Id.is_in(event_of.values().copied().collect::<Vec<_>>()))
            .select_only()
            .column(contact_event::Column::Id)
            .column(contact_event::Column::ReceivedAt)
            .into_tuple::<(ContactEventId, DateTime<Utc>)>()
            .all(&tx)
            .await?
            .into_iter()
            .collect();
        let done: Vec<(JourneyEnrolmentId, Option<DateTime<Utc>>)> = journey_visit::Entity::scoped(ctx)
            .filter(journey_visit::Column::EnrolmentId.is_in(chunk.iter().map(|(e, _)| *e).collect::<Vec<_>>()))
            .filter(journey_visit::Column::Step.eq(step))
            .select_only()
            .column(journey_visit::Column::EnrolmentId)
            .column(journey_visit::Column::LeftAt)
            .into_tuple()
            .all(&tx)
            .await?;
        for (e, left) in done {
            let (Some(left), Some(ev)) = (left, event_of.get(&e)) else { continue };
            if let Some(at) = arrived.get(ev) {
                delays.push((left - *at).num_microseconds().unwrap_or(0) as f64 / 1e6);
            }
        }
    }
    tx.commit().await?;
    delays.sort_by(f64::total_cmp);
    Ok(delays)
}
