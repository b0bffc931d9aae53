//! Identity, workspaces, memberships, invitations, API keys, the audit trail and the
//! job queue.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

use crate::pg::{create_app_role, grant_rw, on_postgres, tenant_wall};
use crate::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000001_foundation"
    }
}

/// The tenant tables this migration made (later ones are in [`crate::TENANT_TABLES`]).
const TENANT_TABLES: [&str; 5] = ["memberships", "invitations", "api_keys", "audit_log", "jobs"];
const GLOBAL_TABLES: [&str; 5] = ["users", "workspaces", "refresh_tokens", "email_verifications", "login_throttles"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let tables = [
            global(
                "users",
                vec![
                    text("email"),
                    text("name"),
                    text("password_hash"),
                    ts_null("email_verified_at"),
                    ts("created_at"),
                    ts("updated_at"),
                ],
            ),
            global("workspaces", vec![text("name"), short("kind"), uuid_null("parent_id"), ts("created_at")]),
            global(
                "refresh_tokens",
                vec![
                    uuid("user_id"),
                    uuid("family_id"),
                    text("token_hash"),
                    uuid("workspace_id"),
                    ts("created_at"),
                    ts("expires_at"),
                    ts_null("used_at"),
                    ts_null("revoked_at"),
                ],
            ),
            global(
                "email_verifications",
                vec![uuid("user_id"), text("token_hash"), ts("created_at"), ts("expires_at"), ts_null("used_at")],
            ),
            Table::create()
                .table(id("login_throttles"))
                .col(text("key").primary_key().to_owned())
                .col(int("failures"))
                .col(ts("window_start"))
                .col(ts_null("locked_until"))
                .to_owned(),
            tenant("memberships", vec![uuid("user_id"), short("role"), uuid_null("via_agency_id"), ts("created_at")]),
            tenant(
                "invitations",
                vec![
                    text("email"),
                    short("role"),
                    text("token_hash"),
                    short("status"),
                    uuid("invited_by"),
                    ts("created_at"),
                    ts("expires_at"),
                    ts_null("accepted_at"),
                ],
            ),
            tenant(
                "api_keys",
                vec![
                    text("name"),
                    text("prefix"),
                    text("secret_hash"),
                    short("role"),
                    uuid("created_by"),
                    ts("created_at"),
                    ts_null("last_used_at"),
                    ts_null("revoked_at"),
                ],
            ),
            tenant(
                "audit_log",
                vec![
                    short("actor_kind"),
                    uuid_null("actor_id"),
                    text("actor_label"),
                    text("action"),
                    text("object_type"),
                    uuid_null("object_id"),
                    json_null("before"),
                    json_null("after"),
                    text_null("request_id"),
                    ts("created_at"),
                ],
            ),
            tenant(
                "jobs",
                vec![
                    text("kind"),
                    ColumnDef::new(id("payload")).json_binary().not_null().to_owned(),
                    short("state"),
                    ts("run_at"),
                    int("attempts"),
                    int("max_attempts"),
                    ts_null("lease_until"),
                    text_null("lease_owner"),
                    text_null("idempotency_key"),
                    json_null("actor"),
                    text_null("last_error"),
                    ts("created_at"),
                    ts("updated_at"),
                    ts_null("finished_at"),
                ],
            ),
        ];
        for t in tables {
            manager.create_table(t).await?;
        }
        let indexes = [
            index("users", "users_email", &["email"], true),
            index("workspaces", "workspaces_parent", &["parent_id"], false),
            index("refresh_tokens", "refresh_tokens_hash", &["token_hash"], true),
            index("refresh_tokens", "refresh_tokens_family", &["family_id"], false),
            index("email_verifications", "email_verifications_hash", &["token_hash"], true),
            index("memberships", "memberships_member", &["tenant_id", "user_id"], true),
            index("memberships", "memberships_user", &["user_id"], false),
            index("invitations", "invitations_token", &["tenant_id", "token_hash"], true),
            index("api_keys", "api_keys_secret", &["tenant_id", "secret_hash"], true),
            index("jobs", "jobs_idempotency", &["tenant_id", "idempotency_key"], true),
            index("jobs", "jobs_ready", &["state", "run_at"], false),
        ];
        for i in indexes {
            manager.create_index(i).await?;
        }

        // The audit trail is append-only, whoever connects.
        let conn = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for op in ["UPDATE", "DELETE"] {
                    conn.execute_unprepared(&format!(
                        "CREATE TRIGGER audit_log_no_{op} BEFORE {op} ON audit_log \
                         BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;"
                    ))
                    .await?;
                }
            }
            DbBackend::Postgres => {
                conn.execute_unprepared(
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$;
                     CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();",
                )
                .await?;
            }
            _ => {}
        }

        on_postgres(manager, &create_app_role()).await?;
        let mut sql = String::new();
        for t in GLOBAL_TABLES.iter().chain(TENANT_TABLES.iter()) {
            sql.push_str(&grant_rw(t));
        }
        sql.push_str(&format!("REVOKE UPDATE, DELETE ON audit_log FROM {};", crate::APP_ROLE));
        sql.push_str(&format!("GRANT SELECT ON seaql_migrations TO {};", crate::APP_ROLE));
        sql.push_str(&tenant_wall(
            "memberships",
            // A user lists their own memberships across workspaces (`me`).
            Some("user_id = NULLIF(current_setting('app.user_id', true), '')::uuid"),
        ));
        sql.push_str(&tenant_wall("invitations", None));
        sql.push_str(&tenant_wall("api_keys", None));
        sql.push_str(&tenant_wall("audit_log", None));
        sql.push_str(&tenant_wall(
            "jobs",
            // The job runtime's claim is the one statement that spans tenants.
            Some("current_setting('app.scope', true) = 'jobs'"),
        ));
        on_postgres(manager, &sql).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for t in TENANT_TABLES.iter().chain(GLOBAL_TABLES.iter()) {
            manager.drop_table(Table::drop().table(id(t)).if_exists().to_owned()).await?;
        }
        on_postgres(manager, "DROP FUNCTION IF EXISTS audit_log_append_only();").await?;
        Ok(())
    }
}
