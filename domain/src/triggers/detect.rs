//! The detection pass: reads a workspace's new events in order (from its cursor, up to
//! a moment ago), the contacts changed since the last pass, and the timers now due;
//! evaluates every active rule; records the firings; moves the cursor. All of it in one
//! transaction, so a worker killed mid-pass repeats the pass and nothing fires twice
//! (a firing is also unique per rule and triggering event).
//!
//! The pass reads events up to `now − PARLEY_DETECTION_LAG_MS` only: event IDs are
//! time-ordered but a transaction may commit a moment after a later one, and the lag
//! is how long a writing transaction may take without its events being skipped. A job
//! per workspace runs the passes: again within a quarter second while events flow, every
//! second when idle, at once when events are tracked, and at the next timer's deadline.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::definition::{self, Definition};
use super::{RuleStatus, TriggerRule};
use crate::db::TenantOwned;
use crate::{
    Actor, ContactEventId, ContactId, Parley, Result, Role, TenantCtx, TenantTx, TriggerRuleId, WorkspaceId, new_id,
};
use entities::{
    contact, contact_event, segment, segment_member, trigger_cursor, trigger_firing, trigger_member, trigger_rule,
    trigger_timer,
};

/// Events one pass reads at most.
pub const BATCH: u64 = 5_000;
/// Timers one pass fires at most.
pub const TIMER_BATCH: u64 = 5_000;
/// How soon the next pass runs while events flow.
pub const BUSY_INTERVAL_MS: i64 = 250;
/// How often a segment rule takes stock of its whole segment again.
pub const RESTOCK_SECS: i64 = 3_600;
/// How soon the next pass runs when nothing happened.
pub const IDLE_INTERVAL_MS: i64 = 1_000;

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// Events read.
    pub events: u64,
    /// Firings recorded.
    pub fired: u64,
    /// Timers started and cancelled.
    pub timers_started: u64,
    pub timers_cancelled: u64,
    /// Contacts whose segment membership was looked at.
    pub contacts_checked: u64,
    /// Whether more events (or due timers) wait beyond this pass's batch.
    pub more: bool,
    /// Whether any rule is active.
    pub watching: bool,
    /// The earliest deadline among the timers left waiting.
    pub next_due: Option<DateTime<Utc>>,
}

/// The smallest version-7 UUID of the millisecond `t`: every ID made before `t` sorts
/// below it, every one made from `t` on sorts above.
pub fn id_floor(t: DateTime<Utc>) -> Uuid {
    let ms = t.timestamp_millis().max(0) as u64;
    let mut b = [0u8; 16];
    b[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    b[6] = 0x70;
    b[8] = 0x80;
    Uuid::from_bytes(b)
}

/// The moment events are read up to.
fn horizon(p: &Parley) -> DateTime<Utc> {
    p.clock() - crate::dur(p.settings().detection_lag)
}

/// Queues a pass at `at` (one per moment: a second request for the same quarter
/// second is the same job).
pub(crate) async fn queue(tx: &TenantTx<'_>, p: &Parley, at: DateTime<Utc>) -> Result<()> {
    let job = super::job_at(at, BUSY_INTERVAL_MS);
    crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    Ok(())
}

/// The workspace's cursor, made (at the current horizon) when it has none.
pub(crate) async fn cursor(tx: &TenantTx<'_>, p: &Parley) -> Result<trigger_cursor::Model> {
    let mut q = trigger_cursor::Entity::scoped(tx.ctx());
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    if let Some(c) = q.one(tx).await? {
        return Ok(c);
    }
    let t = horizon(p);
    let row = trigger_cursor::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(new_id()),
        last_event_id: Set(Some(id_floor(t).into())),
        contacts_seen_at: Set(t),
        updated_at: Set(p.clock()),
    };
    trigger_cursor::Entity::insert(row)
        .on_conflict(OnConflict::columns([trigger_cursor::Column::TenantId]).do_nothing().to_owned())
        .exec_without_returning(tx)
        .await?;
    let mut q = trigger_cursor::Entity::scoped(tx.ctx());
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    q.one(tx).await?.ok_or_else(|| crate::Error::internal("the detection cursor vanished"))
}

#[derive(Debug, Clone, FromQueryResult)]
struct Ev {
    id: ContactEventId,
    contact_id: Option<ContactId>,
    kind: String,
    properties: Value,
    occurred_at: DateTime<Utc>,
}

/// The events `q` selects, with what detection reads of them.
async fn read(q: sea_orm::Select<contact_event::Entity>, tx: &TenantTx<'_>) -> Result<Vec<Ev>> {
    let cols = [
        contact_event::Column::Id,
        contact_event::Column::ContactId,
        contact_event::Column::Kind,
        contact_event::Column::Properties,
        contact_event::Column::OccurredAt,
    ];
    Ok(q.select_only().columns(cols).into_model::<Ev>().all(tx).await?)
}

/// An active rule with its checked definition, and the first event it may read (one
/// made after it was last defined or resumed).
struct Live {
    rule: TriggerRule,
    def: Definition,
    from: Uuid,
}

/// A firing to record.
struct Fire {
    rule: TriggerRuleId,
    contact: ContactId,
    dedupe: String,
    events: Vec<ContactEventId>,
}

/// Runs one pass for the workspace of `ctx` (a system context).
pub async fn pass(ctx: &TenantCtx, p: &Parley) -> Result<PassReport> {
    let tx = p.tenant_tx(ctx).await?;
    let cur = cursor(&tx, p).await?;
    let now = p.clock();
    let until = horizon(p);
    let rules: Vec<TriggerRule> = trigger_rule::Entity::scoped(ctx)
        .filter(trigger_rule::Column::Status.eq(RuleStatus::Active.as_str()))
        .all(&tx)
        .await?;
    let mut live: Vec<Live> = rules
        .into_iter()
        .filter_map(|rule| {
            let def = super::definition_of(&rule).ok()?;
            let from = id_floor(rule.updated_at);
            Some(Live { rule, def, from })
        })
        .collect();
    // Journeys waiting for events (or watching a goal) are woken by them.
    let journeys = crate::journeys::watching(&tx).await?;
    // Lead scoring counts the events its active model names.
    let scoring = crate::leads::scoring::watching(&tx).await?;
    let others = !journeys.is_empty() || scoring.is_some();
    let mut report = PassReport { watching: !live.is_empty() || others, ..Default::default() };
    // Everything made up to `until`, its millisecond included.
    let bound = id_floor(until + Duration::milliseconds(1));
    let start: Uuid = cur.last_event_id.map(Into::into).unwrap_or(bound);
    // Nothing before the oldest rule's start needs reading (journeys and lead scoring
    // read from the cursor on).
    let oldest = live.iter().map(|l| l.from).min();
    let start = match oldest {
        _ if others => start,
        Some(f) => start.max(f),
        None => bound,
    }
    .min(bound);
    let mut fires: Vec<Fire> = Vec::new();
    let mut next_event = bound;
    let mut events: Vec<Ev> = Vec::new();
    if report.watching && start < bound {
        let any_segment = live.iter().any(|l| matches!(l.def, Definition::Segment { .. }));
        let mut kinds: Vec<&str> = live.iter().flat_map(|l| l.def.watches()).collect();
        kinds.extend(journeys.iter().flat_map(|(_, k)| k.iter().map(String::as_str)));
        if let Some((_, rules)) = &scoring {
            kinds.extend(rules.watches());
        }
        kinds.sort_unstable();
        kinds.dedup();
        let mut q = contact_event::Entity::scoped(ctx)
            .filter(contact_event::Column::Id.gt(start))
            .filter(contact_event::Column::Id.lt(bound))
            .filter(contact_event::Column::ContactId.is_not_null());
        if !any_segment {
            q = q.filter(contact_event::Column::Kind.is_in(kinds.clone()));
        }
        events = read(q.order_by_asc(contact_event::Column::Id).limit(BATCH), &tx).await?;
        if events.len() as u64 == BATCH {
            report.more = true;
            next_event = events.last().map(|e| e.id.into()).unwrap_or(bound);
        }
        report.events = events.len() as u64;
        for l in &live {
            let mine: Vec<&Ev> = events.iter().filter(|e| Uuid::from(e.id) >= l.from).collect();
            match &l.def {
                Definition::Event { .. } | Definition::Threshold { .. } | Definition::Attribute { .. } => {
                    for e in mine {
                        if let Some(c) = e.contact_id
                            && l.def.fires_on(&e.kind, &e.properties)
                        {
                            fires.push(Fire { rule: l.rule.id, contact: c, dedupe: text(e.id), events: vec![e.id] });
                        }
                    }
                }
                Definition::Count { event, at_least, within_secs, conditions } => {
                    let mine: Vec<&Ev> = mine
                        .into_iter()
                        .filter(|e| &e.kind == event && conditions.iter().all(|c| c.holds(&e.properties)))
                        .collect();
                    count_rule(&tx, l, (event, *at_least, *within_secs, conditions), &mine, bound, &mut fires).await?;
                }
                Definition::Sequence { first, not_followed_by, within_secs } => {
                    let (started, cancelled) =
                        sequence_rule(&tx, l, (first, not_followed_by, *within_secs), &mine).await?;
                    report.timers_started += started;
                    report.timers_cancelled += cancelled;
                }
                Definition::Segment { .. } => {}
            }
        }
        if !journeys.is_empty() {
            let seen: Vec<(ContactId, &str)> =
                events.iter().filter_map(|e| Some((e.contact_id?, e.kind.as_str()))).collect();
            crate::journeys::wake(&tx, p, &journeys, &seen).await?;
        }
    }
    // Contacts changed since the last look, for segment rules.
    let mut contacts_seen = cur.contacts_seen_at;
    if live.iter().any(|l| matches!(l.def, Definition::Segment { .. })) {
        let (checked, seen, more) =
            segment_rules(&tx, p, &mut live, &events, cur.contacts_seen_at, until, &mut fires).await?;
        report.contacts_checked = checked;
        contacts_seen = seen;
        report.more |= more;
    } else {
        contacts_seen = contacts_seen.max(until);
    }
    // Timers now due.
    let sequences: HashMap<TriggerRuleId, &Live> =
        live.iter().filter(|l| matches!(l.def, Definition::Sequence { .. })).map(|l| (l.rule.id, l)).collect();
    if !sequences.is_empty() {
        let (more, next_due) = due_timers(&tx, &sequences, now, &mut fires).await?;
        report.more |= more;
        report.next_due = next_due;
    }
    let fired = record(&tx, &live, fires, now).await?;
    report.fired = fired.len() as u64;
    crate::journeys::enrol_fired(&tx, p, &fired).await?;
    if let Some((m, rules)) = &scoring {
        let seen: Vec<crate::leads::scoring::Seen<'_>> = events
            .iter()
            .filter_map(|e| {
                Some(crate::leads::scoring::Seen {
                    contact: e.contact_id?,
                    kind: e.kind.as_str(),
                    properties: &e.properties,
                    occurred_at: e.occurred_at,
                })
            })
            .collect();
        crate::leads::on_detected(&tx, p, (m, rules), &seen, &fired).await?;
    }
    let moved = trigger_cursor::ActiveModel {
        tenant_id: sea_orm::ActiveValue::Unchanged(cur.tenant_id),
        id: sea_orm::ActiveValue::Unchanged(cur.id),
        last_event_id: Set(Some(next_event.max(start).into())),
        contacts_seen_at: Set(contacts_seen),
        updated_at: Set(now),
    };
    sea_orm::ActiveModelTrait::update(moved, &tx).await?;
    tx.commit().await?;
    Ok(report)
}

/// Count rules: at least N matching events within the window, counted since the
/// rule's last firing for the contact (so one burst fires once).
async fn count_rule(
    tx: &TenantTx<'_>,
    l: &Live,
    (event, at_least, within_secs, conditions): (&String, i64, i64, &Vec<definition::Condition>),
    mine: &[&Ev],
    bound: Uuid,
    fires: &mut Vec<Fire>,
) -> Result<()> {
    if mine.is_empty() {
        return Ok(());
    }
    let within = Duration::seconds(within_secs);
    let contacts: Vec<ContactId> = unique(mine.iter().filter_map(|e| e.contact_id));
    let earliest = mine.iter().map(|e| e.occurred_at).min().unwrap_or_default() - within;
    let earlier = contact_event::Entity::scoped(tx.ctx())
        .filter(contact_event::Column::Kind.eq(event.as_str()))
        .filter(contact_event::Column::ContactId.is_in(contacts.clone()))
        .filter(contact_event::Column::OccurredAt.gte(earliest))
        .filter(contact_event::Column::Id.lt(bound))
        .filter(contact_event::Column::Id.gte(l.from));
    let prior = read(earlier, tx).await?;
    let last_fired: HashMap<ContactId, Uuid> = last_firings(tx, l.rule.id, &contacts).await?;
    let mut by_contact: HashMap<ContactId, Vec<&Ev>> = HashMap::new();
    for e in prior.iter().filter(|e| conditions.iter().all(|c| c.holds(&e.properties))) {
        if let Some(c) = e.contact_id {
            by_contact.entry(c).or_default().push(e);
        }
    }
    let mut fired_after: HashMap<ContactId, Uuid> = last_fired;
    for e in mine {
        let Some(c) = e.contact_id else { continue };
        let after = fired_after.get(&c).copied().unwrap_or(Uuid::nil());
        let window: Vec<ContactEventId> = by_contact
            .get(&c)
            .map(|all| {
                all.iter()
                    .filter(|x| Uuid::from(x.id) > after && Uuid::from(x.id) <= Uuid::from(e.id))
                    .filter(|x| x.occurred_at > e.occurred_at - within && x.occurred_at <= e.occurred_at)
                    .map(|x| x.id)
                    .collect()
            })
            .unwrap_or_default();
        if window.len() as i64 >= at_least {
            fires.push(Fire { rule: l.rule.id, contact: c, dedupe: text(e.id), events: window });
            fired_after.insert(c, e.id.into());
        }
    }
    Ok(())
}

/// The triggering event of each contact's latest firing of `rule`.
async fn last_firings(
    tx: &TenantTx<'_>,
    rule: TriggerRuleId,
    contacts: &[ContactId],
) -> Result<HashMap<ContactId, Uuid>> {
    let rows: Vec<(ContactId, String)> = trigger_firing::Entity::scoped(tx.ctx())
        .filter(trigger_firing::Column::RuleId.eq(rule))
        .filter(trigger_firing::Column::ContactId.is_in(contacts.to_vec()))
        .select_only()
        .column(trigger_firing::Column::ContactId)
        .column_as(trigger_firing::Column::Dedupe.max(), "dedupe")
        .group_by(trigger_firing::Column::ContactId)
        .into_tuple()
        .all(tx)
        .await?;
    Ok(rows.into_iter().filter_map(|(c, d)| Some((c, d.parse::<Uuid>().ok()?))).collect())
}

/// Sequence rules: the first event starts a contact's timer (unless one waits already),
/// the second cancels it when it came after the timer's start.
async fn sequence_rule(
    tx: &TenantTx<'_>,
    l: &Live,
    (first, then, within_secs): (&String, &String, i64),
    mine: &[&Ev],
) -> Result<(u64, u64)> {
    let mut relevant: Vec<&Ev> = mine.iter().copied().filter(|e| &e.kind == first || &e.kind == then).collect();
    if relevant.is_empty() {
        return Ok((0, 0));
    }
    relevant.sort_by_key(|e| (e.occurred_at, e.id));
    let contacts: Vec<ContactId> = unique(relevant.iter().filter_map(|e| e.contact_id));
    let waiting: Vec<trigger_timer::Model> = trigger_timer::Entity::scoped(tx.ctx())
        .filter(trigger_timer::Column::RuleId.eq(l.rule.id))
        .filter(trigger_timer::Column::ContactId.is_in(contacts))
        .all(tx)
        .await?;
    // Per contact: the timer waiting (stored or new), and whether it is new.
    let mut open: HashMap<ContactId, (trigger_timer::Model, bool)> =
        waiting.into_iter().map(|t| (t.contact_id, (t, false))).collect();
    let mut cancel = Vec::new();
    for e in relevant {
        let Some(c) = e.contact_id else { continue };
        if &e.kind == first {
            open.entry(c).or_insert_with(|| {
                let t = trigger_timer::Model {
                    tenant_id: tx.tenant_id(),
                    id: new_id(),
                    rule_id: l.rule.id,
                    contact_id: c,
                    event_id: e.id,
                    started_at: e.occurred_at,
                    due_at: e.occurred_at + Duration::seconds(within_secs),
                };
                (t, true)
            });
        } else if let Some((t, new)) = open.get(&c)
            && t.started_at <= e.occurred_at
        {
            if !*new {
                cancel.push(t.id);
            }
            open.remove(&c);
        }
    }
    let started: Vec<trigger_timer::ActiveModel> = open
        .into_values()
        .filter(|(_, new)| *new)
        .map(|(t, _)| trigger_timer::ActiveModel {
            tenant_id: Set(t.tenant_id),
            id: Set(t.id),
            rule_id: Set(t.rule_id),
            contact_id: Set(t.contact_id),
            event_id: Set(t.event_id),
            started_at: Set(t.started_at),
            due_at: Set(t.due_at),
        })
        .collect();
    let n_started = started.len() as u64;
    if !started.is_empty() {
        let once = OnConflict::columns([
            trigger_timer::Column::TenantId,
            trigger_timer::Column::RuleId,
            trigger_timer::Column::ContactId,
        ])
        .do_nothing()
        .to_owned();
        trigger_timer::Entity::insert_many(started).on_conflict(once).exec_without_returning(tx).await?;
    }
    let n_cancelled = cancel.len() as u64;
    if !cancel.is_empty() {
        trigger_timer::Entity::delete_many()
            .filter(trigger_timer::Column::TenantId.eq(tx.tenant_id()))
            .filter(trigger_timer::Column::Id.is_in(cancel))
            .exec(tx)
            .await?;
    }
    Ok((n_started, n_cancelled))
}

/// Fires the timers due by `now` whose cancelling event did not come (looked for again
/// here, in case it was written late), and drops them all.
async fn due_timers(
    tx: &TenantTx<'_>,
    sequences: &HashMap<TriggerRuleId, &Live>,
    now: DateTime<Utc>,
    fires: &mut Vec<Fire>,
) -> Result<(bool, Option<DateTime<Utc>>)> {
    let due: Vec<trigger_timer::Model> = trigger_timer::Entity::scoped(tx.ctx())
        .filter(trigger_timer::Column::DueAt.lte(now))
        .order_by_asc(trigger_timer::Column::DueAt)
        .limit(TIMER_BATCH)
        .all(tx)
        .await?;
    let more = due.len() as u64 == TIMER_BATCH;
    let mut done = Vec::with_capacity(due.len());
    let mut by_rule: HashMap<TriggerRuleId, Vec<&trigger_timer::Model>> = HashMap::new();
    for t in &due {
        done.push(t.id);
        by_rule.entry(t.rule_id).or_default().push(t);
    }
    for (rule, timers) in by_rule {
        let Some(l) = sequences.get(&rule) else { continue };
        let Definition::Sequence { not_followed_by, .. } = &l.def else { continue };
        let contacts: Vec<ContactId> = unique(timers.iter().map(|t| t.contact_id));
        let earliest = timers.iter().map(|t| t.started_at).min().unwrap_or(now);
        let seen: Vec<(ContactId, DateTime<Utc>)> = contact_event::Entity::scoped(tx.ctx())
            .filter(contact_event::Column::Kind.eq(not_followed_by.as_str()))
            .filter(contact_event::Column::ContactId.is_in(contacts))
            .filter(contact_event::Column::OccurredAt.gte(earliest))
            .select_only()
            .column(contact_event::Column::ContactId)
            .column(contact_event::Column::OccurredAt)
            .into_tuple()
            .all(tx)
            .await?;
        for t in timers {
            let answered = seen.iter().any(|(c, at)| *c == t.contact_id && *at >= t.started_at && *at <= t.due_at);
            if !answered {
                fires.push(Fire { rule, contact: t.contact_id, dedupe: text(t.event_id), events: vec![t.event_id] });
            }
        }
    }
    if !done.is_empty() {
        trigger_timer::Entity::delete_many()
            .filter(trigger_timer::Column::TenantId.eq(tx.tenant_id()))
            .filter(trigger_timer::Column::Id.is_in(done))
            .exec(tx)
            .await?;
    }
    let next_due: Option<DateTime<Utc>> = trigger_timer::Entity::scoped(tx.ctx())
        .select_only()
        .column_as(trigger_timer::Column::DueAt.min(), "due")
        .into_tuple::<Option<DateTime<Utc>>>()
        .one(tx)
        .await?
        .flatten();
    Ok((more, next_due))
}

/// Segment rules: a rule not yet stocked takes stock of its segment's members (nobody
/// fires); then the contacts touched since the last look (an event, a change, added to
/// a list) are tested against the segment, and those who came in or went out fire.
async fn segment_rules(
    tx: &TenantTx<'_>,
    p: &Parley,
    live: &mut [Live],
    events: &[Ev],
    seen_at: DateTime<Utc>,
    until: DateTime<Utc>,
    fires: &mut Vec<Fire>,
) -> Result<(u64, DateTime<Utc>, bool)> {
    let mut touched: HashSet<ContactId> = events.iter().filter_map(|e| e.contact_id).collect();
    let changed: Vec<(ContactId, DateTime<Utc>)> = contact::Entity::scoped(tx.ctx())
        .filter(contact::Column::UpdatedAt.gt(seen_at))
        .filter(contact::Column::UpdatedAt.lte(until))
        .order_by_asc(contact::Column::UpdatedAt)
        .limit(BATCH)
        .select_only()
        .column(contact::Column::Id)
        .column(contact::Column::UpdatedAt)
        .into_tuple()
        .all(tx)
        .await?;
    let more = changed.len() as u64 == BATCH;
    let seen = if more { changed.last().map_or(until, |c| c.1) } else { until.max(seen_at) };
    touched.extend(changed.iter().map(|c| c.0));
    let segments: Vec<crate::SegmentId> = live
        .iter()
        .filter_map(|l| match l.def {
            Definition::Segment { segment, .. } => Some(segment),
            _ => None,
        })
        .collect();
    // Contacts put on watched lists since the last look.
    let listed: Vec<ContactId> = segment_member::Entity::scoped(tx.ctx())
        .filter(segment_member::Column::SegmentId.is_in(segments))
        .filter(segment_member::Column::AddedAt.gt(seen_at))
        .filter(segment_member::Column::AddedAt.lte(seen))
        .select_only()
        .column(segment_member::Column::ContactId)
        .into_tuple()
        .all(tx)
        .await?;
    touched.extend(listed);
    let touched: Vec<ContactId> = touched.into_iter().collect();
    let t = p.clock();
    for l in live.iter_mut() {
        let Definition::Segment { segment, entered } = l.def else { continue };
        let Some(cond) = condition(tx, segment).await? else { continue };
        // Stock is taken when the rule starts, and again every hour: what changes with
        // time alone (a window of events closing) or unseen (taken off a list) shows then.
        let stale = l.rule.baseline_at.is_none_or(|b| t - b >= Duration::seconds(RESTOCK_SECS));
        if stale {
            let now_in: HashSet<ContactId> = members_now(tx, cond).await?.into_iter().collect();
            let known = match l.rule.baseline_at {
                None => now_in.clone(),
                Some(_) => stocked(tx, l.rule.id, None).await?,
            };
            if l.rule.baseline_at.is_none() {
                let all: Vec<ContactId> = now_in.iter().copied().collect();
                for chunk in all.chunks(5_000) {
                    let rows = chunk.iter().map(|c| member(tx.tenant_id(), l.rule.id, *c, t));
                    trigger_member::Entity::insert_many(rows).exec_without_returning(tx).await?;
                }
            } else {
                moved(tx, l.rule.id, entered, &now_in, &known, t, fires).await?;
            }
            trigger_rule::Entity::update_many()
                .col_expr(trigger_rule::Column::BaselineAt, Expr::value(t))
                .filter(trigger_rule::Column::TenantId.eq(tx.tenant_id()))
                .filter(trigger_rule::Column::Id.eq(l.rule.id))
                .exec(tx)
                .await?;
            l.rule.baseline_at = Some(t);
            continue;
        }
        if touched.is_empty() {
            continue;
        }
        for chunk in touched.chunks(1_000) {
            let now_in: HashSet<ContactId> = contact::Entity::scoped(tx.ctx())
                .filter(cond.clone())
                .filter(contact::Column::Id.is_in(chunk.to_vec()))
                .select_only()
                .column(contact::Column::Id)
                .into_tuple()
                .all(tx)
                .await?
                .into_iter()
                .collect();
            let known = stocked(tx, l.rule.id, Some(chunk)).await?;
            moved(tx, l.rule.id, entered, &now_in, &known, t, fires).await?;
        }
    }
    Ok((touched.len() as u64, seen, more))
}

/// The contacts in rule `rule`'s stock (of `among` only, when given).
async fn stocked(tx: &TenantTx<'_>, rule: TriggerRuleId, among: Option<&[ContactId]>) -> Result<HashSet<ContactId>> {
    let mut q = trigger_member::Entity::scoped(tx.ctx()).filter(trigger_member::Column::RuleId.eq(rule));
    if let Some(ids) = among {
        q = q.filter(trigger_member::Column::ContactId.is_in(ids.to_vec()));
    }
    let ids: Vec<ContactId> = q.select_only().column(trigger_member::Column::ContactId).into_tuple().all(tx).await?;
    Ok(ids.into_iter().collect())
}

fn member(tenant: WorkspaceId, rule: TriggerRuleId, c: ContactId, t: DateTime<Utc>) -> trigger_member::ActiveModel {
    trigger_member::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(new_id()),
        rule_id: Set(rule),
        contact_id: Set(c),
        since: Set(t),
    }
}

/// Segment `id`'s condition on contacts, None when the segment is gone.
async fn condition(tx: &TenantTx<'_>, id: crate::SegmentId) -> Result<Option<sea_orm::sea_query::SimpleExpr>> {
    if segment::Entity::scoped(tx.ctx()).filter(segment::Column::Id.eq(id)).one(tx).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(crate::segments::condition_in(tx, id).await?))
}

/// The contacts in the segment of condition `cond` now, read in pages.
async fn members_now(tx: &TenantTx<'_>, cond: sea_orm::sea_query::SimpleExpr) -> Result<Vec<ContactId>> {
    let mut all = Vec::new();
    loop {
        let mut q = contact::Entity::scoped(tx.ctx()).filter(cond.clone());
        if let Some(a) = all.last().copied() {
            q = q.filter(contact::Column::Id.gt(a));
        }
        let page: Vec<ContactId> = q
            .order_by_asc(contact::Column::Id)
            .limit(5_000)
            .select_only()
            .column(contact::Column::Id)
            .into_tuple()
            .all(tx)
            .await?;
        let full = page.len() == 5_000;
        all.extend(page);
        if !full {
            return Ok(all);
        }
    }
}

/// The contacts of `now_in` not `known` came into the segment, those `known` not in it
/// left: the rule's stock follows, and it fires for the direction it watches.
async fn moved(
    tx: &TenantTx<'_>,
    rule: TriggerRuleId,
    entered: bool,
    now_in: &HashSet<ContactId>,
    known: &HashSet<ContactId>,
    t: DateTime<Utc>,
    fires: &mut Vec<Fire>,
) -> Result<()> {
    let came: Vec<ContactId> = now_in.difference(known).copied().collect();
    let went: Vec<ContactId> = known.difference(now_in).copied().collect();
    let stamp = t.timestamp_millis();
    for c in if entered { &came } else { &went } {
        let dedupe = format!("{}:{c}:{stamp}", if entered { "in" } else { "out" });
        fires.push(Fire { rule, contact: *c, dedupe, events: Vec::new() });
    }
    for chunk in came.chunks(5_000) {
        let rows = chunk.iter().map(|c| member(tx.tenant_id(), rule, *c, t));
        trigger_member::Entity::insert_many(rows).exec_without_returning(tx).await?;
    }
    for chunk in went.chunks(5_000) {
        trigger_member::Entity::delete_many()
            .filter(trigger_member::Column::TenantId.eq(tx.tenant_id()))
            .filter(trigger_member::Column::RuleId.eq(rule))
            .filter(trigger_member::Column::ContactId.is_in(chunk.to_vec()))
            .exec(tx)
            .await?;
    }
    Ok(())
}

/// Writes the firings not recorded yet (one statement per thousand: a firing already
/// recorded is skipped by its unique key and not answered back), and a `trigger_fired`
/// event on the timeline of each new one's contact; answers the new ones.
async fn record(
    tx: &TenantTx<'_>,
    live: &[Live],
    fires: Vec<Fire>,
    now: DateTime<Utc>,
) -> Result<Vec<(TriggerRuleId, ContactId, crate::TriggerFiringId)>> {
    let names: HashMap<TriggerRuleId, &str> = live.iter().map(|l| (l.rule.id, l.rule.name.as_str())).collect();
    let mut seen: HashSet<(TriggerRuleId, String)> = HashSet::new();
    let fires: Vec<(crate::TriggerFiringId, Fire)> =
        fires.into_iter().filter(|f| seen.insert((f.rule, f.dedupe.clone()))).map(|f| (new_id(), f)).collect();
    let once = OnConflict::columns([
        trigger_firing::Column::TenantId,
        trigger_firing::Column::RuleId,
        trigger_firing::Column::Dedupe,
    ])
    .do_nothing()
    .to_owned();
    let mut new = Vec::new();
    for chunk in fires.chunks(1_000) {
        let rows = chunk.iter().map(|(id, f)| trigger_firing::ActiveModel {
            tenant_id: Set(tx.tenant_id()),
            id: Set(*id),
            rule_id: Set(f.rule),
            contact_id: Set(f.contact),
            dedupe: Set(f.dedupe.clone()),
            events: Set(json!(f.events)),
            fired_at: Set(now),
        });
        let inserted =
            trigger_firing::Entity::insert_many(rows).on_conflict(once.clone()).exec_with_returning_keys(tx).await;
        let inserted: HashSet<crate::TriggerFiringId> = match inserted {
            Ok(keys) => keys.into_iter().map(|(_, id)| id).collect(),
            Err(sea_orm::DbErr::RecordNotInserted) => HashSet::new(),
            Err(e) => return Err(e.into()),
        };
        let timeline: Vec<contact_event::ActiveModel> = chunk
            .iter()
            .filter(|(id, _)| inserted.contains(id))
            .map(|(id, f)| {
                let props = json!({
                    "ruleId": crate::validate::global_ref(f.rule),
                    "rule": names.get(&f.rule).copied().unwrap_or_default(),
                    "firingId": crate::validate::global_ref(*id),
                    "events": f.events,
                });
                crate::contacts::timeline::event(tx.tenant_id(), f.contact, definition::FIRED_EVENT, props, now)
            })
            .collect();
        new.extend(chunk.iter().filter(|(id, _)| inserted.contains(id)).map(|(id, f)| (f.rule, f.contact, *id)));
        if !timeline.is_empty() {
            contact_event::Entity::insert_many(timeline).exec_without_returning(tx).await?;
        }
    }
    Ok(new)
}

fn unique<T: std::hash::Hash + Eq + Copy>(items: impl Iterator<Item = T>) -> Vec<T> {
    let set: HashSet<T> = items.collect();
    set.into_iter().collect()
}

fn text(id: ContactEventId) -> String {
    Uuid::from(id).to_string()
}

/// Runs passes for a workspace until it is caught up (or `budget` has passed), then
/// queues the next: soon while events flow, at the next timer's deadline or a second
/// later when idle, none when no rule is active. Answers the passes' reports summed.
pub async fn run(p: &Parley, tenant: WorkspaceId, budget: std::time::Duration) -> Result<PassReport> {
    let ctx = TenantCtx::new(tenant, Actor::System, Role::Admin);
    let started = std::time::Instant::now();
    let mut total = PassReport::default();
    loop {
        let r = pass(&ctx, p).await?;
        total.events += r.events;
        total.fired += r.fired;
        total.timers_started += r.timers_started;
        total.timers_cancelled += r.timers_cancelled;
        total.contacts_checked += r.contacts_checked;
        total.watching = r.watching;
        total.next_due = r.next_due;
        total.more = r.more;
        if !r.more || started.elapsed() >= budget {
            break;
        }
    }
    if total.watching {
        let now = p.clock();
        let busy = total.more || total.events > 0;
        let interval = if busy { BUSY_INTERVAL_MS } else { IDLE_INTERVAL_MS };
        let soonest = now + Duration::milliseconds(BUSY_INTERVAL_MS);
        let mut at = now + Duration::milliseconds(interval);
        if let Some(due) = total.next_due {
            at = at.min(due).max(soonest);
        }
        let tx = p.tenant_tx(&ctx).await?;
        queue(&tx, p, at).await?;
        tx.commit().await?;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    /// The cursor's bound splits IDs by the millisecond they were made in: every ID made
    /// before it sorts below, every one made in it or after sorts above (the random
    /// bits never move an ID across).
    #[test]
    fn an_id_floor_splits_ids_by_their_millisecond() {
        let mut rng = rand::rng();
        for _ in 0..2_000 {
            let ms: i64 = rng.random_range(1_600_000_000_000..2_000_000_000_000);
            let t = DateTime::<Utc>::from_timestamp_millis(ms).unwrap();
            let at = |ms: i64| {
                let secs = (ms / 1_000) as u64;
                let nanos = ((ms % 1_000) * 1_000_000) as u32 + rng_nanos();
                Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos))
            };
            let floor = id_floor(t);
            assert!(at(ms - 1) < floor, "{ms}");
            assert!(at(ms) >= floor, "{ms}");
            assert!(at(ms + 1) > floor, "{ms}");
            assert!(id_floor(t + Duration::milliseconds(1)) > at(ms), "{ms}");
        }
    }

    fn rng_nanos() -> u32 {
        rand::rng().random_range(0..1_000_000)
    }
}
