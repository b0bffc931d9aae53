//! Creating, allocating, changing and deleting budget lines.

use async_graphql::{Context, ID, InputObject, Object};

use super::{BudgetLine, Overspend, node_ref};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::money::MoneyInput;
use crate::graphql::node::id_of;

/// A new budget line.
#[derive(InputObject)]
pub struct CreateBudgetLineInput {
    /// The plan, program, project or cost center to hold it.
    pub node_id: ID,
    pub name: String,
    pub amount: MoneyInput,
    #[graphql(default_with = "Overspend::Allow")]
    pub overspend: Overspend,
    /// Required for a cost center's line; a plan's year otherwise.
    pub fiscal_year: Option<i32>,
}

/// Budget carved from a line into a holder below it.
#[derive(InputObject)]
pub struct AllocateBudgetInput {
    pub from_budget_line_id: ID,
    /// A program or project below the line's holder.
    pub to_node_id: ID,
    pub amount: MoneyInput,
    /// The new line's name; the parent's when left out.
    pub name: Option<String>,
}

/// Changes to a budget line; what is left out stays.
#[derive(InputObject)]
pub struct UpdateBudgetLineInput {
    pub name: Option<String>,
    pub amount: Option<MoneyInput>,
    pub overspend: Option<Overspend>,
}

/// A line's amount spread over the periods of its year.
#[derive(InputObject)]
pub struct SetBudgetPhasingInput {
    pub budget_line_id: ID,
    /// One amount per period (12 months or 4 quarters), adding up to the line's amount.
    pub amounts: Vec<MoneyInput>,
}

/// What a line is expected to spend in each period of its year.
#[derive(InputObject)]
pub struct SetBudgetForecastInput {
    pub budget_line_id: ID,
    /// One per period; null where nothing is forecast by hand (the period then counts
    /// what is committed and spent).
    pub amounts: Vec<Option<MoneyInput>>,
}

/// Budget writes.
#[derive(Default)]
pub struct BudgetsMutation;

#[Object]
impl BudgetsMutation {
    /// Gives a plan, program, project or cost center a budget line of its own.
    async fn create_budget_line(
        &self,
        ctx: &Context<'_>,
        input: CreateBudgetLineInput,
    ) -> async_graphql::Result<BudgetLine> {
        let new = domain::budgets::NewBudgetLine {
            holder: node_ref("nodeId", &input.node_id).gql(ctx)?,
            name: input.name,
            amount: input.amount.pair(),
            overspend: input.overspend.into(),
            fiscal_year: input.fiscal_year,
        };
        let t = tenant(ctx).await?;
        Ok(BudgetLine(domain::budgets::create_line(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Carves an amount from a line into a new line of a holder below it; answers the
    /// new (child) line. Never more than the line has available (`CONFLICT`).
    async fn allocate_budget(
        &self,
        ctx: &Context<'_>,
        input: AllocateBudgetInput,
    ) -> async_graphql::Result<BudgetLine> {
        let from = id_of::<BudgetLine>("fromBudgetLineId", &input.from_budget_line_id).gql(ctx)?;
        let to = node_ref("toNodeId", &input.to_node_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let line =
            domain::budgets::allocate(t, parley(ctx)?, from, to, input.amount.pair(), input.name).await.gql(ctx)?;
        Ok(BudgetLine(line))
    }

    /// Renames a line, changes its amount (never below what is allocated, committed and
    /// spent from it) or its overspending policy.
    async fn update_budget_line(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateBudgetLineInput,
    ) -> async_graphql::Result<BudgetLine> {
        let id = id_of::<BudgetLine>("id", &id).gql(ctx)?;
        let c = domain::budgets::LineChanges {
            name: input.name,
            amount: input.amount.map(MoneyInput::pair),
            overspend: input.overspend.map(Into::into),
        };
        let t = tenant(ctx).await?;
        Ok(BudgetLine(domain::budgets::update_line(t, parley(ctx)?, id, c).await.gql(ctx)?))
    }

    /// Spreads a line over the periods of its year (evenly until this is set; later
    /// changes to its amount keep the proportions).
    async fn set_budget_phasing(
        &self,
        ctx: &Context<'_>,
        input: SetBudgetPhasingInput,
    ) -> async_graphql::Result<BudgetLine> {
        let id = id_of::<BudgetLine>("budgetLineId", &input.budget_line_id).gql(ctx)?;
        let amounts = input.amounts.into_iter().map(MoneyInput::pair).collect();
        let t = tenant(ctx).await?;
        Ok(BudgetLine(domain::budgets::set_phasing(t, parley(ctx)?, id, amounts).await.gql(ctx)?))
    }

    /// Sets a line's forecast for each period of its year.
    async fn set_budget_forecast(
        &self,
        ctx: &Context<'_>,
        input: SetBudgetForecastInput,
    ) -> async_graphql::Result<BudgetLine> {
        let id = id_of::<BudgetLine>("budgetLineId", &input.budget_line_id).gql(ctx)?;
        let amounts = input.amounts.into_iter().map(|a| a.map(MoneyInput::pair)).collect();
        let t = tenant(ctx).await?;
        Ok(BudgetLine(domain::budgets::set_forecast(t, parley(ctx)?, id, amounts).await.gql(ctx)?))
    }

    /// Deletes a line nothing is charged to or allocated from (`CONFLICT` otherwise).
    async fn delete_budget_line(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        let id = id_of::<BudgetLine>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        domain::budgets::delete_line(t, parley(ctx)?, id).await.gql(ctx)?;
        Ok(crate::graphql::ids::global_id("BudgetLine", id.into()))
    }
}
