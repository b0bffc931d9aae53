//! Typed operations of `analytics.graphql`.

use super::*;

/// The `NaiveDate` scalar: `YYYY-MM-DD`.
pub type NaiveDate = String;

super::operations!("src/ops/analytics.graphql":
    /// `WebAnalytics` in `analytics.graphql`.
    WebAnalytics,
);

/// Traffic as the page shows it.
pub type Traffic = web_analytics::WebAnalyticsWebTraffic;
/// A key and its count.
pub type KeyCount = web_analytics::WebAnalyticsWebTrafficTopPages;
