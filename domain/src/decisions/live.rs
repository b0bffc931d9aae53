//! What deciding reads and what learning writes, kept off the request's path.
//!
//! A point's **snapshot** (the point, its rules with their eligibility parsed, the
//! conditions on the contact they test, the offers they name and the learnt counts) is
//! read once and kept by the node for at most [`crate::core::node::STALE_AFTER`], and
//! until this node changes the catalogue, a point, a rule, a segment or a contact field.
//!
//! **Recording and learning** are written behind the answer: each decision (with its
//! presentations on the contact's timeline), each presentation's trial and each
//! success are kept by the node and written every [`FLUSH_EVERY`] by one task, in one
//! transaction per workspace (multi-row inserts, and an upsert adding the counts: no
//! row lock is held by a decision). A write that fails keeps what it held for the next
//! one, in order; the server writes what it holds when it stops; a node holding
//! [`MAX_UNWRITTEN`] decisions refuses more as unavailable. Readers of decisions,
//! timelines and counts write what is held first, so a node reads its own decisions;
//! the limits and the learner count what is held, so they see this node at once and
//! other nodes within a second or two.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect, QueryTrait,
};

use super::arbitrate::Stats;
use super::eligibility::{self, Eligibility};
use super::{InteractionPoint, Offer, TreatmentRule, offers, points, rules};
use crate::contacts::Channel;
use crate::db::TenantOwned;
use crate::{
    Actor, Contact, ContactId, DecisionId, InteractionPointId, OfferId, Parley, Result, Role, TenantCtx, TenantTx,
    WorkspaceId, new_id, now,
};
use entities::{contact, contact_event, decision, interaction_point, offer, offer_stat};

/// How often what is held is written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// A rule as deciding uses it.
#[derive(Debug)]
pub(crate) struct RuleView {
    pub rule: TreatmentRule,
    pub offers: Vec<OfferId>,
    /// The index in [`Snapshot::conditions`] of the rule's segment, if it has one.
    pub segment: Option<usize>,
    /// The eligibility (None: always); Err: it no longer parses (the rule is not
    /// eligible).
    pub eligibility: Option<std::result::Result<Checked, ()>>,
}

/// An eligibility with the index in [`Snapshot::conditions`] of each of its contact
/// tests, by the test's JSON text.
pub(crate) type Checked = (Eligibility, HashMap<String, usize>);

/// An offer as deciding uses it.
#[derive(Debug)]
pub(crate) struct OfferView {
    pub offer: Offer,
    pub channels: Vec<Channel>,
}

/// What deciding at one point reads.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub point: InteractionPoint,
    pub channel: Channel,
    pub rules: Vec<RuleView>,
    /// Conditions on the contact, each tested for a decision's contact in one statement.
    pub conditions: Vec<Expr>,
    pub catalogue: HashMap<OfferId, OfferView>,
    /// The counts written so far, by offer and segment key (the nil UUID: traffic not
    /// learnt by segment).
    pub stats: HashMap<(OfferId, uuid::Uuid), Stats>,
    /// The same summed over segments: the point's whole traffic.
    pub totals: HashMap<OfferId, Stats>,
    /// Presentations written so far at every point, of the offers with a capacity.
    pub shown_in_all: HashMap<OfferId, u64>,
    /// The workspace's cap on offers shown to one contact: (most, within days).
    pub fatigue: Option<(i64, i64)>,
}

impl Snapshot {
    /// Reads the point `id` (`NotFound` for another workspace's) and all it decides with.
    async fn load(tx: &TenantTx<'_>, id: InteractionPointId) -> Result<Snapshot> {
        let point = tx.find::<interaction_point::Entity>(id).await?;
        let all_rules = rules::in_point(tx, point.id).await?;
        let mut ids: Vec<OfferId> = all_rules.iter().flat_map(rules::offers_of).collect();
        ids.extend(point.fallback_offer_id);
        let catalogue: HashMap<OfferId, OfferView> = offer::Entity::scoped(tx.ctx())
            .filter(offer::Column::Id.is_in(ids))
            .all(tx)
            .await?
            .into_iter()
            .map(|o| (o.id, OfferView { channels: offers::channels_of(&o), offer: o }))
            .collect();
        let mut stats = HashMap::new();
        let mut totals: HashMap<OfferId, Stats> = HashMap::new();
        for s in offer_stat::Entity::scoped(tx.ctx()).filter(offer_stat::Column::PointId.eq(point.id)).all(tx).await? {
            let one = Stats { trials: s.trials.max(0) as u64, successes: s.successes.max(0) as u64 };
            let total = totals.entry(s.offer_id).or_default();
            total.trials += one.trials;
            total.successes += one.successes;
            stats.insert((s.offer_id, s.segment_key), one);
        }
        let capped: Vec<OfferId> =
            catalogue.values().filter(|o| o.offer.capacity.is_some()).map(|o| o.offer.id).collect();
        let mut shown_in_all: HashMap<OfferId, u64> = HashMap::new();
        if !capped.is_empty() {
            for s in
                offer_stat::Entity::scoped(tx.ctx()).filter(offer_stat::Column::OfferId.is_in(capped)).all(tx).await?
            {
                *shown_in_all.entry(s.offer_id).or_default() += s.trials.max(0) as u64;
            }
        }
        let fatigue = crate::campaigns::policies::of_in(tx)
            .await?
            .and_then(|p| Some((i64::from(p.offer_max?), i64::from(p.offer_window_days?))));
        let needs_fields = all_rules.iter().any(|r| !r.eligibility.is_null());
        let fields = if needs_fields { crate::contacts::fields::all(tx).await? } else { Vec::new() };
        let mut conditions = Vec::new();
        let mut views = Vec::with_capacity(all_rules.len());
        for r in all_rules {
            let segment = match r.segment_id {
                None => None,
                Some(s) => match crate::segments::condition_in(tx, s).await {
                    Ok(c) => {
                        conditions.push(c);
                        Some(conditions.len() - 1)
                    }
                    // A segment deleted since: nobody is in it.
                    Err(crate::Error::NotFound) => {
                        conditions.push(Expr::val(false));
                        Some(conditions.len() - 1)
                    }
                    Err(e) => return Err(e),
                },
            };
            let eligibility = if r.eligibility.is_null() {
                None
            } else {
                Some(match eligibility::parse(&r.eligibility, &fields, "eligibility") {
                    Err(_) => Err(()),
                    Ok(e) => {
                        let mut index = HashMap::new();
                        let mut broken = false;
                        for raw in e.contact_rules() {
                            match crate::segments::rule_condition(tx, raw).await {
                                Ok(c) => {
                                    conditions.push(c);
                                    index.insert(raw.to_string(), conditions.len() - 1);
                                }
                                Err(_) => broken = true,
                            }
                        }
                        if broken { Err(()) } else { Ok((e, index)) }
                    }
                })
            };
            views.push(RuleView { offers: rules::offers_of(&r), rule: r, segment, eligibility });
        }
        Ok(Snapshot {
            channel: points::channel_of(&point),
            point,
            rules: views,
            conditions,
            catalogue,
            stats,
            totals,
            shown_in_all,
            fatigue,
        })
    }

    /// The live contact `which` picks (None: none), with which of the conditions it
    /// meets, in one statement.
    pub(crate) async fn contact_tested(
        &self,
        tx: &TenantTx<'_>,
        which: sea_orm::Condition,
    ) -> Result<Option<(Contact, Vec<bool>)>> {
        let mut q = contact::Entity::scoped(tx.ctx())
            .filter(contact::Column::MergedInto.is_null())
            .filter(which)
            .limit(1)
            .into_query();
        for (i, c) in self.conditions.iter().enumerate() {
            q.expr_as(Expr::case(c.clone(), 1).finally(0), Alias::new(format!("c{i}")));
        }
        let backend = tx.get_database_backend();
        let Some(row) = tx.query_one_raw(backend.build(&q)).await? else { return Ok(None) };
        let found = contact::Model::from_query_result(&row, "")?;
        let met = (0..self.conditions.len())
            .map(|i| Ok(row.try_get::<i32>("", &format!("c{i}"))? == 1))
            .collect::<Result<Vec<bool>>>()?;
        Ok(Some((found, met)))
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    trials: i64,
    successes: i64,
}

/// A decision and its presentations on the contact's timeline, not written yet.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub decision: decision::ActiveModel,
    pub events: Vec<contact_event::ActiveModel>,
    pub id: DecisionId,
    /// The offers shown, each with the segment key it is learnt under (each a trial).
    pub offers: Vec<(OfferId, uuid::Uuid)>,
    /// Whom to, for the per-contact limits.
    pub contact: Option<ContactId>,
    pub at: DateTime<Utc>,
}

/// What one workspace has not written yet.
#[derive(Debug, Default, Clone)]
struct Batch {
    counts: HashMap<Key, Counts>,
    records: Vec<Record>,
}

impl Batch {
    fn merge(&mut self, other: Batch) {
        for (k, c) in other.counts {
            let m = self.counts.entry(k).or_default();
            m.trials += c.trials;
            m.successes += c.successes;
        }
        self.records.extend(other.records);
    }
}

/// What a count is kept for: point, offer and segment key.
type Key = (InteractionPointId, OfferId, uuid::Uuid);

/// Not written yet, by workspace.
type Pending = HashMap<WorkspaceId, Batch>;

/// The most decisions a node holds unwritten (the database unreachable a while); past
/// it, decisions are refused as unavailable rather than kept without bound.
pub const MAX_UNWRITTEN: usize = 100_000;

/// The node's learning state: snapshots, and what is not written yet.
#[derive(Debug, Default)]
pub(crate) struct Learning {
    snapshots: crate::core::node::Cache<(WorkspaceId, InteractionPointId), Snapshot>,
    /// Taken by the next write.
    pending: Mutex<Pending>,
    /// Being written now (readers count it until it is committed; the write reads it
    /// through its own handle, without copying it).
    in_flight: Mutex<HashMap<WorkspaceId, Arc<Batch>>>,
    /// Held while writing, so a reader's write waits for one in progress.
    writing: tokio::sync::Mutex<()>,
    /// Read by a decision for all it does; written by a write while it commits and
    /// stops holding what it wrote. A decision therefore sees each batch exactly once:
    /// held (and missing from its snapshot and the rows it reads) or written (and read).
    steady: tokio::sync::RwLock<()>,
    writer: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Learning {
    /// Runs `f` over this node's unwritten batches of `tenant` (pending and in flight).
    fn each<T>(&self, tenant: WorkspaceId, mut f: impl FnMut(&Batch) -> T) -> Vec<T> {
        let mut out = Vec::with_capacity(2);
        if let Some(b) = self.pending.lock().unwrap_or_else(PoisonError::into_inner).get(&tenant) {
            out.push(f(b));
        }
        if let Some(b) = self.in_flight.lock().unwrap_or_else(PoisonError::into_inner).get(&tenant) {
            out.push(f(b));
        }
        out
    }
}

/// The snapshot of point `id` for `tx`'s workspace, read again when stale.
pub(crate) async fn snapshot(p: &Parley, tx: &TenantTx<'_>, id: InteractionPointId) -> Result<Arc<Snapshot>> {
    let node = p.node();
    let key = (tx.tenant_id(), id);
    let generation = node.generation();
    if let Some(s) = node.learning.snapshots.get(&key, generation) {
        return Ok(s);
    }
    let s = Arc::new(Snapshot::load(tx, id).await?);
    node.learning.snapshots.put(key, s.clone(), generation);
    Ok(s)
}

/// `offer`'s counts at the snapshot's point, those written and this node's unwritten
/// ones: for segment `key` when the point learns by segment, else for its whole traffic.
pub(crate) fn stats_of(p: &Parley, tenant: WorkspaceId, s: &Snapshot, offer: OfferId, key: uuid::Uuid) -> Stats {
    let by_segment = s.point.learn_by_segment != 0;
    let written = if by_segment { s.stats.get(&(offer, key)) } else { s.totals.get(&offer) };
    let written = written.copied().unwrap_or_default();
    let (mut trials, mut successes) = (written.trials, written.successes);
    let held = p.node().learning.each(tenant, |b| {
        b.counts.iter().filter(|((pt, o, k), _)| *pt == s.point.id && *o == offer && (!by_segment || *k == key)).fold(
            Counts::default(),
            |a, (_, c)| Counts { trials: a.trials + c.trials, successes: a.successes + c.successes },
        )
    });
    for c in held {
        trials += c.trials.max(0) as u64;
        successes += c.successes.max(0) as u64;
    }
    Stats { trials, successes }
}

/// The segment key a candidate of rule `segment` is learnt under at the snapshot's point.
pub(crate) fn key_of(s: &Snapshot, segment: Option<crate::SegmentId>) -> uuid::Uuid {
    match segment {
        Some(seg) if s.point.learn_by_segment != 0 => seg.into(),
        _ => uuid::Uuid::nil(),
    }
}

/// Presentations of `offer` at every point not written yet by this node.
pub(crate) fn pending_shown(p: &Parley, tenant: WorkspaceId, offer: OfferId) -> u64 {
    let sums = p.node().learning.each(tenant, |b| {
        b.counts.iter().filter(|((_, o, _), _)| *o == offer).map(|(_, c)| c.trials.max(0) as u64).sum::<u64>()
    });
    sums.into_iter().sum()
}

/// This node's unwritten presentations to `contact` since `since`: (offer, when).
pub(crate) fn pending_seen(
    p: &Parley,
    tenant: WorkspaceId,
    contact: ContactId,
    since: DateTime<Utc>,
) -> Vec<(OfferId, DateTime<Utc>)> {
    let lists = p.node().learning.each(tenant, |b| {
        let mut out = Vec::new();
        for r in b.records.iter().filter(|r| r.at >= since) {
            if r.contact == Some(contact) {
                out.extend(r.offers.iter().map(|(o, _)| (*o, r.at)));
            }
        }
        out
    });
    lists.into_iter().flatten().collect()
}

/// Whether decision `id` of `tenant` is held by this node, not written yet.
pub(crate) fn holds(p: &Parley, tenant: WorkspaceId, id: DecisionId) -> bool {
    p.node().learning.each(tenant, |b| b.records.iter().any(|r| r.id == id)).into_iter().any(|x| x)
}

/// Held by a decision while it reads and counts, so no write of this node commits in
/// between (see [`Learning::steady`]). Taken before its transaction opens: SQLite's
/// reads see the database as of the transaction's first one.
pub(crate) async fn steady(p: &Parley) -> tokio::sync::RwLockReadGuard<'_, ()> {
    p.node().learning.steady.read().await
}

/// `Unavailable` when this node holds as many unwritten decisions as it may.
pub(crate) fn room(p: &Parley) -> Result<()> {
    let learning = &p.node().learning;
    let pending: usize =
        learning.pending.lock().unwrap_or_else(PoisonError::into_inner).values().map(|b| b.records.len()).sum();
    let in_flight: usize =
        learning.in_flight.lock().unwrap_or_else(PoisonError::into_inner).values().map(|b| b.records.len()).sum();
    let held = pending + in_flight;
    if held >= MAX_UNWRITTEN {
        return Err(crate::Error::Unavailable("decisions cannot be recorded now; try again shortly".into()));
    }
    Ok(())
}

/// Keeps `record` and its presentations' trials, to be written shortly.
pub(crate) fn record(p: &Parley, tenant: WorkspaceId, point: InteractionPointId, record: Record) {
    let offers = record.offers.clone();
    let learning = &p.node().learning;
    {
        let mut pending = learning.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let batch = pending.entry(tenant).or_default();
        batch.records.push(record);
        for (o, key) in offers {
            batch.counts.entry((point, o, key)).or_default().trials += 1;
        }
    }
    start_writer(p);
}

/// Counts a success of `offer` at `point` under segment `key`, to be written shortly.
pub(crate) fn count_success(
    p: &Parley,
    tenant: WorkspaceId,
    point: InteractionPointId,
    offer: OfferId,
    key: uuid::Uuid,
) {
    {
        let mut pending = p.node().learning.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.entry(tenant).or_default().counts.entry((point, offer, key)).or_default().successes += 1;
    }
    start_writer(p);
}

/// Starts the task that writes every [`FLUSH_EVERY`], unless it runs.
fn start_writer(p: &Parley) {
    let learning = &p.node().learning;
    let mut writer = learning.writer.lock().unwrap_or_else(PoisonError::into_inner);
    if writer.as_ref().is_none_or(|w| w.is_finished()) && tokio::runtime::Handle::try_current().is_ok() {
        let p = p.clone();
        *writer = Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = flush(&p).await {
                    tracing::warn!(error = %e, "decisions and learning counts not written yet; kept for the next try");
                }
            }
        }));
    }
}

/// Writes everything unwritten now (one transaction per workspace). What fails to be
/// written is kept for the next write; the first error is answered.
pub async fn flush(p: &Parley) -> Result<()> {
    let learning = &p.node().learning;
    let _writing = learning.writing.lock().await;
    let taken = std::mem::take(&mut *learning.pending.lock().unwrap_or_else(PoisonError::into_inner));
    if taken.is_empty() {
        return Ok(());
    }
    let tenants: Vec<WorkspaceId> = taken.keys().copied().collect();
    *learning.in_flight.lock().unwrap_or_else(PoisonError::into_inner) =
        taken.into_iter().map(|(t, b)| (t, Arc::new(b))).collect();
    let mut first_error = None;
    for tenant in tenants {
        let held = learning.in_flight.lock().unwrap_or_else(PoisonError::into_inner).get(&tenant).cloned();
        let Some(held) = held else { continue };
        let mut result = write(p, tenant, &held.counts, &held.records, true).await;
        if result.as_ref().is_err_and(|e| !e.is_retryable()) {
            // Not an outage: something in the batch cannot be written. Each decision is
            // tried alone, and one that cannot be written is logged and dropped, so it
            // never holds back the rest. (Until all are, a decision may count one written
            // here twice: the limits err on the side of showing less.)
            result = write(p, tenant, &held.counts, &[], false).await;
            for r in &held.records {
                if let Err(e) = write(p, tenant, &HashMap::new(), std::slice::from_ref(r), false).await {
                    tracing::error!(error = %e, decision = ?r.id, "a decision could not be recorded; dropped");
                }
            }
            if result.is_ok() {
                let _steady = learning.steady.write().await;
                learning.in_flight.lock().unwrap_or_else(PoisonError::into_inner).remove(&tenant);
            }
        }
        drop(held);
        let batch = learning.in_flight.lock().unwrap_or_else(PoisonError::into_inner).remove(&tenant);
        match result {
            Ok(()) => {}
            Err(e) => {
                if let Some(batch) = batch {
                    // Readers only borrow it under the lock, so this is the last handle.
                    let mut kept = Arc::try_unwrap(batch).unwrap_or_else(|shared| (*shared).clone());
                    let mut pending = learning.pending.lock().unwrap_or_else(PoisonError::into_inner);
                    // Kept ahead of what came since, in the order it was decided.
                    if let Some(newer) = pending.remove(&tenant) {
                        kept.merge(newer);
                    }
                    pending.insert(tenant, kept);
                }
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// [`flush`] before a read that should see this node's own decisions: a failure is
/// logged (the read answers what is written).
pub async fn flush_for_read(p: &Parley) {
    if let Err(e) = flush(p).await {
        tracing::warn!(error = %e, "decisions and learning counts not written before a read");
    }
}

/// Rows per insert statement (well under either database's limit on bound values).
const ROWS_PER_INSERT: usize = 500;

/// Writes one workspace's decisions, their timeline events and its learnt counts, in
/// one transaction.
/// With `settle`, the workspace's batch in flight stops being held in the same step as
/// the commit (see [`Learning::steady`]).
async fn write(
    p: &Parley,
    tenant: WorkspaceId,
    counts: &HashMap<Key, Counts>,
    records: &[Record],
    settle: bool,
) -> Result<()> {
    let learning = &p.node().learning;
    // SQLite has one connection: a decision holding the read side may be waiting for
    // it, so there the write side is taken before the transaction opens. PostgreSQL
    // takes it for the commit alone, so decisions wait only that long.
    let early = if p.db().is_postgres() { None } else { Some(learning.steady.write().await) };
    let ctx = TenantCtx::new(tenant, Actor::System, Role::Admin);
    let tx = p.tenant_tx(&ctx).await?;
    for chunk in records.chunks(ROWS_PER_INSERT) {
        let rows = chunk.iter().map(|r| r.decision.clone());
        decision::Entity::insert_many(rows).exec_without_returning(&tx).await?;
    }
    let events: Vec<&contact_event::ActiveModel> = records.iter().flat_map(|r| &r.events).collect();
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let rows = chunk.iter().map(|e| (*e).clone());
        contact_event::Entity::insert_many(rows).exec_without_returning(&tx).await?;
    }
    if !counts.is_empty() {
        let t = now();
        // A stable order, so two nodes writing the same pairs lock them in the same order.
        let mut keys: Vec<_> = counts.keys().copied().collect();
        keys.sort();
        for chunk in keys.chunks(ROWS_PER_INSERT) {
            let rows = chunk.iter().map(|k| {
                let c = counts[k];
                offer_stat::ActiveModel {
                    tenant_id: Set(tenant),
                    id: Set(new_id()),
                    point_id: Set(k.0),
                    offer_id: Set(k.1),
                    segment_key: Set(k.2),
                    trials: Set(c.trials),
                    successes: Set(c.successes),
                    updated_at: Set(t),
                }
            });
            let on_conflict = OnConflict::columns([
                offer_stat::Column::TenantId,
                offer_stat::Column::PointId,
                offer_stat::Column::OfferId,
                offer_stat::Column::SegmentKey,
            ])
            .value(offer_stat::Column::Trials, Expr::cust("offer_stats.trials + excluded.trials"))
            .value(offer_stat::Column::Successes, Expr::cust("offer_stats.successes + excluded.successes"))
            .value(offer_stat::Column::UpdatedAt, Expr::val(t))
            .to_owned();
            offer_stat::Entity::insert_many(rows).on_conflict(on_conflict).exec_without_returning(&tx).await?;
        }
    }
    let _steady = match early {
        Some(held) => held,
        None => learning.steady.write().await,
    };
    tx.commit().await?;
    // Snapshots read before this commit are stale: what they lack is no longer held.
    p.changed();
    if settle {
        learning.in_flight.lock().unwrap_or_else(PoisonError::into_inner).remove(&tenant);
    }
    Ok(())
}
