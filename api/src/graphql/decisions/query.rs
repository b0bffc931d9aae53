//! Reading the catalogue, the points and their rules.

use async_graphql::{Context, ID, Object};

use super::{InteractionPoint, Offer, OfferPerformance, OfferStatus, PastDecision, PointLift, TreatmentRule};
use crate::graphql::connection::{Conn, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

#[derive(Default)]
pub struct DecisionsQuery;

#[Object]
impl DecisionsQuery {
    /// The offer catalogue, newest first: one status, or all.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn offers(
        &self,
        ctx: &Context<'_>,
        status: Option<OfferStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Offer>> {
        let status = status.map(Into::into);
        crate::graphql::connection::list(
            ctx,
            first,
            after,
            move |t, p, args| domain::decisions::offers::list(t, p, status, args),
            Offer,
        )
        .await
    }

    /// A contact's history with offers, newest first: each decision that showed them
    /// offers on any channel, what it showed, and the responses (`first`: 1 to 100).
    async fn offer_history(
        &self,
        ctx: &Context<'_>,
        contact_id: ID,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<PastDecision>> {
        let t = tenant(ctx).await?;
        let id = id_of::<crate::graphql::contacts::Contact>("contactId", &contact_id).gql(ctx)?;
        let first = u64::try_from(first.unwrap_or(20)).unwrap_or(0);
        let all = domain::decisions::history::of_contact(t, parley(ctx)?, id, first).await.gql(ctx)?;
        Ok(all.into_iter().map(Into::into).collect())
    }

    /// One offer.
    async fn offer(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Offer> {
        let t = tenant(ctx).await?;
        let id = id_of::<Offer>("id", &id).gql(ctx)?;
        Ok(Offer(domain::decisions::offers::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The workspace's interaction points, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn interaction_points(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<InteractionPoint>> {
        crate::graphql::connection::list(ctx, first, after, domain::decisions::points::list, InteractionPoint).await
    }

    /// One interaction point.
    async fn interaction_point(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<InteractionPoint> {
        let t = tenant(ctx).await?;
        let id = id_of::<InteractionPoint>("id", &id).gql(ctx)?;
        Ok(InteractionPoint(domain::decisions::points::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// One treatment rule.
    async fn treatment_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<TreatmentRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<TreatmentRule>("id", &id).gql(ctx)?;
        Ok(TreatmentRule(domain::decisions::rules::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// What each offer of a point has done there, most shown first: over its whole
    /// traffic, or (`segmentId`, for a point learning by segment) as learnt for the
    /// contacts of one segment of its rules.
    async fn offer_performance(
        &self,
        ctx: &Context<'_>,
        point_id: ID,
        segment_id: Option<ID>,
    ) -> async_graphql::Result<Vec<OfferPerformance>> {
        let t = tenant(ctx).await?;
        let id = id_of::<InteractionPoint>("pointId", &point_id).gql(ctx)?;
        let segment = segment_id
            .as_ref()
            .map(|s| id_of::<crate::graphql::segments::Segment>("segmentId", s))
            .transpose()
            .gql(ctx)?;
        let all = domain::decisions::performance::offers(t, parley(ctx)?, id, segment).await.gql(ctx)?;
        Ok(all.into_iter().map(Into::into).collect())
    }

    /// A point's learned decisions beside its holdout.
    async fn point_lift(&self, ctx: &Context<'_>, point_id: ID) -> async_graphql::Result<PointLift> {
        let t = tenant(ctx).await?;
        let id = id_of::<InteractionPoint>("pointId", &point_id).gql(ctx)?;
        Ok(domain::decisions::performance::lift(t, parley(ctx)?, id).await.gql(ctx)?.into())
    }
}
