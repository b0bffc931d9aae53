//! Offers approved by rule (DEC-1): an offer a rule asks approval for waits out of
//! decisions until the request is approved; the offer names its request.

use sea_orm_migration::prelude::*;

use crate::schema::uuid_null;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000022_offer_approvals"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Alias::new("offers")).add_column(uuid_null("approval_id")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table(Alias::new("offers")).drop_column(Alias::new("approval_id")).to_owned())
            .await
    }
}
