//! Imports and exports (INS-2): files kept in the database in chunks (API and worker
//! nodes share nothing else), contact imports with their counters and the rows they
//! rejected, and contact exports.

use sea_orm_migration::prelude::*;

use crate::schema::{create_tenant_table, id, index, int, json, short, text, ts, ts_null, uuid, uuid_null};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000009_imports"
    }
}

fn big(name: &'static str) -> ColumnDef {
    ColumnDef::new(id(name)).big_integer().not_null().default(0).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let file_cols = vec![text("name"), short("purpose"), big("size_bytes"), int("chunks"), ts("created_at")];
        create_tenant_table(manager, "stored_files", file_cols, None).await?;
        let chunk_cols = vec![uuid("file_id"), int("seq"), ColumnDef::new(id("data")).blob().not_null().to_owned()];
        create_tenant_table(manager, "file_chunks", chunk_cols, None).await?;
        manager.create_index(index("file_chunks", "file_chunks_seq", &["tenant_id", "file_id", "seq"], true)).await?;

        let import_cols = vec![
            uuid("file_id"),
            text("file_name"),
            json("options"),
            uuid_null("job_id"),
            short("status"),
            big("size_bytes"),
            big("bytes_read"),
            big("rows_read"),
            big("rows_imported"),
            big("rows_updated"),
            big("rows_unchanged"),
            big("rows_rejected"),
            ts("created_at"),
            ts("updated_at"),
            ts_null("finished_at"),
        ];
        create_tenant_table(manager, "contact_imports", import_cols, None).await?;
        let rejection_cols = vec![uuid("import_id"), big("line"), text("column_name"), text("reason")];
        create_tenant_table(manager, "import_rejections", rejection_cols, None).await?;
        manager
            .create_index(index(
                "import_rejections",
                "import_rejections_line",
                &["tenant_id", "import_id", "line"],
                false,
            ))
            .await?;

        let export_cols = vec![
            uuid_null("segment_id"),
            uuid_null("file_id"),
            uuid_null("job_id"),
            short("status"),
            big("rows_written"),
            big("rows_total"),
            ts("created_at"),
            ts_null("finished_at"),
        ];
        create_tenant_table(manager, "contact_exports", export_cols, None).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in ["contact_exports", "import_rejections", "contact_imports", "file_chunks", "stored_files"] {
            manager.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
