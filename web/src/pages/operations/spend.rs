//! `/app/spend`: purchase orders with their status and the next step each can take,
//! a form to write one against a budget line, and invoices recorded against them.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{Pick, money};
use crate::components::{Caller, Chunk, ErrorBanner, Field, Form, FormErrors, Paged, PagedTable, Submit, paged};
use crate::gql::call;
use crate::ops::short_time;
use crate::ops::spend::{
    BudgetLines, CancelPurchaseOrder, ClosePurchaseOrder, CreatePurchaseOrder, IssuePurchaseOrder, PurchaseOrder,
    PurchaseOrders, RecordInvoice, SubmitPurchaseOrder, budget_lines, cancel_purchase_order, close_purchase_order,
    create_purchase_order, issue_purchase_order, purchase_orders, record_invoice, submit_purchase_order,
};
use crate::session::load;
use purchase_orders::PurchaseOrderStatus as Status;

fn status_label(s: &Status) -> (&'static str, &'static str) {
    match s {
        Status::DRAFT => ("draft", "Draft"),
        Status::SUBMITTED => ("submitted", "Waiting for approval"),
        Status::APPROVED => ("approved", "Approved"),
        Status::ISSUED => ("issued", "Issued"),
        Status::CLOSED => ("closed", "Closed"),
        Status::REJECTED => ("rejected", "Rejected"),
        Status::CANCELLED => ("cancelled", "Cancelled"),
        Status::Other(_) => ("unknown", "Unknown"),
    }
}

/// The spend page.
#[component]
pub fn SpendPage() -> impl IntoView {
    let orders = paged(
        |after| async move {
            call::<PurchaseOrders>(purchase_orders::Variables { after }).await.map(|d| Chunk::from(d.purchase_orders))
        },
        |o: &PurchaseOrder| o.id.clone(),
    );
    let errors = FormErrors::new();
    view! {
        <Title text="Spend · Parley" />
        <header class="page-head">
            <h1 data-testid="page-title">"Spend"</h1>
            <p class="muted">"Purchase orders charged to budget lines: approved orders commit their amount, invoices turn it into spend."</p>
        </header>
        <OrderForm orders=orders />
        <section class="panel">
            <h2>"Purchase orders"</h2>
            <ErrorBanner errors=errors />
            <PagedTable
                list=orders
                head=&["Vendor", "Total", "Lines", "Status", "Written", ""]
                row=move |o| order_row(o, orders, errors)
                empty="No purchase orders yet."
                testid="orders"
            />
        </section>
        <InvoiceForm orders=orders />
    }
}

fn order_row(o: PurchaseOrder, orders: Paged<PurchaseOrder>, errors: FormErrors) -> impl IntoView {
    let (class, label) = status_label(&o.status);
    let id = o.id.clone();
    let action = move |text: &'static str, testid: &'static str, run: fn(Paged<PurchaseOrder>, String, FormErrors)| {
        let id = id.clone();
        view! {
            <button type="button" class="btn btn-ghost btn-small" data-testid=testid on:click=move |_| run(orders, id.clone(), errors)>
                {text}
            </button>
        }
    };
    let lines = o
        .lines
        .iter()
        .map(|l| format!("{} ({})", if l.description.is_empty() { "—" } else { &l.description }, l.amount.amount))
        .collect::<Vec<_>>()
        .join(", ");
    let s = o.status.clone();
    view! {
        <tr data-testid="order-row" data-status=class>
            <td>{o.vendor.name.clone()}</td>
            <td data-testid="order-total">{money(&o.total.amount, &o.total.currency_code)}</td>
            <td class="muted">{lines}</td>
            <td><span class=format!("status status-{class}") data-testid="order-status">{label}</span></td>
            <td class="muted nowrap">{short_time(&o.created_at)}</td>
            <td class="actions">
                {matches!(s, Status::DRAFT).then(|| action("Submit", "order-submit", |l, id, e| l.act::<SubmitPurchaseOrder>(submit_purchase_order::Variables { id }, e)))}
                {matches!(s, Status::APPROVED).then(|| action("Issue", "order-issue", |l, id, e| l.act::<IssuePurchaseOrder>(issue_purchase_order::Variables { id }, e)))}
                {matches!(s, Status::APPROVED | Status::ISSUED).then(|| action("Close", "order-close", |l, id, e| l.act::<ClosePurchaseOrder>(close_purchase_order::Variables { id }, e)))}
                {matches!(s, Status::DRAFT | Status::SUBMITTED).then(|| action("Cancel", "order-cancel", |l, id, e| l.act::<CancelPurchaseOrder>(cancel_purchase_order::Variables { id }, e)))}
            </td>
        </tr>
    }
}

/// Write a purchase order with one line against a budget line.
#[component]
fn OrderForm(orders: Paged<PurchaseOrder>) -> impl IntoView {
    let lines = load(|| call::<BudgetLines>(budget_lines::Variables));
    let choices = Signal::derive(move || match lines.data.get() {
        Some(Ok(d)) => d
            .budget_lines
            .nodes
            .into_iter()
            .map(|b| {
                (
                    b.id,
                    format!(
                        "{} ({}) · {} left",
                        b.name,
                        b.fiscal_year,
                        money(&b.available.amount, &b.amount.currency_code)
                    ),
                )
            })
            .collect(),
        _ => Vec::new(),
    });
    let currency_of = move |id: &str| match lines.data.get_untracked() {
        Some(Ok(d)) => {
            d.budget_lines.nodes.into_iter().find(|b| b.id == id).map(|b| b.amount.currency_code).unwrap_or_default()
        }
        _ => String::new(),
    };
    let vendor = RwSignal::new(String::new());
    let line = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let expected = RwSignal::new(String::new());
    let form = Form::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let budget_line_id = line.get_untracked();
        if budget_line_id.is_empty() {
            form.errors.set_field("lines[0].budgetLineId", "choose the budget line to charge");
            return;
        }
        let currency_code = currency_of(&budget_line_id);
        let input = create_purchase_order::CreatePurchaseOrderInput {
            vendor: vendor.get_untracked(),
            lines: vec![create_purchase_order::PurchaseOrderLineInput {
                budget_line_id,
                amount: create_purchase_order::MoneyInput { amount: amount.get_untracked(), currency_code },
                description: description.get_untracked(),
            }],
            tolerance_percent: None,
            expected_on: Some(expected.get_untracked()).filter(|d| !d.is_empty()),
            campaign_id: None,
        };
        form.send::<CreatePurchaseOrder, _>(
            Caller::SignedIn,
            create_purchase_order::Variables { input },
            &["vendor", "lines[0].budgetLineId", "lines[0].amount.amount", "lines[0].description", "expectedOn"],
            move |_| {
                amount.set(String::new());
                description.set(String::new());
                orders.reload();
            },
        );
    };
    view! {
        <section class="panel">
            <h2>"Write a purchase order"</h2>
            <form class="form form-row" data-testid="order-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Field label="Vendor" name="vendor" value=vendor errors=form.errors testid="order-vendor" placeholder="Acme Media" />
                <Pick label="Budget line" name="lines[0].budgetLineId" value=line options=choices errors=form.errors testid="order-line" />
                <Field label="Amount" name="lines[0].amount.amount" value=amount errors=form.errors testid="order-amount" placeholder="2500.00" />
                <Field label="Description" name="lines[0].description" value=description errors=form.errors testid="order-description" optional=true />
                <Field label="Expected on" name="expectedOn" kind="date" value=expected errors=form.errors testid="order-expected" optional=true />
                <Submit label="Save draft" busy_label="Saving…" busy=form.busy testid="order-submit-form" />
            </form>
        </section>
    }
}

/// Record a vendor's invoice against an approved or issued order.
#[component]
fn InvoiceForm(orders: Paged<PurchaseOrder>) -> impl IntoView {
    let choices = Signal::derive(move || {
        orders
            .rows
            .get()
            .into_iter()
            .filter(|o| matches!(o.status, Status::APPROVED | Status::ISSUED))
            .map(|o| (o.id.clone(), format!("{} · {}", o.vendor.name, money(&o.total.amount, &o.total.currency_code))))
            .collect()
    });
    let order = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let reference = RwSignal::new(String::new());
    let invoiced = RwSignal::new(String::new());
    let form = Form::new();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if !form.start() {
            return;
        }
        let purchase_order_id = order.get_untracked();
        let currency_code = orders
            .rows
            .get_untracked()
            .into_iter()
            .find(|o| o.id == purchase_order_id)
            .map(|o| o.total.currency_code)
            .unwrap_or_default();
        let input = record_invoice::RecordInvoiceInput {
            purchase_order_id,
            amount: record_invoice::MoneyInput { amount: amount.get_untracked(), currency_code },
            reference: reference.get_untracked(),
            invoiced_on: Some(invoiced.get_untracked()).filter(|d| !d.is_empty()),
        };
        form.send::<RecordInvoice, _>(
            Caller::SignedIn,
            record_invoice::Variables { input },
            &["purchaseOrderId", "amount.amount", "reference", "invoicedOn"],
            move |_| {
                amount.set(String::new());
                reference.set(String::new());
                orders.reload();
            },
        );
    };
    view! {
        <section class="panel">
            <h2>"Record an invoice"</h2>
            <form class="form form-row" data-testid="invoice-form" on:submit=on_submit>
                <ErrorBanner errors=form.errors />
                <Pick label="Purchase order" name="purchaseOrderId" value=order options=choices errors=form.errors testid="invoice-order" />
                <Field label="Amount" name="amount.amount" value=amount errors=form.errors testid="invoice-amount" />
                <Field label="Invoice number" name="reference" value=reference errors=form.errors testid="invoice-reference" />
                <Field label="Dated" name="invoicedOn" kind="date" value=invoiced errors=form.errors testid="invoice-date" optional=true />
                <Submit label="Record" busy_label="Recording…" busy=form.busy testid="invoice-submit" />
            </form>
        </section>
    }
}
