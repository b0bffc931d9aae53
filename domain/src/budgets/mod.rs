//! Budgets (OPS-2): budget lines held by plans, programs, projects and cost centers,
//! allocated down the plan tree, and the roll-up of every holder.
//!
//! Money is minor units of the holder's currency (a plan's, for everything in it; a
//! cost center's own); an amount in another currency is refused, never converted or
//! summed. A line carved from another (`allocate`) names it as its parent: the parent's
//! `allocated` grows and what it has `available` shrinks. A line whose policy is
//! `FORBID` never goes below zero: allocations, purchase order approvals and invoices
//! that would take it there are refused with `CONFLICT`, under a lock on the line so
//! concurrent requests cannot each see the same remainder.

pub mod drafts;
pub mod figures;
pub mod periods;

use sea_orm::{ActiveValue::Set, ColumnTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use self::figures::{LineFigures, PeriodFigures, Totals, lock_lines};
use self::periods::Period;
use crate::db::TenantOwned;
use crate::money::Money;
use crate::page::{Page, PageArgs};
use crate::plans::{Node, NodeRef, node};
use crate::{Audited, Error, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now, validate};
use entities::ids::BudgetLineId;
use entities::ops::enums::{BudgetNodeKind, Overspend};
use entities::{budget_line, purchase_order_line};

/// A budget line.
pub type BudgetLine = budget_line::Model;

/// A budget line with what has happened to it.
#[derive(Debug, Clone)]
pub struct Line {
    pub line: BudgetLine,
    pub figures: LineFigures,
}

impl Line {
    /// What is left for new allocations and spending (negative once overspent).
    pub fn available(&self) -> i64 {
        self.figures.available(self.line.amount)
    }
}

impl Audited for BudgetLine {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "name": self.name, "holder": self.node_id, "holderKind": self.node_kind, "fiscalYear": self.fiscal_year,
            "amount": Money::of(self.amount, &self.currency).major(), "currency": self.currency,
            "overspend": self.overspend, "parent": self.parent_id, "phasing": self.phasing, "forecast": self.forecast,
        })
    }
}

fn kind_of(at: NodeRef) -> BudgetNodeKind {
    match at {
        NodeRef::Plan(_) => BudgetNodeKind::Plan,
        NodeRef::Program(_) => BudgetNodeKind::Program,
        NodeRef::Project(_) => BudgetNodeKind::Project,
        NodeRef::CostCenter(_) => BudgetNodeKind::CostCenter,
    }
}

/// The fiscal year a line of `holder` is for: the plan's, or the one given for a cost
/// center (`field` names the input).
fn year_for(holder: &Node, given: Option<i32>, field: &str) -> Result<i32> {
    match (holder.fiscal_year, given) {
        (Some(y), None) => Ok(y),
        (Some(y), Some(g)) if g == y => Ok(y),
        (Some(y), Some(_)) => Err(Error::invalid(field, format!("must be {y}, the plan's fiscal year (or left out)"))),
        (None, Some(g)) if (2000..=2100).contains(&g) => Ok(g),
        (None, Some(_)) => Err(Error::invalid(field, "must be a year from 2000 to 2100")),
        (None, None) => Err(Error::invalid(field, "is required for a cost center's budget line")),
    }
}

fn new_row(holder: &Node, year: i32, name: String, amount: &Money, overspend: Overspend) -> budget_line::ActiveModel {
    let t = now();
    budget_line::ActiveModel {
        id: Set(new_id()),
        node_kind: Set(kind_of(holder.at)),
        node_id: Set(holder.at.uuid()),
        plan_id: Set(holder.plan),
        program_id: Set(holder.program),
        project_id: Set(holder.project),
        cost_center_id: Set(match holder.at {
            NodeRef::CostCenter(id) => Some(id),
            _ => None,
        }),
        fiscal_year: Set(year),
        name: Set(name),
        currency: Set(amount.currency.clone()),
        amount: Set(amount.minor),
        overspend: Set(overspend),
        parent_id: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
}

/// A new budget line.
#[derive(Debug, Clone)]
pub struct NewBudgetLine {
    pub holder: NodeRef,
    pub name: String,
    /// Major units as a decimal string, and the currency code.
    pub amount: (String, String),
    pub overspend: Overspend,
    /// Required for a cost center; a plan's year otherwise.
    pub fiscal_year: Option<i32>,
}

/// Gives a holder a budget line of its own.
pub async fn create_line(ctx: &TenantCtx, p: &Parley, new: NewBudgetLine) -> Result<Line> {
    let name = validate::name("name", &new.name, 200)?;
    let amount = Money::positive("amount", &new.amount.0, &new.amount.1)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let holder = node(&tx, new.holder).await?;
    amount.require_currency("amount", &holder.currency, &format!("'{}'", holder.name))?;
    let year = year_for(&holder, new.fiscal_year, "fiscalYear")?;
    let line = tx.create("budget_line.created", new_row(&holder, year, name, &amount, new.overspend)).await?;
    tx.commit().await?;
    Ok(Line { line, figures: LineFigures::default() })
}

/// Carves `amount` from line `from` into a new line of `to`, which must sit below the
/// line's holder (a program or project of its plan, a project of its program). Never
/// more than the line has available, whatever its policy.
pub async fn allocate(
    ctx: &TenantCtx,
    p: &Parley,
    from: BudgetLineId,
    to: NodeRef,
    amount: (String, String),
    name: Option<String>,
) -> Result<Line> {
    let amount = Money::positive("amount", &amount.0, &amount.1)?;
    let name = name.map(|n| validate::name("name", &n, 200)).transpose()?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let parent = tx.find::<budget_line::Entity>(from).await?;
    lock_lines(&tx, &[parent.id]).await?;
    let holder = node(&tx, to).await?;
    let parent_holder = node(&tx, holder_of(&parent)).await?;
    if !parent_holder.holds(&holder) {
        return Err(Error::invalid("toNodeId", format!("is not below '{}', which holds the line", parent_holder.name)));
    }
    amount.require_currency("amount", &parent.currency, "the line")?;
    let available = figures::of_line(&tx, parent.id).await?.available(parent.amount);
    if amount.minor > available {
        return Err(Error::Conflict(format!(
            "line '{}' has {} available; {} cannot be allocated from it",
            parent.name,
            Money::of(available.max(0), &parent.currency),
            amount
        )));
    }
    let mut row =
        new_row(&holder, parent.fiscal_year, name.unwrap_or_else(|| parent.name.clone()), &amount, parent.overspend);
    row.parent_id = Set(Some(parent.id));
    let line = tx.create("budget_line.allocated", row).await?;
    tx.commit().await?;
    Ok(Line { line, figures: LineFigures::default() })
}

/// Where a stored line sits.
pub fn holder_of(line: &BudgetLine) -> NodeRef {
    match line.node_kind {
        BudgetNodeKind::Plan => NodeRef::Plan(line.node_id.into()),
        BudgetNodeKind::Program => NodeRef::Program(line.node_id.into()),
        BudgetNodeKind::Project => NodeRef::Project(line.node_id.into()),
        BudgetNodeKind::CostCenter => NodeRef::CostCenter(line.node_id.into()),
    }
}

/// Changes to a line; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct LineChanges {
    pub name: Option<String>,
    pub amount: Option<(String, String)>,
    pub overspend: Option<Overspend>,
}

/// Renames a line, changes its amount (never below what is allocated, committed and
/// spent from it) or its policy (`FORBID` only while it is not overspent).
pub async fn update_line(ctx: &TenantCtx, p: &Parley, id: BudgetLineId, c: LineChanges) -> Result<Line> {
    let name = c.name.as_deref().map(|n| validate::name("name", n, 200)).transpose()?;
    let amount = c.amount.as_ref().map(|(a, cur)| Money::positive("amount", a, cur)).transpose()?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let found = tx.find::<budget_line::Entity>(id).await?;
    lock_lines(&tx, &[found.id]).await?;
    let f = figures::of_line(&tx, found.id).await?;
    if let Some(a) = &amount {
        a.require_currency("amount", &found.currency, "the line")?;
        let used = f.allocated.saturating_add(f.committed).saturating_add(f.actual);
        if a.minor < used {
            return Err(Error::Conflict(format!(
                "line '{}' already has {} allocated, committed or spent; its amount cannot go below that",
                found.name,
                Money::of(used, &found.currency)
            )));
        }
    }
    let new_amount = amount.as_ref().map_or(found.amount, |a| a.minor);
    if c.overspend == Some(Overspend::Forbid) && f.available(new_amount) < 0 {
        return Err(Error::Conflict(format!(
            "line '{}' is already overspent; it cannot forbid overspending",
            found.name
        )));
    }
    let line = tx
        .update::<budget_line::Entity>("budget_line.updated", id, |am| {
            if let Some(n) = name {
                am.name = Set(n);
            }
            if let Some(a) = amount {
                if let Some(phasing) = periods::rescaled(found.phasing.as_ref(), found.amount, a.minor) {
                    am.phasing = Set(Some(phasing));
                }
                am.amount = Set(a.minor);
            }
            if let Some(o) = c.overspend {
                am.overspend = Set(o);
            }
            if sea_orm::ActiveModelTrait::is_changed(am) {
                am.updated_at = Set(now());
            }
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(Line { line, figures: f })
}

/// Deletes a line nothing is charged to and nothing was carved from.
pub async fn delete_line(ctx: &TenantCtx, p: &Parley, id: BudgetLineId) -> Result<BudgetLine> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let found = tx.find::<budget_line::Entity>(id).await?;
    lock_lines(&tx, &[found.id]).await?;
    let charged = purchase_order_line::Entity::scoped(ctx)
        .filter(purchase_order_line::Column::BudgetLineId.eq(found.id))
        .count(&tx)
        .await?;
    if charged > 0 {
        return Err(Error::Conflict(format!(
            "line '{}' is still charged by {charged} purchase order line(s); close or cancel them first",
            found.name
        )));
    }
    let carved = budget_line::Entity::scoped(ctx).filter(budget_line::Column::ParentId.eq(found.id)).count(&tx).await?;
    if carved > 0 {
        return Err(Error::Conflict(format!(
            "line '{}' has {carved} line(s) allocated from it; delete them first",
            found.name
        )));
    }
    let gone = tx.delete::<budget_line::Entity>("budget_line.deleted", found).await?;
    tx.commit().await?;
    Ok(gone)
}

async fn with_figures(tx: &TenantTx<'_>, lines: Vec<BudgetLine>) -> Result<Vec<Line>> {
    let ids: Vec<BudgetLineId> = lines.iter().map(|l| l.id).collect();
    let figs = figures::of_lines(tx, &ids).await?;
    Ok(lines
        .into_iter()
        .map(|line| {
            let figures = figs.iter().find(|(id, _)| *id == line.id).map(|(_, f)| *f).unwrap_or_default();
            Line { line, figures }
        })
        .collect())
}

/// One line with its figures.
pub async fn get_line(ctx: &TenantCtx, p: &Parley, id: BudgetLineId) -> Result<Line> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let line = tx.find::<budget_line::Entity>(id).await?;
    let mut out = with_figures(&tx, vec![line]).await?;
    tx.commit().await?;
    out.pop().ok_or(Error::NotFound)
}

/// The lines a holder holds (or every line), oldest first, with their figures.
pub async fn lines(ctx: &TenantCtx, p: &Parley, holder: Option<NodeRef>, args: PageArgs) -> Result<Page<Line>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = <budget_line::Entity as sea_orm::EntityTrait>::find();
    if let Some(h) = holder {
        node(&tx, h).await?;
        q = q.filter(budget_line::Column::NodeId.eq(h.uuid()));
    }
    let page = tx.page(q, Order::Oldest, args).await?;
    let Page { items, has_next, total } = page;
    let items = with_figures(&tx, items).await?;
    tx.commit().await?;
    Ok(Page { items, has_next, total })
}

/// A holder's figures for one fiscal year, in its currency.
#[derive(Debug, Clone)]
pub struct Summary {
    pub holder: NodeRef,
    pub fiscal_year: i32,
    pub currency: String,
    pub totals: Totals,
}

/// The roll-up of a holder for `fiscal_year`: `budgeted` (its own lines, those
/// allocated to it included), `allocated` (passed down), `committed` and `actual` on it
/// and below, `remaining = budgeted − committed − actual`.
pub async fn summary(ctx: &TenantCtx, p: &Parley, holder: NodeRef, fiscal_year: i32) -> Result<Summary> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let h = node(&tx, holder).await?;
    if let Some(y) = h.fiscal_year.filter(|y| *y != fiscal_year) {
        return Err(Error::invalid("fiscalYear", format!("'{}' is in the plan for {y}", h.name)));
    }
    let totals = figures::of_node(&tx, holder, fiscal_year).await?;
    tx.commit().await?;
    Ok(Summary { holder, fiscal_year, currency: h.currency, totals })
}

/// A holder's figures in each period of a fiscal year, in its currency.
#[derive(Debug, Clone)]
pub struct PeriodSummary {
    pub currency: String,
    pub periods: Vec<(Period, PeriodFigures)>,
}

impl PeriodSummary {
    /// The forecast for the whole year.
    pub fn forecast(&self) -> i64 {
        self.periods.iter().fold(0i64, |s, (_, f)| s.saturating_add(f.forecast))
    }
}

/// The roll-up of a holder for `fiscal_year` in each of its periods (months or
/// quarters of its plan; calendar months for a cost center).
pub async fn period_summary(ctx: &TenantCtx, p: &Parley, holder: NodeRef, fiscal_year: i32) -> Result<PeriodSummary> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let h = node(&tx, holder).await?;
    if let Some(y) = h.fiscal_year.filter(|y| *y != fiscal_year) {
        return Err(Error::invalid("fiscalYear", format!("'{}' is in the plan for {y}", h.name)));
    }
    let cal = h.calendar(fiscal_year);
    let figures = figures::periods_of_node(&tx, holder, &cal).await?;
    tx.commit().await?;
    Ok(PeriodSummary { currency: h.currency, periods: cal.periods().into_iter().zip(figures).collect() })
}

/// One line's figures in each period of its year.
pub async fn line_periods(ctx: &TenantCtx, p: &Parley, id: BudgetLineId) -> Result<Vec<(Period, PeriodFigures)>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let line = tx.find::<budget_line::Entity>(id).await?;
    let cal = node(&tx, holder_of(&line)).await?.calendar(line.fiscal_year);
    let figures = figures::periods_of_line(&tx, &line, &cal).await?;
    tx.commit().await?;
    Ok(cal.periods().into_iter().zip(figures).collect())
}

/// Parses one amount per period of a line (`field[i]` names each), in its currency.
fn per_period(
    field: &str,
    line: &BudgetLine,
    n: usize,
    amounts: &[Option<(String, String)>],
) -> Result<Vec<Option<i64>>> {
    if amounts.len() != n {
        return Err(Error::invalid(
            field,
            format!("needs {n} amounts, one per period of the year; {} given", amounts.len()),
        ));
    }
    amounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let Some((amount, currency)) = a else { return Ok(None) };
            let f = format!("{field}[{i}]");
            let m = Money::parse(&f, amount, currency)?;
            m.require_currency(&f, &line.currency, "the line")?;
            if m.minor < 0 {
                return Err(Error::invalid(&format!("{f}.amount"), "must not be negative"));
            }
            Ok(Some(m.minor))
        })
        .collect()
}

/// Spreads a line over the periods of its year: one amount per period, adding up to
/// the line's amount (later changes to the amount keep the proportions).
pub async fn set_phasing(
    ctx: &TenantCtx,
    p: &Parley,
    id: BudgetLineId,
    amounts: Vec<(String, String)>,
) -> Result<Line> {
    let given: Vec<Option<(String, String)>> = amounts.into_iter().map(Some).collect();
    let read = |found: &budget_line::Model, n: usize| {
        let phasing: Vec<i64> = per_period("amounts", found, n, &given)?.into_iter().flatten().collect();
        let sum = crate::money::checked_sum("amounts", phasing.iter().copied())?;
        if sum != found.amount {
            return Err(Error::invalid(
                "amounts",
                format!(
                    "add up to {}, but the line is {}; the periods must add up to the line",
                    Money::of(sum, &found.currency),
                    Money::of(found.amount, &found.currency)
                ),
            ));
        }
        Ok(json!(phasing))
    };
    set_per_period(ctx, p, id, "budget_line.phased", read, |am, v| am.phasing = Set(Some(v))).await
}

/// Sets what a line is expected to spend in each period of its year (`None` where
/// nothing is entered: the period's forecast is then what is committed and spent).
pub async fn set_forecast(
    ctx: &TenantCtx,
    p: &Parley,
    id: BudgetLineId,
    amounts: Vec<Option<(String, String)>>,
) -> Result<Line> {
    let read = |found: &budget_line::Model, n: usize| {
        let forecast = per_period("amounts", found, n, &amounts)?;
        crate::money::checked_sum("amounts", forecast.iter().flatten().copied())?;
        Ok(json!(forecast))
    };
    set_per_period(ctx, p, id, "budget_line.forecast", read, |am, v| am.forecast = Set(Some(v))).await
}

/// Stores one figure per period of a line, under the line's lock: `read` checks what was
/// given against the line and its number of periods, `store` puts the result in place.
async fn set_per_period(
    ctx: &TenantCtx,
    p: &Parley,
    id: BudgetLineId,
    action: &str,
    read: impl FnOnce(&budget_line::Model, usize) -> Result<serde_json::Value>,
    store: impl FnOnce(&mut budget_line::ActiveModel, serde_json::Value),
) -> Result<Line> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let found = tx.find::<budget_line::Entity>(id).await?;
    lock_lines(&tx, &[found.id]).await?;
    let n = node(&tx, holder_of(&found)).await?.calendar(found.fiscal_year).count();
    let value = read(&found, n)?;
    let line = tx
        .update::<budget_line::Entity>(action, id, |am| {
            store(am, value);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    let figures = figures::of_line(&tx, id).await?;
    tx.commit().await?;
    Ok(Line { line, figures })
}

/// The programs and cost centers whose budget `lines` belong to (for approval rules
/// limited to one).
pub(crate) async fn places_of(tx: &TenantTx<'_>, lines: &[BudgetLineId]) -> Result<Vec<uuid::Uuid>> {
    let found =
        budget_line::Entity::scoped(tx.ctx()).filter(budget_line::Column::Id.is_in(lines.to_vec())).all(tx).await?;
    let mut out: Vec<uuid::Uuid> =
        found.iter().flat_map(|l| [l.program_id.map(Into::into), l.cost_center_id.map(Into::into)]).flatten().collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}
