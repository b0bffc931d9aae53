//! Password reset links.

use sea_orm_migration::prelude::*;

use crate::pg::{grant_rw, on_postgres};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000002_password_resets"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let a = Alias::new;
        manager
            .create_table(
                Table::create()
                    .table(a("password_resets"))
                    .col(ColumnDef::new(a("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(a("user_id")).uuid().not_null())
                    .col(ColumnDef::new(a("token_hash")).text().not_null())
                    .col(ColumnDef::new(a("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(a("expires_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(a("used_at")).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("password_resets_hash")
                    .table(a("password_resets"))
                    .col(a("token_hash"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        on_postgres(manager, &grant_rw("password_resets")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("password_resets")).if_exists().to_owned()).await
    }
}
