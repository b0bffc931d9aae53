//! Tracking (INS-3): each workspace's publishable keys for the snippet and the event
//! endpoint, and the visitors who identified as contacts.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, index, text, ts, ts_null, uuid};

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
        manager.create_index(index("tracking_keys", "tracking_keys_key", &["tenant_id", "key"], true)).await?;
        let visitor_cols = vec![text("anonymous_id"), uuid("contact_id"), ts("identified_at")];
        create_tenant_table(manager, "visitors", visitor_cols, None).await?;
        manager.create_index(index("visitors", "visitors_anonymous_id", &["tenant_id", "anonymous_id"], true)).await?;
        manager.create_index(index("visitors", "visitors_contact", &["tenant_id", "contact_id"], false)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["visitors", "tracking_keys"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
