//! Tracking (INS-3): each workspace's publishable keys for the snippet and the event
//! endpoint.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, index, text, ts, ts_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000008_tracking"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_tenant_table(manager, "tracking_keys", vec![text("key"), ts("created_at"), ts_null("revoked_at")], None)
            .await?;
        manager.create_index(index("tracking_keys", "tracking_keys_key", &["tenant_id", "key"], true)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("tracking_keys")).to_owned()).await
    }
}
