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
    // The tables with a tenant column are exactly the listed tenant tables, and each
    // has row-level security enabled and forced.
    let mut with_tenant: Vec<String> = owner
        .query_all_raw(Statement::from_string(
            owner.get_database_backend(),
            "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' \
             WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relrowsecurity AND c.relforcerowsecurity",
        ))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get_by_index::<String>(0).unwrap())
        .collect();
    with_tenant.sort_unstable();
    let mut listed: Vec<String> = migrations::TENANT_TABLES.iter().map(|t| t.to_string()).collect();
    listed.sort_unstable();
    let all_with_tenant = count(
        &owner,
        "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'",
    )
    .await;
    assert_eq!(with_tenant, listed, "walled tenant tables");
    assert_eq!(all_with_tenant as usize, listed.len(), "every table with a tenant column is walled");
    for table in migrations::TENANT_TABLES {
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
    // The role may refresh the planner statistics of the one table it is allowed to, by
    // the owner's function, and may not analyse anything itself.
    app_conn.execute_unprepared("SELECT parley_refresh_statistics('campaign_sends')").await.unwrap();
    assert!(app_conn.execute_unprepared("SELECT parley_refresh_statistics('memberships')").await.is_err());
    assert!(app_conn.execute_unprepared("SELECT parley_refresh_statistics('x; DROP TABLE users')").await.is_err());
    let analysed = count(
        &owner,
        "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname = 'campaign_sends' AND last_analyze IS NOT NULL",
    )
    .await;
    assert_eq!(analysed, 1, "campaign_sends analysed");
}

/// A tenant table is made only through the helper, which refuses one that is not on the
/// list the walls and this story read.
#[tokio::test]
async fn a_tenant_table_must_be_listed_to_be_made() {
    use migrations::SchemaManager;
    let conn = Database::connect("sqlite::memory:").await.unwrap();
    let manager = SchemaManager::new(&conn);
    let cols = vec![migrations::schema::text("name")];
    let err = migrations::schema::create_tenant_table(&manager, "widgets", cols.clone(), None).await.unwrap_err();
    assert!(err.to_string().contains("TENANT_TABLES"), "{err}");
    assert!(!manager.has_table("widgets").await.unwrap());
    migrations::schema::create_tenant_table(&manager, "api_keys", cols, None).await.unwrap();
    assert!(manager.has_column("api_keys", "tenant_id").await.unwrap());
    assert!(manager.has_column("api_keys", "name").await.unwrap());
}
