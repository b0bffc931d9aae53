//! Fresh planner statistics on demand, for tables that grow by a whole audience at once.
//!
//! A campaign writes one send per contact of its audience before it sends; until
//! autovacuum analyses the table again (a minute or more later), PostgreSQL still
//! believes the workspace has the few rows it had before, and plans every batch's
//! update by ID as a scan of all of the workspace's sends. The runtime role owns no
//! table, so it may not run `ANALYZE` itself: this function, owned by the migrating
//! role, runs it for the tables it names and nothing else.

use sea_orm_migration::prelude::*;

use crate::APP_ROLE;
use crate::pg::on_postgres;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000018_table_statistics"
    }
}

/// The tables whose statistics the runtime may refresh.
const REFRESHABLE: &[&str] = &["campaign_sends"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let allowed = REFRESHABLE.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "CREATE OR REPLACE FUNCTION parley_refresh_statistics(t text) RETURNS void
               LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
             BEGIN
               IF t NOT IN ({allowed}) THEN
                 RAISE EXCEPTION 'no statistics refresh for %', t;
               END IF;
               EXECUTE format('ANALYZE %I', t);
             END $$;
             REVOKE ALL ON FUNCTION parley_refresh_statistics(text) FROM PUBLIC;
             GRANT EXECUTE ON FUNCTION parley_refresh_statistics(text) TO {APP_ROLE};"
        );
        on_postgres(manager, &sql).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        on_postgres(manager, "DROP FUNCTION IF EXISTS parley_refresh_statistics(text);").await
    }
}
