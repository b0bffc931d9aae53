//! Score runs with what they found, propensity models with their quality, and
//! product affinities.

use async_graphql::{Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::imports::TransferStatus;
use crate::graphql::node::NodeObject;

/// Customers and revenue of one RFM group.
#[derive(SimpleObject)]
pub struct RfmGroup {
    /// Champions, Loyal, Potential loyalist, New, Needs attention, Cannot lose, At risk, Hibernating.
    pub name: String,
    pub customers: i64,
    /// Minor units of the run's currency.
    pub revenue: f64,
}

/// Customers with one recency and one frequency score.
#[derive(SimpleObject)]
pub struct RfmCell {
    /// 1 (longest ago) to 5 (most recent).
    pub recency: i32,
    /// 1 (fewest orders) to 5 (most).
    pub frequency: i32,
    pub customers: i64,
    /// The RFM group of the cell.
    pub group: String,
}

/// A run of the scoring job: every customer's RFM scores (`rfm_recency`,
/// `rfm_frequency`, `rfm_monetary` 1–5, `rfm_score` like 545, `rfm_segment`),
/// `lifetime_value`, `orders_count` and `last_purchase_on` written to their contact,
/// and the products bought together.
pub struct ScoreRun(pub domain::scores::ScoreRun);

impl NodeObject for ScoreRun {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

impl ScoreRun {
    fn summary(&self) -> domain::scores::Summary {
        domain::scores::summary(&self.0).unwrap_or_default()
    }
}

#[Object]
impl ScoreRun {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn status(&self) -> TransferStatus {
        self.0.status.into()
    }
    /// Why it failed, when it did.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// Purchase events read.
    async fn purchases_read(&self) -> i64 {
        self.0.purchases_read
    }
    /// Customers scored so far, and in all (live while it runs).
    async fn contacts_scored(&self) -> i64 {
        self.0.contacts_scored
    }
    async fn contacts_total(&self) -> i64 {
        self.0.contacts_total
    }
    /// Distinct products the purchases named.
    async fn products(&self) -> i64 {
        self.0.products
    }
    /// The currency of amounts (ISO 4217); null until completed.
    async fn currency(&self) -> Option<String> {
        Some(self.summary().currency).filter(|c| !c.is_empty())
    }
    /// Revenue of all customers, in minor units.
    async fn revenue(&self) -> f64 {
        self.summary().revenue as f64
    }
    async fn average_order_value(&self) -> f64 {
        self.summary().average_order_value as f64
    }
    async fn average_lifetime_value(&self) -> f64 {
        self.summary().average_lifetime_value as f64
    }
    /// Share of customers of a year or more who have not bought in the last year (0 to 1).
    async fn churn_rate(&self) -> f64 {
        self.summary().churn_rate
    }
    /// Expected years a customer keeps buying (one over the churn, 1 to 10).
    async fn lifetime_years(&self) -> f64 {
        self.summary().lifetime_years
    }
    /// Purchases whose amount is in another currency, left out of revenue and value.
    async fn purchases_other_currency(&self) -> i64 {
        self.summary().purchases_other_currency
    }
    /// Customers per RFM group, in the grid's order.
    async fn groups(&self) -> Vec<RfmGroup> {
        self.summary()
            .segments
            .into_iter()
            .map(|s| RfmGroup { name: s.name, customers: s.customers, revenue: s.revenue as f64 })
            .collect()
    }
    /// Customers per recency and frequency score (25 cells).
    async fn grid(&self) -> Vec<RfmCell> {
        let g = self.summary().grid;
        let mut out = Vec::new();
        for (r, row) in g.iter().enumerate() {
            for (f, n) in row.iter().enumerate() {
                let (recency, frequency) = (r as u8 + 1, f as u8 + 1);
                let group = domain::scores::rfm::segment(recency, frequency).to_owned();
                out.push(RfmCell { recency: recency.into(), frequency: frequency.into(), customers: *n, group });
            }
        }
        out
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

/// Customers who bought `product` also bought `other`.
#[derive(SimpleObject)]
pub struct ProductAffinity {
    pub product: String,
    pub other: String,
    /// Customers who bought both.
    pub together: i64,
    /// Customers who bought `product`.
    pub buyers: i64,
    /// `together / buyers` (0 to 1).
    pub confidence: f64,
    /// How much likelier `other` is for buyers of `product` than for any customer (1: no more).
    pub lift: f64,
}

impl From<domain::scores::ProductAffinity> for ProductAffinity {
    fn from(a: domain::scores::ProductAffinity) -> Self {
        ProductAffinity {
            product: a.product,
            other: a.other,
            together: a.together,
            buyers: a.buyers,
            confidence: a.confidence,
            lift: a.lift,
        }
    }
}

/// Where a propensity model stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::ModelStatus")]
pub enum ModelStatus {
    /// Defined, never trained.
    Draft,
    /// A job is training it (the scores of the last training stay meanwhile).
    Training,
    /// Trained; its scores are on the contacts.
    Ready,
    /// The last training could not finish: `error` says why.
    Failed,
}

/// One feature of a model and its weight (on standardised values: comparable).
#[derive(SimpleObject)]
pub struct ModelWeight {
    pub feature: String,
    pub weight: f64,
}

/// A response-propensity model: how likely each contact is to do `targetEvent`
/// within `horizonDays`, learned from the workspace's history, written to the contact
/// field `attribute` (0 to 1) for segments to use.
pub struct PropensityModel(pub domain::scores::propensity::PropensityModel);

impl NodeObject for PropensityModel {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl PropensityModel {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn target_event(&self) -> &str {
        &self.0.target_event
    }
    async fn horizon_days(&self) -> i32 {
        self.0.horizon_days
    }
    /// The contact field its scores are written to.
    async fn attribute(&self) -> &str {
        &self.0.attribute
    }
    async fn status(&self) -> ModelStatus {
        self.0.status.into()
    }
    /// Why the last training failed.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// Area under the ROC curve on contacts held out of training: 0.5 is chance, 1 perfect.
    async fn auc(&self) -> Option<f64> {
        self.0.auc
    }
    /// Contacts trained on, and held out to measure it.
    async fn training_contacts(&self) -> i64 {
        self.0.training_contacts
    }
    async fn holdout_contacts(&self) -> i64 {
        self.0.holdout_contacts
    }
    /// Contacts (training and held out) who did the event within the horizon.
    async fn positives(&self) -> i64 {
        self.0.positives
    }
    /// Contacts scored so far, and in all (live while it trains).
    async fn contacts_scored(&self) -> i64 {
        self.0.contacts_scored
    }
    async fn contacts_total(&self) -> i64 {
        self.0.contacts_total
    }
    /// What drives it: each feature's weight, strongest first.
    async fn weights(&self) -> Vec<ModelWeight> {
        let Some(p) = domain::scores::propensity::params(&self.0) else { return Vec::new() };
        let mut w: Vec<ModelWeight> =
            p.features.into_iter().zip(p.weights).map(|(feature, weight)| ModelWeight { feature, weight }).collect();
        w.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        w
    }
    async fn trained_at(&self) -> Option<DateTime<Utc>> {
        self.0.trained_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A new propensity model.
#[derive(InputObject)]
pub struct NewPropensityModel {
    pub name: String,
    /// The event type to predict (`purchase`, `email_clicked`…).
    pub target_event: String,
    /// Within how many days (1 to 365).
    pub horizon_days: i32,
    /// The contact field to write scores to: a NUMBER field, defined when missing.
    pub attribute: String,
}

/// How often the scores refresh on their own.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::ScoreEvery")]
pub enum ScoreEvery {
    /// Every 24 hours.
    Daily,
    /// Every 7 days.
    Weekly,
}

/// The workspace's schedule of score runs (refreshes on their own; models are trained
/// by hand).
#[derive(SimpleObject)]
pub struct ScoreSchedule {
    pub every: ScoreEvery,
    /// When the next run starts (a run already in progress then is left to finish, and
    /// the schedule moves on).
    pub next_run_at: DateTime<Utc>,
}

impl From<domain::scores::schedule::ScoreSchedule> for ScoreSchedule {
    fn from(s: domain::scores::schedule::ScoreSchedule) -> Self {
        ScoreSchedule { every: s.every.into(), next_run_at: s.next_run_at }
    }
}
