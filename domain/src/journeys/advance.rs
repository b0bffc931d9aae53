//! Moving contacts through journeys: one run per workspace at a time, as a job
//! (`journeys.advance`). A run takes the enrolments due (a new one, a wait ended, an
//! awaited event or the goal tracked) and moves each on in a transaction of its own:
//! the step's effects (a field written, a list joined) and the contact's new place are
//! committed together, so a run killed between two contacts, or between two steps,
//! leaves each contact at a step it will carry on from, and no effect twice. Each
//! move goes as far as it can: through the steps that do not wait, to a wait or an
//! end. The next run is queued for the next deadline.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use sha2::{Digest, Sha256};

use super::definition::{Action, Definition, Step};
use super::{Enrolment, State, Status};
use crate::db::TenantOwned;
use crate::jobs::{AdvanceJourneys, NewJob};
use crate::{
    Actor, ContactId, JourneyEnrolmentId, JourneyId, Parley, Result, Role, TenantCtx, TenantTx, WorkspaceId, new_id,
};
use entities::{
    contact, contact_event, journey, journey_enrolment, journey_run, journey_version, journey_visit, segment_member,
};

/// Enrolments one read takes.
pub const BATCH: u64 = 200;
/// The quarter second runs are queued on.
pub const SLOT_MS: i64 = 250;
/// The most steps one move goes through (a published journey has no loop without a
/// wait, so this only bounds a very long chain; the rest goes on in the next run).
pub const MAX_STEPS_PER_MOVE: u64 = 100;

/// What one run did.
#[derive(Debug, Default, Clone)]
pub struct RunReport {
    /// Enrolments moved on (or checked and left waiting).
    pub moved: u64,
    /// Steps run.
    pub steps: u64,
    /// Enrolments that finished (completed or exited).
    pub finished: u64,
    /// More were due than the run took.
    pub more: bool,
    /// The next deadline of an enrolment waiting in an active journey.
    pub next_due: Option<DateTime<Utc>>,
}

/// How soon the next run comes while an active journey has contacts in it, whatever
/// their deadlines: a request for a run lost to a race costs at most this.
pub const TICK_MS: i64 = 1_000;

/// Requests a run as soon as what `tx` writes may be read. Keyed by when the last run
/// started: every request until the next run starts is one job, and the first one
/// after it a new one (a key of time slots would find this moment's job done already
/// and queue nothing).
pub(crate) async fn nudge(tx: &TenantTx<'_>, p: &Parley) -> Result<()> {
    let last: Option<DateTime<Utc>> = journey_run::Entity::scoped(tx.ctx())
        .select_only()
        .column(journey_run::Column::StartedAt)
        .into_tuple()
        .one(tx)
        .await?;
    let after = last.map_or(0, |t| t.timestamp_micros());
    let job = NewJob::of(&AdvanceJourneys { slot: after }).key(format!("journeys.nudge:{after}")).at(p.clock());
    crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    Ok(())
}

/// Queues the next run at `at`, rounded up to a quarter second still to come (a job
/// whose time has not come cannot have run).
async fn queue(tx: &TenantTx<'_>, p: &Parley, at: DateTime<Utc>) -> Result<()> {
    let slot = at.timestamp_millis().div_euclid(SLOT_MS) + 1;
    let at = DateTime::<Utc>::from_timestamp_millis(slot * SLOT_MS).unwrap_or(at);
    let job = NewJob::of(&AdvanceJourneys { slot }).key(format!("journeys.advance:{slot}")).at(at);
    crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    Ok(())
}

/// Marks that a run starts now (in a transaction of its own, so requests from now on
/// queue a new run).
async fn mark_started(p: &Parley, ctx: &TenantCtx) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let t = p.clock();
    let row = journey_run::ActiveModel { tenant_id: Set(tx.tenant_id()), id: Set(new_id()), started_at: Set(t) };
    let on = OnConflict::column(journey_run::Column::TenantId).update_column(journey_run::Column::StartedAt).to_owned();
    journey_run::Entity::insert(row).on_conflict(on).exec_without_returning(&tx).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes that contact entered `step` (a visit, open until it leaves).
pub(crate) async fn visit(
    tx: &TenantTx<'_>,
    journey: JourneyId,
    version: i32,
    enrolment: JourneyEnrolmentId,
    step: &str,
    t: DateTime<Utc>,
) -> Result<()> {
    let row = journey_visit::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(new_id()),
        enrolment_id: Set(enrolment),
        journey_id: Set(journey),
        version: Set(version),
        step: Set(step.to_owned()),
        entered_at: Set(t),
        left_at: Set(None),
        outcome: Set(None),
        note: Set(None),
    };
    journey_visit::Entity::insert(row).exec_without_returning(tx).await?;
    Ok(())
}

/// Closes the enrolment's open visit with `outcome` (and what the step did).
async fn leave(
    tx: &TenantTx<'_>,
    e: JourneyEnrolmentId,
    outcome: State,
    note: Option<&str>,
    t: DateTime<Utc>,
) -> Result<()> {
    journey_visit::Entity::update_many()
        .col_expr(journey_visit::Column::LeftAt, Expr::value(Some(t)))
        .col_expr(journey_visit::Column::Outcome, Expr::value(Some(outcome.as_str().to_owned())))
        .col_expr(journey_visit::Column::Note, Expr::value(note.map(str::to_owned)))
        .filter(journey_visit::Column::TenantId.eq(tx.tenant_id()))
        .filter(journey_visit::Column::EnrolmentId.eq(e))
        .filter(journey_visit::Column::LeftAt.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// Ends an enrolment at its step: completed, or exited with `why`.
pub(crate) async fn finish(
    tx: &TenantTx<'_>,
    e: &Enrolment,
    state: State,
    why: Option<&str>,
    t: DateTime<Utc>,
) -> Result<Enrolment> {
    leave(tx, e.id, state, why, t).await?;
    let mut am: journey_enrolment::ActiveModel = e.clone().into();
    am.status = Set(state.as_str().to_owned());
    am.wake_at = Set(None);
    am.exit_reason = Set(if state == State::Exited { why.map(str::to_owned) } else { None });
    am.finished_at = Set(Some(t));
    am.updated_at = Set(t);
    Ok(sea_orm::ActiveModelTrait::update(am, tx).await?)
}

/// Versions read in one run, by journey and number.
type Versions = HashMap<(JourneyId, i32), Option<Definition>>;

async fn definition(tx: &TenantTx<'_>, cache: &mut Versions, j: JourneyId, v: i32) -> Result<Option<Definition>> {
    if let Some(d) = cache.get(&(j, v)) {
        return Ok(d.clone());
    }
    let row = journey_version::Entity::scoped(tx.ctx())
        .filter(journey_version::Column::JourneyId.eq(j))
        .filter(journey_version::Column::Version.eq(v))
        .one(tx)
        .await?;
    let d = row.and_then(|r| super::definition_of(&r).ok());
    cache.insert((j, v), d.clone());
    Ok(d)
}

/// Runs until nothing is due (or `budget` has passed), then queues the next run at the
/// next deadline.
pub async fn run(p: &Parley, tenant: WorkspaceId, budget: std::time::Duration) -> Result<RunReport> {
    let ctx = TenantCtx::new(tenant, Actor::System, Role::Admin);
    let started = std::time::Instant::now();
    let mut report = RunReport::default();
    let mut cache = Versions::new();
    mark_started(p, &ctx).await?;
    loop {
        let now = p.clock();
        let tx = p.tenant_tx(&ctx).await?;
        let active: Vec<JourneyId> = journey::Entity::scoped(&ctx)
            .filter(journey::Column::Status.eq(Status::Active.as_str()))
            .select_only()
            .column(journey::Column::Id)
            .into_tuple()
            .all(&tx)
            .await?;
        if active.is_empty() {
            tx.commit().await?;
            return Ok(report);
        }
        let due: Vec<JourneyEnrolmentId> = journey_enrolment::Entity::scoped(&ctx)
            .filter(journey_enrolment::Column::WakeAt.lte(now))
            .filter(journey_enrolment::Column::JourneyId.is_in(active.clone()))
            .order_by_asc(journey_enrolment::Column::WakeAt)
            .select_only()
            .column(journey_enrolment::Column::Id)
            .limit(BATCH)
            .into_tuple()
            .all(&tx)
            .await?;
        tx.commit().await?;
        let full = due.len() as u64 == BATCH;
        for id in due {
            let tx = p.tenant_tx(&ctx).await?;
            let (steps, finished) = move_on(&tx, p, &mut cache, id).await?;
            tx.commit().await?;
            report.moved += 1;
            report.steps += steps;
            report.finished += u64::from(finished);
        }
        report.more = full;
        if !full || started.elapsed() >= budget {
            break;
        }
    }
    let tx = p.tenant_tx(&ctx).await?;
    let active: Vec<JourneyId> = journey::Entity::scoped(&ctx)
        .filter(journey::Column::Status.eq(Status::Active.as_str()))
        .select_only()
        .column(journey::Column::Id)
        .into_tuple()
        .all(&tx)
        .await?;
    let next: Option<DateTime<Utc>> = journey_enrolment::Entity::scoped(&ctx)
        .filter(journey_enrolment::Column::WakeAt.is_not_null())
        .filter(journey_enrolment::Column::JourneyId.is_in(active))
        .select_only()
        .column_as(journey_enrolment::Column::WakeAt.min(), "next")
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(&tx)
        .await?
        .flatten();
    report.next_due = next;
    let now = p.clock();
    if report.more {
        queue(&tx, p, now).await?;
    } else if let Some(at) = next {
        queue(&tx, p, at.max(now).min(now + Duration::milliseconds(TICK_MS))).await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// Whether contact `c` has an event of `kind` written since `t`.
async fn happened(tx: &TenantTx<'_>, c: ContactId, kind: &str, t: DateTime<Utc>) -> Result<bool> {
    let n = contact_event::Entity::scoped(tx.ctx())
        .filter(contact_event::Column::ContactId.eq(c))
        .filter(contact_event::Column::Kind.eq(kind))
        .filter(contact_event::Column::Id.gte(crate::triggers::detect::id_floor(t)))
        .limit(1)
        .count(tx)
        .await?;
    Ok(n > 0)
}

/// When a wait step entered at `since` ends for contact `c`.
fn wait_ends(step: &Step, c: &contact::Model, since: DateTime<Utc>) -> DateTime<Utc> {
    match &step.action {
        Action::Wait { secs: Some(s), .. } => since + Duration::seconds(*s),
        Action::Wait { until: Some((h, m)), .. } => {
            let local = NaiveTime::from_hms_opt(*h, *m, 0).unwrap_or_default();
            // The next such time strictly after entering (entering at 09:00 waits a day).
            crate::campaigns::run::local_send_time(c.time_zone.as_deref(), local, since + Duration::seconds(1))
        }
        Action::WaitFor { timeout_secs, .. } => since + Duration::seconds(*timeout_secs),
        _ => since,
    }
}

/// A draw from 0 to 99 fixed by the enrolment and the step: the same contact at the same
/// split always takes the same path, even when the move is run again.
fn draw(e: JourneyEnrolmentId, step: &str) -> u32 {
    let mut h = Sha256::new();
    h.update(uuid::Uuid::from(e).as_bytes());
    h.update(step.as_bytes());
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % 100
}

/// What running a step decided.
enum Outcome {
    /// Go on to this step (None: the journey ends here, completed), with a note.
    Next(Option<String>, Option<String>),
    /// Stay, waiting until then.
    Wait(DateTime<Utc>),
    /// Leave the journey here.
    Exit(String),
}

/// Moves enrolment `id` on as far as it goes now; answers the steps run and whether
/// it finished.
async fn move_on(tx: &TenantTx<'_>, p: &Parley, cache: &mut Versions, id: JourneyEnrolmentId) -> Result<(u64, bool)> {
    let mut e = match tx.lock::<journey_enrolment::Entity>(id).await {
        Ok(e) => e,
        Err(crate::Error::NotFound) => return Ok((0, false)),
        Err(err) => return Err(err),
    };
    let now = p.clock();
    if State::of(&e).finished() || e.wake_at.is_none_or(|w| w > now) {
        return Ok((0, false));
    }
    let contact = contact::Entity::scoped(tx.ctx()).filter(contact::Column::Id.eq(e.contact_id)).one(tx).await?;
    let Some(c) = contact.filter(|c| c.merged_into.is_none()) else {
        finish(tx, &e, State::Exited, Some("the contact is gone"), now).await?;
        return Ok((0, true));
    };
    let Some(d) = definition(tx, cache, e.journey_id, e.version).await? else {
        finish(tx, &e, State::Exited, Some("its version cannot be read"), now).await?;
        return Ok((0, true));
    };
    if let Some(goal) = &d.goal
        && happened(tx, c.id, goal, e.entered_at).await?
    {
        finish(tx, &e, State::Exited, Some("goal met"), now).await?;
        return Ok((0, true));
    }
    let mut steps = 0;
    loop {
        let Some(step) = d.step(&e.step).cloned() else {
            finish(tx, &e, State::Exited, Some("its step is not in its version"), now).await?;
            return Ok((steps, true));
        };
        if steps >= MAX_STEPS_PER_MOVE {
            // The rest goes on in the next run.
            let mut am: journey_enrolment::ActiveModel = e.clone().into();
            am.wake_at = Set(Some(now));
            am.updated_at = Set(now);
            sea_orm::ActiveModelTrait::update(am, tx).await?;
            return Ok((steps, false));
        }
        steps += 1;
        let outcome = run_step(tx, p, &e, &c, &step, now).await?;
        match outcome {
            Outcome::Wait(until) => {
                let mut am: journey_enrolment::ActiveModel = e.clone().into();
                am.status = Set(State::Waiting.as_str().to_owned());
                am.wake_at = Set(Some(until));
                am.updated_at = Set(now);
                sea_orm::ActiveModelTrait::update(am, tx).await?;
                return Ok((steps, false));
            }
            Outcome::Exit(why) => {
                finish(tx, &e, State::Exited, Some(&why), now).await?;
                return Ok((steps, true));
            }
            Outcome::Next(None, note) => {
                finish(tx, &e, State::Completed, note.as_deref(), now).await?;
                return Ok((steps, true));
            }
            Outcome::Next(Some(next), note) => {
                leave(tx, e.id, State::Completed, note.as_deref(), now).await?;
                visit(tx, e.journey_id, e.version, e.id, &next, now).await?;
                let mut am: journey_enrolment::ActiveModel = e.clone().into();
                am.status = Set(State::Active.as_str().to_owned());
                am.step = Set(next);
                am.since = Set(now);
                am.wake_at = Set(Some(now));
                am.updated_at = Set(now);
                e = sea_orm::ActiveModelTrait::update(am, tx).await?;
            }
        }
    }
}

/// Runs one step for the contact: arrived at it, or woken while waiting there (a wait
/// is measured from when it arrived, so both read the same).
async fn run_step(
    tx: &TenantTx<'_>,
    p: &Parley,
    e: &Enrolment,
    c: &contact::Model,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let next = step.next.clone();
    Ok(match &step.action {
        Action::Wait { .. } => {
            let ends = wait_ends(step, c, e.since);
            if ends <= now { Outcome::Next(next, None) } else { Outcome::Wait(ends) }
        }
        Action::WaitFor { event, timeout_next, .. } => {
            if happened(tx, c.id, event, e.since).await? {
                Outcome::Next(next, Some(format!("{event} came")))
            } else {
                let ends = wait_ends(step, c, e.since);
                if ends <= now {
                    Outcome::Next(timeout_next.clone(), Some(format!("no {event} in time")))
                } else {
                    Outcome::Wait(ends)
                }
            }
        }
        Action::Branch { condition, yes, no } => {
            let matched = match crate::segments::rule_condition(tx, condition).await {
                Ok(cond) => {
                    contact::Entity::scoped(tx.ctx())
                        .filter(contact::Column::Id.eq(c.id))
                        .filter(cond)
                        .count(tx)
                        .await?
                        > 0
                }
                // A rule that no longer holds together (a field deleted since): no.
                Err(crate::Error::Invalid { .. } | crate::Error::NotFound) => false,
                Err(err) => return Err(err),
            };
            if matched {
                Outcome::Next(yes.clone(), Some("yes".into()))
            } else {
                Outcome::Next(no.clone(), Some("no".into()))
            }
        }
        Action::Split { paths } => {
            let roll = draw(e.id, &step.id);
            let mut acc = 0;
            let mut chosen = (paths.len() - 1, None);
            for (i, (percent, to)) in paths.iter().enumerate() {
                acc += percent;
                if roll < acc {
                    chosen = (i, to.clone());
                    break;
                }
            }
            Outcome::Next(chosen.1, Some(format!("path {}", chosen.0 + 1)))
        }
        Action::UpdateAttribute { field, value } => {
            let mut changes = crate::contacts::ContactChanges::default();
            changes.attributes.insert(field.clone(), value.clone());
            let written = match crate::contacts::check(&changes) {
                Ok(ch) => crate::contacts::update_in(tx, p, c.id, &ch).await.map(|_| ()),
                Err(err) => Err(err),
            };
            match written {
                Ok(()) => Outcome::Next(next, Some(format!("{field} = {value}"))),
                // The value no longer fits the field (its type changed since): noted,
                // and the contact goes on.
                Err(crate::Error::Invalid { message, .. }) => {
                    Outcome::Next(next, Some(format!("{field} not written: {message}")))
                }
                Err(err) => return Err(err),
            }
        }
        Action::AddToList { list } => {
            let found = entities::segment::Entity::scoped(tx.ctx())
                .filter(entities::segment::Column::Id.eq(*list))
                .one(tx)
                .await?;
            match found {
                Some(s) if s.kind == entities::enums::SegmentKind::Static => {
                    let row = segment_member::ActiveModel {
                        tenant_id: Set(tx.tenant_id()),
                        id: Set(new_id()),
                        segment_id: Set(s.id),
                        contact_id: Set(c.id),
                        added_at: Set(now),
                    };
                    let once = OnConflict::columns([
                        segment_member::Column::TenantId,
                        segment_member::Column::SegmentId,
                        segment_member::Column::ContactId,
                    ])
                    .do_nothing()
                    .to_owned();
                    let added =
                        segment_member::Entity::insert(row).on_conflict(once).exec_without_returning(tx).await?;
                    if added > 0 {
                        crate::triggers::nudge_if_watching(tx, p).await?;
                    }
                    Outcome::Next(next, Some(format!("added to {}", s.name)))
                }
                _ => Outcome::Next(next, Some("the list is gone".into())),
            }
        }
        Action::Exit => Outcome::Exit("exit step".into()),
    })
}
