//! RFM scores and lifetime value, computed from each customer's purchases.
//!
//! Recency (days since the last purchase, more recent scoring higher), frequency
//! (orders) and monetary value (revenue) are each scored 1 to 5 by quintile among the
//! workspace's customers: a customer scores one plus five times the share of customers
//! strictly below them, so equal values always score alike. The recency and frequency
//! scores place a customer in one of eight named groups, the usual RFM grid.
//!
//! Lifetime value is a deliberately simple estimate: revenue to date, plus what the
//! customer's own pace (average order value × orders a year since their first
//! purchase, counted over at least 90 days) brings over the workspace's expected
//! customer lifetime (one over the yearly churn: the share of customers of a year or
//! more who have not bought in the last year; half while fewer than ten customers are
//! that old), for customers who bought within the last year.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::purchases::Customer;

/// The named RFM groups, in the order reports list them.
pub const SEGMENTS: [&str; 8] =
    ["Champions", "Loyal", "Potential loyalist", "New", "Needs attention", "Cannot lose", "At risk", "Hibernating"];

/// The group of a recency and a frequency score.
pub fn segment(r: u8, f: u8) -> &'static str {
    match (r, f) {
        (4.., 4..) => "Champions",
        (4.., 3) | (3, 3..) => "Loyal",
        (4.., 2) => "Potential loyalist",
        (4.., _) => "New",
        (3, _) => "Needs attention",
        (_, 4..) => "Cannot lose",
        (_, 3) => "At risk",
        _ => "Hibernating",
    }
}

/// Quintile scores (1 to 5) of `values`, higher values scoring higher, ties alike.
pub fn quintiles(values: &[f64]) -> Vec<u8> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len().max(1) as f64;
    values
        .iter()
        .map(|v| {
            let below = sorted.partition_point(|x| x.total_cmp(v).is_lt()) as f64;
            1 + ((5.0 * below / n).floor() as u8).min(4)
        })
        .collect()
}

/// One customer's scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    pub recency: u8,
    pub frequency: u8,
    pub monetary: u8,
    pub segment: &'static str,
    /// Minor units of the scoring currency.
    pub lifetime_value: i64,
    pub orders: i64,
    pub last_purchase: DateTime<Utc>,
}

/// What a run found, as reports show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Summary {
    pub currency: String,
    pub customers: i64,
    pub revenue: i64,
    pub average_order_value: i64,
    pub average_lifetime_value: i64,
    pub churn_rate: f64,
    pub lifetime_years: f64,
    /// Customers per recency (outer, 1..5) and frequency (inner, 1..5) score.
    pub grid: Vec<Vec<i64>>,
    pub segments: Vec<SegmentFigures>,
    pub purchases_other_currency: i64,
}

/// Customers and revenue of one RFM group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SegmentFigures {
    pub name: String,
    pub customers: i64,
    pub revenue: i64,
}

const YEAR: f64 = 365.0;

fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    ((to - from).num_seconds().max(0) as f64) / 86_400.0
}

/// The yearly churn of `customers` at `now`.
pub(crate) fn churn(customers: &[&Customer], now: DateTime<Utc>) -> f64 {
    let old: Vec<&&Customer> = customers.iter().filter(|c| c.first.is_some_and(|f| days(f, now) >= YEAR)).collect();
    if old.len() < 10 {
        return 0.5;
    }
    let lapsed = old.iter().filter(|c| c.last.is_some_and(|l| days(l, now) > YEAR)).count();
    lapsed as f64 / old.len() as f64
}

/// Scores every customer at `now`; `customers` and the answer are in the same order.
pub(crate) fn score(customers: &[&Customer], now: DateTime<Utc>, currency: &str) -> (Vec<Scores>, Summary) {
    let recency: Vec<f64> = customers.iter().map(|c| -c.last.map_or(f64::MAX, |l| days(l, now))).collect();
    let frequency: Vec<f64> = customers.iter().map(|c| c.orders as f64).collect();
    let monetary: Vec<f64> = customers.iter().map(|c| c.revenue as f64).collect();
    let (r, f, m) = (quintiles(&recency), quintiles(&frequency), quintiles(&monetary));
    let churn_rate = churn(customers, now);
    let lifetime_years = 1.0 / churn_rate.clamp(0.1, 1.0);

    let mut summary = Summary {
        currency: currency.to_owned(),
        customers: customers.len() as i64,
        churn_rate,
        lifetime_years,
        grid: vec![vec![0; 5]; 5],
        segments: SEGMENTS.iter().map(|s| SegmentFigures { name: (*s).to_owned(), ..Default::default() }).collect(),
        ..Default::default()
    };
    let mut priced_orders = 0i64;
    let mut out = Vec::with_capacity(customers.len());
    for (i, c) in customers.iter().enumerate() {
        let last = c.last.unwrap_or(now);
        let aov = if c.priced_orders > 0 { c.revenue as f64 / c.priced_orders as f64 } else { 0.0 };
        let span = c.first.map_or(0.0, |first| days(first, now)).max(90.0);
        let yearly_orders = c.orders as f64 * YEAR / span;
        let alive = if days(last, now) <= YEAR { 1.0 } else { 0.0 };
        let future = aov * yearly_orders * lifetime_years * alive;
        let lifetime_value = c.revenue.saturating_add(future.round() as i64);
        let segment = segment(r[i], f[i]);
        summary.grid[usize::from(r[i] - 1)][usize::from(f[i] - 1)] += 1;
        if let Some(s) = summary.segments.iter_mut().find(|s| s.name == segment) {
            s.customers += 1;
            s.revenue += c.revenue;
        }
        summary.revenue = summary.revenue.saturating_add(c.revenue);
        summary.average_lifetime_value = summary.average_lifetime_value.saturating_add(lifetime_value);
        priced_orders += c.priced_orders;
        out.push(Scores {
            recency: r[i],
            frequency: f[i],
            monetary: m[i],
            segment,
            lifetime_value,
            orders: c.orders,
            last_purchase: last,
        });
    }
    if !customers.is_empty() {
        summary.average_lifetime_value /= customers.len() as i64;
    }
    if priced_orders > 0 {
        summary.average_order_value = summary.revenue / priced_orders;
    }
    (out, summary)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn quintiles_spread_ranks_and_keep_ties_together() {
        assert_eq!(quintiles(&[1.0, 2.0, 3.0, 4.0, 5.0]), [1, 2, 3, 4, 5]);
        assert_eq!(quintiles(&[5.0, 1.0, 5.0, 1.0]), [3, 1, 3, 1]);
        let ten: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(quintiles(&ten), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
        assert_eq!(quintiles(&[7.0]), [1]);
    }

    #[test]
    fn every_score_pair_has_a_group() {
        assert_eq!(segment(5, 5), "Champions");
        assert_eq!(segment(5, 1), "New");
        assert_eq!(segment(4, 2), "Potential loyalist");
        assert_eq!(segment(3, 4), "Loyal");
        assert_eq!(segment(3, 1), "Needs attention");
        assert_eq!(segment(1, 5), "Cannot lose");
        assert_eq!(segment(2, 3), "At risk");
        assert_eq!(segment(1, 1), "Hibernating");
        for r in 1..=5 {
            for f in 1..=5 {
                assert!(SEGMENTS.contains(&segment(r, f)));
            }
        }
    }

    #[test]
    fn lifetime_value_adds_the_customers_pace_over_the_expected_lifetime() {
        let now = Utc::now();
        let c = Customer {
            orders: 4,
            revenue: 40_000,
            priced_orders: 4,
            first: Some(now - Duration::days(365)),
            last: Some(now - Duration::days(10)),
            products: vec![],
        };
        let gone =
            Customer { first: Some(now - Duration::days(800)), last: Some(now - Duration::days(400)), ..c.clone() };
        let (s, summary) = score(&[&c, &gone], now, "EUR");
        // Fewer than ten customers of a year: churn is taken as one half, a lifetime of two years.
        assert_eq!(summary.lifetime_years, 2.0);
        // 10,000 a order, 4 orders a year, 2 years: 80,000 more.
        assert_eq!(s[0].lifetime_value, 120_000);
        assert_eq!(s[1].lifetime_value, 40_000, "no purchase within a year: no future value");
        // Two customers: the later one is above half of them (score 3), the other above none.
        assert_eq!((s[0].recency, s[1].recency), (3, 1));
        assert_eq!((s[0].segment, s[1].segment), ("Needs attention", "Hibernating"));
        assert_eq!(summary.revenue, 80_000);
        assert_eq!(summary.average_order_value, 10_000);
        assert_eq!((summary.grid[2][0], summary.grid[0][0]), (1, 1));
    }
}
