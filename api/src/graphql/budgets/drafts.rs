//! What-if reallocation: drafts of moves between budget lines, their effect before
//! anything moves, and applying them (after approval where a rule asks for it).

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use super::BudgetLine;
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::global_id;
use crate::graphql::money::{Money, MoneyInput};
use crate::graphql::node::{id_of, node_object};
use domain::budgets::drafts as d;

/// Where a what-if reallocation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::BudgetDraftStatus")]
pub enum BudgetDraftStatus {
    /// Being written; its effect is shown, nothing has moved.
    Draft,
    /// Waiting for approval.
    Submitted,
    /// Its moves were made.
    Applied,
    /// Refused by its approvers.
    Rejected,
    /// Set aside.
    Discarded,
}

/// One move of budget between two lines.
#[derive(InputObject)]
pub struct BudgetMoveInput {
    pub from_budget_line_id: ID,
    pub to_budget_line_id: ID,
    pub amount: MoneyInput,
}

/// A new draft of moves.
#[derive(InputObject)]
pub struct CreateBudgetDraftInput {
    pub name: String,
    pub moves: Vec<BudgetMoveInput>,
}

/// Changes to a draft; what is left out stays.
#[derive(InputObject)]
pub struct UpdateBudgetDraftInput {
    pub name: Option<String>,
    /// Replaces every move.
    pub moves: Option<Vec<BudgetMoveInput>>,
}

fn read_moves(given: Vec<BudgetMoveInput>) -> domain::Result<Vec<d::NewMove>> {
    given
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            Ok(d::NewMove {
                from: id_of::<BudgetLine>(&format!("moves[{i}].fromBudgetLineId"), &m.from_budget_line_id)?,
                to: id_of::<BudgetLine>(&format!("moves[{i}].toBudgetLineId"), &m.to_budget_line_id)?,
                amount: m.amount.pair(),
            })
        })
        .collect()
}

fn line_id(id: domain::BudgetLineId) -> ID {
    global_id("BudgetLine", id.into())
}

/// One stored move.
pub struct BudgetMove(d::Move, String);

#[Object]
impl BudgetMove {
    async fn from_budget_line_id(&self) -> ID {
        line_id(self.0.from)
    }
    async fn to_budget_line_id(&self) -> ID {
        line_id(self.0.to)
    }
    async fn amount(&self) -> Money {
        Money::of(self.0.amount, &self.1)
    }
}

node_object! {
    /// A what-if reallocation: moves of budget between lines, with their effect shown
    /// before anything moves.
    BudgetDraft(d::BudgetDraft) {
        name: String,
        applied_at: Option<DateTime<Utc>>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        async fn status(&self) -> BudgetDraftStatus {
            self.0.status.into()
        }
        async fn moves(&self) -> Vec<BudgetMove> {
            d::moves(&self.0).into_iter().map(|m| BudgetMove(m, self.0.currency.clone())).collect()
        }
        /// What its moves add up to.
        async fn total(&self) -> Money {
            Money::of(d::moves(&self.0).iter().fold(0i64, |s, m| s.saturating_add(m.amount)), &self.0.currency)
        }
        /// Its approval request, while one is needed.
        async fn approval_id(&self) -> Option<ID> {
            self.0.approval_id.map(|a| global_id("Approval", a.into()))
        }
        /// What it would do now, read under the current figures.
        async fn effect(&self, ctx: &Context<'_>) -> async_graphql::Result<BudgetEffect> {
            let t = tenant(ctx).await?;
            Ok(BudgetEffect(d::effect(t, parley(ctx)?, self.0.id).await.gql(ctx)?))
        }
    }
}

/// What moves of budget would do to each line and holder they touch.
pub struct BudgetEffect(d::Effect);

#[Object]
impl BudgetEffect {
    async fn lines(&self) -> Vec<BudgetLineEffect<'_>> {
        self.0.lines.iter().map(BudgetLineEffect).collect()
    }
    async fn nodes(&self) -> Vec<BudgetNodeEffect<'_>> {
        self.0.nodes.iter().map(BudgetNodeEffect).collect()
    }
    /// What stands in the way; nothing moves while any is left.
    async fn problems(&self) -> &[String] {
        &self.0.problems
    }
}

/// A line before and after.
pub struct BudgetLineEffect<'a>(&'a d::LineEffect);

#[Object]
impl BudgetLineEffect<'_> {
    async fn budget_line_id(&self) -> ID {
        line_id(self.0.line.id)
    }
    async fn name(&self) -> &str {
        &self.0.line.name
    }
    async fn amount_before(&self) -> Money {
        Money::of(self.0.line.amount, &self.0.line.currency)
    }
    async fn amount_after(&self) -> Money {
        Money::of(self.0.amount_after, &self.0.line.currency)
    }
    async fn available_before(&self) -> Money {
        Money::of(self.0.available_before(), &self.0.line.currency)
    }
    async fn available_after(&self) -> Money {
        Money::of(self.0.available_after(), &self.0.line.currency)
    }
}

/// A plan, program, project or cost center before and after.
pub struct BudgetNodeEffect<'a>(&'a d::NodeEffect);

#[Object]
impl BudgetNodeEffect<'_> {
    async fn node_id(&self) -> ID {
        super::types::node_global_id(self.0.node)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn fiscal_year(&self) -> i32 {
        self.0.fiscal_year
    }
    async fn budgeted_before(&self) -> Money {
        Money::of(self.0.before.budgeted, &self.0.currency)
    }
    async fn budgeted_after(&self) -> Money {
        Money::of(self.0.after.budgeted, &self.0.currency)
    }
    async fn allocated_before(&self) -> Money {
        Money::of(self.0.before.allocated, &self.0.currency)
    }
    async fn allocated_after(&self) -> Money {
        Money::of(self.0.after.allocated, &self.0.currency)
    }
    async fn remaining_before(&self) -> Money {
        Money::of(self.0.before.remaining(), &self.0.currency)
    }
    async fn remaining_after(&self) -> Money {
        Money::of(self.0.after.remaining(), &self.0.currency)
    }
}

/// Reading drafts.
#[derive(Default)]
pub struct BudgetDraftsQuery;

#[Object]
impl BudgetDraftsQuery {
    /// What-if reallocations, newest first, in one status or all.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn budget_drafts(
        &self,
        ctx: &Context<'_>,
        status: Option<BudgetDraftStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<BudgetDraft>> {
        let status = status.map(Into::into);
        list(ctx, first, after, move |t, p, args| d::list(t, p, status, args), BudgetDraft).await
    }

    /// What moves would do, without writing a draft.
    async fn preview_budget_moves(
        &self,
        ctx: &Context<'_>,
        moves: Vec<BudgetMoveInput>,
    ) -> async_graphql::Result<BudgetEffect> {
        let moves = read_moves(moves).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(BudgetEffect(d::preview(t, parley(ctx)?, moves).await.gql(ctx)?))
    }
}

/// Writing and applying drafts.
#[derive(Default)]
pub struct BudgetDraftsMutation;

#[Object]
impl BudgetDraftsMutation {
    /// Writes a draft of moves between budget lines; nothing moves yet.
    async fn create_budget_draft(
        &self,
        ctx: &Context<'_>,
        input: CreateBudgetDraftInput,
    ) -> async_graphql::Result<BudgetDraft> {
        let moves = read_moves(input.moves).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(BudgetDraft(d::create(t, parley(ctx)?, &input.name, moves).await.gql(ctx)?))
    }

    /// Renames a draft or replaces its moves, while it is a draft.
    async fn update_budget_draft(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateBudgetDraftInput,
    ) -> async_graphql::Result<BudgetDraft> {
        let id = id_of::<BudgetDraft>("id", &id).gql(ctx)?;
        let moves = input.moves.map(read_moves).transpose().gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(BudgetDraft(d::update(t, parley(ctx)?, id, input.name, moves).await.gql(ctx)?))
    }

    /// Makes a draft's moves: `APPLIED` at once where no budget-change rule applies to
    /// what it moves, else `SUBMITTED` with an approval request. `CONFLICT`, and nothing
    /// moved, when a line would give away what is allocated, committed or spent.
    async fn apply_budget_draft(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<BudgetDraft> {
        let id = id_of::<BudgetDraft>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(BudgetDraft(d::apply(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Sets a draft aside (withdrawing its approval request).
    async fn discard_budget_draft(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<BudgetDraft> {
        let id = id_of::<BudgetDraft>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(BudgetDraft(d::discard(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
