//! Invoices matched to purchase orders: charged to the order's lines (and so to their
//! budget lines), within the order's tolerance.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter};
use serde_json::json;

use super::orders::{lines_in, lock, reference};
use crate::budgets::figures::{self, lock_lines};
use crate::db::TenantOwned;
use crate::money::Money;
use crate::page::{Page, PageArgs};
use crate::{Audited, Error, Order, Parley, Permission, Result, TenantCtx, new_id, now};
use entities::ids::{InvoiceId, PurchaseOrderId};
use entities::ops::enums::{Overspend, PurchaseOrderStatus as Status};
use entities::{budget_line, invoice, invoice_charge, purchase_order_line};

/// A vendor's invoice.
pub type Invoice = invoice::Model;

impl Audited for Invoice {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "purchaseOrder": self.purchase_order_id, "reference": self.reference,
            "amount": Money::of(self.amount, &self.currency).major(), "currency": self.currency,
        })
    }
}

/// A new invoice.
#[derive(Debug, Clone)]
pub struct NewInvoice {
    pub purchase_order_id: PurchaseOrderId,
    /// Major units as a decimal string, and the currency code.
    pub amount: (String, String),
    /// The vendor's invoice number, unique per order.
    pub reference: String,
    /// The invoice's own date (today when left out): the period its spending falls in.
    pub invoiced_on: Option<chrono::NaiveDate>,
}

/// How `amount` falls on lines that have `open` uninvoiced each: in line order, each
/// up to what it has open, and anything past all of them (within tolerance) on the last.
fn spread(open: &[i64], amount: i64) -> Vec<i64> {
    let mut left = amount;
    let mut out: Vec<i64> = open
        .iter()
        .map(|o| {
            let take = left.min((*o).max(0));
            left -= take;
            take
        })
        .collect();
    if let Some(last) = out.last_mut() {
        *last += left;
    }
    out
}

/// Records an invoice against an approved or issued order. The invoices of an order
/// may go past its total by its tolerance at most; the part past a line's own amount is
/// new spending, refused with `CONFLICT` where it would overspend a `FORBID` line.
pub async fn record(ctx: &TenantCtx, p: &Parley, new: NewInvoice) -> Result<Invoice> {
    let amount = Money::positive("amount", &new.amount.0, &new.amount.1)?;
    let reference = reference(&new.reference)?;
    if let Some(d) = new.invoiced_on {
        crate::budgets::periods::check_day("invoicedOn", d)?;
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let order = lock(&tx, new.purchase_order_id).await?;
    if !matches!(order.status, Status::Approved | Status::Issued) {
        return Err(Error::Conflict(
            format!("the purchase order is {:?}; only approved or issued orders take invoices", order.status)
                .to_lowercase(),
        ));
    }
    amount.require_currency("amount", &order.currency, "the purchase order")?;
    let same = invoice::Entity::scoped(ctx)
        .filter(invoice::Column::PurchaseOrderId.eq(order.id))
        .filter(invoice::Column::Reference.eq(&reference))
        .one(&tx)
        .await?;
    if same.is_some() {
        return Err(Error::Conflict(format!("invoice {reference} is already recorded on this purchase order")));
    }
    let lines = lines_in(&tx, order.id).await?;
    let invoiced: i64 = lines.iter().map(|l| l.invoiced).sum();
    let limit = order.total.saturating_add(order.total.saturating_mul(i64::from(order.tolerance_bp)) / 10_000);
    let after = invoiced.saturating_add(amount.minor);
    if after > limit {
        return Err(Error::invalid(
            "amount.amount",
            format!(
                "takes the order's invoices to {}, past its {} plus {}% tolerance ({} at most)",
                Money::of(after, &order.currency),
                Money::of(order.total, &order.currency),
                f64::from(order.tolerance_bp) / 100.0,
                Money::of(limit, &order.currency)
            ),
        ));
    }
    let open: Vec<i64> = lines.iter().map(|l| l.amount - l.invoiced).collect();
    let charges = spread(&open, amount.minor);
    // Spending past a line's own amount is new money: check its budget line.
    let extra: Vec<(usize, i64)> = charges
        .iter()
        .zip(&open)
        .enumerate()
        .map(|(i, (c, o))| (i, c - (*o).max(0)))
        .filter(|(_, more)| *more > 0)
        .collect();
    if !extra.is_empty() {
        let ids: Vec<_> = extra.iter().map(|(i, _)| lines[*i].budget_line_id).collect();
        lock_lines(&tx, &ids).await?;
        for (i, more) in &extra {
            let line = tx.find::<budget_line::Entity>(lines[*i].budget_line_id).await?;
            if line.overspend == Overspend::Forbid {
                let available = figures::of_line(&tx, line.id).await?.available(line.amount);
                if *more > available {
                    return Err(Error::Conflict(format!(
                        "the invoice goes {} past the order on budget line '{}', which has {} available",
                        Money::of(*more, &line.currency),
                        line.name,
                        Money::of(available.max(0), &line.currency)
                    )));
                }
            }
        }
    }
    let t = now();
    let invoiced_on = new.invoiced_on.unwrap_or(t.date_naive());
    let row = invoice::ActiveModel {
        id: Set(new_id()),
        purchase_order_id: Set(order.id),
        reference: Set(reference),
        currency: Set(order.currency.clone()),
        amount: Set(amount.minor),
        invoiced_on: Set(Some(invoiced_on)),
        month: Set(Some(crate::budgets::periods::month_of(invoiced_on))),
        created_by: Set(ctx.actor().id().unwrap_or_default()),
        created_at: Set(t),
        ..Default::default()
    };
    let inv = tx.create("invoice.recorded", row).await?;
    for (line, charge) in lines.into_iter().zip(charges) {
        if charge == 0 {
            continue;
        }
        invoice_charge::ActiveModel {
            tenant_id: Set(ctx.tenant_id()),
            id: Set(new_id()),
            invoice_id: Set(inv.id),
            purchase_order_line_id: Set(line.id),
            budget_line_id: Set(line.budget_line_id),
            amount: Set(charge),
            created_at: Set(t),
        }
        .insert(&tx)
        .await?;
        let invoiced = line.invoiced + charge;
        let mut am: purchase_order_line::ActiveModel = line.into();
        am.invoiced = Set(invoiced);
        am.update(&tx).await?;
    }
    tx.commit().await?;
    Ok(inv)
}

/// The invoices of an order (or all), oldest first.
pub async fn list(
    ctx: &TenantCtx,
    p: &Parley,
    order: Option<PurchaseOrderId>,
    args: PageArgs,
) -> Result<Page<Invoice>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = <invoice::Entity as sea_orm::EntityTrait>::find();
    if let Some(id) = order {
        let o = tx.find::<entities::purchase_order::Entity>(id).await?;
        q = q.filter(invoice::Column::PurchaseOrderId.eq(o.id));
    }
    let page = tx.page(q, Order::Oldest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One invoice.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: InvoiceId) -> Result<Invoice> {
    p.find::<invoice::Entity>(ctx, Permission::ReadWorkspace, id).await
}

#[cfg(test)]
mod tests {
    use super::spread;

    #[test]
    fn an_invoice_fills_lines_in_order_and_puts_the_excess_on_the_last() {
        assert_eq!(spread(&[100, 50], 120), vec![100, 20]);
        assert_eq!(spread(&[100, 50], 150), vec![100, 50]);
        assert_eq!(spread(&[100, 50], 160), vec![100, 60]);
        assert_eq!(spread(&[0, 50], 30), vec![0, 30]);
        assert_eq!(spread(&[-5, 50], 60), vec![0, 60]);
    }
}
