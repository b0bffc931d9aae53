//! Starting score runs; defining, training and deleting propensity models.

use async_graphql::{Context, ID, Object};

use super::{NewPropensityModel, PropensityModel, ScoreEvery, ScoreRun, ScoreSchedule};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Score writes.
#[derive(Default)]
pub struct ScoresMutation;

#[Object]
impl ScoresMutation {
    /// Starts scoring every customer from their purchases (follow it with `scoreRun`);
    /// refused while a run is in progress.
    async fn refresh_scores(&self, ctx: &Context<'_>) -> async_graphql::Result<ScoreRun> {
        let t = tenant(ctx).await?;
        Ok(ScoreRun(domain::scores::refresh(t, parley(ctx)?).await.gql(ctx)?))
    }

    /// Refreshes the scores on their own every day or week (null: by hand only). The
    /// first run is one period from now; setting the same schedule again keeps its time.
    async fn set_score_schedule(
        &self,
        ctx: &Context<'_>,
        every: Option<ScoreEvery>,
    ) -> async_graphql::Result<Option<ScoreSchedule>> {
        let t = tenant(ctx).await?;
        let set = domain::scores::schedule::set(t, parley(ctx)?, every.map(Into::into)).await.gql(ctx)?;
        Ok(set.map(ScoreSchedule::from))
    }

    /// Defines a propensity model (train it with `trainPropensityModel`).
    async fn create_propensity_model(
        &self,
        ctx: &Context<'_>,
        input: NewPropensityModel,
    ) -> async_graphql::Result<PropensityModel> {
        let t = tenant(ctx).await?;
        let new = domain::scores::propensity::NewModel {
            name: input.name,
            target_event: input.target_event,
            horizon_days: input.horizon_days,
            attribute: input.attribute,
        };
        Ok(PropensityModel(domain::scores::propensity::create(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Trains a model on the history as it is now, then scores every contact (a
    /// background job; follow it with `propensityModel`).
    async fn train_propensity_model(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PropensityModel> {
        let id = id_of::<PropensityModel>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(PropensityModel(domain::scores::propensity::train(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Deletes a model and takes its scores off the contacts.
    async fn delete_propensity_model(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PropensityModel> {
        let id = id_of::<PropensityModel>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(PropensityModel(domain::scores::propensity::delete(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
