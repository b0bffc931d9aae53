//! PostgreSQL's second wall: the runtime role cannot bypass row-level security, and a
//! query without the tenant setting sees nothing.

use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};

use crate::support::*;

async fn count(conn: &impl ConnectionTrait, sql: &str) -> i64 {
    let row = conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql)).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runtime_role_sees_only_the_tenant_it_names() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let a = app.sign_up("BUSINESS").await;
    let b = app.sign_up("BUSINESS").await;
    let _ = (&a, &b);
    let owner = Database::connect(app.database_url.as_str()).await.unwrap();
    assert_eq!(count(&owner, "SELECT COUNT(*) FROM memberships").await, 2, "the rows exist");
    let tenant_a: String = owner
        .query_one_raw(Statement::from_string(
            owner.get_database_backend(),
            "SELECT tenant_id::text FROM memberships ORDER BY created_at LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();

    let mut url = reqwest::Url::parse(&app.database_url).unwrap();
    url.set_username("parley_app").unwrap();
    let app_conn = Database::connect(url.as_str()).await.unwrap();
    // The role is neither superuser nor exempt from RLS.
    let flags = app_conn
        .query_one_raw(Statement::from_string(
            app_conn.get_database_backend(),
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user",
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(!flags.try_get_by_index::<bool>(0).unwrap());
    assert!(!flags.try_get_by_index::<bool>(1).unwrap());
    for table in ["memberships", "invitations", "api_keys", "audit_log", "jobs"] {
        assert_eq!(count(&app_conn, &format!("SELECT COUNT(*) FROM {table}")).await, 0, "{table} without a tenant");
    }
    let txn = app_conn.begin().await.unwrap();
    txn.execute_unprepared(&format!("SELECT set_config('app.tenant_id', '{tenant_a}', true)")).await.unwrap();
    assert_eq!(count(&txn, "SELECT COUNT(*) FROM memberships").await, 1);
    assert_eq!(count(&txn, &format!("SELECT COUNT(*) FROM audit_log WHERE tenant_id <> '{tenant_a}'")).await, 0);
    assert!(count(&txn, "SELECT COUNT(*) FROM audit_log").await >= 2);
    // Writing a row for another tenant is refused by the policy.
    let err = txn
        .execute_unprepared("INSERT INTO api_keys (tenant_id, id, name, prefix, secret_hash, role, created_by, created_at) VALUES (gen_random_uuid(), gen_random_uuid(), 'x', 'x', 'x', 'viewer', gen_random_uuid(), now())")
        .await;
    assert!(err.is_err(), "insert into another tenant refused");
    txn.rollback().await.unwrap();
    // The audit trail is append-only even for rows the role can see.
    let txn = app_conn.begin().await.unwrap();
    txn.execute_unprepared(&format!("SELECT set_config('app.tenant_id', '{tenant_a}', true)")).await.unwrap();
    assert!(txn.execute_unprepared("UPDATE audit_log SET action = 'forged'").await.is_err());
    txn.rollback().await.unwrap();
}
