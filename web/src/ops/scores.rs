//! Typed operations of `scores.graphql`, and the runs, pairs and models the insights
//! page keeps: each operation has its own copy of a fragment's type, so the answers are
//! read into one type per thing (a polled run and a listed run are the same run).

use super::*;

super::operations!("src/ops/scores.graphql":
    /// `ScoreOverview` in `scores.graphql`.
    ScoreOverview,
    /// `ScoreRun` in `scores.graphql`.
    ScoreRun,
    /// `RefreshScores` in `scores.graphql`.
    RefreshScores,
    /// `SetScoreSchedule` in `scores.graphql`.
    SetScoreSchedule,
    /// `AlsoBought` in `scores.graphql`.
    AlsoBought,
    /// `PropensityModels` in `scores.graphql`.
    PropensityModels,
    /// `PropensityModel` in `scores.graphql`.
    PropensityModel,
    /// `CreatePropensityModel` in `scores.graphql`.
    CreatePropensityModel,
    /// `TrainPropensityModel` in `scores.graphql`.
    TrainPropensityModel,
    /// `DeletePropensityModel` in `scores.graphql`.
    DeletePropensityModel,
);

/// Where a score run stands (the schema's `TransferStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    /// Waiting for a worker.
    Queued,
    /// Scoring: the counters move.
    Running,
    /// Done: its figures are on the contacts.
    Completed,
    /// Stopped: `error` says why.
    Failed,
    /// A status this build of the UI does not know yet.
    Unknown,
}

impl RunState {
    /// Whether the run is still to finish (the page follows it).
    pub fn is_busy(self) -> bool {
        matches!(self, RunState::Queued | RunState::Running)
    }

    /// The status as a marketer reads it.
    pub fn label(self) -> &'static str {
        match self {
            RunState::Queued => "Waiting to start",
            RunState::Running => "Scoring",
            RunState::Completed => "Done",
            RunState::Failed => "Failed",
            RunState::Unknown => "Unknown",
        }
    }
}

/// How often the scores refresh on their own (the schema's `ScoreEvery`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ScoreEvery {
    /// Every 24 hours.
    Daily,
    /// Every 7 days.
    Weekly,
}

impl ScoreEvery {
    /// The value of its option in a select.
    pub fn value(every: Option<ScoreEvery>) -> &'static str {
        match every {
            Some(ScoreEvery::Daily) => "DAILY",
            Some(ScoreEvery::Weekly) => "WEEKLY",
            None => "",
        }
    }

    /// The schedule an option's value names (none: by hand).
    pub fn parse(value: &str) -> Option<ScoreEvery> {
        match value {
            "DAILY" => Some(ScoreEvery::Daily),
            "WEEKLY" => Some(ScoreEvery::Weekly),
            _ => None,
        }
    }
}

/// The workspace's schedule of score runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// How often.
    pub every: ScoreEvery,
    /// When the next run starts.
    pub next_run_at: String,
}

impl From<score_overview::ScoreOverviewScoreSchedule> for Schedule {
    fn from(s: score_overview::ScoreOverviewScoreSchedule) -> Self {
        Schedule { every: s.every, next_run_at: s.next_run_at }
    }
}

impl From<set_score_schedule::SetScoreScheduleSetScoreSchedule> for Schedule {
    fn from(s: set_score_schedule::SetScoreScheduleSetScoreSchedule) -> Self {
        Schedule { every: s.every, next_run_at: s.next_run_at }
    }
}

/// Where a propensity model stands (the schema's `ModelStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelState {
    /// Defined, never trained.
    Draft,
    /// A job is training it.
    Training,
    /// Trained; its scores are on the contacts.
    Ready,
    /// The last training could not finish: `error` says why.
    Failed,
    /// A status this build of the UI does not know yet.
    Unknown,
}

impl ModelState {
    /// The status as a marketer reads it.
    pub fn label(self) -> &'static str {
        match self {
            ModelState::Draft => "Not trained yet",
            ModelState::Training => "Training",
            ModelState::Ready => "Ready",
            ModelState::Failed => "Failed",
            ModelState::Unknown => "Unknown",
        }
    }

    /// The `status-*` class of its chip.
    pub fn class(self) -> &'static str {
        match self {
            ModelState::Draft => "status status-queued",
            ModelState::Training => "status status-running",
            ModelState::Ready => "status status-done",
            ModelState::Failed => "status status-dead",
            ModelState::Unknown => "status",
        }
    }
}

/// Customers and revenue of one RFM group.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Champions, Loyal, …
    pub name: String,
    /// Customers in it.
    pub customers: i64,
    /// Their revenue, in minor units of the run's currency.
    pub revenue: f64,
}

/// Customers with one recency and one frequency score (1 to 5 each).
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    /// 1 (longest ago) to 5 (most recent).
    pub recency: i64,
    /// 1 (fewest orders) to 5 (most).
    pub frequency: i64,
    /// Customers in the cell.
    pub customers: i64,
    /// The RFM group the cell belongs to.
    pub group: String,
}

/// A score run with what it found (figures are zero until it completes).
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Its global ID.
    pub id: String,
    /// Where it stands.
    pub state: RunState,
    /// Why it failed.
    pub error: Option<String>,
    /// Purchase events read.
    pub purchases_read: i64,
    /// Customers scored so far.
    pub contacts_scored: i64,
    /// Customers to score in all.
    pub contacts_total: i64,
    /// Distinct products the purchases named.
    pub products: i64,
    /// ISO code of the amounts, once completed.
    pub currency: Option<String>,
    /// Revenue of all customers (minor units).
    pub revenue: f64,
    /// Average order value (minor units).
    pub average_order_value: f64,
    /// Average customer lifetime value (minor units).
    pub average_lifetime_value: f64,
    /// Yearly churn, 0 to 1.
    pub churn_rate: f64,
    /// Expected years a customer keeps buying.
    pub lifetime_years: f64,
    /// Purchases in another currency, left out of the amounts.
    pub purchases_other_currency: i64,
    /// Customers per named group.
    pub groups: Vec<Group>,
    /// Customers per recency and frequency score.
    pub grid: Vec<Cell>,
    /// When it started.
    pub created_at: DateTime,
    /// When it finished.
    pub finished_at: Option<DateTime>,
}

impl Run {
    /// Customers scored: the groups' sum (every customer is in one), else the total.
    pub fn customers(&self) -> i64 {
        let grouped: i64 = self.groups.iter().map(|g| g.customers).sum();
        if grouped > 0 { grouped } else { self.contacts_total }
    }
}

/// Customers who bought `product` also bought `other`.
#[derive(Clone, Debug, PartialEq)]
pub struct Affinity {
    /// The product bought.
    pub product: String,
    /// The product its buyers also bought.
    pub other: String,
    /// Customers who bought both.
    pub together: i64,
    /// Customers who bought `product`.
    pub buyers: i64,
    /// Share of `product`'s buyers who bought `other` (0 to 1).
    pub confidence: f64,
    /// How much likelier `other` is for them than for any customer (1: no more).
    pub lift: f64,
}

/// One feature of a model and its weight.
#[derive(Clone, Debug, PartialEq)]
pub struct Weight {
    /// What it measures (`purchase in 30 days`).
    pub feature: String,
    /// Its weight on standardised values: positive makes the event likelier.
    pub weight: f64,
}

/// A response-propensity model.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Its global ID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The event it predicts.
    pub target_event: String,
    /// Within how many days.
    pub horizon_days: i64,
    /// The contact field its scores go to.
    pub attribute: String,
    /// Where it stands.
    pub state: ModelState,
    /// Why the last training failed.
    pub error: Option<String>,
    /// Area under the ROC curve on held-out contacts.
    pub auc: Option<f64>,
    /// Contacts trained on.
    pub training_contacts: i64,
    /// Contacts held out to measure it.
    pub holdout_contacts: i64,
    /// Contacts who did the event within the horizon.
    pub positives: i64,
    /// Contacts scored so far.
    pub contacts_scored: i64,
    /// Contacts to score in all.
    pub contacts_total: i64,
    /// What drives it, strongest first.
    pub weights: Vec<Weight>,
    /// When it was last trained.
    pub trained_at: Option<DateTime>,
    /// When it was defined.
    pub created_at: DateTime,
}

/// Reads each operation's copy of `RunParts` into a [`Run`].
macro_rules! run_from {
    ($($m:ident),+) => {$(
        impl From<$m::RunParts> for Run {
            fn from(r: $m::RunParts) -> Self {
                Self {
                    id: r.id,
                    state: match r.status {
                        $m::TransferStatus::QUEUED => RunState::Queued,
                        $m::TransferStatus::RUNNING => RunState::Running,
                        $m::TransferStatus::COMPLETED => RunState::Completed,
                        $m::TransferStatus::FAILED => RunState::Failed,
                        $m::TransferStatus::Other(_) => RunState::Unknown,
                    },
                    error: r.error,
                    purchases_read: r.purchases_read,
                    contacts_scored: r.contacts_scored,
                    contacts_total: r.contacts_total,
                    products: r.products,
                    currency: r.currency,
                    revenue: r.revenue,
                    average_order_value: r.average_order_value,
                    average_lifetime_value: r.average_lifetime_value,
                    churn_rate: r.churn_rate,
                    lifetime_years: r.lifetime_years,
                    purchases_other_currency: r.purchases_other_currency,
                    groups: r
                        .groups
                        .into_iter()
                        .map(|g| Group { name: g.name, customers: g.customers, revenue: g.revenue })
                        .collect(),
                    grid: r
                        .grid
                        .into_iter()
                        .map(|c| Cell { recency: c.recency, frequency: c.frequency, customers: c.customers, group: c.group })
                        .collect(),
                    created_at: r.created_at,
                    finished_at: r.finished_at,
                }
            }
        }
    )+};
}
run_from!(score_overview, score_run, refresh_scores);

/// Reads each operation's copy of `AffinityParts` into an [`Affinity`].
macro_rules! affinity_from {
    ($($m:ident),+) => {$(
        impl From<$m::AffinityParts> for Affinity {
            fn from(a: $m::AffinityParts) -> Self {
                Self {
                    product: a.product,
                    other: a.other,
                    together: a.together,
                    buyers: a.buyers,
                    confidence: a.confidence,
                    lift: a.lift,
                }
            }
        }
    )+};
}
affinity_from!(score_overview, also_bought);

/// Reads each operation's copy of `ModelParts` into a [`Model`].
macro_rules! model_from {
    ($($m:ident),+) => {$(
        impl From<$m::ModelParts> for Model {
            fn from(m: $m::ModelParts) -> Self {
                Self {
                    id: m.id,
                    name: m.name,
                    target_event: m.target_event,
                    horizon_days: m.horizon_days,
                    attribute: m.attribute,
                    state: match m.status {
                        $m::ModelStatus::DRAFT => ModelState::Draft,
                        $m::ModelStatus::TRAINING => ModelState::Training,
                        $m::ModelStatus::READY => ModelState::Ready,
                        $m::ModelStatus::FAILED => ModelState::Failed,
                        $m::ModelStatus::Other(_) => ModelState::Unknown,
                    },
                    error: m.error,
                    auc: m.auc,
                    training_contacts: m.training_contacts,
                    holdout_contacts: m.holdout_contacts,
                    positives: m.positives,
                    contacts_scored: m.contacts_scored,
                    contacts_total: m.contacts_total,
                    weights: m.weights.into_iter().map(|w| Weight { feature: w.feature, weight: w.weight }).collect(),
                    trained_at: m.trained_at,
                    created_at: m.created_at,
                }
            }
        }
    )+};
}
model_from!(propensity_models, propensity_model, create_propensity_model, train_propensity_model);

super::page_info_from!(propensity_models::PropensityModelsPropensityModelsPageInfo);
super::connection_chunk!(propensity_models::PropensityModelsPropensityModels => Model);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gql::decode;

    #[test]
    fn a_polled_run_decodes_into_the_run_the_page_keeps() {
        let body = r#"{"data":{"scoreRun":{"id":"U2NvcmVSdW46MQ==","status":"RUNNING","error":null,"purchasesRead":11,
            "contactsScored":2,"contactsTotal":5,"products":5,"currency":null,"revenue":0.0,"averageOrderValue":0.0,
            "averageLifetimeValue":0.0,"churnRate":0.0,"lifetimeYears":0.0,"purchasesOtherCurrency":0,
            "groups":[{"name":"Champions","customers":2,"revenue":19000.0}],
            "grid":[{"recency":5,"frequency":5,"customers":1,"group":"Champions"}],"createdAt":"2026-12-06T10:00:00Z","finishedAt":null}}}"#;
        let answer: Result<score_run::ResponseData, _> = decode(body);
        let Ok(answer) = answer else { unreachable!("{answer:?}") };
        let run = Run::from(answer.score_run);
        assert_eq!((run.state, run.contacts_scored, run.contacts_total), (RunState::Running, 2, 5));
        assert!(run.state.is_busy());
        assert_eq!(run.customers(), 2);
        assert_eq!(run.grid, [Cell { recency: 5, frequency: 5, customers: 1, group: "Champions".into() }]);
    }

    #[test]
    fn a_status_from_a_newer_server_still_decodes() {
        let body = r#"{"data":{"propensityModel":{"id":"x","name":"Buyers","targetEvent":"purchase","horizonDays":30,
            "attribute":"propensity_purchase","status":"RETIRED","error":null,"auc":null,"trainingContacts":0,
            "holdoutContacts":0,"positives":0,"contactsScored":0,"contactsTotal":0,"weights":[],"trainedAt":null,
            "createdAt":"2026-12-06T10:00:00Z"}}}"#;
        let answer: Result<propensity_model::ResponseData, _> = decode(body);
        let Ok(answer) = answer else { unreachable!("{answer:?}") };
        assert_eq!(Model::from(answer.propensity_model).state, ModelState::Unknown);
    }
}
