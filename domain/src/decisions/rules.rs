//! Treatment rules (DEC-3): at one interaction point, for one segment (or everyone),
//! these candidate offers, under an eligibility expression, with a marketer's weight.
//! Every offer a rule names must be active and shown on the point's channel.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use super::{TreatmentRule, eligibility, offers, points};
use crate::db::TenantOwned;
use crate::{
    Error, InteractionPointId, OfferId, Parley, Permission, Result, SegmentId, TenantCtx, TenantTx, TreatmentRuleId,
    new_id, now,
};
use entities::{interaction_point, segment, treatment_rule};

/// The most offers one rule names.
pub const MAX_RULE_OFFERS: usize = 100;
/// The largest weight.
pub const MAX_WEIGHT: f64 = 1000.0;

/// A rule as a marketer writes it.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub point: InteractionPointId,
    pub offers: Vec<OfferId>,
    /// None: everyone.
    pub segment: Option<SegmentId>,
    /// None or JSON null: always eligible.
    pub eligibility: Option<Value>,
    /// Greater than 0, at most 1,000; 1 when None.
    pub weight: Option<f64>,
}

/// Checks `input` inside `tx`: answers the offers (deduplicated, in order), the
/// eligibility as stored and the weight.
async fn check(tx: &TenantTx<'_>, input: &RuleInput) -> Result<(Vec<OfferId>, Value, f64)> {
    let weight = input.weight.unwrap_or(1.0);
    if !weight.is_finite() || weight <= 0.0 || weight > MAX_WEIGHT {
        return Err(Error::invalid("weight", format!("is more than 0 and at most {MAX_WEIGHT}")));
    }
    if input.offers.is_empty() || input.offers.len() > MAX_RULE_OFFERS {
        return Err(Error::invalid("offerIds", format!("names 1 to {MAX_RULE_OFFERS} offers")));
    }
    let mut ids: Vec<OfferId> = Vec::new();
    for id in &input.offers {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    let point = match tx.find::<interaction_point::Entity>(input.point).await {
        Ok(p) => p,
        Err(Error::NotFound) => return Err(Error::invalid("pointId", "is not an interaction point of this workspace")),
        Err(e) => return Err(e),
    };
    let channel = points::channel_of(&point);
    for (i, o) in offers::active_in(tx, "offerIds", &ids).await?.iter().enumerate() {
        if !offers::channels_of(o).contains(&channel) {
            return Err(Error::invalid(
                &format!("offerIds[{i}]"),
                format!("is the offer {}, which is not shown on {}", o.code, channel.as_str()),
            ));
        }
    }
    if let Some(s) = input.segment
        && tx.find::<segment::Entity>(s).await.is_err()
    {
        return Err(Error::invalid("segmentId", "is not a segment of this workspace"));
    }
    let eligibility = match &input.eligibility {
        None | Some(Value::Null) => Value::Null,
        Some(v) => {
            let fields = crate::contacts::fields::all(tx).await?;
            eligibility::parse(v, &fields, "eligibility")?;
            v.clone()
        }
    };
    Ok((ids, eligibility, weight))
}

/// Adds a rule.
pub async fn create(ctx: &TenantCtx, p: &Parley, input: RuleInput) -> Result<TreatmentRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    let (offers, eligibility, weight) = check(&tx, &input).await?;
    let t = now();
    let row = treatment_rule::ActiveModel {
        id: Set(new_id()),
        point_id: Set(input.point),
        segment_id: Set(input.segment),
        offer_ids: Set(json!(offers)),
        eligibility: Set(eligibility),
        weight: Set(weight),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let saved = tx.create("treatment_rule.created", row).await?;
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

/// Changes a rule.
pub async fn update(ctx: &TenantCtx, p: &Parley, id: TreatmentRuleId, input: RuleInput) -> Result<TreatmentRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    tx.lock::<treatment_rule::Entity>(id).await?;
    let (offers, eligibility, weight) = check(&tx, &input).await?;
    let saved = tx
        .update::<treatment_rule::Entity>("treatment_rule.updated", id, |am| {
            am.point_id = Set(input.point);
            am.segment_id = Set(input.segment);
            am.offer_ids = Set(json!(offers));
            am.eligibility = Set(eligibility);
            am.weight = Set(weight);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

/// Deletes a rule.
pub async fn delete(ctx: &TenantCtx, p: &Parley, id: TreatmentRuleId) -> Result<TreatmentRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    let r = tx.find::<treatment_rule::Entity>(id).await?;
    let gone = tx.delete::<treatment_rule::Entity>("treatment_rule.deleted", r).await?;
    tx.commit().await?;
    p.changed();
    Ok(gone)
}

/// One rule.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: TreatmentRuleId) -> Result<TreatmentRule> {
    p.find::<treatment_rule::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The rules of a point, oldest first.
pub async fn of_point(ctx: &TenantCtx, p: &Parley, point: InteractionPointId) -> Result<Vec<TreatmentRule>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.find::<interaction_point::Entity>(point).await?;
    let all = in_point(&tx, point).await?;
    tx.commit().await?;
    Ok(all)
}

/// The offers a rule names.
pub fn offers_of(r: &TreatmentRule) -> Vec<OfferId> {
    serde_json::from_value(r.offer_ids.clone()).unwrap_or_default()
}

/// The rules of a point inside `tx`, oldest first.
pub(crate) async fn in_point(tx: &TenantTx<'_>, point: InteractionPointId) -> Result<Vec<TreatmentRule>> {
    Ok(treatment_rule::Entity::scoped(tx.ctx())
        .filter(treatment_rule::Column::PointId.eq(point))
        .order_by_asc(treatment_rule::Column::Id)
        .all(tx)
        .await?)
}
