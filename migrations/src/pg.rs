//! PostgreSQL-only pieces shared by migrations: the runtime role and tenant walls.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

use crate::APP_ROLE;

/// Runs `sql` only on PostgreSQL.
pub async fn on_postgres(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() == DbBackend::Postgres {
        manager.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Creates the runtime login role if it is missing. Several migrators may race here
/// (tests create databases in parallel), so a concurrent creation is not an error.
pub fn create_app_role() -> String {
    format!(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
             CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
           END IF;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$;
         GRANT USAGE ON SCHEMA public TO {APP_ROLE};"
    )
}

/// Grants the runtime role plain data access to `table`.
pub fn grant_rw(table: &str) -> String {
    format!("GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE};")
}

/// The row belongs to the tenant the transaction names.
pub const TENANT_CLAUSE: &str = "tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid";

/// The row is the membership of the user the transaction names.
pub const USER_CLAUSE: &str = "user_id = NULLIF(current_setting('app.user_id', true), '')::uuid";

/// The user scope on memberships: a person reads their own memberships in every
/// workspace and may leave one, but the scope never admits inserts or updates (a grant
/// or a role change needs the workspace's tenant scope).
pub fn own_memberships_policies() -> String {
    format!(
        "CREATE POLICY memberships_own_read ON memberships FOR SELECT USING ({USER_CLAUSE});
         CREATE POLICY memberships_own_leave ON memberships FOR DELETE USING ({USER_CLAUSE});"
    )
}

/// Forces row-level security on a tenant table: rows are visible only inside a
/// transaction that set `app.tenant_id` to their tenant, plus `extra` (an OR-ed
/// predicate for the few reads that legitimately cross tenants).
pub fn tenant_wall(table: &str, extra: Option<&str>) -> String {
    let tenant = TENANT_CLAUSE;
    let using = match extra {
        Some(extra) => format!("{tenant} OR {extra}"),
        None => tenant.to_owned(),
    };
    format!(
        "ALTER TABLE {table} ENABLE ROW LEVEL SECURITY;
         ALTER TABLE {table} FORCE ROW LEVEL SECURITY;
         CREATE POLICY {table}_tenant_wall ON {table} USING ({using}) WITH CHECK ({using});"
    )
}
