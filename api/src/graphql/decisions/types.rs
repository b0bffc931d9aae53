//! Offers (with their versions), interaction points and treatment rules.

use async_graphql::{Context, Enum, ID, Json, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::contacts::Channel;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::global_id;
use crate::graphql::money::Money;
use crate::graphql::node::node_object;

/// Whether an offer may still be chosen.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::decisions::OfferStatus")]
pub enum OfferStatus {
    /// In the catalogue.
    Active,
    /// Withdrawn for good, kept for the history.
    Retired,
    /// Waiting for the approval a rule asks for; not chosen until approved.
    InApproval,
    /// Its approval was refused or sent back; not chosen; a change submits it again.
    Draft,
}

/// One way of showing an offer.
#[derive(SimpleObject, Clone)]
pub struct Creative {
    pub title: String,
    pub body: String,
    pub image_url: Option<String>,
    pub link: Option<String>,
}

impl From<domain::decisions::Creative> for Creative {
    fn from(c: domain::decisions::Creative) -> Self {
        Creative { title: c.title, body: c.body, image_url: c.image_url, link: c.link }
    }
}

node_object! {
    /// An offer of the catalogue, as its current version has it.
    Offer(domain::decisions::Offer) {
        /// Unique in the workspace, upper case.
        code: String,
        name: String,
        status: OfferStatus,
        /// The current version (1 when made; each change adds one).
        version: i32,
        valid_from: Option<DateTime<Utc>>,
        valid_to: Option<DateTime<Utc>>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        retired_at: Option<DateTime<Utc>>,
        /// Most times one contact is shown it within `maxPerContactDays` (null: no limit).
        max_per_contact: Option<i32>,
        max_per_contact_days: Option<i32>,
    }
    extra {
        /// Most presentations in all, at every point (null: no limit).
        async fn capacity(&self) -> Option<i64> {
            self.0.capacity
        }
        /// The approval request of its latest version, when a rule asked for one.
        async fn approval_id(&self) -> Option<ID> {
            self.0.approval_id.map(|a| global_id("Approval", a.into()))
        }
        /// The channels it may be shown on.
        async fn channels(&self) -> Vec<Channel> {
            domain::decisions::offers::channels_of(&self.0).into_iter().map(Channel::from).collect()
        }
        /// What one acceptance is worth.
        async fn value(&self) -> Money {
            Money::of(self.0.value_minor, &self.0.currency)
        }
        /// What one presentation costs.
        async fn cost(&self) -> Money {
            Money::of(self.0.cost_minor, &self.0.currency)
        }
        async fn creatives(&self) -> Vec<Creative> {
            domain::decisions::offers::creatives_of(&self.0).into_iter().map(Creative::from).collect()
        }
        /// The marketer's own attributes.
        async fn attributes(&self) -> Json<serde_json::Value> {
            Json(self.0.attributes.clone())
        }
        /// Every version, newest first.
        async fn versions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<OfferVersion>> {
            let t = tenant(ctx).await?;
            let all = domain::decisions::offers::versions(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
            Ok(all.into_iter().map(OfferVersion).collect())
        }
    }
}

/// One saved version of an offer.
pub struct OfferVersion(pub domain::decisions::OfferVersion);

#[async_graphql::Object]
impl OfferVersion {
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Everything the offer said at that version.
    async fn content(&self) -> Json<serde_json::Value> {
        Json(self.0.content.clone())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

node_object! {
    /// A point (zone) of a channel that asks for offers.
    InteractionPoint(domain::decisions::InteractionPoint) {
        name: String,
        /// The most offers one answer holds.
        max_offers: i32,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        async fn channel(&self) -> Channel {
            domain::decisions::points::channel_of(&self.0).into()
        }
        /// Shown when no rule's offer is eligible.
        async fn fallback_offer_id(&self) -> Option<ID> {
            self.0.fallback_offer_id.map(|o| global_id("Offer", o.into()))
        }
        /// How long after a presentation a response still counts (ISO 8601).
        async fn response_window(&self) -> String {
            domain::decisions::points::iso_duration(self.0.response_window_secs)
        }
        /// Whether each offer is learnt apart for each segment of the point's rules.
        async fn learn_by_segment(&self) -> bool {
            self.0.learn_by_segment != 0
        }
        /// The share of decisions given a random eligible offer, in percent.
        async fn holdout_percent(&self) -> f64 {
            f64::from(self.0.holdout_basis_points) / 100.0
        }
        /// The share of decisions on which the learner explores, in percent.
        async fn exploration_percent(&self) -> f64 {
            f64::from(self.0.exploration_basis_points) / 100.0
        }
        /// The point's treatment rules, oldest first.
        async fn rules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TreatmentRule>> {
            let t = tenant(ctx).await?;
            let all = domain::decisions::rules::of_point(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
            Ok(all.into_iter().map(TreatmentRule).collect())
        }
    }
}

node_object! {
    /// At one point, for one segment (or everyone), these candidate offers.
    TreatmentRule(domain::decisions::TreatmentRule) {
        /// The marketer's weight (more than 0).
        weight: f64,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        async fn point_id(&self) -> ID {
            global_id("InteractionPoint", self.0.point_id.into())
        }
        /// None: everyone.
        async fn segment_id(&self) -> Option<ID> {
            self.0.segment_id.map(|s| global_id("Segment", s.into()))
        }
        async fn offer_ids(&self) -> Vec<ID> {
            domain::decisions::rules::offers_of(&self.0).into_iter().map(|o| global_id("Offer", o.into())).collect()
        }
        /// The eligibility expression (null: always eligible).
        async fn eligibility(&self) -> Json<serde_json::Value> {
            Json(self.0.eligibility.clone())
        }
    }
}

/// One offer a decision shows.
#[derive(SimpleObject)]
pub struct DecidedOffer {
    pub offer: Offer,
    /// Its arbitration score (0 for a fallback).
    pub score: f64,
    /// 1 for the best.
    pub rank: i32,
}

/// A decision: the offers to show, best first.
#[derive(SimpleObject)]
pub struct Decision {
    /// Name it when reporting a response.
    pub id: ID,
    /// `LEARNED` (by score), `EXPLORE` or `HOLDOUT` (at random), `FALLBACK` (the
    /// point's fallback: nothing else was eligible) or `NONE`.
    pub mode: String,
    pub contact_id: Option<ID>,
    pub offers: Vec<DecidedOffer>,
    /// With `explain: true`: every candidate with its factors (weight, estimate and
    /// interval, the probability drawn, value, score, rank) and why it won or lost, and
    /// what was excluded and why.
    pub explanation: Option<Json<serde_json::Value>>,
}

impl From<domain::decisions::decide::Decided> for Decision {
    fn from(d: domain::decisions::decide::Decided) -> Self {
        Decision {
            id: global_id("Decision", d.id.into()),
            mode: d.mode,
            contact_id: d.contact.map(|c| global_id("Contact", c.into())),
            offers: d
                .offers
                .into_iter()
                .map(|s| DecidedOffer { offer: Offer(s.offer), score: s.score, rank: s.rank as i32 })
                .collect(),
            explanation: d.explanation.map(Json),
        }
    }
}

/// A response recorded.
#[derive(SimpleObject)]
pub struct OfferResponse {
    pub id: ID,
    pub decision_id: ID,
    pub offer_id: ID,
    pub outcome: String,
    /// Whether it taught the learner (a first success within the point's window).
    pub learned: bool,
    pub revenue: Option<Money>,
    pub responded_at: DateTime<Utc>,
}

impl From<domain::decisions::decide::Response> for OfferResponse {
    fn from(r: domain::decisions::decide::Response) -> Self {
        OfferResponse {
            id: global_id("OfferResponse", r.id.into()),
            decision_id: global_id("Decision", r.decision_id.into()),
            offer_id: global_id("Offer", r.offer_id.into()),
            outcome: r.outcome,
            learned: r.learned != 0,
            revenue: match (r.revenue_minor, r.currency) {
                (Some(m), Some(c)) => Some(Money::of(m, &c)),
                _ => None,
            },
            responded_at: r.responded_at,
        }
    }
}

/// One offer a past decision showed.
#[derive(SimpleObject)]
pub struct PastOffer {
    pub offer: Offer,
    /// The version it had when shown.
    pub version: i32,
    /// 1 for the best.
    pub rank: i32,
}

/// A decision in a contact's history, with the responses to it.
#[derive(SimpleObject)]
pub struct PastDecision {
    /// The decision's ID (as `decide` answered it).
    pub id: ID,
    pub point: InteractionPoint,
    pub channel: Channel,
    /// `LEARNED`, `EXPLORE`, `HOLDOUT`, `FALLBACK` or `NONE`.
    pub mode: String,
    pub offers: Vec<PastOffer>,
    /// Every response to it, oldest first.
    pub responses: Vec<OfferResponse>,
    pub decided_at: DateTime<Utc>,
}

impl From<domain::decisions::history::PastDecision> for PastDecision {
    fn from(h: domain::decisions::history::PastDecision) -> Self {
        PastDecision {
            id: global_id("Decision", h.decision.id.into()),
            channel: domain::decisions::points::channel_of(&h.point).into(),
            point: InteractionPoint(h.point),
            mode: h.decision.mode,
            offers: h
                .offers
                .into_iter()
                .map(|o| PastOffer { offer: Offer(o.offer), version: o.version, rank: o.rank })
                .collect(),
            responses: h.responses.into_iter().map(Into::into).collect(),
            decided_at: h.decision.created_at,
        }
    }
}

/// An observed rate with its 95% interval.
#[derive(SimpleObject)]
pub struct Rate {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// What one offer has done at a point.
#[derive(SimpleObject)]
pub struct OfferPerformance {
    pub offer: Offer,
    /// Times shown there.
    pub presentations: i64,
    /// Successes learnt from (a first click, acceptance or conversion within the window).
    pub responses: i64,
    pub rate: Rate,
    /// Its share of the point's presentations (0 to 1).
    pub traffic_share: f64,
}

impl From<domain::decisions::performance::OfferPerformance> for OfferPerformance {
    fn from(p: domain::decisions::performance::OfferPerformance) -> Self {
        OfferPerformance {
            offer: Offer(p.offer),
            presentations: p.presentations,
            responses: p.responses,
            rate: Rate { estimate: p.estimate, low: p.low, high: p.high },
            traffic_share: p.traffic_share,
        }
    }
}

/// A point's learned decisions beside its holdout: the share of decisions with a
/// success in each, and the lift with its 95% interval.
#[derive(SimpleObject)]
pub struct PointLift {
    pub treated: f64,
    pub holdout: f64,
    /// Treated minus holdout.
    pub lift: f64,
    pub low: f64,
    pub high: f64,
    pub p_value: Option<f64>,
    pub significant: bool,
    pub treated_decisions: i64,
    pub holdout_decisions: i64,
}

impl From<domain::decisions::performance::PointLift> for PointLift {
    fn from(p: domain::decisions::performance::PointLift) -> Self {
        PointLift {
            treated: p.lift.treated,
            holdout: p.lift.control,
            lift: p.lift.absolute,
            low: p.lift.low,
            high: p.lift.high,
            p_value: p.lift.p_value,
            significant: p.lift.significant,
            treated_decisions: p.treated_decisions,
            holdout_decisions: p.holdout_decisions,
        }
    }
}
