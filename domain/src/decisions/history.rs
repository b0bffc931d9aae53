//! A contact's interaction history with offers (DEC-7): every decision that showed them
//! offers, on any channel, with what it showed (the version and rank) and every response,
//! newest first. The same presentations and responses are on the contact's timeline.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, QueryFilter, QueryOrder, QuerySelect};

use super::{InteractionPoint, Offer};
use crate::db::TenantOwned;
use crate::{ContactId, InteractionPointId, OfferId, Parley, Permission, Result, TenantCtx};
use entities::{decision, interaction_point, offer, offer_response};

/// The most decisions one read answers.
pub const MAX_HISTORY: u64 = 100;

/// One offer a past decision showed.
#[derive(Debug, Clone)]
pub struct PastOffer {
    pub offer: Offer,
    pub version: i32,
    pub rank: i32,
}

/// One past decision, with its responses.
#[derive(Debug, Clone)]
pub struct PastDecision {
    pub decision: decision::Model,
    pub point: InteractionPoint,
    pub offers: Vec<PastOffer>,
    pub responses: Vec<offer_response::Model>,
}

/// Contact `id`'s last `first` decisions (1 ..= 100), newest first; `NotFound` for a
/// contact of another workspace.
pub async fn of_contact(ctx: &TenantCtx, p: &Parley, id: ContactId, first: u64) -> Result<Vec<PastDecision>> {
    if !(1..=MAX_HISTORY).contains(&first) {
        return Err(crate::Error::invalid("first", format!("is from 1 to {MAX_HISTORY}")));
    }
    super::live::flush_for_read(p).await;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let c = crate::contacts::live(&tx, id).await?;
    let decisions = decision::Entity::scoped(ctx)
        .filter(decision::Column::ContactId.eq(c.id))
        .order_by_desc(decision::Column::Id)
        .limit(first)
        .all(&tx)
        .await?;
    let ids: Vec<_> = decisions.iter().map(|d| d.id).collect();
    let mut responses: HashMap<_, Vec<offer_response::Model>> = HashMap::new();
    for r in offer_response::Entity::scoped(ctx)
        .filter(offer_response::Column::DecisionId.is_in(ids))
        .order_by_asc(offer_response::Column::Id)
        .all(&tx)
        .await?
    {
        responses.entry(r.decision_id).or_default().push(r);
    }
    let shown = |d: &decision::Model| -> Vec<(OfferId, i32, i32)> {
        d.offers
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|o| {
                        let id = o["offerId"].as_str()?.parse::<uuid::Uuid>().ok()?;
                        let n = |k: &str| o[k].as_i64().and_then(|v| i32::try_from(v).ok()).unwrap_or(0);
                        Some((OfferId::from(id), n("version"), n("rank")))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let offer_ids: Vec<OfferId> = decisions.iter().flat_map(|d| shown(d).into_iter().map(|(o, ..)| o)).collect();
    let offers: HashMap<OfferId, Offer> = offer::Entity::scoped(ctx)
        .filter(offer::Column::Id.is_in(offer_ids))
        .all(&tx)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let point_ids: Vec<InteractionPointId> = decisions.iter().map(|d| d.point_id).collect();
    let points: HashMap<InteractionPointId, InteractionPoint> = interaction_point::Entity::scoped(ctx)
        .filter(interaction_point::Column::Id.is_in(point_ids))
        .all(&tx)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    tx.commit().await?;
    Ok(decisions
        .into_iter()
        .filter_map(|d| {
            let point = points.get(&d.point_id)?.clone();
            let past = shown(&d)
                .into_iter()
                .filter_map(|(o, version, rank)| {
                    offers.get(&o).map(|offer| PastOffer { offer: offer.clone(), version, rank })
                })
                .collect();
            let responses = responses.remove(&d.id).unwrap_or_default();
            Some(PastDecision { decision: d, point, offers: past, responses })
        })
        .collect())
}
