//! The figures of budget lines and holders, each one SQL aggregate on both databases.
//!
//! For a line: `allocated` (carved into lines below), `committed` (approved or issued
//! purchase order lines not yet invoiced), `actual` (invoices charged to it) and what
//! is `available` for new spending. For a holder and a fiscal year: `budgeted` (its own
//! lines, those allocated to it included), `allocated` (what it passed down), and
//! `committed` and `actual` on it and everything below it.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, IdenStatic, QueryFilter, Statement, Value};
use uuid::Uuid;

use super::BudgetLine;
use super::periods::{Calendar, forecast_of, phasing_of};
use crate::db::{TenantOwned, sql_for};
use crate::plans::NodeRef;
use crate::{Result, TenantTx};
use entities::budget_line;
use entities::ids::BudgetLineId;

/// SQL: the uninvoiced part of open purchase order lines (alias `l`, order `o`).
const OPEN_PART: &str = "CASE WHEN o.status IN ('approved', 'issued') AND l.amount > l.invoiced \
     THEN l.amount - l.invoiced ELSE 0 END";

/// What has happened to one budget line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineFigures {
    /// Carved from it into lines below.
    pub allocated: i64,
    /// Approved, not yet invoiced purchase order amounts charged to it.
    pub committed: i64,
    /// Invoices charged to it.
    pub actual: i64,
}

impl LineFigures {
    /// What is left of `amount` for new allocations and spending.
    pub fn available(&self, amount: i64) -> i64 {
        amount.saturating_sub(self.allocated).saturating_sub(self.committed).saturating_sub(self.actual)
    }
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Locks `ids` (PostgreSQL: `FOR UPDATE`, in ID order so two requests never wait on
/// each other; SQLite's one writer already serialises transactions) so that what is
/// read next about them stays true until the transaction ends.
pub(crate) async fn lock_lines(tx: &TenantTx<'_>, ids: &[BudgetLineId]) -> Result<()> {
    if tx.get_database_backend() != DbBackend::Postgres || ids.is_empty() {
        return Ok(());
    }
    let mut sorted: Vec<Uuid> = ids.iter().map(|i| (*i).into()).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let sql = format!(
        "SELECT id FROM budget_lines WHERE tenant_id = $1 AND id IN ({}) ORDER BY id FOR UPDATE",
        placeholders(2, sorted.len())
    );
    let mut values = vec![Value::Uuid(Some(tx.tenant_id().into()))];
    values.extend(sorted.into_iter().map(|u| Value::Uuid(Some(u))));
    tx.query_all_raw(Statement::from_sql_and_values(DbBackend::Postgres, sql, values)).await?;
    Ok(())
}

/// The figures of each of `ids` (lines of the tenant; others are left out).
pub(crate) async fn of_lines(tx: &TenantTx<'_>, ids: &[BudgetLineId]) -> Result<Vec<(BudgetLineId, LineFigures)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let backend = tx.get_database_backend();
    let sql = format!(
        "SELECT b.id AS id,
           (SELECT CAST(COALESCE(SUM(c.amount), 0) AS BIGINT) FROM budget_lines c
             WHERE c.tenant_id = b.tenant_id AND c.parent_id = b.id) AS allocated,
           (SELECT CAST(COALESCE(SUM({OPEN_PART}), 0) AS BIGINT) FROM purchase_order_lines l
             JOIN purchase_orders o ON o.tenant_id = l.tenant_id AND o.id = l.purchase_order_id
             WHERE l.tenant_id = b.tenant_id AND l.budget_line_id = b.id) AS committed,
           (SELECT CAST(COALESCE(SUM(ic.amount), 0) AS BIGINT) FROM invoice_charges ic
             WHERE ic.tenant_id = b.tenant_id AND ic.budget_line_id = b.id) AS actual
         FROM budget_lines b WHERE b.tenant_id = $1 AND b.id IN ({})",
        placeholders(2, ids.len())
    );
    let mut values = vec![Value::Uuid(Some(tx.tenant_id().into()))];
    values.extend(ids.iter().map(|i| Value::Uuid(Some((*i).into()))));
    let rows = tx.query_all_raw(Statement::from_sql_and_values(backend, sql_for(backend, &sql), values)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let id: Uuid = r.try_get("", "id")?;
        let f = LineFigures {
            allocated: r.try_get("", "allocated")?,
            committed: r.try_get("", "committed")?,
            actual: r.try_get("", "actual")?,
        };
        out.push((BudgetLineId::from(id), f));
    }
    Ok(out)
}

/// The figures of one line.
pub(crate) async fn of_line(tx: &TenantTx<'_>, id: BudgetLineId) -> Result<LineFigures> {
    Ok(of_lines(tx, &[id]).await?.into_iter().next().map(|(_, f)| f).unwrap_or_default())
}

/// A holder's figures for a fiscal year, in minor units of its currency.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub budgeted: i64,
    pub allocated: i64,
    pub committed: i64,
    pub actual: i64,
}

impl Totals {
    /// `budgeted − committed − actual`.
    pub fn remaining(&self) -> i64 {
        self.budgeted.saturating_sub(self.committed).saturating_sub(self.actual)
    }
}

/// The column of `budget_lines` that says a line sits at or below `node`.
fn path_column(node: NodeRef) -> budget_line::Column {
    match node {
        NodeRef::Plan(_) => budget_line::Column::PlanId,
        NodeRef::Program(_) => budget_line::Column::ProgramId,
        NodeRef::Project(_) => budget_line::Column::ProjectId,
        NodeRef::CostCenter(_) => budget_line::Column::CostCenterId,
    }
}

/// The roll-up of `node` for `year`: one statement.
pub(crate) async fn of_node(tx: &TenantTx<'_>, node: NodeRef, year: i32) -> Result<Totals> {
    let backend = tx.get_database_backend();
    let path = path_column(node).as_str();
    // The lines at or below the holder (a set, so the spending is read through the
    // budget-line indexes of the order lines and charges rather than joined row by row).
    let below = format!("SELECT id FROM budget_lines WHERE tenant_id = $1 AND {path} = $2 AND fiscal_year = $3");
    let sql = format!(
        "SELECT
           (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM budget_lines
             WHERE tenant_id = $1 AND node_id = $2 AND fiscal_year = $3) AS budgeted,
           (SELECT CAST(COALESCE(SUM(c.amount), 0) AS BIGINT) FROM budget_lines c
             JOIN budget_lines p ON p.tenant_id = c.tenant_id AND p.id = c.parent_id
             WHERE c.tenant_id = $1 AND p.node_id = $2 AND p.fiscal_year = $3) AS allocated,
           (SELECT CAST(COALESCE(SUM({OPEN_PART}), 0) AS BIGINT) FROM purchase_order_lines l
             JOIN purchase_orders o ON o.tenant_id = l.tenant_id AND o.id = l.purchase_order_id
             WHERE l.tenant_id = $1 AND l.budget_line_id IN ({below})) AS committed,
           (SELECT CAST(COALESCE(SUM(ic.amount), 0) AS BIGINT) FROM invoice_charges ic
             WHERE ic.tenant_id = $1 AND ic.budget_line_id IN ({below})) AS actual"
    );
    let values = vec![Value::Uuid(Some(tx.tenant_id().into())), Value::Uuid(Some(node.uuid())), Value::Int(Some(year))];
    let row = tx.query_one_raw(Statement::from_sql_and_values(backend, sql_for(backend, &sql), values)).await?;
    let Some(r) = row else { return Ok(Totals::default()) };
    Ok(Totals {
        budgeted: r.try_get("", "budgeted")?,
        allocated: r.try_get("", "allocated")?,
        committed: r.try_get("", "committed")?,
        actual: r.try_get("", "actual")?,
    })
}

/// A holder's or a line's figures in one period, minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PeriodFigures {
    pub budgeted: i64,
    pub allocated: i64,
    /// What was entered, or where nothing was, what is committed and spent.
    pub forecast: i64,
    pub committed: i64,
    pub actual: i64,
}

impl PeriodFigures {
    /// `budgeted − committed − actual`.
    pub fn remaining(&self) -> i64 {
        self.budgeted.saturating_sub(self.committed).saturating_sub(self.actual)
    }
}

/// Open commitments and invoices of the lines `lines_sql` selects, per month (`yyyymm`;
/// 0 where none was recorded) and, `by_line`, per line (else every row names the
/// tenant in place of a line): one statement.
async fn spend_by_month(
    tx: &TenantTx<'_>,
    lines_sql: &str,
    values: Vec<Value>,
    by_line: bool,
) -> Result<Vec<(BudgetLineId, i32, i64, i64)>> {
    let backend = tx.get_database_backend();
    let (order_key, charge_key) =
        if by_line { ("l.budget_line_id", "ic.budget_line_id") } else { ("l.tenant_id", "ic.tenant_id") };
    let sql = format!(
        "SELECT {order_key} AS line, COALESCE(o.commit_month, 0) AS month,
                CAST(COALESCE(SUM({OPEN_PART}), 0) AS BIGINT) AS committed, CAST(0 AS BIGINT) AS actual
           FROM purchase_order_lines l
           JOIN purchase_orders o ON o.tenant_id = l.tenant_id AND o.id = l.purchase_order_id
          WHERE l.tenant_id = $1 AND o.status IN ('approved', 'issued') AND l.budget_line_id IN ({lines_sql})
          GROUP BY {order_key}, COALESCE(o.commit_month, 0)
         UNION ALL
         SELECT {charge_key} AS line, COALESCE(i.month, 0) AS month,
                CAST(0 AS BIGINT) AS committed, CAST(COALESCE(SUM(ic.amount), 0) AS BIGINT) AS actual
           FROM invoice_charges ic
           JOIN invoices i ON i.tenant_id = ic.tenant_id AND i.id = ic.invoice_id
          WHERE ic.tenant_id = $1 AND ic.budget_line_id IN ({lines_sql})
          GROUP BY {charge_key}, COALESCE(i.month, 0)"
    );
    let rows = tx.query_all_raw(Statement::from_sql_and_values(backend, sql_for(backend, &sql), values)).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let line: Uuid = r.try_get("", "line")?;
        out.push((line.into(), r.try_get("", "month")?, r.try_get("", "committed")?, r.try_get("", "actual")?));
    }
    Ok(out)
}

/// Per line of `lines`, its figures in each period of `cal`: budgeted (its phasing),
/// allocated (the phasing of the lines carved from it, among `lines`), committed and
/// actual (`spend`), and forecast.
fn per_line(
    lines: &[BudgetLine],
    spend: &[(BudgetLineId, i32, i64, i64)],
    cal: &Calendar,
) -> Vec<(BudgetLineId, Vec<PeriodFigures>)> {
    let n = cal.count();
    let mut out: Vec<(BudgetLineId, Vec<PeriodFigures>)> = lines
        .iter()
        .map(|l| {
            let phasing = phasing_of(l.phasing.as_ref(), l.amount, n);
            (l.id, phasing.into_iter().map(|b| PeriodFigures { budgeted: b, ..Default::default() }).collect())
        })
        .collect();
    let index: HashMap<BudgetLineId, usize> = lines.iter().enumerate().map(|(k, l)| (l.id, k)).collect();
    let at = |id: BudgetLineId| index.get(&id).copied();
    for l in lines {
        let Some(parent) = l.parent_id.and_then(at) else { continue };
        for (i, b) in phasing_of(l.phasing.as_ref(), l.amount, n).into_iter().enumerate() {
            out[parent].1[i].allocated += b;
        }
    }
    for (line, month, committed, actual) in spend {
        let Some(k) = at(*line) else { continue };
        let p = &mut out[k].1[cal.index_of_month(*month)];
        p.committed = p.committed.saturating_add(*committed);
        p.actual = p.actual.saturating_add(*actual);
    }
    for (l, (_, periods)) in lines.iter().zip(out.iter_mut()) {
        for (p, entered) in periods.iter_mut().zip(forecast_of(l.forecast.as_ref(), n)) {
            p.forecast = entered.unwrap_or(p.committed.saturating_add(p.actual));
        }
    }
    out
}

/// One line's figures in each period of `cal`.
pub(crate) async fn periods_of_line(
    tx: &TenantTx<'_>,
    line: &BudgetLine,
    cal: &Calendar,
) -> Result<Vec<PeriodFigures>> {
    let children =
        budget_line::Entity::scoped(tx.ctx()).filter(budget_line::Column::ParentId.eq(line.id)).all(tx).await?;
    let mut lines = vec![line.clone()];
    lines.extend(children);
    let values = vec![Value::Uuid(Some(tx.tenant_id().into())), Value::Uuid(Some(line.id.into()))];
    let spend = spend_by_month(tx, "$2", values, true).await?;
    Ok(per_line(&lines, &spend, cal).into_iter().next().map(|(_, p)| p).unwrap_or_default())
}

/// The roll-up of `node` for `cal`'s year in each of its periods: budgeted and
/// allocated from its own lines, forecast, committed and actual on it and below it.
/// Spending is summed per month over the whole set of lines below; only the lines with
/// a forecast entered by hand are read one by one (their entries replace their
/// spending where they were made).
pub(crate) async fn periods_of_node(tx: &TenantTx<'_>, node: NodeRef, cal: &Calendar) -> Result<Vec<PeriodFigures>> {
    let path = path_column(node);
    let year = budget_line::Column::FiscalYear.eq(cal.year);
    let own = budget_line::Entity::scoped(tx.ctx())
        .filter(budget_line::Column::NodeId.eq(node.uuid()))
        .filter(year.clone())
        .all(tx)
        .await?;
    let own_ids: Vec<BudgetLineId> = own.iter().map(|l| l.id).collect();
    let carved = if own_ids.is_empty() {
        Vec::new()
    } else {
        budget_line::Entity::scoped(tx.ctx()).filter(budget_line::Column::ParentId.is_in(own_ids)).all(tx).await?
    };
    let forecasted = budget_line::Entity::scoped(tx.ctx())
        .filter(path.eq(node.uuid()))
        .filter(year)
        .filter(budget_line::Column::Forecast.is_not_null())
        .all(tx)
        .await?;
    let lines_sql =
        format!("SELECT id FROM budget_lines WHERE tenant_id = $1 AND {} = $2 AND fiscal_year = $3", path.as_str());
    let values =
        vec![Value::Uuid(Some(tx.tenant_id().into())), Value::Uuid(Some(node.uuid())), Value::Int(Some(cal.year))];
    let n = cal.count();
    let mut out = vec![PeriodFigures::default(); n];
    for (_, month, committed, actual) in spend_by_month(tx, &lines_sql, values, false).await? {
        let p = &mut out[cal.index_of_month(month)];
        p.committed = p.committed.saturating_add(committed);
        p.actual = p.actual.saturating_add(actual);
    }
    for p in &mut out {
        p.forecast = p.committed.saturating_add(p.actual);
    }
    for (lines, allocated) in [(&own, false), (&carved, true)] {
        for l in lines {
            for (o, b) in out.iter_mut().zip(phasing_of(l.phasing.as_ref(), l.amount, n)) {
                let f = if allocated { &mut o.allocated } else { &mut o.budgeted };
                *f = f.saturating_add(b);
            }
        }
    }
    if !forecasted.is_empty() {
        let mut values = vec![Value::Uuid(Some(tx.tenant_id().into()))];
        values.extend(forecasted.iter().map(|l| Value::Uuid(Some(l.id.into()))));
        let spend = spend_by_month(tx, &placeholders(2, forecasted.len()), values, true).await?;
        for (l, (_, periods)) in forecasted.iter().zip(per_line(&forecasted, &spend, cal)) {
            for ((o, p), entered) in out.iter_mut().zip(periods).zip(forecast_of(l.forecast.as_ref(), n)) {
                if let Some(e) = entered {
                    o.forecast = o.forecast.saturating_sub(p.committed.saturating_add(p.actual)).saturating_add(e);
                }
            }
        }
    }
    Ok(out)
}
