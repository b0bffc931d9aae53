//! Limits on showing offers (DEC-5): how often one contact may be shown an offer within
//! a window, how many presentations an offer has in all (its capacity), and the
//! workspace's cap on offers shown to one contact across every point and channel. And
//! learning per segment (DEC-6): a point may learn each offer apart for each segment of
//! its rules, so `offer_stats` are kept per (point, offer, segment), the nil UUID
//! standing for the point's whole traffic.

use sea_orm_migration::prelude::*;

use crate::schema::{big_null, index, int_null};

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
        let by_segment = ColumnDef::new(Alias::new("learn_by_segment")).integer().not_null().default(0).to_owned();
        manager
            .alter_table(Table::alter().table(Alias::new("interaction_points")).add_column(by_segment).to_owned())
            .await?;
        // The nil UUID as each database stores a UUID (native on PostgreSQL, 16 bytes on
        // SQLite), so the rows written before read as "the whole point".
        let nil = match manager.get_database_backend() {
            sea_orm::DbBackend::Postgres => Expr::cust("'00000000-0000-0000-0000-000000000000'::uuid"),
            _ => Expr::cust("X'00000000000000000000000000000000'"),
        };
        let key = ColumnDef::new(Alias::new("segment_key")).uuid().not_null().default(nil).to_owned();
        manager.alter_table(Table::alter().table(Alias::new("offer_stats")).add_column(key).to_owned()).await?;
        manager.drop_index(Index::drop().name("offer_stats_pair").table(Alias::new("offer_stats")).to_owned()).await?;
        let unique =
            index("offer_stats", "offer_stats_key", &["tenant_id", "point_id", "offer_id", "segment_key"], true);
        manager.create_index(unique).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("offer_stats_key").table(Alias::new("offer_stats")).to_owned()).await?;
        for (table, column) in [("offer_stats", "segment_key"), ("interaction_points", "learn_by_segment")] {
            manager
                .alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new(column)).to_owned())
                .await?;
        }
        manager
            .create_index(index("offer_stats", "offer_stats_pair", &["tenant_id", "point_id", "offer_id"], true))
            .await?;
        for (table, column) in COLUMNS.iter().rev() {
            manager
                .alter_table(Table::alter().table(Alias::new(*table)).drop_column(Alias::new(*column)).to_owned())
                .await?;
        }
        Ok(())
    }
}
