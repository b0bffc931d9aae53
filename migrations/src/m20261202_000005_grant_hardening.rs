//! Memberships: a user's own rows across workspaces are readable (for `me`) and
//! deletable (leaving), but never writable, through the user scope. Inserting or
//! changing a membership needs the workspace's own tenant scope.

use sea_orm_migration::prelude::*;

use crate::pg::{on_postgres, own_memberships_policies};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000005_grant_hardening"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_postgres(
            manager,
            &format!(
                "DROP POLICY IF EXISTS memberships_tenant_wall ON memberships;
                 CREATE POLICY memberships_tenant_wall ON memberships USING ({t}) WITH CHECK ({t});
                 {own}",
                t = crate::pg::TENANT_CLAUSE,
                own = own_memberships_policies(),
            ),
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_postgres(
            manager,
            &format!(
                "DROP POLICY IF EXISTS memberships_own_read ON memberships;
                 DROP POLICY IF EXISTS memberships_own_leave ON memberships;
                 DROP POLICY IF EXISTS memberships_tenant_wall ON memberships;
                 CREATE POLICY memberships_tenant_wall ON memberships USING ({t} OR {u}) WITH CHECK ({t} OR {u});",
                t = crate::pg::TENANT_CLAUSE,
                u = crate::pg::USER_CLAUSE,
            ),
        )
        .await
    }
}
