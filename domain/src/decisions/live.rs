//! What deciding reads and what learning writes, kept off the request's path.
//!
//! A point's **snapshot** (the point, its rules with their eligibility parsed, the
//! conditions on the contact they test, the offers they name and the learnt counts) is
//! read once and kept by the node for at most [`crate::core::node::STALE_AFTER`], and
//! until this node changes the catalogue, a point, a rule, a segment or a contact field.
//!
//! **Learning** is counted in memory: each presentation adds a trial, each success a
//! success, to the node's pending counts, which one task writes every
//! [`FLUSH_EVERY`] with one statement per workspace (an upsert adding the counts; no
//! row lock is held by a decision). A write that fails keeps its counts for the next
//! one; the server writes what is pending when it stops. Readers of the counts
//! (performance, lift) write what is pending first, so a node reads its own decisions.
//! A decision adds its own node's pending counts to the snapshot's, so the learner sees
//! this node at once and other nodes within a second or two.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sea_orm::sea_query::{Alias, Expr, OnConflict, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::arbitrate::Stats;
use super::eligibility::{self, Eligibility};
use super::{InteractionPoint, Offer, TreatmentRule, offers, points, rules};
use crate::contacts::Channel;
use crate::db::TenantOwned;
use crate::{
    Actor, ContactId, InteractionPointId, OfferId, Parley, Result, Role, TenantCtx, TenantTx, WorkspaceId, new_id, now,
};
use entities::{contact, interaction_point, offer, offer_stat};

/// How often pending counts are written.
pub const FLUSH_EVERY: Duration = Duration::from_millis(500);

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

/// Counts not written yet, by workspace, then by (point, offer).
type Pending = HashMap<WorkspaceId, HashMap<(InteractionPointId, OfferId), Counts>>;

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
    /// The counts written so far.
    pub stats: HashMap<OfferId, Stats>,
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
        let stats = offer_stat::Entity::scoped(tx.ctx())
            .filter(offer_stat::Column::PointId.eq(point.id))
            .all(tx)
            .await?
            .into_iter()
            .map(|s| (s.offer_id, Stats { trials: s.trials.max(0) as u64, successes: s.successes.max(0) as u64 }))
            .collect();
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
            shown_in_all,
            fatigue,
        })
    }

    /// Which of the conditions contact `id` meets, in one statement.
    pub(crate) async fn tested(&self, tx: &TenantTx<'_>, id: ContactId) -> Result<Vec<bool>> {
        if self.conditions.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = Query::select();
        for (i, c) in self.conditions.iter().enumerate() {
            q.expr_as(Expr::case(c.clone(), 1).finally(0), Alias::new(format!("c{i}")));
        }
        q.from(contact::Entity)
            .and_where(contact::Column::TenantId.eq(tx.tenant_id()))
            .and_where(contact::Column::Id.eq(id));
        let backend = tx.get_database_backend();
        let Some(row) = tx.query_one_raw(backend.build(&q)).await? else {
            return Ok(vec![false; self.conditions.len()]);
        };
        (0..self.conditions.len()).map(|i| Ok(row.try_get_by_index::<i32>(i)? == 1)).collect()
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    trials: i64,
    successes: i64,
}

/// The node's learning state: snapshots and pending counts.
#[derive(Debug, Default)]
pub(crate) struct Learning {
    snapshots: crate::core::node::Cache<(WorkspaceId, InteractionPointId), Snapshot>,
    pending: Mutex<Pending>,
    /// Held while writing, so a reader's write waits for one in progress.
    writing: tokio::sync::Mutex<()>,
    writer: Mutex<Option<tokio::task::JoinHandle<()>>>,
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

/// `offer`'s counts at the snapshot's point: those written and this node's pending ones.
pub(crate) fn stats_of(p: &Parley, tenant: WorkspaceId, s: &Snapshot, offer: OfferId) -> Stats {
    let written = s.stats.get(&offer).copied().unwrap_or_default();
    let pending = p.node().learning.pending.lock().unwrap_or_else(PoisonError::into_inner);
    let c = pending.get(&tenant).and_then(|m| m.get(&(s.point.id, offer))).copied().unwrap_or_default();
    Stats { trials: written.trials + c.trials.max(0) as u64, successes: written.successes + c.successes.max(0) as u64 }
}

/// Presentations of `offer` at every point not written yet by this node.
pub(crate) fn pending_shown(p: &Parley, tenant: WorkspaceId, offer: OfferId) -> u64 {
    let pending = p.node().learning.pending.lock().unwrap_or_else(PoisonError::into_inner);
    pending
        .get(&tenant)
        .map_or(0, |m| m.iter().filter(|((_, o), _)| *o == offer).map(|(_, c)| c.trials.max(0) as u64).sum())
}

/// Counts `trials` and `successes` of `offer` at `point`, to be written shortly.
pub(crate) fn count(
    p: &Parley,
    tenant: WorkspaceId,
    point: InteractionPointId,
    offer: OfferId,
    trials: i64,
    successes: i64,
) {
    let learning = &p.node().learning;
    {
        let mut pending = learning.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let c = pending.entry(tenant).or_default().entry((point, offer)).or_default();
        c.trials += trials;
        c.successes += successes;
    }
    let mut writer = learning.writer.lock().unwrap_or_else(PoisonError::into_inner);
    if writer.as_ref().is_none_or(|w| w.is_finished()) && tokio::runtime::Handle::try_current().is_ok() {
        let p = p.clone();
        *writer = Some(tokio::spawn(async move {
            let mut tick = tokio::time::interval(FLUSH_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = flush(&p).await {
                    tracing::warn!(error = %e, "learning counts not written yet; kept for the next try");
                }
            }
        }));
    }
}

/// Writes every pending count now (one statement per workspace). Counts whose write
/// fails are kept; the first error is answered.
pub async fn flush(p: &Parley) -> Result<()> {
    let learning = &p.node().learning;
    let _writing = learning.writing.lock().await;
    let taken = std::mem::take(&mut *learning.pending.lock().unwrap_or_else(PoisonError::into_inner));
    let mut first_error = None;
    for (tenant, counts) in taken {
        match write(p, tenant, &counts).await {
            Ok(()) => learning.snapshots.forget(|(t, point)| *t == tenant && counts.keys().any(|(pt, _)| pt == point)),
            Err(e) => {
                let mut pending = learning.pending.lock().unwrap_or_else(PoisonError::into_inner);
                let mine = pending.entry(tenant).or_default();
                for (k, c) in counts {
                    let m = mine.entry(k).or_default();
                    m.trials += c.trials;
                    m.successes += c.successes;
                }
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Adds `counts` to one workspace's learnt counts in one statement.
async fn write(p: &Parley, tenant: WorkspaceId, counts: &HashMap<(InteractionPointId, OfferId), Counts>) -> Result<()> {
    if counts.is_empty() {
        return Ok(());
    }
    let ctx = TenantCtx::new(tenant, Actor::System, Role::Admin);
    let tx = p.tenant_tx(&ctx).await?;
    let t = now();
    // A stable order, so two nodes writing the same pairs lock them in the same order.
    let mut keys: Vec<_> = counts.keys().copied().collect();
    keys.sort();
    let rows = keys.iter().map(|k| {
        let c = counts[k];
        offer_stat::ActiveModel {
            tenant_id: Set(tenant),
            id: Set(new_id()),
            point_id: Set(k.0),
            offer_id: Set(k.1),
            trials: Set(c.trials),
            successes: Set(c.successes),
            updated_at: Set(t),
        }
    });
    let on_conflict =
        OnConflict::columns([offer_stat::Column::TenantId, offer_stat::Column::PointId, offer_stat::Column::OfferId])
            .value(offer_stat::Column::Trials, Expr::cust("offer_stats.trials + excluded.trials"))
            .value(offer_stat::Column::Successes, Expr::cust("offer_stats.successes + excluded.successes"))
            .value(offer_stat::Column::UpdatedAt, Expr::val(t))
            .to_owned();
    offer_stat::Entity::insert_many(rows).on_conflict(on_conflict).exec_without_returning(&tx).await?;
    tx.commit().await
}
