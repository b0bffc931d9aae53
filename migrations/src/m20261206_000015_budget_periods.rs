//! Budgets by period: how each line is spread over its year and what is forecast for
//! each period; the month spending lands in; what-if reallocation drafts; approval
//! rules limited to a program or a cost center.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::schema::{
    create_tenant_table, date_null, index, int_null, json, json_null, short, text, ts, ts_null, uuid, uuid_null,
};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000015_budget_periods"
    }
}

/// The added columns, one per statement (SQLite alters a table one change at a time).
fn columns() -> Vec<(&'static str, ColumnDef)> {
    vec![
        // Amount per period, minor units; null while spread evenly.
        ("budget_lines", json_null("phasing")),
        // Forecast per period (null where none was entered).
        ("budget_lines", json_null("forecast")),
        ("purchase_orders", date_null("expected_on")),
        // The month (`yyyymm`) an order's commitment falls in, set at approval.
        ("purchase_orders", int_null("commit_month")),
        ("invoices", date_null("invoiced_on")),
        // The month (`yyyymm`) an invoice's spending falls in.
        ("invoices", int_null("month")),
        // Conditions of an approval rule: only objects touching this program or cost center.
        ("approval_rules", uuid_null("program_id")),
        ("approval_rules", uuid_null("cost_center_id")),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, mut col) in columns() {
            manager.alter_table(Table::alter().table(Alias::new(table)).add_column(&mut col).to_owned()).await?;
        }
        // What was recorded before lands in the month it was recorded or approved. The
        // owner is walled too (FORCE), so the wall is lifted for the backfill alone.
        let pg = manager.get_database_backend() == DbBackend::Postgres;
        let month_of = |col: &str| match pg {
            true => format!("CAST(EXTRACT(YEAR FROM {col}) * 100 + EXTRACT(MONTH FROM {col}) AS INTEGER)"),
            false => format!("CAST(strftime('%Y%m', {col}) AS INTEGER)"),
        };
        let db = manager.get_connection();
        for (table, set) in [
            ("invoices", format!("month = {}", month_of("created_at"))),
            ("purchase_orders", format!("commit_month = {} WHERE approved_at IS NOT NULL", month_of("approved_at"))),
        ] {
            let update = format!("UPDATE {table} SET {set}");
            let sql = match pg {
                true => format!(
                    "ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY; {update}; \
                     ALTER TABLE {table} FORCE ROW LEVEL SECURITY;"
                ),
                false => update,
            };
            db.execute_unprepared(&sql).await?;
        }
        let drafts = vec![
            text("name"),
            short("status"),
            json("moves"),
            text("currency"),
            uuid("created_by"),
            uuid_null("requester"),
            uuid_null("approval_id"),
            ts_null("applied_at"),
            ts("created_at"),
            ts("updated_at"),
        ];
        create_tenant_table(manager, "budget_drafts", drafts, None).await?;
        manager.create_index(index("budget_drafts", "budget_drafts_status", &["tenant_id", "status"], false)).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("budget_drafts")).to_owned()).await?;
        for (table, col) in columns() {
            let name = Alias::new(col.get_column_name());
            manager.alter_table(Table::alter().table(Alias::new(table)).drop_column(name).to_owned()).await?;
        }
        Ok(())
    }
}
