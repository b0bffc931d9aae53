//! What a point's offers have done (DEC-6): per offer, presentations, successes, the rate
//! with its interval and the share of the point's traffic; for the point, the success
//! rate of learned decisions beside the holdout's, the lift and its interval.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, PaginatorTrait, QueryFilter};

use super::arbitrate::Stats;
use super::{Offer, rules};
use crate::campaigns::results::{Lift, proportion_lift};
use crate::db::TenantOwned;
use crate::{InteractionPointId, OfferId, Parley, Permission, Result, SegmentId, TenantCtx};
use entities::{decision, interaction_point, offer, offer_response, offer_stat};

/// One offer at one point.
#[derive(Debug, Clone)]
pub struct OfferPerformance {
    pub offer: Offer,
    pub presentations: i64,
    /// Successes learnt from (a first click, acceptance or conversion in the window).
    pub responses: i64,
    /// The observed rate (0 without presentations) and its 95% interval.
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
    /// Its share of the point's presentations.
    pub traffic_share: f64,
}

/// Every offer of the point's rules and every offer it has shown, most shown first: for
/// its whole traffic, or for `segment` as learnt apart (a point learning by segment).
pub async fn offers(
    ctx: &TenantCtx,
    p: &Parley,
    point: InteractionPointId,
    segment: Option<SegmentId>,
) -> Result<Vec<OfferPerformance>> {
    // This node's own counts first (another node's are at most a moment behind).
    super::live::flush_for_read(p).await;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.find::<interaction_point::Entity>(point).await?;
    let mut q = offer_stat::Entity::scoped(ctx).filter(offer_stat::Column::PointId.eq(point));
    if let Some(s) = segment {
        tx.find::<entities::segment::Entity>(s).await?;
        q = q.filter(offer_stat::Column::SegmentKey.eq(uuid::Uuid::from(s)));
    }
    let stats = q.all(&tx).await?;
    let mut ids: Vec<OfferId> = Vec::new();
    for s in &stats {
        if !ids.contains(&s.offer_id) {
            ids.push(s.offer_id);
        }
    }
    for r in rules::in_point(&tx, point).await? {
        for o in rules::offers_of(&r) {
            if !ids.contains(&o) {
                ids.push(o);
            }
        }
    }
    let catalogue: HashMap<OfferId, Offer> = offer::Entity::scoped(ctx)
        .filter(offer::Column::Id.is_in(ids.clone()))
        .all(&tx)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    tx.commit().await?;
    let mut by_offer: HashMap<OfferId, (i64, i64)> = HashMap::new();
    for s in &stats {
        let e = by_offer.entry(s.offer_id).or_default();
        e.0 += s.trials;
        e.1 += s.successes;
    }
    let total: i64 = stats.iter().map(|s| s.trials).sum();
    let mut out: Vec<OfferPerformance> = ids
        .into_iter()
        .filter_map(|id| {
            let o = catalogue.get(&id)?.clone();
            let (trials, successes) = by_offer.get(&id).copied().unwrap_or((0, 0));
            let s = Stats { trials: trials.max(0) as u64, successes: successes.max(0) as u64 };
            let (low, high) = if trials > 0 { s.interval() } else { (0.0, 0.0) };
            Some(OfferPerformance {
                offer: o,
                presentations: trials,
                responses: successes,
                estimate: if trials > 0 { successes as f64 / trials as f64 } else { 0.0 },
                low,
                high,
                traffic_share: if total > 0 { trials as f64 / total as f64 } else { 0.0 },
            })
        })
        .collect();
    out.sort_by(|a, b| b.presentations.cmp(&a.presentations).then_with(|| a.offer.code.cmp(&b.offer.code)));
    Ok(out)
}

/// The point's decisions that showed something, learned beside held out: how many, and
/// how many had a success learnt from.
#[derive(Debug, Clone)]
pub struct PointLift {
    pub treated_decisions: i64,
    pub treated_successes: i64,
    pub holdout_decisions: i64,
    pub holdout_successes: i64,
    /// Treated rate minus holdout rate, with its interval and test.
    pub lift: Lift,
}

/// The lift of a point's learned decisions over its holdout.
pub async fn lift(ctx: &TenantCtx, p: &Parley, point: InteractionPointId) -> Result<PointLift> {
    super::live::flush_for_read(p).await;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.find::<interaction_point::Entity>(point).await?;
    let of_point = || decision::Entity::scoped(ctx).filter(decision::Column::PointId.eq(point));
    let treated = of_point().filter(decision::Column::Mode.eq("LEARNED")).count(&tx).await? as i64;
    let holdout = of_point().filter(decision::Column::Mode.eq("HOLDOUT")).count(&tx).await? as i64;
    // Decisions with a success learnt from, counted in the database.
    let succeeded = sea_orm::sea_query::Query::select()
        .column(offer_response::Column::DecisionId)
        .from(offer_response::Entity)
        .and_where(offer_response::Column::TenantId.eq(ctx.tenant_id()))
        .and_where(offer_response::Column::PointId.eq(point))
        .and_where(offer_response::Column::Learned.eq(1))
        .to_owned();
    let won = |mode: &'static str| {
        of_point().filter(decision::Column::Mode.eq(mode)).filter(decision::Column::Id.in_subquery(succeeded.clone()))
    };
    let ts = won("LEARNED").count(&tx).await? as i64;
    let hs = won("HOLDOUT").count(&tx).await? as i64;
    tx.commit().await?;
    Ok(PointLift {
        treated_decisions: treated,
        treated_successes: ts,
        holdout_decisions: holdout,
        holdout_successes: hs,
        lift: proportion_lift(ts, treated, hs, holdout),
    })
}
