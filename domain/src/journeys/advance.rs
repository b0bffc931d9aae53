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
use sea_orm::sea_query::{LockBehavior, LockType};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
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
        let active = active_journeys(&tx).await?;
        if active.is_empty() {
            tx.commit().await?;
            return Ok(report);
        }
        let mut q = journey_enrolment::Entity::scoped(&ctx)
            .filter(journey_enrolment::Column::WakeAt.lte(now))
            .filter(journey_enrolment::Column::JourneyId.is_in(active))
            .order_by_asc(journey_enrolment::Column::WakeAt)
            .limit(BATCH);
        if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
            // Two runs at once (a request and the next deadline's) share the work.
            q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
        }
        let due = q.all(&tx).await?;
        let full = due.len() as u64 == BATCH;
        let moved = move_batch(&tx, p, &mut cache, due, now).await?;
        tx.commit().await?;
        report.moved += moved.moved;
        report.steps += moved.steps;
        report.finished += moved.finished;
        report.more = full;
        if !full || started.elapsed() >= budget {
            break;
        }
    }
    let tx = p.tenant_tx(&ctx).await?;
    let active = active_journeys(&tx).await?;
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

async fn active_journeys(tx: &TenantTx<'_>) -> Result<Vec<JourneyId>> {
    Ok(journey::Entity::scoped(tx.ctx())
        .filter(journey::Column::Status.eq(Status::Active.as_str()))
        .select_only()
        .column(journey::Column::Id)
        .into_tuple()
        .all(tx)
        .await?)
}

/// When each (contact, kind) among what a batch waits for was last tracked.
struct Seen(HashMap<(ContactId, String), DateTime<Utc>>);

impl Seen {
    /// Reads, in one statement, when each of `contacts` last had an event of each of
    /// `kinds` arrive, since `since`.
    async fn read(
        tx: &TenantTx<'_>,
        contacts: Vec<ContactId>,
        kinds: Vec<String>,
        since: DateTime<Utc>,
    ) -> Result<Seen> {
        if contacts.is_empty() || kinds.is_empty() {
            return Ok(Seen(HashMap::new()));
        }
        let rows: Vec<(Option<ContactId>, String, DateTime<Utc>)> = contact_event::Entity::scoped(tx.ctx())
            .filter(contact_event::Column::ContactId.is_in(contacts))
            .filter(contact_event::Column::Kind.is_in(kinds))
            .filter(contact_event::Column::ReceivedAt.gte(since))
            .select_only()
            .column(contact_event::Column::ContactId)
            .column(contact_event::Column::Kind)
            .column_as(contact_event::Column::ReceivedAt.max(), "latest")
            .group_by(contact_event::Column::ContactId)
            .group_by(contact_event::Column::Kind)
            .into_tuple()
            .all(tx)
            .await?;
        Ok(Seen(rows.into_iter().filter_map(|(c, k, at)| Some(((c?, k), at))).collect()))
    }

    /// Whether an event of `kind` arrived for contact `c` since `t`.
    fn since(&self, c: ContactId, kind: &str, t: DateTime<Utc>) -> bool {
        self.0.get(&(c, kind.to_owned())).is_some_and(|at| *at >= t)
    }
}

/// What a batch did.
#[derive(Debug, Default)]
struct Moved {
    moved: u64,
    steps: u64,
    finished: u64,
}

/// The visit an enrolment is at while it moves: the one it had (open in the database)
/// or one made during this move (its index among the new ones).
enum Open {
    Stored,
    New(usize),
}

/// Closing visits: those open in the database, by how (one statement per group), and
/// those made during this move (closed before they are written).
#[derive(Default)]
struct Paths {
    closed: HashMap<(State, Option<String>), Vec<JourneyEnrolmentId>>,
    added: Vec<journey_visit::ActiveModel>,
}

impl Paths {
    fn close(&mut self, e: JourneyEnrolmentId, open: &Open, outcome: State, note: Option<String>, now: DateTime<Utc>) {
        match open {
            Open::Stored => self.closed.entry((outcome, note)).or_default().push(e),
            Open::New(i) => {
                let v = &mut self.added[*i];
                v.left_at = Set(Some(now));
                v.outcome = Set(Some(outcome.as_str().to_owned()));
                v.note = Set(note);
            }
        }
    }
}

/// Moves the enrolments `due` (read and locked in `tx`) on as far as each goes now.
/// Reads are one statement per batch (contacts, awaited events) and so are writes (paths
/// closed and added, enrolments updated), besides the steps' own effects.
async fn move_batch(
    tx: &TenantTx<'_>,
    p: &Parley,
    cache: &mut Versions,
    due: Vec<Enrolment>,
    now: DateTime<Utc>,
) -> Result<Moved> {
    let mut out = Moved::default();
    if due.is_empty() {
        return Ok(out);
    }
    let ids: Vec<ContactId> = due.iter().map(|e| e.contact_id).collect();
    let contacts: HashMap<ContactId, contact::Model> = contact::Entity::scoped(tx.ctx())
        .filter(contact::Column::Id.is_in(ids.clone()))
        .all(tx)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut kinds: Vec<String> = Vec::new();
    for e in &due {
        if let Some(d) = definition(tx, cache, e.journey_id, e.version).await? {
            kinds.extend(d.watches());
        }
    }
    kinds.sort();
    kinds.dedup();
    let earliest = due.iter().map(|e| e.since.min(e.entered_at)).min().unwrap_or(now);
    let seen = Seen::read(tx, ids, kinds, earliest).await?;
    let mut paths = Paths::default();
    let mut mail = super::email::Mail::default();
    let mut rows: Vec<journey_enrolment::ActiveModel> = Vec::with_capacity(due.len());
    for mut e in due {
        out.moved += 1;
        let mut open = Open::Stored;
        let contact = contacts.get(&e.contact_id).filter(|c| c.merged_into.is_none());
        let d = definition(tx, cache, e.journey_id, e.version).await?;
        let mut end: Option<(State, Option<String>)> = None;
        match (contact, &d) {
            (None, _) => end = Some((State::Exited, Some("the contact is gone".into()))),
            (_, None) => end = Some((State::Exited, Some("its version cannot be read".into()))),
            (Some(c), Some(d)) if d.goal.as_deref().is_some_and(|g| seen.since(c.id, g, e.entered_at)) => {
                end = Some((State::Exited, Some("goal met".into())));
            }
            (Some(c), Some(d)) => {
                let mut steps = 0;
                loop {
                    let Some(step) = d.step(&e.step) else {
                        end = Some((State::Exited, Some("its step is not in its version".into())));
                        break;
                    };
                    if steps == MAX_STEPS_PER_MOVE {
                        // A very long chain: the rest goes on in the next run.
                        e.wake_at = Some(now);
                        break;
                    }
                    steps += 1;
                    out.steps += 1;
                    match run_step(tx, p, (&e, c), step, (&seen, &mut mail), now).await? {
                        Outcome::Wait(until) => {
                            e.status = State::Waiting.as_str().to_owned();
                            e.wake_at = Some(until);
                            break;
                        }
                        Outcome::Exit(why) => {
                            end = Some((State::Exited, Some(why)));
                            break;
                        }
                        Outcome::Next(None, note) => {
                            end = Some((State::Completed, note));
                            break;
                        }
                        Outcome::Next(Some(next), note) => {
                            paths.close(e.id, &open, State::Completed, note, now);
                            paths.added.push(new_visit(tx, &e, &next, now));
                            open = Open::New(paths.added.len() - 1);
                            e.status = State::Active.as_str().to_owned();
                            e.step = next;
                            e.since = now;
                            e.wake_at = Some(now);
                        }
                    }
                }
            }
        }
        if let Some((state, why)) = end {
            paths.close(e.id, &open, state, why.clone(), now);
            e.status = state.as_str().to_owned();
            e.wake_at = None;
            e.exit_reason = if state == State::Exited { why } else { None };
            e.finished_at = Some(now);
            out.finished += 1;
        }
        e.updated_at = now;
        rows.push(e.into());
    }
    for ((outcome, note), ids) in paths.closed {
        for chunk in ids.chunks(500) {
            journey_visit::Entity::update_many()
                .col_expr(journey_visit::Column::LeftAt, Expr::value(Some(now)))
                .col_expr(journey_visit::Column::Outcome, Expr::value(Some(outcome.as_str().to_owned())))
                .col_expr(journey_visit::Column::Note, Expr::value(note.clone()))
                .filter(journey_visit::Column::TenantId.eq(tx.tenant_id()))
                .filter(journey_visit::Column::EnrolmentId.is_in(chunk.to_vec()))
                .filter(journey_visit::Column::LeftAt.is_null())
                .exec(tx)
                .await?;
        }
    }
    // After the closing above, which would close these too.
    crate::bulk::insert(tx, paths.added).await?;
    use journey_enrolment::Column as E;
    let cols = [E::Status, E::Step, E::Since, E::WakeAt, E::ExitReason, E::FinishedAt, E::UpdatedAt];
    crate::bulk::update(tx, rows, &cols).await?;
    mail.kick(tx, p).await?;
    Ok(out)
}

fn new_visit(tx: &TenantTx<'_>, e: &Enrolment, step: &str, t: DateTime<Utc>) -> journey_visit::ActiveModel {
    journey_visit::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(new_id()),
        enrolment_id: Set(e.id),
        journey_id: Set(e.journey_id),
        version: Set(e.version),
        step: Set(step.to_owned()),
        entered_at: Set(t),
        left_at: Set(None),
        outcome: Set(None),
        note: Set(None),
    }
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

/// Runs one step for the contact: arrived at it, or woken while waiting there (a wait
/// is measured from when it arrived, so both read the same).
async fn run_step(
    tx: &TenantTx<'_>,
    p: &Parley,
    (e, c): (&Enrolment, &contact::Model),
    step: &Step,
    (seen, mail): (&Seen, &mut super::email::Mail),
    now: DateTime<Utc>,
) -> Result<Outcome> {
    let next = step.next.clone();
    Ok(match &step.action {
        Action::Wait { .. } => {
            let ends = wait_ends(step, c, e.since);
            if ends <= now { Outcome::Next(next, None) } else { Outcome::Wait(ends) }
        }
        Action::WaitFor { event, timeout_next, .. } => {
            if seen.since(c.id, event, e.since) {
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
        Action::Branch { condition, yes, no } if super::definition::last_response(condition).is_some() => {
            let want = super::definition::last_response(condition).unwrap_or_default();
            let last = entities::campaign_send::Entity::scoped(tx.ctx())
                .filter(entities::campaign_send::Column::EnrolmentId.eq(e.id))
                .order_by_desc(entities::campaign_send::Column::CreatedAt)
                .one(tx)
                .await?;
            let got = |s: &entities::campaign_send::Model| match want {
                "OPENED" => s.opened_at.is_some() || s.clicked_at.is_some(),
                "CLICKED" => s.clicked_at.is_some(),
                "BOUNCED" => s.bounced_at.is_some(),
                "UNSUBSCRIBED" => s.unsubscribed_at.is_some(),
                "COMPLAINED" => s.complained_at.is_some(),
                _ => s.opened_at.is_none() && s.clicked_at.is_none(),
            };
            let matched = last.as_ref().map_or(want == "NONE", got);
            let note = format!("{} ({})", if matched { "yes" } else { "no" }, want.to_lowercase());
            Outcome::Next(if matched { yes.clone() } else { no.clone() }, Some(note))
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
        Action::Email { .. } => Outcome::Next(next, Some(mail.send(tx, e, c, &step.id, now).await?)),
        Action::Notify { .. } => {
            // Sent by a job written with the move: once per visit of the step.
            let job =
                crate::jobs::NewJob::of(&crate::jobs::JourneyNotice { enrolment_id: e.id, step: step.id.clone() }).key(
                    format!("journeys.notify:{}:{}:{}", uuid::Uuid::from(e.id), step.id, e.since.timestamp_micros()),
                );
            crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
            Outcome::Next(next, Some("notice queued".into()))
        }
        Action::Decide { .. } => {
            use super::definition::{DECIDE_TIMEOUT_SECS, DECIDED_EVENT};
            let ends = e.since + Duration::seconds(DECIDE_TIMEOUT_SECS);
            if seen.since(c.id, DECIDED_EVENT, e.since) {
                Outcome::Next(next, Some("decided".into()))
            } else if ends <= now {
                Outcome::Next(next, Some("no decision in time".into()))
            } else {
                // Asked by a job written with the move (once per visit); its answer wakes
                // the contact.
                let job =
                    crate::jobs::NewJob::of(&crate::jobs::JourneyDecide { enrolment_id: e.id, step: step.id.clone() })
                        .key(format!(
                            "journeys.decide:{}:{}:{}",
                            uuid::Uuid::from(e.id),
                            step.id,
                            e.since.timestamp_micros()
                        ));
                crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
                Outcome::Wait(ends)
            }
        }
        Action::Webhook { .. } => {
            // Posted by a job written with the move: once per visit of the step.
            let job = crate::jobs::NewJob::of(&crate::jobs::JourneyWebhook {
                enrolment_id: e.id,
                step: step.id.clone(),
                at: now,
            })
            .key(format!(
                "journeys.webhook:{}:{}:{}",
                uuid::Uuid::from(e.id),
                step.id,
                e.since.timestamp_micros()
            ));
            crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
            Outcome::Next(next, Some("webhook queued".into()))
        }
        Action::Lead { points, reason } => {
            let note = crate::leads::from_journey(tx, p, c.id, e.journey_id, *points, reason).await?;
            Outcome::Next(next, Some(note))
        }
        Action::Exit => Outcome::Exit("exit step".into()),
    })
}
