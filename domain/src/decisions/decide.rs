//! Deciding (DEC-4, DEC-5, DEC-7): a contact (by ID, email or external ID) or an
//! anonymous visitor, at an interaction point, with the request's context, gets the
//! point's best offers now. Candidates come from the point's treatment rules whose
//! segment holds the contact and whose eligibility holds for the contact and context;
//! an offer must be active, within its validity window and shown on the point's channel;
//! a contact who refused consent on the point's channel gets nothing. Arbitration ranks
//! the candidates ([`super::arbitrate`]); with none, the point's fallback is shown. Each
//! decision is recorded with what it showed (version and rank), each presentation is a
//! trial of its offer at the point and an `offer_presented` event on the contact's
//! timeline. Responses (`respond`) name the decision; a success within the point's
//! response window teaches the learner, once per decision and offer.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};

use super::arbitrate::{self, Candidate, Mode};
use super::live::{self, OfferView, Snapshot};
use super::{Offer, OfferStatus};
use crate::contacts::{Channel, ConsentStatus, consents_of, identity, timeline};
use crate::db::TenantOwned;
use crate::money::{self, Money};
use crate::{
    Contact, ContactId, DecisionId, Error, InteractionPointId, OfferId, Parley, Permission, Result, TenantCtx,
    TenantTx, TypedId, WorkspaceId, new_id, now,
};
use entities::{contact, contact_event, decision, interaction_point, offer_response, visitor};

/// The largest context a request may carry, as JSON.
pub const MAX_CONTEXT_BYTES: usize = 16 * 1024;

/// Who a decision is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Contact(ContactId),
    Email(String),
    ExternalId(String),
    /// A visitor not identified (yet): their decisions go to the contact they were
    /// stitched to, if any.
    Anonymous(String),
}

impl Who {
    /// Exactly one of the four identities, else `BAD_USER_INPUT`.
    pub fn one_of(
        contact: Option<ContactId>,
        email: Option<String>,
        external_id: Option<String>,
        anonymous_id: Option<String>,
    ) -> Result<Who> {
        let one = || Error::invalid("contactId", "give exactly one of contactId, email, externalId and anonymousId");
        let given = [contact.is_some(), email.is_some(), external_id.is_some(), anonymous_id.is_some()];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(one());
        }
        Ok(match (contact, email, external_id, anonymous_id) {
            (Some(c), ..) => Who::Contact(c),
            (_, Some(e), ..) => Who::Email(identity::email("email", &e)?),
            (_, _, Some(x), _) => Who::ExternalId(identity::external_id("externalId", &x)?),
            (.., Some(a)) => {
                let a = a.trim().to_owned();
                if a.is_empty() || a.len() > 200 {
                    return Err(Error::invalid("anonymousId", "is 1 to 200 characters"));
                }
                Who::Anonymous(a)
            }
            (None, None, None, None) => return Err(one()),
        })
    }
}

/// A request for a decision.
#[derive(Debug, Clone)]
pub struct DecideInput {
    pub point: InteractionPointId,
    pub who: Who,
    /// A JSON object (None: empty).
    pub context: Option<Value>,
    /// How many offers (1 to the point's maximum; the maximum when None).
    pub count: Option<i32>,
    /// Whether to answer every candidate with its factors and why it won or lost.
    pub explain: bool,
}

/// One offer a decision shows.
#[derive(Debug, Clone)]
pub struct Shown {
    pub offer: Offer,
    pub score: f64,
    pub rank: usize,
    /// The segment it is learnt under (the nil UUID: the point's whole traffic).
    pub key: uuid::Uuid,
}

/// A decision as answered.
#[derive(Debug, Clone)]
pub struct Decided {
    pub id: DecisionId,
    pub point: InteractionPointId,
    pub contact: Option<ContactId>,
    /// `LEARNED`, `EXPLORE`, `HOLDOUT`, `FALLBACK` or `NONE`.
    pub mode: String,
    pub offers: Vec<Shown>,
    /// Present when asked for.
    pub explanation: Option<Value>,
}

/// Checks a request's context: a JSON object of at most 16 KiB.
pub fn context(raw: Option<Value>) -> Result<Value> {
    let v = match raw {
        None | Some(Value::Null) => return Ok(json!({})),
        Some(v @ Value::Object(_)) => v,
        Some(_) => return Err(Error::invalid("context", "is not a JSON object")),
    };
    if v.to_string().len() > MAX_CONTEXT_BYTES {
        return Err(Error::invalid("context", format!("is larger than {} KiB", MAX_CONTEXT_BYTES / 1024)));
    }
    Ok(v)
}

/// The contact the request names (None for a visitor not identified, or an email or
/// external ID no contact has), with which of the snapshot's conditions it meets, in one
/// statement; `NotFound` for a contact ID of no live contact here.
async fn resolve(
    tx: &TenantTx<'_>,
    who: &Who,
    snap: &Snapshot,
) -> Result<(Option<(Contact, Vec<bool>)>, Option<String>)> {
    let by = |c: sea_orm::sea_query::SimpleExpr| snap.contact_tested(tx, sea_orm::Condition::all().add(c));
    Ok(match who {
        Who::Contact(id) => (Some(by(contact::Column::Id.eq(*id)).await?.ok_or(Error::NotFound)?), None),
        Who::Email(e) => (by(contact::Column::Email.eq(e.as_str())).await?, None),
        Who::ExternalId(x) => (by(contact::Column::ExternalId.eq(x.as_str())).await?, None),
        Who::Anonymous(a) => {
            // The contact the visitor was stitched to, if any, in the same statement.
            let stitched = Query::select()
                .column(visitor::Column::ContactId)
                .from(visitor::Entity)
                .and_where(visitor::Column::TenantId.eq(tx.tenant_id()))
                .and_where(visitor::Column::AnonymousId.eq(a.as_str()))
                .to_owned();
            (by(contact::Column::Id.in_subquery(stitched)).await?, Some(a.clone()))
        }
    })
}

/// Why `o` may not be shown at a point of `channel` now, if it may not.
fn unusable(o: &OfferView, channel: Channel, t: chrono::DateTime<chrono::Utc>) -> Option<&'static str> {
    let (channels, o) = (&o.channels, &o.offer);
    if o.status == OfferStatus::Retired {
        Some("retired")
    } else if o.status == OfferStatus::InApproval {
        Some("waiting for approval")
    } else if o.status == OfferStatus::Draft {
        Some("a draft (its approval was refused or sent back)")
    } else if o.valid_from.is_some_and(|f| t < f) {
        Some("not valid yet")
    } else if o.valid_to.is_some_and(|to| t >= to) {
        Some("no longer valid")
    } else if !channels.contains(&channel) {
        Some("not shown on this channel")
    } else {
        None
    }
}

/// What a contact was shown lately, as far as the limits ask.
#[derive(Debug, Default)]
struct Seen {
    /// Presentations of each limited offer within its own window.
    per_offer: HashMap<OfferId, i64>,
    /// Presentations of any offer within the workspace's fatigue window.
    in_all: i64,
}

impl Seen {
    /// Reads contact `id`'s presentations within the longest window the snapshot's
    /// limits need (nothing when none is set).
    async fn of(p: &Parley, tx: &TenantTx<'_>, snap: &Snapshot, id: ContactId, t: DateTime<Utc>) -> Result<Seen> {
        let windows: HashMap<OfferId, i64> = snap
            .catalogue
            .values()
            .filter_map(|o| Some((o.offer.id, i64::from(o.offer.max_per_contact_days?))))
            .collect();
        let longest = windows.values().copied().chain(snap.fatigue.map(|(_, d)| d)).max();
        let Some(longest) = longest else { return Ok(Seen::default()) };
        let shown: Vec<(Value, DateTime<Utc>)> = contact_event::Entity::scoped(tx.ctx())
            .filter(contact_event::Column::ContactId.eq(id))
            .filter(contact_event::Column::Kind.eq("offer_presented"))
            .filter(contact_event::Column::OccurredAt.gte(t - Duration::days(longest)))
            .select_only()
            .column(contact_event::Column::Properties)
            .column(contact_event::Column::OccurredAt)
            .into_tuple()
            .all(tx)
            .await?;
        let mut seen = Seen::default();
        let held = live::pending_seen(p, tx.tenant_id(), id, t - Duration::days(longest));
        let shown = shown.into_iter().map(|(props, at)| {
            let offer = props["offerId"].as_str().and_then(|s| s.parse::<uuid::Uuid>().ok()).map(OfferId::from);
            (offer, at)
        });
        for (offer, at) in shown.chain(held.into_iter().map(|(o, at)| (Some(o), at))) {
            if snap.fatigue.is_some_and(|(_, d)| at >= t - Duration::days(d)) {
                seen.in_all += 1;
            }
            if let Some(o) = offer
                && windows.get(&o).is_some_and(|d| at >= t - Duration::days(*d))
            {
                *seen.per_offer.entry(o).or_default() += 1;
            }
        }
        Ok(seen)
    }
}

/// Why `o` may not be shown to this contact now under its limits, if it may not: its
/// per-contact maximum or its capacity reached.
fn limited(p: &Parley, tenant: WorkspaceId, snap: &Snapshot, seen: &Seen, o: &OfferView) -> Option<String> {
    let o = &o.offer;
    if let (Some(max), Some(days)) = (o.max_per_contact, o.max_per_contact_days)
        && seen.per_offer.get(&o.id).copied().unwrap_or(0) >= i64::from(max)
    {
        return Some(format!("shown to this contact {max} times in {days} days (its limit)"));
    }
    if let Some(capacity) = o.capacity {
        let shown = snap.shown_in_all.get(&o.id).copied().unwrap_or(0) + live::pending_shown(p, tenant, o.id);
        if shown >= capacity.max(0) as u64 {
            return Some(format!("reached its capacity of {capacity} presentations"));
        }
    }
    None
}

/// Value minus cost of `o`, in major units.
fn margin(o: &Offer) -> f64 {
    (o.value_minor - o.cost_minor) as f64 / 10f64.powi(money::decimals(&o.currency) as i32)
}

/// Decides which offers `input` gets, records it, and answers it.
pub async fn decide(ctx: &TenantCtx, p: &Parley, input: DecideInput) -> Result<Decided> {
    let context = context(input.context)?;
    live::room(p)?;
    // No write of this node commits while this decision reads and counts.
    let _steady = live::steady(p).await;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let snap = live::snapshot(p, &tx, input.point).await?;
    let point = &snap.point;
    let count = input.count.unwrap_or(point.max_offers);
    if !(1..=point.max_offers).contains(&count) {
        return Err(Error::invalid("count", format!("is from 1 to the point's {} offers", point.max_offers)));
    }
    let (found, anonymous) = resolve(&tx, &input.who, &snap).await?;
    let (contact, tested) = match found {
        Some((c, tested)) => (Some(c), tested),
        None => (None, vec![false; snap.conditions.len()]),
    };
    let channel = snap.channel;
    let t = now();
    let opted_out = contact.as_ref().is_some_and(|c| {
        channel.takes_consent()
            && consents_of(c).iter().any(|k| k.channel == channel && k.status == ConsentStatus::Denied)
    });
    let seen = match &contact {
        Some(c) if !opted_out => Seen::of(p, &tx, &snap, c.id, t).await?,
        _ => Seen::default(),
    };
    let fatigued = snap.fatigue.filter(|(max, _)| seen.in_all >= *max);
    let limits = |o: &OfferView| limited(p, tx.tenant_id(), &snap, &seen, o);
    let mut candidates = Vec::new();
    let mut excluded = Vec::new();
    if opted_out {
        excluded.push(json!({ "reason": format!("the contact refused consent on {}", channel.as_str()) }));
    } else if let Some((max, days)) = fatigued {
        excluded.push(json!({
            "reason": format!("the contact was shown {max} offers or more in {days} days (the workspace's cap)")
        }));
    } else {
        // Every segment and contact test of the point's rules, read with the contact.
        let met = |i: usize| tested.get(i).copied().unwrap_or(false);
        for r in &snap.rules {
            let in_segment = r.segment.is_none_or(met);
            if !in_segment {
                excluded.push(json!({ "rule": r.rule.id, "reason": "not in the rule's segment" }));
                continue;
            }
            let eligible = match &r.eligibility {
                None => true,
                Some(Err(())) => false,
                Some(Ok((e, index))) => {
                    e.holds(&context, &mut |raw| index.get(&raw.to_string()).is_some_and(|i| met(*i)))
                }
            };
            if !eligible {
                excluded.push(json!({ "rule": r.rule.id, "reason": "the rule's eligibility does not hold" }));
                continue;
            }
            for id in &r.offers {
                let Some(o) = snap.catalogue.get(id) else { continue };
                let why = unusable(o, channel, t).map(str::to_owned).or_else(|| limits(o));
                match why {
                    Some(why) => excluded.push(json!({ "rule": r.rule.id, "offer": o.offer.code, "reason": why })),
                    None => candidates.push(Candidate {
                        offer: *id,
                        rule: Some(r.rule.id),
                        weight: r.rule.weight,
                        margin: margin(&o.offer),
                        stats: live::stats_of(p, tx.tenant_id(), &snap, *id, live::key_of(&snap, r.rule.segment_id)),
                    }),
                }
            }
        }
    }
    // A generator of its own (the thread's may not be held across the writes below).
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::from_rng(&mut rand::rng());
    let mode = arbitrate::mode_for(rng.random(), point.holdout_basis_points, point.exploration_basis_points);
    let arb = arbitrate::arbitrate(candidates, count as usize, mode, &mut rng);
    let offer_of = |id: &OfferId| snap.catalogue.get(id).map(|o| &o.offer);
    let key_of_rule = |rule: Option<crate::TreatmentRuleId>| {
        let segment = snap.rules.iter().find(|r| Some(r.rule.id) == rule).and_then(|r| r.rule.segment_id);
        live::key_of(&snap, segment)
    };
    let mut shown: Vec<Shown> = arb
        .chosen()
        .filter_map(|s| {
            let key = key_of_rule(s.rule);
            offer_of(&s.offer).map(|o| Shown { offer: o.clone(), score: s.score, rank: s.rank, key })
        })
        .collect();
    let mode_name = if !shown.is_empty() {
        match mode {
            Mode::Learned => "LEARNED",
            Mode::Explore => "EXPLORE",
            Mode::Holdout => "HOLDOUT",
        }
    } else {
        match point.fallback_offer_id.and_then(|f| snap.catalogue.get(&f)) {
            Some(f) if !opted_out && fatigued.is_none() && unusable(f, channel, t).is_none() && limits(f).is_none() => {
                shown.push(Shown { offer: f.offer.clone(), score: 0.0, rank: 1, key: uuid::Uuid::nil() });
                "FALLBACK"
            }
            _ => "NONE",
        }
    };
    let id: DecisionId = new_id();
    let offers_json: Vec<Value> = shown
        .iter()
        .map(|s| {
            let mut o = json!({ "offerId": s.offer.id, "version": s.offer.version, "rank": s.rank, "score": s.score });
            if !s.key.is_nil() {
                o["segmentKey"] = json!(s.key);
            }
            o
        })
        .collect();
    let tenant = tx.tenant_id();
    let record = decision::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(id),
        point_id: Set(point.id),
        contact_id: Set(contact.as_ref().map(|c| c.id)),
        anonymous_id: Set(anonymous),
        context: Set(context),
        mode: Set(mode_name.to_owned()),
        offers: Set(json!(offers_json)),
        created_at: Set(t),
    };
    let events = match &contact {
        None => Vec::new(),
        Some(c) => shown
            .iter()
            .map(|s| {
                let props = json!({
                    "decisionId": id, "offerId": s.offer.id, "code": s.offer.code, "version": s.offer.version,
                    "pointId": point.id, "point": point.name, "channel": channel, "rank": s.rank,
                });
                timeline::event(tenant, c.id, "offer_presented", props, t)
            })
            .collect(),
    };
    // Nothing was written: the transaction only read.
    tx.commit().await?;
    let record = live::Record {
        decision: record,
        events,
        id,
        offers: shown.iter().map(|s| (s.offer.id, s.key)).collect(),
        contact: contact.as_ref().map(|c| c.id),
        at: t,
    };
    live::record(p, tenant, point.id, record);
    let explanation = input.explain.then(|| {
        json!({
            "mode": mode_name,
            "channel": channel,
            "candidates": arb.ranked.iter().map(|s| {
                let mut v = serde_json::to_value(s).unwrap_or_default();
                if let Some(o) = offer_of(&s.offer) {
                    v["code"] = json!(o.code);
                }
                v
            }).collect::<Vec<_>>(),
            "excluded": excluded,
        })
    });
    Ok(Decided {
        id,
        point: point.id,
        contact: contact.map(|c| c.id),
        mode: mode_name.to_owned(),
        offers: shown,
        explanation,
    })
}

/// What a person did with an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Clicked,
    Accepted,
    Rejected,
    Converted,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Clicked => "CLICKED",
            Outcome::Accepted => "ACCEPTED",
            Outcome::Rejected => "REJECTED",
            Outcome::Converted => "CONVERTED",
        }
    }

    pub fn parse(raw: &str) -> Option<Outcome> {
        [Outcome::Clicked, Outcome::Accepted, Outcome::Rejected, Outcome::Converted]
            .into_iter()
            .find(|o| o.as_str() == raw)
    }

    /// Whether it counts as the offer working.
    pub fn success(self) -> bool {
        self != Outcome::Rejected
    }
}

/// A response as reported.
#[derive(Debug, Clone)]
pub struct RespondInput {
    pub decision: DecisionId,
    pub offer: OfferId,
    pub outcome: Outcome,
    /// (amount, currency).
    pub revenue: Option<(String, String)>,
}

/// A response recorded.
pub type Response = offer_response::Model;

/// Records a response to an offer a decision showed. The same response again changes
/// nothing and answers the first; a response after the point's window is recorded but
/// not learnt from; the first success of a decision's offer teaches the learner.
pub async fn respond(ctx: &TenantCtx, p: &Parley, input: RespondInput) -> Result<Response> {
    let revenue = input.revenue.map(|(a, c)| Money::parse("revenue", &a, &c)).transpose()?;
    if revenue.as_ref().is_some_and(|m| m.minor < 0) {
        return Err(Error::invalid("revenue.amount", "must not be negative"));
    }
    if live::holds(p, ctx.tenant_id(), input.decision) {
        // Decided here a moment ago, not written yet: written now, to be answered.
        live::flush(p).await?;
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let d = tx.find::<decision::Entity>(input.decision).await?;
    let offer_text = input.offer.uuid().to_string();
    let Some(entry) =
        d.offers.as_array().and_then(|a| a.iter().find(|o| o["offerId"].as_str() == Some(offer_text.as_str())))
    else {
        return Err(Error::invalid("offerId", "is not an offer this decision showed"));
    };
    let key = entry["segmentKey"].as_str().and_then(|k| k.parse::<uuid::Uuid>().ok()).unwrap_or_default();
    let before = offer_response::Entity::scoped(ctx)
        .filter(offer_response::Column::DecisionId.eq(d.id))
        .filter(offer_response::Column::OfferId.eq(input.offer))
        .all(&tx)
        .await?;
    if let Some(same) = before.iter().find(|r| r.outcome == input.outcome.as_str()) {
        let same = same.clone();
        tx.commit().await?;
        return Ok(same);
    }
    let point = tx.find::<interaction_point::Entity>(d.point_id).await?;
    let t = now();
    let within = t - d.created_at <= Duration::seconds(point.response_window_secs);
    let succeeded_before = before.iter().any(|r| Outcome::parse(&r.outcome).is_some_and(Outcome::success));
    let learns = within && input.outcome.success() && !succeeded_before;
    let row = offer_response::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(new_id()),
        decision_id: Set(d.id),
        offer_id: Set(input.offer),
        point_id: Set(d.point_id),
        contact_id: Set(d.contact_id),
        outcome: Set(input.outcome.as_str().to_owned()),
        revenue_minor: Set(revenue.as_ref().map(|m| m.minor)),
        currency: Set(revenue.as_ref().map(|m| m.currency.clone())),
        learned: Set(i32::from(learns)),
        responded_at: Set(t),
    };
    let saved = sea_orm::ActiveModelTrait::insert(row, &tx).await?;
    if let Some(c) = d.contact_id {
        let props = json!({
            "decisionId": d.id, "offerId": input.offer, "pointId": d.point_id, "outcome": input.outcome.as_str(),
            "revenue": revenue.as_ref().map(|m| json!({ "amount": m.major(), "currencyCode": m.currency })),
            "learned": learns,
        });
        timeline::append(&tx, c, "offer_responded", props, t).await?;
    }
    let tenant = tx.tenant_id();
    tx.commit().await?;
    if learns {
        live::count_success(p, tenant, d.point_id, input.offer, key);
    }
    Ok(saved)
}
