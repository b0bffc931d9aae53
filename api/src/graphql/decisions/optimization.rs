//! Contact optimization runs (DEC-9): upload proposals with constraints, follow the job,
//! read what it chose and download the chosen proposals.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};

use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::contacts::Channel;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::imports::{TransferStatus, file_url};
use crate::graphql::money::{Money, MoneyInput};
use crate::graphql::node::{NodeObject, id_of};
use domain::decisions::optimization as opt;

/// An optimization run: the proposals it read, what it chose under its constraints.
pub struct OptimizationRun(pub opt::RunView);

impl crate::graphql::node::NodeObject for OptimizationRun {
    fn node_id(&self) -> Self::Id {
        self.0.run.id
    }
}

impl From<opt::RunView> for OptimizationRun {
    fn from(v: opt::RunView) -> Self {
        OptimizationRun(v)
    }
}

/// What a run's job is doing.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum OptimizationStage {
    /// Waiting for a worker.
    Queued,
    /// Reading the proposals and resolving contacts and offers.
    Reading,
    /// Counting what contacts were shown and choosing.
    Optimizing,
    /// Writing the chosen proposals.
    Writing,
    /// Finished.
    Done,
}

/// A channel's most chosen proposals.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "ChannelCapacityInput")]
pub struct ChannelCapacity {
    pub channel: Channel,
    pub capacity: i64,
}

/// The constraints of a run, as it ran.
#[derive(SimpleObject)]
pub struct OptimizationConstraints {
    /// Most offers per contact in the period, counting what was shown before.
    pub max_per_contact: Option<i32>,
    /// Where that maximum came from: the run, the workspace's contact policy, or none.
    pub max_per_contact_from: String,
    pub period_days: i32,
    pub channel_capacity: Vec<ChannelCapacity>,
    pub budget: Option<Money>,
    /// Groups of offer codes of which one contact gets at most one.
    pub exclusions: Vec<Vec<String>>,
}

/// How many proposals one reason refused.
#[derive(SimpleObject)]
pub struct OptimizationRefusal {
    /// `NO_CONSENT`, `NO_VALUE`, `PER_CONTACT`, `OFFER_LIMIT`, `OFFER_CAPACITY`,
    /// `CHANNEL_CAPACITY`, `BUDGET` or `EXCLUSION`.
    pub reason: String,
    pub count: i64,
}

/// What a run chose of one campaign's (or one channel's) proposals.
#[derive(SimpleObject)]
pub struct OptimizationShare {
    /// The campaign as the file names it (empty: none), or the channel.
    pub name: String,
    pub proposals: i64,
    pub chosen: i64,
    pub value: Money,
    pub cost: Money,
}

/// A row a run rejected.
#[derive(SimpleObject)]
pub struct OptimizationRejection {
    /// The line in the file (the header is line 1).
    pub line: i64,
    /// The column, as the header names it; empty for the row as a whole.
    pub column: String,
    pub reason: String,
}

#[Object]
impl OptimizationRun {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.run.name
    }
    /// The uploaded file's name.
    async fn file_name(&self) -> &str {
        &self.0.run.file_name
    }
    async fn size_bytes(&self) -> f64 {
        self.0.run.size_bytes as f64
    }
    async fn status(&self) -> TransferStatus {
        self.0.run.status.into()
    }
    async fn stage(&self) -> OptimizationStage {
        match self.0.run.stage.as_str() {
            "reading" => OptimizationStage::Reading,
            "optimizing" => OptimizationStage::Optimizing,
            "writing" => OptimizationStage::Writing,
            "done" => OptimizationStage::Done,
            _ => OptimizationStage::Queued,
        }
    }
    /// Share of the work done, from 0 to 1.
    async fn progress(&self) -> f64 {
        self.0.done
    }
    /// Why it failed, when it did.
    async fn error(&self) -> Option<&str> {
        self.0.error.as_deref()
    }
    /// The background job (for those who may see jobs).
    async fn job_id(&self) -> Option<ID> {
        self.0.run.job_id.map(|j| crate::graphql::ids::global_id("Job", j.into()))
    }
    /// The currency of values, costs and the budget.
    async fn currency_code(&self) -> &str {
        &self.0.run.currency
    }
    async fn constraints(&self) -> Option<OptimizationConstraints> {
        let c = opt::constraints_of(&self.0.run)?;
        let channel_capacity = c
            .channel_capacity
            .iter()
            .filter_map(|(ch, cap)| {
                Some(ChannelCapacity { channel: domain::contacts::Channel::parse(ch)?.into(), capacity: *cap })
            })
            .collect();
        Some(OptimizationConstraints {
            max_per_contact: c.max_per_contact,
            max_per_contact_from: c.max_from.to_uppercase(),
            period_days: c.period_days,
            channel_capacity,
            budget: c.budget_minor.map(|b| Money::of(b, &self.0.run.currency)),
            exclusions: c.exclusions,
        })
    }
    /// Rows read (the header aside).
    async fn rows_read(&self) -> i64 {
        self.0.run.rows_read
    }
    /// Rows rejected; `rejections` lists the first hundred.
    async fn rows_rejected(&self) -> i64 {
        self.0.run.rows_rejected
    }
    /// Valid proposals among the rows read.
    async fn proposals(&self) -> i64 {
        self.0.run.proposals
    }
    /// Proposals chosen.
    async fn chosen(&self) -> i64 {
        self.0.run.chosen
    }
    /// Expected value and cost of the chosen proposals.
    async fn total_value(&self) -> Money {
        Money::of(self.0.run.total_value_minor, &self.0.run.currency)
    }
    async fn total_cost(&self) -> Money {
        Money::of(self.0.run.total_cost_minor, &self.0.run.currency)
    }
    /// Proposals refused, by reason.
    async fn refusals(&self) -> Vec<OptimizationRefusal> {
        opt::summary_of(&self.0.run)
            .refused
            .into_iter()
            .map(|(reason, count)| OptimizationRefusal { reason, count })
            .collect()
    }
    /// What was chosen of each campaign's proposals.
    async fn campaigns(&self) -> Vec<OptimizationShare> {
        shares(opt::summary_of(&self.0.run).campaigns, &self.0.run.currency)
    }
    /// What was chosen on each channel.
    async fn channels(&self) -> Vec<OptimizationShare> {
        shares(opt::summary_of(&self.0.run).channels, &self.0.run.currency)
    }
    /// The first hundred rejected rows, in file order.
    async fn rejections(&self) -> Vec<OptimizationRejection> {
        opt::rejections_of(&self.0.run)
            .into_iter()
            .map(|r| OptimizationRejection {
                line: i64::try_from(r.line).unwrap_or(i64::MAX),
                column: r.column,
                reason: r.reason,
            })
            .collect()
    }
    /// Where the chosen proposals are downloaded (CSV: line, contactId, offer, campaign,
    /// channel, value, cost), once the run has completed.
    async fn download_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
        if self.0.run.status != domain::TransferStatus::Completed {
            return Ok(None);
        }
        file_url(ctx, &format!("optimizations/{}/chosen.csv", self.global_id().as_str())).map(Some)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.run.created_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.run.finished_at
    }
}

fn shares(list: Vec<opt::Share>, currency: &str) -> Vec<OptimizationShare> {
    list.into_iter()
        .map(|s| OptimizationShare {
            name: s.name,
            proposals: s.proposals,
            chosen: s.chosen,
            value: Money::of(s.value_minor, currency),
            cost: Money::of(s.cost_minor, currency),
        })
        .collect()
}

/// The constraints of a new run.
#[derive(InputObject, Default)]
pub struct OptimizationInput {
    pub name: Option<String>,
    /// Most offers one contact gets in the period, counting what they were shown in it
    /// already; null: the workspace's contact policy cap, if any.
    pub max_per_contact: Option<i32>,
    /// The period in days; null: the contact policy's window, else 30.
    pub period_days: Option<i32>,
    #[graphql(default)]
    pub channel_capacity: Vec<ChannelCapacity>,
    /// Most total cost of the chosen proposals.
    pub budget: Option<MoneyInput>,
    /// The currency of the file's values and costs when no budget says it (EUR by default).
    pub currency_code: Option<String>,
    /// Groups of offer codes of which one contact gets at most one.
    #[graphql(default)]
    pub exclusions: Vec<Vec<String>>,
}

/// Optimization reads.
#[derive(Default)]
pub struct OptimizationQuery;

#[Object]
impl OptimizationQuery {
    /// One optimization run.
    async fn optimization_run(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<OptimizationRun> {
        let id = id_of::<OptimizationRun>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(OptimizationRun(opt::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The workspace's optimization runs, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn optimization_runs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<OptimizationRun>> {
        list(ctx, first, after, opt::list, |run| OptimizationRun(opt::view(run, None))).await
    }
}

/// Optimization writes.
#[derive(Default)]
pub struct OptimizationMutation;

#[Object]
impl OptimizationMutation {
    /// Uploads a CSV file of proposed contacts (a GraphQL multipart request) and starts
    /// choosing among them: columns `contact` (a contact's ID, email or external ID),
    /// `offer` (its code) and `value` (expected value), and optionally `campaign`,
    /// `channel` (else the offer's first) and `cost` (else the offer's). The header and
    /// the constraints are checked at once; a background job does the rest (follow it
    /// with `optimizationRun`).
    async fn start_optimization(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        input: OptimizationInput,
    ) -> async_graphql::Result<OptimizationRun> {
        let t = tenant(ctx).await?;
        let p = parley(ctx)?;
        let upload = file.value(ctx).map_err(|e| domain::Error::invalid("file", e.to_string())).gql(ctx)?;
        let content = tokio::fs::File::from_std(upload.content);
        let max = p.settings().import_max_bytes;
        let input = opt::OptimizationInput {
            name: input.name,
            max_per_contact: input.max_per_contact,
            period_days: input.period_days,
            channel_capacity: input.channel_capacity.into_iter().map(|c| (c.channel.into(), c.capacity)).collect(),
            budget: input.budget.map(MoneyInput::pair),
            currency: input.currency_code,
            exclusions: input.exclusions,
        };
        let run = opt::start(t, p, &upload.filename, content, input, max).await.gql(ctx)?;
        Ok(OptimizationRun(opt::view(run, None)))
    }
}
