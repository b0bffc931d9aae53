//! A year of marketing operations for `parley bench --only budget`: one plan of
//! `programs` × `projects` with twelve budget lines a project (one a month), and
//! purchase order lines and invoice charges written straight into the database inside
//! the workspace's own transactions; and the hand-written SQL a plan's roll-up is
//! measured against.
//!
//! Order `n` has one line of `100.00 + n mod 50` EUR on project line `n mod lines`; every
//! third order is closed, the rest approved or issued; two orders in three have an
//! invoice for half their line.

use sea_orm::{ActiveValue::Set, ConnectionTrait, Statement, Value};

use crate::budgets::figures::Totals;
use crate::db::sql_for;
use crate::plans::{NewPlan, NewProgram, NewProject, WorkFields};
use crate::{Parley, PlanId, Result, TenantCtx, bulk, new_id, now};
use entities::ops::enums::{BudgetNodeKind, Overspend, PeriodKind, PurchaseOrderStatus};
use entities::{budget_line, invoice, invoice_charge, purchase_order, purchase_order_line, vendor};

/// Rows written per statement and transaction.
const BATCH: usize = 10_000;

/// Writes the plan and its spending; answers the plan. `progress(what, n)` hears how far.
pub async fn seed(
    ctx: &TenantCtx,
    p: &Parley,
    programs: usize,
    projects: usize,
    order_lines: usize,
    progress: impl Fn(&str, usize),
) -> Result<PlanId> {
    let work = WorkFields::default();
    let plan = crate::plans::create_plan(
        ctx,
        p,
        NewPlan {
            name: "Bench plan".into(),
            fiscal_year: 2027,
            currency: "EUR".into(),
            period_kind: PeriodKind::Month,
            start_month: Some(1),
            work: work.clone(),
        },
    )
    .await?;
    let t = now();
    let line = |kind, node: uuid::Uuid, program, project, amount: i64, parent| budget_line::ActiveModel {
        tenant_id: Set(ctx.tenant_id()),
        id: Set(new_id()),
        node_kind: Set(kind),
        node_id: Set(node),
        plan_id: Set(Some(plan.id)),
        program_id: Set(program),
        project_id: Set(project),
        cost_center_id: Set(None),
        fiscal_year: Set(2027),
        name: Set("Media".into()),
        currency: Set("EUR".into()),
        amount: Set(amount),
        overspend: Set(Overspend::Allow),
        parent_id: Set(parent),
        phasing: Set(None),
        forecast: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
    };
    let per_project = 12 * 1_000_000i64;
    let top_id = new_id();
    let mut top =
        line(BudgetNodeKind::Plan, plan.id.into(), None, None, per_project * (programs * projects) as i64, None);
    top.id = Set(top_id);
    let mut lines = vec![top];
    let mut project_lines = Vec::new();
    for i in 0..programs {
        let program = crate::plans::create_program(
            ctx,
            p,
            NewProgram {
                plan_id: plan.id,
                name: format!("Program {i}"),
                starts_on: None,
                ends_on: None,
                work: work.clone(),
            },
        )
        .await?;
        let program_line = new_id();
        let mut pl = line(
            BudgetNodeKind::Program,
            program.id.into(),
            Some(program.id),
            None,
            per_project * projects as i64,
            Some(top_id),
        );
        pl.id = Set(program_line);
        lines.push(pl);
        for j in 0..projects {
            let project = crate::plans::create_project(
                ctx,
                p,
                NewProject {
                    program_id: program.id,
                    name: format!("Project {i}.{j}"),
                    starts_on: chrono::NaiveDate::from_ymd_opt(2027, 1 + (j % 12) as u32, 1).unwrap_or_default(),
                    ends_on: None,
                    work: work.clone(),
                },
            )
            .await?;
            for _month in 0..12 {
                let id = new_id();
                let mut l = line(
                    BudgetNodeKind::Project,
                    project.id.into(),
                    Some(program.id),
                    Some(project.id),
                    1_000_000,
                    Some(program_line),
                );
                l.id = Set(id);
                lines.push(l);
                project_lines.push(id);
            }
        }
        progress("programs with their projects", i + 1);
    }
    let tx = p.tenant_tx(ctx).await?;
    for chunk in lines.chunks(BATCH) {
        bulk::insert(&tx, chunk.to_vec()).await?;
    }
    let vendor_id = new_id();
    bulk::insert(
        &tx,
        vec![vendor::ActiveModel {
            tenant_id: Set(ctx.tenant_id()),
            id: Set(vendor_id),
            name: Set("Bench Media".into()),
            name_key: Set("bench media".into()),
            created_at: Set(t),
        }],
    )
    .await?;
    tx.commit().await?;
    progress("budget lines", lines.len());

    let actor = ctx.actor().id().unwrap_or_default();
    let mut done = 0;
    while done < order_lines {
        let n_end = (done + BATCH).min(order_lines);
        let (mut orders, mut olines, mut invoices, mut charges) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for n in done..n_end {
            let amount = 10_000 + (n % 50) as i64 * 100;
            let status = match n % 3 {
                0 => PurchaseOrderStatus::Closed,
                1 => PurchaseOrderStatus::Approved,
                _ => PurchaseOrderStatus::Issued,
            };
            let invoiced = if n % 3 == 2 { 0 } else { amount / 2 };
            let (order_id, line_id) = (new_id(), new_id());
            let budget_line_id = project_lines[n % project_lines.len()];
            orders.push(purchase_order::ActiveModel {
                tenant_id: Set(ctx.tenant_id()),
                id: Set(order_id),
                vendor_id: Set(vendor_id),
                status: Set(status),
                currency: Set("EUR".into()),
                total: Set(amount),
                tolerance_bp: Set(500),
                created_by: Set(actor),
                requester: Set(ctx.user_id()),
                approval_id: Set(None),
                submitted_at: Set(Some(t)),
                approved_at: Set(Some(t)),
                issued_at: Set(None),
                closed_at: Set(None),
                expected_on: Set(None),
                // Spread over the year's months.
                commit_month: Set(Some(202701 + (n % 12) as i32)),
                campaign_id: Set(None),
                created_at: Set(t),
                updated_at: Set(t),
            });
            olines.push(purchase_order_line::ActiveModel {
                tenant_id: Set(ctx.tenant_id()),
                id: Set(line_id),
                purchase_order_id: Set(order_id),
                position: Set(0),
                budget_line_id: Set(budget_line_id),
                description: Set(String::new()),
                amount: Set(amount),
                invoiced: Set(invoiced),
                created_at: Set(t),
            });
            if invoiced > 0 {
                let invoice_id = new_id();
                invoices.push(invoice::ActiveModel {
                    tenant_id: Set(ctx.tenant_id()),
                    id: Set(invoice_id),
                    purchase_order_id: Set(order_id),
                    reference: Set(format!("INV-{n}")),
                    currency: Set("EUR".into()),
                    amount: Set(invoiced),
                    invoiced_on: Set(None),
                    month: Set(Some(202701 + ((n + 1) % 12) as i32)),
                    created_by: Set(actor),
                    created_at: Set(t),
                });
                charges.push(invoice_charge::ActiveModel {
                    tenant_id: Set(ctx.tenant_id()),
                    id: Set(new_id()),
                    invoice_id: Set(invoice_id),
                    purchase_order_line_id: Set(line_id),
                    budget_line_id: Set(budget_line_id),
                    amount: Set(invoiced),
                    created_at: Set(t),
                });
            }
        }
        let tx = p.tenant_tx(ctx).await?;
        bulk::insert(&tx, orders).await?;
        bulk::insert(&tx, olines).await?;
        bulk::insert(&tx, invoices).await?;
        bulk::insert(&tx, charges).await?;
        tx.commit().await?;
        done = n_end;
        progress("purchase order lines (with their invoices)", done);
    }
    Ok(plan.id)
}

/// The plan's roll-up as someone would write it by hand: the spending below the plan
/// found through the plan's lines by ID lists rather than a path column.
pub async fn summary_by_hand(ctx: &TenantCtx, p: &Parley, plan: PlanId) -> Result<Totals> {
    let tx = p.tenant_tx(ctx).await?;
    let backend = tx.get_database_backend();
    let sql = "SELECT
        (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM budget_lines WHERE tenant_id = $1 AND node_id = $2) AS budgeted,
        (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM budget_lines WHERE tenant_id = $1 AND parent_id IN
           (SELECT id FROM budget_lines WHERE tenant_id = $1 AND node_id = $2)) AS allocated,
        (SELECT CAST(COALESCE(SUM(l.amount - l.invoiced), 0) AS BIGINT) FROM purchase_order_lines l
           JOIN purchase_orders o ON o.tenant_id = l.tenant_id AND o.id = l.purchase_order_id
          WHERE l.tenant_id = $1 AND o.status IN ('approved', 'issued') AND l.amount > l.invoiced
            AND l.budget_line_id IN (SELECT id FROM budget_lines WHERE tenant_id = $1 AND plan_id = $2)) AS committed,
        (SELECT CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM invoice_charges WHERE tenant_id = $1
            AND budget_line_id IN (SELECT id FROM budget_lines WHERE tenant_id = $1 AND plan_id = $2)) AS actual";
    let values = vec![Value::Uuid(Some(ctx.tenant_id().into())), Value::Uuid(Some(plan.into()))];
    let row = tx.query_one_raw(Statement::from_sql_and_values(backend, sql_for(backend, sql), values)).await?;
    tx.commit().await?;
    let Some(r) = row else { return Ok(Totals::default()) };
    Ok(Totals {
        budgeted: r.try_get("", "budgeted")?,
        allocated: r.try_get("", "allocated")?,
        committed: r.try_get("", "committed")?,
        actual: r.try_get("", "actual")?,
    })
}

/// Makes `user` a member of `ctx`'s workspace with `role`, written straight into the
/// database (the bench has no inbox to accept an invitation from).
pub async fn add_member(ctx: &TenantCtx, p: &Parley, user: crate::UserId, role: crate::Role) -> Result<()> {
    use sea_orm::ActiveModelTrait;
    let tx = p.tenant_tx(ctx).await?;
    entities::membership::ActiveModel {
        tenant_id: Set(ctx.tenant_id()),
        id: Set(new_id()),
        user_id: Set(user),
        role: Set(role),
        via_agency_id: Set(None),
        created_at: Set(now()),
    }
    .insert(&tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
