//! Tracking: the workspace's publishable key for the snippet and `POST /t/events`.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};

use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::node_object;

node_object! {
    /// A publishable key: it sits in web pages and can only send events.
    TrackingKey(domain::tracking::TrackingKey) {
        /// Put it in the snippet or send it as `key` to `POST /t/events`.
        key: String,
        created_at: DateTime<Utc>,
        revoked_at: Option<DateTime<Utc>>,
    }
}

/// Tracking reads.
#[derive(Default)]
pub struct TrackingQuery;

#[Object]
impl TrackingQuery {
    /// The workspace's current publishable key; null until one is issued.
    async fn tracking_key(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<TrackingKey>> {
        let t = tenant(ctx).await?;
        Ok(domain::tracking::current_key(t, parley(ctx)?).await.gql(ctx)?.map(TrackingKey))
    }
}

/// Tracking writes.
#[derive(Default)]
pub struct TrackingMutation;

#[Object]
impl TrackingMutation {
    /// Issues a new publishable key; the previous one stops working at once.
    async fn rotate_tracking_key(&self, ctx: &Context<'_>) -> async_graphql::Result<TrackingKey> {
        let t = tenant(ctx).await?;
        Ok(TrackingKey(domain::tracking::rotate_key(t, parley(ctx)?).await.gql(ctx)?))
    }
}
