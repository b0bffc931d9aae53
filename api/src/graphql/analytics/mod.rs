//! Web analytics: traffic, funnels and cart abandonment over a date range.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use crate::graphql::context::{OrGql, parley, tenant};

/// A key (a page, a source, a campaign) and how often it came up.
#[derive(SimpleObject)]
pub struct KeyCount {
    pub key: String,
    pub count: i64,
}

/// One day of traffic.
#[derive(SimpleObject)]
pub struct TrafficDay {
    pub date: NaiveDate,
    pub page_views: i64,
    pub sessions: i64,
}

/// Traffic over a date range.
#[derive(SimpleObject)]
pub struct WebTraffic {
    pub page_views: i64,
    /// Distinct visitors (a contact counts once, whatever devices they used).
    pub visitors: i64,
    /// A visitor's page views with no gap over 30 minutes.
    pub sessions: i64,
    /// The most viewed paths.
    pub top_pages: Vec<KeyCount>,
    /// Where sessions came from: their UTM source, else the referring site, else `(direct)`.
    pub sources: Vec<KeyCount>,
    /// Sessions by UTM campaign.
    pub campaigns: Vec<KeyCount>,
    /// Day by day (UTC), days without traffic left out.
    pub days: Vec<TrafficDay>,
}

/// One step of a funnel.
#[derive(SimpleObject)]
pub struct FunnelStep {
    pub event: String,
    /// Visitors who got this far.
    pub visitors: i64,
    /// Share of the step before that got here (1 for the first step; 0 to 1).
    pub conversion: f64,
}

/// Carts started in a range and what became of them.
#[derive(SimpleObject)]
pub struct CartAbandonment {
    /// Visitors who added to a cart (`add_to_cart`).
    pub carts: i64,
    /// Of those, who bought afterwards (`purchase`).
    pub purchased: i64,
    pub abandoned: i64,
    /// `abandoned / carts`, 0 to 1.
    pub rate: f64,
}

/// Analytics reads.
#[derive(Default)]
pub struct AnalyticsQuery;

fn range(ctx: &Context<'_>, from: DateTime<Utc>, to: DateTime<Utc>) -> async_graphql::Result<domain::analytics::Range> {
    domain::analytics::Range::new(from, to).gql(ctx)
}

#[Object]
impl AnalyticsQuery {
    /// Page views, visitors, sessions, top pages, sources and campaigns from `from`
    /// (inclusive) to `to` (exclusive), at most 92 days.
    async fn web_traffic(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> async_graphql::Result<WebTraffic> {
        let r = range(ctx, from, to)?;
        let t = domain::analytics::traffic(tenant(ctx).await?, parley(ctx)?, r).await.gql(ctx)?;
        let counts =
            |c: Vec<domain::analytics::Count>| c.into_iter().map(|c| KeyCount { key: c.key, count: c.count }).collect();
        Ok(WebTraffic {
            page_views: t.page_views,
            visitors: t.visitors,
            sessions: t.sessions,
            top_pages: counts(t.top_pages),
            sources: counts(t.sources),
            campaigns: counts(t.campaigns),
            days: t
                .days
                .into_iter()
                .map(|d| TrafficDay { date: d.date, page_views: d.page_views, sessions: d.sessions })
                .collect(),
        })
    }

    /// How many visitors went through `steps` (event types, in order) within the range,
    /// with the conversion between steps.
    async fn funnel(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        steps: Vec<String>,
    ) -> async_graphql::Result<Vec<FunnelStep>> {
        let r = range(ctx, from, to)?;
        let f = domain::analytics::funnel(tenant(ctx).await?, parley(ctx)?, r, &steps).await.gql(ctx)?;
        Ok(f.into_iter()
            .map(|s| FunnelStep { event: s.event, visitors: s.visitors, conversion: s.conversion })
            .collect())
    }

    /// Carts started within the range that no purchase followed.
    async fn cart_abandonment(
        &self,
        ctx: &Context<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> async_graphql::Result<CartAbandonment> {
        let r = range(ctx, from, to)?;
        let a = domain::analytics::cart_abandonment(tenant(ctx).await?, parley(ctx)?, r).await.gql(ctx)?;
        Ok(CartAbandonment { carts: a.carts, purchased: a.purchased, abandoned: a.abandoned, rate: a.rate })
    }
}
