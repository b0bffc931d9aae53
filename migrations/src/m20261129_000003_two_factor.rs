//! Two-factor log-in: a TOTP secret per user (RFC 6238) and one-time recovery codes.

use sea_orm_migration::prelude::*;

use crate::pg::{grant_rw, on_postgres};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_000003_two_factor"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let a = Alias::new;
        manager
            .create_table(
                Table::create()
                    .table(a("user_totps"))
                    .col(ColumnDef::new(a("user_id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(a("secret")).text().not_null())
                    .col(ColumnDef::new(a("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(a("enabled_at")).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(a("last_step")).big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(a("recovery_codes"))
                    .col(ColumnDef::new(a("id")).uuid().not_null().primary_key())
                    .col(ColumnDef::new(a("user_id")).uuid().not_null())
                    .col(ColumnDef::new(a("code_hash")).text().not_null())
                    .col(ColumnDef::new(a("created_at")).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(a("used_at")).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("recovery_codes_user")
                    .table(a("recovery_codes"))
                    .col(a("user_id"))
                    .col(a("code_hash"))
                    .unique()
                    .to_owned(),
            )
            .await?;
        on_postgres(manager, &grant_rw("user_totps")).await?;
        on_postgres(manager, &grant_rw("recovery_codes")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("recovery_codes")).if_exists().to_owned()).await?;
        manager.drop_table(Table::drop().table(Alias::new("user_totps")).if_exists().to_owned()).await
    }
}
