//! Job progress and resume: how far a long job got (`progress_done` of
//! `progress_total`) and where its next batch starts (`cursor`), so a restarted worker
//! carries on instead of starting over.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000006_job_progress"
    }
}

#[derive(Iden)]
enum Jobs {
    Table,
    ProgressDone,
    ProgressTotal,
    Cursor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters a table one change at a time.
        for col in [
            ColumnDef::new(Jobs::ProgressDone).big_integer().null().to_owned(),
            ColumnDef::new(Jobs::ProgressTotal).big_integer().null().to_owned(),
            ColumnDef::new(Jobs::Cursor).text().null().to_owned(),
        ] {
            manager.alter_table(Table::alter().table(Jobs::Table).add_column(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for col in [Jobs::ProgressDone, Jobs::ProgressTotal, Jobs::Cursor] {
            manager.alter_table(Table::alter().table(Jobs::Table).drop_column(col).to_owned()).await?;
        }
        Ok(())
    }
}
