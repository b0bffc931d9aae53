//! Addresses an account has logged in from, so that the account-wide throttle slows
//! strangers down without keeping the owner out.

use sea_orm_migration::prelude::*;

use crate::pg::{grant_rw, on_postgres};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000004_identity_hardening"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let a = Alias::new;
        manager
            .create_table(
                Table::create()
                    .table(a("login_addresses"))
                    // SHA-256 of the account's email and the address: nothing readable.
                    .col(ColumnDef::new(a("key")).text().not_null().primary_key())
                    .col(ColumnDef::new(a("last_seen_at")).timestamp_with_time_zone().not_null())
                    .to_owned(),
            )
            .await?;
        on_postgres(manager, &grant_rw("login_addresses")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Alias::new("login_addresses")).if_exists().to_owned()).await
    }
}
