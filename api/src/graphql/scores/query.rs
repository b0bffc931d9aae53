//! Reading score runs, affinities and propensity models.

use async_graphql::{Context, ID, Object};

use super::{ProductAffinity, PropensityModel, ScoreRun, ScoreSchedule};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Score reads.
#[derive(Default)]
pub struct ScoresQuery;

#[Object]
impl ScoresQuery {
    /// The newest completed score run, whose figures are on the contacts now.
    async fn latest_score_run(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ScoreRun>> {
        let t = tenant(ctx).await?;
        Ok(domain::scores::latest(t, parley(ctx)?).await.gql(ctx)?.map(ScoreRun))
    }

    /// The workspace's schedule of score runs; null when they run by hand only.
    async fn score_schedule(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ScoreSchedule>> {
        let t = tenant(ctx).await?;
        Ok(domain::scores::schedule::get(t, parley(ctx)?).await.gql(ctx)?.map(ScoreSchedule::from))
    }

    /// One score run, with its live counters.
    async fn score_run(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ScoreRun> {
        let id = id_of::<ScoreRun>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(ScoreRun(domain::scores::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The workspace's score runs, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn score_runs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ScoreRun>> {
        list(ctx, first, after, domain::scores::list, ScoreRun).await
    }

    /// Customers who bought `product` also bought…: strongest first (as of the latest run).
    async fn also_bought(
        &self,
        ctx: &Context<'_>,
        product: String,
        #[graphql(default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<ProductAffinity>> {
        let t = tenant(ctx).await?;
        let rows = domain::scores::also_bought(t, parley(ctx)?, &product, first.max(1) as u64).await.gql(ctx)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The products most often bought together (each pair once), most customers first.
    async fn product_pairs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<ProductAffinity>> {
        let t = tenant(ctx).await?;
        let rows = domain::scores::top_pairs(t, parley(ctx)?, first.max(1) as u64).await.gql(ctx)?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// One propensity model.
    async fn propensity_model(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PropensityModel> {
        let id = id_of::<PropensityModel>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(PropensityModel(domain::scores::propensity::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The workspace's propensity models, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn propensity_models(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<PropensityModel>> {
        list(ctx, first, after, domain::scores::propensity::list, PropensityModel).await
    }
}
