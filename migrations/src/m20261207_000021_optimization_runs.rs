//! Contact optimization runs (DEC-9): a file of proposals (contact, offer, campaign,
//! channel, expected value, cost) uploaded with its constraints, the job that chooses
//! among them, its figures, and the file of the chosen proposals.

use sea_orm_migration::prelude::*;

use crate::schema::{big, create_tenant_table, index, json, short, text, ts, ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000021_optimization_runs"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let cols = vec![
            text("name"),
            uuid("file_id"),
            text("file_name"),
            big("size_bytes"),
            uuid_null("result_file_id"),
            uuid_null("job_id"),
            short("status"),
            short("stage"),
            json("constraints"),
            short("currency"),
            big("rows_read"),
            big("rows_rejected"),
            big("proposals"),
            big("chosen"),
            big("total_value_minor"),
            big("total_cost_minor"),
            json("summary"),
            json("rejections"),
            ts("created_at"),
            ts_null("finished_at"),
        ];
        create_tenant_table(manager, "optimization_runs", cols, None).await?;
        manager
            .create_index(index("optimization_runs", "optimization_runs_created", &["tenant_id", "created_at"], false))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("optimization_runs")).to_owned()).await
    }
}
