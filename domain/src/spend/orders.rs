//! Purchase orders: writing, submitting, approving (with the budget check), issuing,
//! closing and cancelling.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde_json::json;

use crate::approvals::person_of;
use crate::approvals::requests::{self, Subject};
use crate::budgets::figures::{self, lock_lines};
use crate::budgets::periods::month_of;
use crate::db::TenantOwned;
use crate::money::{Money, checked_sum};
use crate::page::{Page, PageArgs};
use crate::{Audited, Error, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now, validate};
use entities::ids::{BudgetLineId, PurchaseOrderId, VendorId};
use entities::ops::enums::{ApprovalObject, Overspend, PurchaseOrderStatus as Status};
use entities::{budget_line, purchase_order, purchase_order_line};

/// A purchase order.
pub type PurchaseOrder = purchase_order::Model;
/// One line of a purchase order.
pub type OrderLine = purchase_order_line::Model;

impl Audited for PurchaseOrder {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "vendor": self.vendor_id, "status": self.status, "currency": self.currency,
            "total": Money::of(self.total, &self.currency).major(), "tolerancePercent": f64::from(self.tolerance_bp) / 100.0,
        })
    }
}

/// One line of a new order.
#[derive(Debug, Clone)]
pub struct NewOrderLine {
    pub budget_line_id: BudgetLineId,
    /// Major units as a decimal string, and the currency code.
    pub amount: (String, String),
    pub description: String,
}

/// A new purchase order (a draft).
#[derive(Debug, Clone)]
pub struct NewPurchaseOrder {
    /// The vendor's name; a vendor not seen before is added.
    pub vendor: String,
    pub lines: Vec<NewOrderLine>,
    /// How far invoices may go past the order, in percent (0–25, 5 when left out).
    pub tolerance_percent: Option<f64>,
    /// When the goods or services are expected; its commitment falls in that period
    /// (the approval's otherwise).
    pub expected_on: Option<chrono::NaiveDate>,
    /// The campaign it pays for.
    pub campaign: Option<crate::CampaignId>,
}

/// Writes a draft purchase order. Every line is in the currency of its budget line and
/// all lines in one currency.
pub async fn create(ctx: &TenantCtx, p: &Parley, new: NewPurchaseOrder) -> Result<PurchaseOrder> {
    if new.lines.is_empty() {
        return Err(Error::invalid("lines", "needs at least one line"));
    }
    if new.lines.len() > 200 {
        return Err(Error::invalid("lines", "holds more than 200 lines"));
    }
    let tolerance = new.tolerance_percent.unwrap_or(5.0);
    if !(0.0..=25.0).contains(&tolerance) {
        return Err(Error::invalid("tolerancePercent", "must be from 0 to 25"));
    }
    let mut amounts = Vec::with_capacity(new.lines.len());
    let mut descriptions = Vec::with_capacity(new.lines.len());
    for (i, l) in new.lines.iter().enumerate() {
        amounts.push(Money::positive(&format!("lines[{i}].amount"), &l.amount.0, &l.amount.1)?);
        let d = l.description.trim();
        if d.chars().count() > 500 {
            return Err(Error::invalid(&format!("lines[{i}].description"), "is longer than 500 characters"));
        }
        descriptions.push(d.to_owned());
    }
    let currency = amounts[0].currency.clone();
    for (i, a) in amounts.iter().enumerate() {
        a.require_currency(&format!("lines[{i}].amount"), &currency, "the order")?;
    }
    let total = checked_sum("lines", amounts.iter().map(|a| a.minor))?;
    if let Some(d) = new.expected_on {
        crate::budgets::periods::check_day("expectedOn", d)?;
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    if let Some(c) = new.campaign {
        tx.find::<entities::campaign::Entity>(c).await?;
    }
    for (i, l) in new.lines.iter().enumerate() {
        let line = tx.find::<budget_line::Entity>(l.budget_line_id).await?;
        amounts[i].require_currency(
            &format!("lines[{i}].amount"),
            &line.currency,
            &format!("budget line '{}'", line.name),
        )?;
    }
    let vendor = super::vendor_named(&tx, &new.vendor).await?;
    let t = now();
    let row = purchase_order::ActiveModel {
        id: Set(new_id()),
        vendor_id: Set(vendor.id),
        status: Set(Status::Draft),
        currency: Set(currency),
        total: Set(total),
        // Whole basis points: the percentage to two decimals.
        tolerance_bp: Set((tolerance * 100.0).round() as i32),
        created_by: Set(ctx.actor().id().unwrap_or_default()),
        requester: Set(person_of(&tx).await?),
        approval_id: Set(None),
        submitted_at: Set(None),
        approved_at: Set(None),
        issued_at: Set(None),
        closed_at: Set(None),
        expected_on: Set(new.expected_on),
        commit_month: Set(None),
        campaign_id: Set(new.campaign),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let order = tx.create("purchase_order.created", row).await?;
    for (i, (l, (a, d))) in new.lines.iter().zip(amounts.iter().zip(descriptions)).enumerate() {
        purchase_order_line::ActiveModel {
            tenant_id: Set(ctx.tenant_id()),
            id: Set(new_id()),
            purchase_order_id: Set(order.id),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            budget_line_id: Set(l.budget_line_id),
            description: Set(d),
            amount: Set(a.minor),
            invoiced: Set(0),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
    }
    tx.commit().await?;
    Ok(order)
}

/// The order `id`, locked until the transaction ends.
pub(crate) async fn lock(tx: &TenantTx<'_>, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    tx.lock::<purchase_order::Entity>(id).await
}

/// The lines of an order, in their order.
pub(crate) async fn lines_in(tx: &TenantTx<'_>, id: PurchaseOrderId) -> Result<Vec<OrderLine>> {
    Ok(purchase_order_line::Entity::scoped(tx.ctx())
        .filter(purchase_order_line::Column::PurchaseOrderId.eq(id))
        .order_by_asc(purchase_order_line::Column::Position)
        .all(tx)
        .await?)
}

fn refuse(order: &PurchaseOrder, what: &str) -> Error {
    Error::Conflict(format!("the purchase order is {:?}; it cannot be {what}", order.status).to_lowercase())
}

/// Moves `order` to `status` with `stamp` applied, audited as `action`.
async fn transition(
    tx: &TenantTx<'_>,
    order: PurchaseOrder,
    status: Status,
    action: &str,
    stamp: impl FnOnce(&mut purchase_order::ActiveModel),
) -> Result<PurchaseOrder> {
    tx.update::<purchase_order::Entity>(action, order.id, |am| {
        am.status = Set(status);
        am.updated_at = Set(now());
        stamp(am);
        Ok(())
    })
    .await
}

/// Submits a draft. Where no approval rule applies it is approved at once (budget
/// checked); otherwise it waits for its approval request.
pub async fn submit(ctx: &TenantCtx, p: &Parley, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let order = lock(&tx, id).await?;
    if order.status != Status::Draft {
        return Err(refuse(&order, "submitted"));
    }
    let vendor = tx.find::<entities::vendor::Entity>(order.vendor_id).await?;
    let subject = Subject {
        object_type: ApprovalObject::PurchaseOrder,
        object_id: order.id.into(),
        amount: Some(Money::of(order.total, &order.currency)),
        summary: format!("Purchase order from {} for {}", vendor.name, Money::of(order.total, &order.currency)),
        requester: order.requester,
        places: {
            let lines: Vec<BudgetLineId> = lines_in(&tx, order.id).await?.iter().map(|l| l.budget_line_id).collect();
            crate::budgets::places_of(&tx, &lines).await?
        },
    };
    let t = now();
    let order = match requests::request_in(&tx, p, subject).await? {
        None => {
            let order = transition(&tx, order, Status::Submitted, "purchase_order.submitted", |am| {
                am.submitted_at = Set(Some(t));
            })
            .await?;
            approve_in(&tx, order).await?
        }
        Some(approval) => {
            transition(&tx, order, Status::Submitted, "purchase_order.submitted", |am| {
                am.submitted_at = Set(Some(t));
                am.approval_id = Set(Some(approval.id));
            })
            .await?
        }
    };
    tx.commit().await?;
    Ok(order)
}

/// Approves a submitted order if its budget lines can take it: for every `FORBID` line,
/// what the order charges to it must fit in what the line has available. The lines are
/// locked first, so concurrent approvals against one line run one after the other and
/// each sees the others' commitments. `CONFLICT` (and nothing changed) otherwise.
pub(crate) async fn approve_in(tx: &TenantTx<'_>, order: PurchaseOrder) -> Result<PurchaseOrder> {
    if order.status != Status::Submitted {
        return Err(refuse(&order, "approved"));
    }
    let lines = lines_in(tx, order.id).await?;
    let mut needs: Vec<(BudgetLineId, i64)> = Vec::new();
    for l in &lines {
        match needs.iter_mut().find(|(id, _)| *id == l.budget_line_id) {
            Some((_, n)) => *n = n.saturating_add(l.amount),
            None => needs.push((l.budget_line_id, l.amount)),
        }
    }
    let ids: Vec<BudgetLineId> = needs.iter().map(|(id, _)| *id).collect();
    lock_lines(tx, &ids).await?;
    let figs = figures::of_lines(tx, &ids).await?;
    for (id, need) in &needs {
        let line = tx.find::<budget_line::Entity>(*id).await?;
        if line.overspend != Overspend::Forbid {
            continue;
        }
        let available =
            figs.iter().find(|(i, _)| i == id).map(|(_, f)| f.available(line.amount)).unwrap_or(line.amount);
        if *need > available {
            return Err(Error::Conflict(format!(
                "approving would overspend budget line '{}': it has {} available and the order charges {} to it",
                line.name,
                Money::of(available.max(0), &line.currency),
                Money::of(*need, &line.currency)
            )));
        }
    }
    let t = now();
    let month = month_of(order.expected_on.unwrap_or(t.date_naive()));
    transition(tx, order, Status::Approved, "purchase_order.approved", |am| {
        am.approved_at = Set(Some(t));
        am.commit_month = Set(Some(month));
    })
    .await
}

/// What an approval's outcome does to its order.
pub(crate) async fn decided_in(tx: &TenantTx<'_>, id: PurchaseOrderId, outcome: requests::Outcome) -> Result<()> {
    let order = lock(tx, id).await?;
    if order.status != Status::Submitted {
        return Ok(());
    }
    match outcome {
        requests::Outcome::Approved => {
            approve_in(tx, order).await?;
        }
        requests::Outcome::Rejected => {
            transition(tx, order, Status::Rejected, "purchase_order.rejected", |_| {}).await?;
        }
        requests::Outcome::Returned => {
            transition(tx, order, Status::Draft, "purchase_order.returned", |am| {
                am.approval_id = Set(None);
                am.submitted_at = Set(None);
            })
            .await?;
        }
    }
    Ok(())
}

/// Marks an approved order as sent to its vendor.
pub async fn issue(ctx: &TenantCtx, p: &Parley, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let order = lock(&tx, id).await?;
    if order.status != Status::Approved {
        return Err(refuse(&order, "issued"));
    }
    let order =
        transition(&tx, order, Status::Issued, "purchase_order.issued", |am| am.issued_at = Set(Some(now()))).await?;
    tx.commit().await?;
    Ok(order)
}

/// Closes an approved or issued order: what was not invoiced is no longer committed.
pub async fn close(ctx: &TenantCtx, p: &Parley, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let order = lock(&tx, id).await?;
    if !matches!(order.status, Status::Approved | Status::Issued) {
        return Err(refuse(&order, "closed"));
    }
    let order =
        transition(&tx, order, Status::Closed, "purchase_order.closed", |am| am.closed_at = Set(Some(now()))).await?;
    tx.commit().await?;
    Ok(order)
}

/// Withdraws a draft or submitted order (its pending approval is cancelled with it).
pub async fn cancel(ctx: &TenantCtx, p: &Parley, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let order = lock(&tx, id).await?;
    if !matches!(order.status, Status::Draft | Status::Submitted) {
        return Err(refuse(&order, "cancelled"));
    }
    if let Some(a) = order.approval_id {
        requests::cancel_in(&tx, a).await?;
    }
    let order = transition(&tx, order, Status::Cancelled, "purchase_order.cancelled", |_| {}).await?;
    tx.commit().await?;
    Ok(order)
}

/// Which orders a list shows.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    pub status: Option<Status>,
    pub vendor: Option<VendorId>,
}

/// Purchase orders, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, f: OrderFilter, args: PageArgs) -> Result<Page<PurchaseOrder>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = <purchase_order::Entity as sea_orm::EntityTrait>::find();
    if let Some(s) = f.status {
        q = q.filter(purchase_order::Column::Status.eq(s));
    }
    if let Some(v) = f.vendor {
        q = q.filter(purchase_order::Column::VendorId.eq(v));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One purchase order.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: PurchaseOrderId) -> Result<PurchaseOrder> {
    p.find::<purchase_order::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// The lines of an order, in their order.
pub async fn lines(ctx: &TenantCtx, p: &Parley, id: PurchaseOrderId) -> Result<Vec<OrderLine>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let order = tx.find::<purchase_order::Entity>(id).await?;
    let lines = lines_in(&tx, order.id).await?;
    tx.commit().await?;
    Ok(lines)
}

/// `validate` is used by invoices through this module's re-export.
pub(crate) fn reference(raw: &str) -> Result<String> {
    validate::name("reference", raw, 100)
}
