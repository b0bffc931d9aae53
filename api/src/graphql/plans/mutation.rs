//! Creating and changing plans, programs, projects and cost centers.

use async_graphql::{Context, ID, InputObject, Object};

use super::{CostCenter, PeriodKind, Plan, Program, Project, WorkInput};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::date::Date;
use crate::graphql::identity::User;
use crate::graphql::node::id_of;
use domain::plans::{WorkChanges, WorkFields};

/// A new plan.
#[derive(InputObject)]
pub struct CreatePlanInput {
    pub name: String,
    pub fiscal_year: i32,
    pub currency_code: String,
    #[graphql(default_with = "PeriodKind::Month")]
    pub period_kind: PeriodKind,
    /// The month (1–12) the fiscal year starts in; January when left out.
    pub start_month: Option<i32>,
    #[graphql(default)]
    pub work: WorkInput,
}

/// A new program.
#[derive(InputObject)]
pub struct CreateProgramInput {
    pub plan_id: ID,
    pub name: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    #[graphql(default)]
    pub work: WorkInput,
}

/// A new project.
#[derive(InputObject)]
pub struct CreateProjectInput {
    pub program_id: ID,
    pub name: String,
    pub starts_on: Date,
    pub ends_on: Option<Date>,
    #[graphql(default)]
    pub work: WorkInput,
}

/// Changes to a plan, program or project; what is left out stays.
#[derive(InputObject, Default)]
pub struct UpdateWorkInput {
    pub name: Option<String>,
    /// Programs and projects only.
    pub starts_on: Option<Date>,
    /// Programs and projects only.
    pub ends_on: Option<Date>,
    #[graphql(default)]
    pub work: WorkInput,
}

/// A new cost center.
#[derive(InputObject)]
pub struct CreateCostCenterInput {
    pub name: String,
    /// Short code, unique in the workspace.
    pub code: String,
    pub currency_code: String,
}

fn fields(w: WorkInput) -> domain::Result<WorkFields> {
    Ok(WorkFields {
        owner: w.owner_id.map(|o| id_of::<User>("work.ownerId", &o)).transpose()?,
        objectives: w.objectives,
        tags: w.tags,
        status: w.status.map(Into::into),
    })
}

fn changes(c: UpdateWorkInput) -> domain::Result<WorkChanges> {
    Ok(WorkChanges {
        name: c.name,
        starts_on: c.starts_on.map(|d| d.0),
        ends_on: c.ends_on.map(|d| d.0),
        work: fields(c.work)?,
    })
}

/// Plan writes.
#[derive(Default)]
pub struct PlansMutation;

#[Object]
impl PlansMutation {
    /// Creates a plan for one fiscal year in one currency.
    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> async_graphql::Result<Plan> {
        let new = domain::plans::NewPlan {
            name: input.name,
            fiscal_year: input.fiscal_year,
            currency: input.currency_code,
            period_kind: input.period_kind.into(),
            start_month: input.start_month,
            work: fields(input.work).gql(ctx)?,
        };
        let t = tenant(ctx).await?;
        Ok(Plan(domain::plans::create_plan(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Adds a program to a plan.
    async fn create_program(&self, ctx: &Context<'_>, input: CreateProgramInput) -> async_graphql::Result<Program> {
        let new = domain::plans::NewProgram {
            plan_id: id_of::<Plan>("planId", &input.plan_id).gql(ctx)?,
            name: input.name,
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: input.ends_on.map(|d| d.0),
            work: fields(input.work).gql(ctx)?,
        };
        let t = tenant(ctx).await?;
        Ok(Program(domain::plans::create_program(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Adds a project to a program.
    async fn create_project(&self, ctx: &Context<'_>, input: CreateProjectInput) -> async_graphql::Result<Project> {
        let new = domain::plans::NewProject {
            program_id: id_of::<Program>("programId", &input.program_id).gql(ctx)?,
            name: input.name,
            starts_on: input.starts_on.0,
            ends_on: input.ends_on.map(|d| d.0),
            work: fields(input.work).gql(ctx)?,
        };
        let t = tenant(ctx).await?;
        Ok(Project(domain::plans::create_project(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Changes a plan (its fiscal year and currency stay).
    async fn update_plan(&self, ctx: &Context<'_>, id: ID, input: UpdateWorkInput) -> async_graphql::Result<Plan> {
        let id = id_of::<Plan>("id", &id).gql(ctx)?;
        let c = changes(input).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Plan(domain::plans::update_plan(t, parley(ctx)?, id, c).await.gql(ctx)?))
    }

    /// Changes a program.
    async fn update_program(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateWorkInput,
    ) -> async_graphql::Result<Program> {
        let id = id_of::<Program>("id", &id).gql(ctx)?;
        let c = changes(input).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Program(domain::plans::update_program(t, parley(ctx)?, id, c).await.gql(ctx)?))
    }

    /// Changes a project.
    async fn update_project(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateWorkInput,
    ) -> async_graphql::Result<Project> {
        let id = id_of::<Project>("id", &id).gql(ctx)?;
        let c = changes(input).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Project(domain::plans::update_project(t, parley(ctx)?, id, c).await.gql(ctx)?))
    }

    /// Adds a cost center.
    async fn create_cost_center(
        &self,
        ctx: &Context<'_>,
        input: CreateCostCenterInput,
    ) -> async_graphql::Result<CostCenter> {
        let new = domain::plans::NewCostCenter { name: input.name, code: input.code, currency: input.currency_code };
        let t = tenant(ctx).await?;
        Ok(CostCenter(domain::plans::create_cost_center(t, parley(ctx)?, new).await.gql(ctx)?))
    }
}
