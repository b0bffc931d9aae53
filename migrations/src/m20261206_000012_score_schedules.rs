//! Scores on a schedule: a workspace's choice to refresh its scores every day or every
//! week, and when the next run is due.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, index, short, ts};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000012_score_schedules"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let cols = vec![short("every"), ts("next_run_at"), ts("created_at"), ts("updated_at")];
        create_tenant_table(manager, "score_schedules", cols, None).await?;
        // One schedule per workspace.
        manager.create_index(index("score_schedules", "score_schedules_tenant", &["tenant_id"], true)).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("score_schedules")).to_owned()).await
    }
}
