//! Writing the offer catalogue, interaction points, treatment rules and how decisions
//! learn.

use async_graphql::{Context, ID, InputObject, Json, Object};
use chrono::{DateTime, Utc};

use super::{Decision, InteractionPoint, Offer, OfferResponse, TreatmentRule};
use crate::graphql::contacts::Channel;
use crate::graphql::contacts::Contact;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::money::MoneyInput;
use crate::graphql::node::id_of;
use crate::graphql::segments::Segment;

/// One way of showing an offer.
#[derive(InputObject)]
pub struct CreativeInput {
    /// Up to 200 characters.
    pub title: String,
    /// Up to 4,000 characters.
    #[graphql(default)]
    pub body: String,
    /// An http(s) URL.
    pub image_url: Option<String>,
    /// Where the offer leads (an http(s) URL).
    pub link: Option<String>,
}

/// An offer as written. `value` and `cost` are in one currency; a missing one is zero.
#[derive(InputObject)]
pub struct OfferInput {
    /// 1 to 40 letters, digits, `-`, `_` or `.`; unique in the workspace (kept upper case).
    pub code: String,
    pub name: String,
    /// Where it may be shown (at least one).
    pub channels: Vec<Channel>,
    /// What one acceptance is worth.
    pub value: Option<MoneyInput>,
    /// What one presentation costs.
    pub cost: Option<MoneyInput>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    /// Up to 10 creative variants.
    #[graphql(default)]
    pub creatives: Vec<CreativeInput>,
    /// The marketer's own attributes (a JSON object of at most 8 KiB).
    pub attributes: Option<Json<serde_json::Value>>,
    /// Most times one contact is shown it within `maxPerContactDays` (1 to 1,000;
    /// both or neither; left out: no limit).
    pub max_per_contact: Option<i32>,
    /// 1 to 365.
    pub max_per_contact_days: Option<i32>,
    /// Most presentations in all, at every point (left out: no limit).
    pub capacity: Option<i32>,
}

impl From<OfferInput> for domain::decisions::OfferInput {
    fn from(i: OfferInput) -> Self {
        domain::decisions::OfferInput {
            code: i.code,
            name: i.name,
            channels: i.channels.into_iter().map(Into::into).collect(),
            value: i.value.map(MoneyInput::pair),
            cost: i.cost.map(MoneyInput::pair),
            valid_from: i.valid_from,
            valid_to: i.valid_to,
            creatives: i
                .creatives
                .into_iter()
                .map(|c| domain::decisions::Creative {
                    title: c.title,
                    body: c.body,
                    image_url: c.image_url,
                    link: c.link,
                })
                .collect(),
            attributes: i.attributes.map(|j| j.0),
            max_per_contact: i.max_per_contact,
            max_per_contact_days: i.max_per_contact_days,
            capacity: i.capacity.map(i64::from),
        }
    }
}

/// An interaction point as written.
#[derive(InputObject)]
pub struct InteractionPointInput {
    pub name: String,
    pub channel: Channel,
    /// 1 to 20 (1 when left out).
    pub max_offers: Option<i32>,
    /// An active offer shown on the point's channel, shown when nothing else is eligible.
    pub fallback_offer_id: Option<ID>,
    /// How long a response still counts, as an ISO-8601 duration (`PT24H` when left
    /// out; from `PT1M` to `P90D`).
    pub response_window: Option<String>,
}

/// How a point's decisions learn.
#[derive(InputObject)]
pub struct ConfigureLearningInput {
    pub point_id: ID,
    /// The share of decisions given a random eligible offer, to measure the learning
    /// against: 0 to 50.
    pub holdout_percent: f64,
    /// The share of decisions on which the learner explores: 0 to 100.
    #[graphql(default)]
    pub exploration_percent: f64,
    /// Whether each offer is learnt apart for the contacts of each segment of the
    /// point's rules (left out: as it was).
    pub learn_by_segment: Option<bool>,
}

/// A treatment rule as written.
#[derive(InputObject)]
pub struct TreatmentRuleInput {
    pub point_id: ID,
    /// 1 to 100 active offers shown on the point's channel.
    pub offer_ids: Vec<ID>,
    /// Left out: everyone.
    pub segment_id: Option<ID>,
    /// The segment rule language over the contact, plus `context.<name>` tests of the
    /// request's context; left out: always eligible.
    pub eligibility: Option<Json<serde_json::Value>>,
    /// More than 0, at most 1,000 (1 when left out).
    pub weight: Option<f64>,
}

fn rule_input(i: TreatmentRuleInput) -> domain::Result<domain::decisions::RuleInput> {
    Ok(domain::decisions::RuleInput {
        point: id_of::<InteractionPoint>("pointId", &i.point_id)?,
        offers: i
            .offer_ids
            .iter()
            .enumerate()
            .map(|(n, o)| id_of::<Offer>(&format!("offerIds[{n}]"), o))
            .collect::<domain::Result<_>>()?,
        segment: i.segment_id.as_ref().map(|s| id_of::<Segment>("segmentId", s)).transpose()?,
        eligibility: i.eligibility.map(|j| j.0),
        weight: i.weight,
    })
}

fn point_input(i: InteractionPointInput) -> domain::Result<domain::decisions::PointInput> {
    Ok(domain::decisions::PointInput {
        name: i.name,
        channel: i.channel.into(),
        max_offers: i.max_offers,
        fallback_offer: i.fallback_offer_id.as_ref().map(|o| id_of::<Offer>("fallbackOfferId", o)).transpose()?,
        response_window: i.response_window,
    })
}

/// A request for the next best offers.
#[derive(InputObject)]
pub struct DecideInput {
    pub point_id: ID,
    /// Exactly one of `contactId`, `email`, `externalId` and `anonymousId`.
    pub contact_id: Option<ID>,
    pub email: Option<String>,
    pub external_id: Option<String>,
    /// A visitor not identified yet; remembered, and their contact's once stitched.
    pub anonymous_id: Option<String>,
    /// What the channel knows of the moment (a JSON object of at most 16 KiB), tested by
    /// rules' `context.<name>`.
    pub context: Option<Json<serde_json::Value>>,
    /// How many offers (1 to the point's maximum; the maximum when left out).
    pub count: Option<i32>,
    /// Answer every candidate with its factors and why it won or lost.
    #[graphql(default)]
    pub explain: bool,
}

/// What a person did with an offer.
#[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum ResponseOutcome {
    Clicked,
    Accepted,
    Rejected,
    Converted,
}

/// A response to an offer a decision showed.
#[derive(InputObject)]
pub struct RespondInput {
    pub decision_id: ID,
    pub offer_id: ID,
    pub outcome: ResponseOutcome,
    pub revenue: Option<MoneyInput>,
}

impl From<ResponseOutcome> for domain::decisions::decide::Outcome {
    fn from(o: ResponseOutcome) -> Self {
        use domain::decisions::decide::Outcome;
        match o {
            ResponseOutcome::Clicked => Outcome::Clicked,
            ResponseOutcome::Accepted => Outcome::Accepted,
            ResponseOutcome::Rejected => Outcome::Rejected,
            ResponseOutcome::Converted => Outcome::Converted,
        }
    }
}

fn decide_input(i: DecideInput) -> domain::Result<domain::decisions::decide::DecideInput> {
    let contact = i.contact_id.as_ref().map(|c| id_of::<Contact>("contactId", c)).transpose()?;
    Ok(domain::decisions::decide::DecideInput {
        point: id_of::<InteractionPoint>("pointId", &i.point_id)?,
        who: domain::decisions::decide::Who::one_of(contact, i.email, i.external_id, i.anonymous_id)?,
        context: i.context.map(|j| j.0),
        count: i.count,
        explain: i.explain,
    })
}

#[derive(Default)]
pub struct DecisionsMutation;

#[Object]
impl DecisionsMutation {
    /// Adds an offer to the catalogue (version 1).
    async fn create_offer(&self, ctx: &Context<'_>, input: OfferInput) -> async_graphql::Result<Offer> {
        let t = tenant(ctx).await?;
        Ok(Offer(domain::decisions::offers::create(t, parley(ctx)?, input.into()).await.gql(ctx)?))
    }

    /// Changes an offer: a new version, the earlier ones kept. A retired offer is not
    /// changed (`CONFLICT`).
    async fn update_offer(&self, ctx: &Context<'_>, id: ID, input: OfferInput) -> async_graphql::Result<Offer> {
        let t = tenant(ctx).await?;
        let id = id_of::<Offer>("id", &id).gql(ctx)?;
        Ok(Offer(domain::decisions::offers::update(t, parley(ctx)?, id, input.into()).await.gql(ctx)?))
    }

    /// Retires an offer: never chosen again, kept for the history.
    async fn retire_offer(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Offer> {
        let t = tenant(ctx).await?;
        let id = id_of::<Offer>("id", &id).gql(ctx)?;
        Ok(Offer(domain::decisions::offers::retire(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Adds an interaction point.
    async fn create_interaction_point(
        &self,
        ctx: &Context<'_>,
        input: InteractionPointInput,
    ) -> async_graphql::Result<InteractionPoint> {
        let t = tenant(ctx).await?;
        let input = point_input(input).gql(ctx)?;
        Ok(InteractionPoint(domain::decisions::points::create(t, parley(ctx)?, input).await.gql(ctx)?))
    }

    /// Changes an interaction point.
    async fn update_interaction_point(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: InteractionPointInput,
    ) -> async_graphql::Result<InteractionPoint> {
        let t = tenant(ctx).await?;
        let id = id_of::<InteractionPoint>("id", &id).gql(ctx)?;
        let input = point_input(input).gql(ctx)?;
        Ok(InteractionPoint(domain::decisions::points::update(t, parley(ctx)?, id, input).await.gql(ctx)?))
    }

    /// Sets how a point's decisions learn: the holdout and the exploration.
    async fn configure_learning(
        &self,
        ctx: &Context<'_>,
        input: ConfigureLearningInput,
    ) -> async_graphql::Result<InteractionPoint> {
        let t = tenant(ctx).await?;
        let id = id_of::<InteractionPoint>("pointId", &input.point_id).gql(ctx)?;
        let learning = domain::decisions::LearningInput {
            holdout_percent: input.holdout_percent,
            exploration_percent: input.exploration_percent,
            by_segment: input.learn_by_segment,
        };
        Ok(InteractionPoint(
            domain::decisions::points::configure_learning(t, parley(ctx)?, id, learning).await.gql(ctx)?,
        ))
    }

    /// Adds a treatment rule.
    async fn create_treatment_rule(
        &self,
        ctx: &Context<'_>,
        input: TreatmentRuleInput,
    ) -> async_graphql::Result<TreatmentRule> {
        let t = tenant(ctx).await?;
        let input = rule_input(input).gql(ctx)?;
        Ok(TreatmentRule(domain::decisions::rules::create(t, parley(ctx)?, input).await.gql(ctx)?))
    }

    /// Changes a treatment rule.
    async fn update_treatment_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TreatmentRuleInput,
    ) -> async_graphql::Result<TreatmentRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<TreatmentRule>("id", &id).gql(ctx)?;
        let input = rule_input(input).gql(ctx)?;
        Ok(TreatmentRule(domain::decisions::rules::update(t, parley(ctx)?, id, input).await.gql(ctx)?))
    }

    /// The next best offers for a person at a point, now: recorded with what it showed
    /// (each a presentation on the contact's timeline).
    async fn decide(&self, ctx: &Context<'_>, input: DecideInput) -> async_graphql::Result<Decision> {
        let t = tenant(ctx).await?;
        let input = decide_input(input).gql(ctx)?;
        Ok(domain::decisions::decide::decide(t, parley(ctx)?, input).await.gql(ctx)?.into())
    }

    /// Records what a person did with an offer a decision showed; the same response
    /// again changes nothing.
    async fn respond(&self, ctx: &Context<'_>, input: RespondInput) -> async_graphql::Result<OfferResponse> {
        let t = tenant(ctx).await?;
        let decision = crate::graphql::ids::parse("Decision", "decisionId", &input.decision_id).gql(ctx)?;
        let offer = id_of::<Offer>("offerId", &input.offer_id).gql(ctx)?;
        let input = domain::decisions::decide::RespondInput {
            decision: decision.into(),
            offer,
            outcome: input.outcome.into(),
            revenue: input.revenue.map(MoneyInput::pair),
        };
        Ok(domain::decisions::decide::respond(t, parley(ctx)?, input).await.gql(ctx)?.into())
    }

    /// Deletes a treatment rule.
    async fn delete_treatment_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<TreatmentRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<TreatmentRule>("id", &id).gql(ctx)?;
        Ok(TreatmentRule(domain::decisions::rules::delete(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
