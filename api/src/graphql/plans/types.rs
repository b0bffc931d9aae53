//! Plans, programs, projects, cost centers and their statuses.

use async_graphql::{Context, Enum, InputObject};
use chrono::{DateTime, Utc};

use crate::graphql::date::Date;

use crate::graphql::budgets::BudgetSummary;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::global_id;
use crate::graphql::node::node_object;
use domain::plans::NodeRef;

/// Where a plan, program or project stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::WorkStatus")]
pub enum WorkStatus {
    Planned,
    Active,
    Done,
    Cancelled,
}

/// How a plan's fiscal year is split.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::PeriodKind")]
pub enum PeriodKind {
    Month,
    Quarter,
}

fn tags(v: &serde_json::Value) -> Vec<String> {
    v.as_array().map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect()).unwrap_or_default()
}

fn owner(o: Option<domain::UserId>) -> Option<async_graphql::ID> {
    o.map(|u| global_id("User", u.into()))
}

/// The roll-up of `node` for `year`.
async fn summary(ctx: &Context<'_>, node: NodeRef, year: i32) -> async_graphql::Result<BudgetSummary> {
    let t = tenant(ctx).await?;
    Ok(domain::budgets::summary(t, parley(ctx)?, node, year).await.gql(ctx)?.into())
}

node_object! {
    /// A yearly marketing plan: programs, their projects, and the budget they hold.
    Plan(domain::plans::Plan) {
        name: String,
        fiscal_year: i32,
        /// The currency every budget line of the plan is kept in.
        currency: String,
        /// The month (1–12) the fiscal year starts in.
        start_month: i32,
        objectives: String,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        async fn period_kind(&self) -> PeriodKind {
            self.0.period_kind.into()
        }
        async fn status(&self) -> WorkStatus {
            self.0.status.into()
        }
        /// The owner's user ID.
        async fn owner_id(&self) -> Option<async_graphql::ID> {
            owner(self.0.owner_id)
        }
        async fn tags(&self) -> Vec<String> {
            tags(&self.0.tags)
        }
        /// The plan's budget figures for its fiscal year.
        async fn budget(&self, ctx: &Context<'_>) -> async_graphql::Result<BudgetSummary> {
            summary(ctx, NodeRef::Plan(self.0.id), self.0.fiscal_year).await
        }
    }
}

node_object! {
    /// A program of a plan.
    Program(domain::plans::Program) {
        name: String,
        objectives: String,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        async fn plan_id(&self) -> async_graphql::ID {
            global_id("Plan", self.0.plan_id.into())
        }
        async fn starts_on(&self) -> Option<Date> {
            self.0.starts_on.map(Date)
        }
        async fn ends_on(&self) -> Option<Date> {
            self.0.ends_on.map(Date)
        }
        async fn status(&self) -> WorkStatus {
            self.0.status.into()
        }
        async fn owner_id(&self) -> Option<async_graphql::ID> {
            owner(self.0.owner_id)
        }
        async fn tags(&self) -> Vec<String> {
            tags(&self.0.tags)
        }
        /// The program's budget figures for its plan's fiscal year.
        async fn budget(&self, ctx: &Context<'_>) -> async_graphql::Result<BudgetSummary> {
            let t = tenant(ctx).await?;
            let plan = domain::plans::get_plan(t, parley(ctx)?, self.0.plan_id).await.gql(ctx)?;
            summary(ctx, NodeRef::Program(self.0.id), plan.fiscal_year).await
        }
    }
}

node_object! {
    /// A project of a program.
    Project(domain::plans::Project) {
        name: String,
        starts_on: Date,
        objectives: String,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        async fn plan_id(&self) -> async_graphql::ID {
            global_id("Plan", self.0.plan_id.into())
        }
        async fn program_id(&self) -> async_graphql::ID {
            global_id("Program", self.0.program_id.into())
        }
        async fn ends_on(&self) -> Option<Date> {
            self.0.ends_on.map(Date)
        }
        async fn status(&self) -> WorkStatus {
            self.0.status.into()
        }
        async fn owner_id(&self) -> Option<async_graphql::ID> {
            owner(self.0.owner_id)
        }
        async fn tags(&self) -> Vec<String> {
            tags(&self.0.tags)
        }
        /// The project's budget figures for its plan's fiscal year.
        async fn budget(&self, ctx: &Context<'_>) -> async_graphql::Result<BudgetSummary> {
            let t = tenant(ctx).await?;
            let plan = domain::plans::get_plan(t, parley(ctx)?, self.0.plan_id).await.gql(ctx)?;
            summary(ctx, NodeRef::Project(self.0.id), plan.fiscal_year).await
        }
    }
}

node_object! {
    /// A cost center: holds budget outside the plan tree, in its own currency.
    CostCenter(domain::plans::CostCenter) {
        name: String,
        code: String,
        currency: String,
        created_at: DateTime<Utc>,
    }
}

/// What plans, programs and projects share.
#[derive(InputObject, Default)]
pub struct WorkInput {
    /// A member's user ID.
    pub owner_id: Option<async_graphql::ID>,
    pub objectives: Option<String>,
    pub tags: Option<Vec<String>>,
    pub status: Option<WorkStatus>,
}

/// Which plans, programs or projects a list shows.
#[derive(InputObject, Default)]
pub struct WorkFilterInput {
    pub status: Option<WorkStatus>,
    pub owner_id: Option<async_graphql::ID>,
    pub tag: Option<String>,
    /// Not ended before this day.
    pub from: Option<Date>,
    /// Started on or before this day.
    pub until: Option<Date>,
}
