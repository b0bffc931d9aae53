//! Limits on showing offers (DEC-5): how often one contact may be shown an offer within
//! a window, how many presentations an offer has in all (its capacity), and the
//! workspace's cap on offers shown to one contact across every point and channel.

use sea_orm_migration::prelude::*;

use crate::schema::{big_null, int_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000020_offer_limits"
    }
}

const COLUMNS: [(&str, &str); 5] = [
    ("offers", "max_per_contact"),
    ("offers", "max_per_contact_days"),
    ("offers", "capacity"),
    ("contact_policies", "offer_max"),
    ("contact_policies", "offer_window_days"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        for (table, column) in COLUMNS {
            let def = if column == "capacity" { big_null(column) } else { int_null(column) };
            manager.alter_table(Table::alter().table(Alias::new(table)).add_column(def).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in COLUMNS.iter().rev() {
            manager
                .alter_table(Table::alter().table(Alias::new(*table)).drop_column(Alias::new(*column)).to_owned())
                .await?;
        }
        Ok(())
    }
}
