//! Budget lines with their figures, and a holder's roll-up.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::date::Date;
use crate::graphql::ids::{global_id, parse_any};
use crate::graphql::money::Money;
use crate::graphql::node::NodeObject;
use domain::plans::NodeRef;

/// Whether spending may go past a budget line.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::Overspend")]
pub enum Overspend {
    /// Allowed; the line's remainder goes negative.
    Allow,
    /// Refused: approvals and invoices that would take the line below zero fail with `CONFLICT`.
    Forbid,
}

/// What holds a budget line.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::BudgetNodeKind")]
pub enum BudgetNodeKind {
    Plan,
    Program,
    Project,
    CostCenter,
}

/// The holder a global ID names (a plan, program, project or cost center).
pub(crate) fn node_ref(field: &str, id: &ID) -> domain::Result<NodeRef> {
    let Some((kind, uuid)) = parse_any(id) else {
        return Err(domain::Error::invalid(field, "is not a valid ID"));
    };
    Ok(match kind.as_str() {
        "Plan" => NodeRef::Plan(uuid.into()),
        "Program" => NodeRef::Program(uuid.into()),
        "Project" => NodeRef::Project(uuid.into()),
        "CostCenter" => NodeRef::CostCenter(uuid.into()),
        _ => return Err(domain::Error::invalid(field, "is not a plan, program, project or cost center")),
    })
}

/// The global ID of a holder (the other way from [`node_ref`]).
pub(crate) fn node_global_id(node: NodeRef) -> ID {
    let type_name = match node {
        NodeRef::Plan(_) => "Plan",
        NodeRef::Program(_) => "Program",
        NodeRef::Project(_) => "Project",
        NodeRef::CostCenter(_) => "CostCenter",
    };
    global_id(type_name, node.uuid())
}

/// A budget line with what has happened to it.
pub struct BudgetLine(pub domain::budgets::Line);

impl NodeObject for BudgetLine {
    fn node_id(&self) -> Self::Id {
        self.0.line.id
    }
}

impl BudgetLine {
    fn money(&self, minor: i64) -> Money {
        Money::of(minor, &self.0.line.currency)
    }
}

#[Object]
impl BudgetLine {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.line.name
    }
    /// The plan, program, project or cost center holding it.
    async fn node_id(&self) -> ID {
        node_global_id(domain::budgets::holder_of(&self.0.line))
    }
    async fn node_kind(&self) -> BudgetNodeKind {
        self.0.line.node_kind.into()
    }
    async fn fiscal_year(&self) -> i32 {
        self.0.line.fiscal_year
    }
    async fn amount(&self) -> Money {
        self.money(self.0.line.amount)
    }
    async fn overspend(&self) -> Overspend {
        self.0.line.overspend.into()
    }
    /// The line it was allocated from.
    async fn parent_id(&self) -> Option<ID> {
        self.0.line.parent_id.map(|p| global_id("BudgetLine", p.into()))
    }
    /// Carved from it into lines below.
    async fn allocated(&self) -> Money {
        self.money(self.0.figures.allocated)
    }
    /// Approved, not yet invoiced purchase order amounts charged to it.
    async fn committed(&self) -> Money {
        self.money(self.0.figures.committed)
    }
    /// Invoices charged to it.
    async fn actual(&self) -> Money {
        self.money(self.0.figures.actual)
    }
    /// What is left for new allocations and spending (negative once overspent).
    async fn available(&self) -> Money {
        self.money(self.0.available())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.line.created_at
    }
    /// Whether its amount is spread over the periods by hand (evenly otherwise).
    async fn phased(&self) -> bool {
        self.0.line.phasing.is_some()
    }
    /// Its figures in each period of its year: its amount there (`budgeted`), what was
    /// carved from it, its forecast (entered, or what is committed and spent), committed
    /// and actual.
    async fn periods(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BudgetPeriod>> {
        let t = tenant(ctx).await?;
        let periods = domain::budgets::line_periods(t, parley(ctx)?, self.0.line.id).await.gql(ctx)?;
        let entered = domain::budgets::periods::forecast_of(self.0.line.forecast.as_ref(), periods.len());
        Ok(periods
            .into_iter()
            .zip(entered)
            .map(|((period, figures), entered)| BudgetPeriod {
                period,
                figures,
                forecast_entered: entered.is_some(),
                currency: self.0.line.currency.clone(),
            })
            .collect())
    }
}

/// Figures in one period of a fiscal year.
pub struct BudgetPeriod {
    pub period: domain::budgets::periods::Period,
    pub figures: domain::budgets::figures::PeriodFigures,
    /// Whether the forecast was entered (for a line; a holder's is a sum).
    pub forecast_entered: bool,
    pub currency: String,
}

#[Object]
impl BudgetPeriod {
    /// 1 for the first period of the year.
    async fn index(&self) -> i32 {
        i32::try_from(self.period.index).unwrap_or(0)
    }
    /// `Apr 2027` for a month, `Q1` for a quarter.
    async fn label(&self) -> &str {
        &self.period.label
    }
    async fn starts_on(&self) -> Date {
        Date(self.period.starts_on)
    }
    async fn ends_on(&self) -> Date {
        Date(self.period.ends_on)
    }
    async fn budgeted(&self) -> Money {
        Money::of(self.figures.budgeted, &self.currency)
    }
    async fn allocated(&self) -> Money {
        Money::of(self.figures.allocated, &self.currency)
    }
    /// Entered, or where nothing was, what is committed and spent in the period.
    async fn forecast(&self) -> Money {
        Money::of(self.figures.forecast, &self.currency)
    }
    /// Whether a line's forecast for the period was entered by hand.
    async fn forecast_entered(&self) -> bool {
        self.forecast_entered
    }
    async fn committed(&self) -> Money {
        Money::of(self.figures.committed, &self.currency)
    }
    async fn actual(&self) -> Money {
        Money::of(self.figures.actual, &self.currency)
    }
    /// `budgeted − committed − actual` in the period.
    async fn remaining(&self) -> Money {
        Money::of(self.figures.remaining(), &self.currency)
    }
}

/// A holder's budget figures for one fiscal year.
pub struct BudgetSummary(pub domain::budgets::Summary, pub OnceCell<domain::budgets::PeriodSummary>);

impl From<domain::budgets::Summary> for BudgetSummary {
    fn from(s: domain::budgets::Summary) -> Self {
        BudgetSummary(s, OnceCell::new())
    }
}

impl BudgetSummary {
    fn money(&self, minor: i64) -> Money {
        Money::of(minor, &self.0.currency)
    }
}

#[Object]
impl BudgetSummary {
    /// Its own lines, those allocated to it included.
    async fn budgeted(&self) -> Money {
        self.money(self.0.totals.budgeted)
    }
    /// What it passed down to lines below it.
    async fn allocated(&self) -> Money {
        self.money(self.0.totals.allocated)
    }
    /// Approved, not yet invoiced purchase orders on it and below it.
    async fn committed(&self) -> Money {
        self.money(self.0.totals.committed)
    }
    /// Invoices on it and below it.
    async fn actual(&self) -> Money {
        self.money(self.0.totals.actual)
    }
    /// `budgeted − committed − actual`.
    async fn remaining(&self) -> Money {
        self.money(self.0.totals.remaining())
    }
    /// What is expected to be spent on it and below it over the year: per line and
    /// period, the forecast entered, or what is committed and spent.
    async fn forecast(&self, ctx: &Context<'_>) -> async_graphql::Result<Money> {
        Ok(self.money(self.by_period(ctx).await?.forecast()))
    }
    /// The same figures in each period of the year (its plan's months or quarters).
    async fn periods(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<BudgetPeriod>> {
        let s = self.by_period(ctx).await?;
        Ok(s.periods
            .iter()
            .map(|(period, figures)| BudgetPeriod {
                period: period.clone(),
                figures: *figures,
                forecast_entered: false,
                currency: s.currency.clone(),
            })
            .collect())
    }
}

impl BudgetSummary {
    async fn by_period(&self, ctx: &Context<'_>) -> async_graphql::Result<&domain::budgets::PeriodSummary> {
        self.1
            .get_or_try_init(|| async {
                let t = tenant(ctx).await?;
                domain::budgets::period_summary(t, parley(ctx)?, self.0.holder, self.0.fiscal_year).await.gql(ctx)
            })
            .await
    }
}
