//! Marketing operations: plans, programs and projects; cost centers and vendors; budget
//! lines; purchase orders, their lines and invoices; approval rules, requests,
//! decisions and delegations.

use sea_orm_migration::prelude::*;

use crate::schema::{
    big, big_null, create_tenant_table, date, date_null, index, int, int_null, json, short, text, ts, ts_null, uuid,
    uuid_null,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000013_marketing_ops"
    }
}

/// The tables in the order they are made (and dropped in reverse).
const TABLES: &[&str] = &[
    "plans",
    "programs",
    "projects",
    "cost_centers",
    "vendors",
    "budget_lines",
    "purchase_orders",
    "purchase_order_lines",
    "invoices",
    "invoice_charges",
    "approval_rules",
    "approvals",
    "approval_decisions",
    "approval_delegations",
];

fn work(extra: Vec<ColumnDef>) -> Vec<ColumnDef> {
    let mut cols = extra;
    cols.extend([
        short("status"),
        uuid_null("owner_id"),
        text("objectives"),
        json("tags"),
        ts("created_at"),
        ts("updated_at"),
    ]);
    cols
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let plans =
            work(vec![text("name"), int("fiscal_year"), short("currency"), short("period_kind"), int("start_month")]);
        create_tenant_table(manager, "plans", plans, None).await?;
        let programs = work(vec![uuid("plan_id"), text("name"), date_null("starts_on"), date_null("ends_on")]);
        create_tenant_table(manager, "programs", programs, None).await?;
        let projects =
            work(vec![uuid("plan_id"), uuid("program_id"), text("name"), date("starts_on"), date_null("ends_on")]);
        create_tenant_table(manager, "projects", projects, None).await?;
        let cost_centers = vec![text("name"), short("code"), short("currency"), ts("created_at")];
        create_tenant_table(manager, "cost_centers", cost_centers, None).await?;
        create_tenant_table(manager, "vendors", vec![text("name"), text("name_key"), ts("created_at")], None).await?;
        let lines = vec![
            short("node_kind"),
            uuid("node_id"),
            uuid_null("plan_id"),
            uuid_null("program_id"),
            uuid_null("project_id"),
            uuid_null("cost_center_id"),
            int("fiscal_year"),
            text("name"),
            short("currency"),
            big("amount"),
            short("overspend"),
            uuid_null("parent_id"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "budget_lines", lines, None).await?;
        let orders = vec![
            uuid("vendor_id"),
            short("status"),
            short("currency"),
            big("total"),
            int("tolerance_bp"),
            uuid("created_by"),
            uuid_null("requester"),
            uuid_null("approval_id"),
            ts_null("submitted_at"),
            ts_null("approved_at"),
            ts_null("issued_at"),
            ts_null("closed_at"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "purchase_orders", orders, None).await?;
        let order_lines = vec![
            uuid("purchase_order_id"),
            int("position"),
            uuid("budget_line_id"),
            text("description"),
            big("amount"),
            big("invoiced"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "purchase_order_lines", order_lines, None).await?;
        let invoices = vec![
            uuid("purchase_order_id"),
            text("reference"),
            short("currency"),
            big("amount"),
            uuid("created_by"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "invoices", invoices, None).await?;
        let charges = vec![
            uuid("invoice_id"),
            uuid("purchase_order_line_id"),
            uuid("budget_line_id"),
            big("amount"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "invoice_charges", charges, None).await?;
        let rules = vec![
            short("object_type"),
            big_null("min_amount"),
            ColumnDef::new(Alias::new("currency")).string_len(16).null().to_owned(),
            short("approver_role"),
            short("mode"),
            int_null("deadline_hours"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "approval_rules", rules, None).await?;
        let approvals = vec![
            short("object_type"),
            uuid("object_id"),
            ColumnDef::new(Alias::new("state")).string_len(20).not_null().to_owned(),
            uuid("requested_by"),
            uuid_null("requester"),
            big_null("amount"),
            ColumnDef::new(Alias::new("currency")).string_len(16).null().to_owned(),
            text("summary"),
            json("steps"),
            int("step"),
            ts_null("deadline_at"),
            ts("created_at"),
            ts_null("decided_at"),
        ];
        create_tenant_table(manager, "approvals", approvals, None).await?;
        let decisions = vec![
            uuid("approval_id"),
            int("step"),
            uuid("decided_by"),
            uuid_null("on_behalf_of"),
            text("actor_label"),
            short("decision"),
            text("comment"),
            ts("created_at"),
        ];
        create_tenant_table(manager, "approval_decisions", decisions, None).await?;
        let delegations = vec![uuid("from_user"), uuid("to_user"), ts("starts_at"), ts("ends_at"), ts("created_at")];
        create_tenant_table(manager, "approval_delegations", delegations, None).await?;

        for (table, name, cols, unique) in [
            ("plans", "plans_year", &["tenant_id", "fiscal_year"][..], false),
            ("programs", "programs_plan", &["tenant_id", "plan_id"][..], false),
            ("projects", "projects_program", &["tenant_id", "program_id"][..], false),
            ("projects", "projects_plan", &["tenant_id", "plan_id"][..], false),
            ("cost_centers", "cost_centers_code", &["tenant_id", "code"][..], true),
            ("vendors", "vendors_name", &["tenant_id", "name_key"][..], true),
            ("budget_lines", "budget_lines_node", &["tenant_id", "node_id", "fiscal_year"][..], false),
            ("budget_lines", "budget_lines_plan", &["tenant_id", "plan_id"][..], false),
            ("budget_lines", "budget_lines_program", &["tenant_id", "program_id"][..], false),
            ("budget_lines", "budget_lines_project", &["tenant_id", "project_id"][..], false),
            ("budget_lines", "budget_lines_parent", &["tenant_id", "parent_id"][..], false),
            ("purchase_orders", "purchase_orders_status", &["tenant_id", "status"][..], false),
            ("purchase_order_lines", "po_lines_order", &["tenant_id", "purchase_order_id"][..], false),
            ("purchase_order_lines", "po_lines_budget_line", &["tenant_id", "budget_line_id"][..], false),
            ("invoices", "invoices_order", &["tenant_id", "purchase_order_id"][..], false),
            ("invoice_charges", "invoice_charges_budget_line", &["tenant_id", "budget_line_id"][..], false),
            ("invoice_charges", "invoice_charges_invoice", &["tenant_id", "invoice_id"][..], false),
            ("approvals", "approvals_state", &["tenant_id", "state"][..], false),
            ("approvals", "approvals_object", &["tenant_id", "object_id"][..], false),
            ("approval_decisions", "approval_decisions_approval", &["tenant_id", "approval_id"][..], false),
            ("approval_delegations", "approval_delegations_from", &["tenant_id", "from_user"][..], false),
        ] {
            manager.create_index(index(table, name, cols, unique)).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in TABLES.iter().rev() {
            manager.drop_table(Table::drop().table(Alias::new(*t)).to_owned()).await?;
        }
        Ok(())
    }
}
