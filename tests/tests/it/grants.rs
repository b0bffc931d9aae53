//! Access never outlives the grant it came from: API keys end with their maker's
//! membership and never outrank it, agency grants follow the agency role, the user
//! scope of the database reads memberships but cannot write them, and a workspace keeps
//! an owner even when two owners demote each other at once.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

const CREATE_KEY: &str = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id role } secret } }";

/// Invites a new person into the caller's workspace with `role`; their auth and user ID.
async fn join(app: &TestApp, who: &As, role: &str) -> (As, String) {
    let email = format!("{}@example.com", uuid::Uuid::now_v7().simple());
    let token = app.invite(who, &email, role).await;
    let joined = ok(app.accept(&token).await);
    let auth = As::token(joined["acceptInvitation"]["accessToken"].as_str().unwrap());
    (auth, joined["acceptInvitation"]["user"]["id"].as_str().unwrap().to_owned())
}

/// The membership (global ID) of `user_id` in the caller's workspace.
async fn membership_of(app: &TestApp, who: &As, user_id: &str) -> String {
    let members = ok(app.gql(who, "{ members { nodes { id user { id } } } }", json!({})).await);
    members["members"]["nodes"].as_array().unwrap().iter().find(|n| n["user"]["id"] == user_id).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Makes a key in the caller's workspace; its ID and secret.
async fn make_key(app: &TestApp, who: &As, role: &str) -> (String, String) {
    let k = ok(app.gql(who, CREATE_KEY, json!({ "i": { "name": "integration", "role": role } })).await);
    (
        k["createApiKey"]["apiKey"]["id"].as_str().unwrap().to_owned(),
        k["createApiKey"]["secret"].as_str().unwrap().to_owned(),
    )
}

/// The role a key acts with, or the error code it gets.
async fn key_role(app: &TestApp, secret: &str) -> String {
    let res = app.gql(&As::token(secret), "{ myRole }", json!({})).await;
    match code(&res) {
        Some(c) => c,
        None => res["data"]["myRole"].as_str().unwrap().to_owned(),
    }
}

/// The audit lines of the caller's workspace as (action, after).
async fn trail(app: &TestApp, who: &As) -> Vec<(String, Value)> {
    let log = ok(app.gql(who, "{ auditLog(first: 100) { nodes { action objectId after } } }", json!({})).await);
    log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["action"].as_str().unwrap().to_owned(), n["after"].clone()))
        .collect()
}

async fn remove(app: &TestApp, who: &As, membership: &str) {
    ok(app.gql(who, "mutation($id: ID!) { removeMember(id: $id) { id } }", json!({ "id": membership })).await);
}

async fn change_role(app: &TestApp, who: &As, membership: &str, role: &str) -> Value {
    app.gql(
        who,
        "mutation($i: ChangeMemberRoleInput!) { changeMemberRole(input: $i) { role } }",
        json!({ "i": { "membershipId": membership, "role": role } }),
    )
    .await
}

async fn create_client(app: &TestApp, who: &As, name: &str) -> String {
    let c = ok(app
        .gql(who, "mutation($n: String!) { createClientWorkspace(input: {name: $n}) { id } }", json!({ "n": name }))
        .await);
    c["createClientWorkspace"]["id"].as_str().unwrap().to_owned()
}

async fn grant(app: &TestApp, agency: &As, client: &str, user_id: &str, role: &str) {
    ok(app
        .gql(
            agency,
            "mutation($i: GrantClientAccessInput!) { grantClientAccess(input: $i) { id } }",
            json!({ "i": { "clientWorkspaceId": client, "userId": user_id, "role": role } }),
        )
        .await);
}

async fn keys_of_a_removed_member_stop_working(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let (admin, admin_id) = join(&app, &owner.auth(), "ADMIN").await;
    let (leaver, leaver_id) = join(&app, &owner.auth(), "ADMIN").await;
    let (_, admin_key) = make_key(&app, &admin, "ADMIN").await;
    let (_, leaver_key) = make_key(&app, &leaver, "MARKETER").await;
    let (_, owner_key) = make_key(&app, &owner.auth(), "ADMIN").await;
    // A key made by a key acts with the same borrowed authority.
    let (_, grandchild_key) = make_key(&app, &As::token(&admin_key), "VIEWER").await;
    assert_eq!(key_role(&app, &admin_key).await, "ADMIN");
    assert_eq!(key_role(&app, &grandchild_key).await, "VIEWER");

    remove(&app, &owner.auth(), &membership_of(&app, &owner.auth(), &admin_id).await).await;
    assert_eq!(key_role(&app, &admin_key).await, "UNAUTHENTICATED", "the removed member's key");
    assert_eq!(key_role(&app, &grandchild_key).await, "UNAUTHENTICATED", "a key made by that key");

    // Leaving ends one's keys too.
    remove(&app, &leaver, &membership_of(&app, &owner.auth(), &leaver_id).await).await;
    assert_eq!(key_role(&app, &leaver_key).await, "UNAUTHENTICATED", "the key of someone who left");

    // Nobody else's keys are touched.
    assert_eq!(key_role(&app, &owner_key).await, "ADMIN");
    let revoked: Vec<Value> =
        trail(&app, &owner.auth()).await.into_iter().filter(|(a, _)| a == "api_key.revoked").map(|(_, v)| v).collect();
    assert_eq!(revoked.len(), 3, "{revoked:?}");
    assert!(revoked.iter().any(|v| v["reason"] == "the member was removed"), "{revoked:?}");
    assert!(revoked.iter().any(|v| v["reason"] == "the member left"), "{revoked:?}");
}

async fn client_keys_end_with_the_agency_grant(app: TestApp) {
    let agency = app.sign_up("AGENCY").await;
    let client = create_client(&app, &agency.auth(), "Bakery").await;
    let in_client = agency.auth().in_ws(&client);
    let (withdrawn, withdrawn_id) = join(&app, &agency.auth(), "ADMIN").await;
    let (departed, departed_id) = join(&app, &agency.auth(), "ADMIN").await;
    grant(&app, &agency.auth(), &client, &withdrawn_id, "ADMIN").await;
    grant(&app, &agency.auth(), &client, &departed_id, "ADMIN").await;
    let (_, withdrawn_key) = make_key(&app, &withdrawn.clone().in_ws(&client), "MARKETER").await;
    let (_, departed_key) = make_key(&app, &departed.clone().in_ws(&client), "ADMIN").await;
    let (_, departed_agency_key) = make_key(&app, &departed, "ADMIN").await;
    assert_eq!(key_role(&app, &withdrawn_key).await, "MARKETER");

    // The grant is withdrawn inside the client: the key made with it stops working.
    remove(&app, &in_client, &membership_of(&app, &in_client, &withdrawn_id).await).await;
    assert_eq!(key_role(&app, &withdrawn_key).await, "UNAUTHENTICATED", "key of a withdrawn grant");
    assert_eq!(key_role(&app, &departed_key).await, "ADMIN", "other grants untouched");

    // Removed from the agency: the grant goes, and with it the keys in the client.
    remove(&app, &agency.auth(), &membership_of(&app, &agency.auth(), &departed_id).await).await;
    assert_eq!(key_role(&app, &departed_key).await, "UNAUTHENTICATED", "client key of a removed agency member");
    assert_eq!(key_role(&app, &departed_agency_key).await, "UNAUTHENTICATED", "agency key of the same person");
    let res = app.gql(&departed.clone().in_ws(&client), "{ workspace { id } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));

    // The client's own trail tells what happened and why.
    let client_trail = trail(&app, &in_client).await;
    let reasons: Vec<&Value> =
        client_trail.iter().filter(|(a, _)| a == "api_key.revoked").map(|(_, v)| &v["reason"]).collect();
    assert!(reasons.contains(&&json!("the agency grant was withdrawn")), "{client_trail:?}");
    assert!(reasons.contains(&&json!("the agency grant ended")), "{client_trail:?}");
    assert!(
        client_trail.iter().any(|(a, v)| a == "member.removed" && v["reason"] == "removed from the agency"),
        "{client_trail:?}"
    );
}

async fn demoting_an_agency_admin_caps_their_grants_and_keys(app: TestApp) {
    let agency = app.sign_up("AGENCY").await;
    let client = create_client(&app, &agency.auth(), "Florist").await;
    let in_client = agency.auth().in_ws(&client);
    let (staff, staff_id) = join(&app, &agency.auth(), "ADMIN").await;
    grant(&app, &agency.auth(), &client, &staff_id, "ADMIN").await;
    let (client_key_id, client_key) = make_key(&app, &staff.clone().in_ws(&client), "ADMIN").await;
    let (_, agency_key) = make_key(&app, &staff, "ADMIN").await;
    let (_, analyst_key) = make_key(&app, &staff, "ANALYST").await;

    let staff_membership = membership_of(&app, &agency.auth(), &staff_id).await;
    ok(change_role(&app, &agency.auth(), &staff_membership, "VIEWER").await);

    // The grant in the client follows the agency role down…
    let role = ok(app.gql(&staff.clone().in_ws(&client), "{ myRole }", json!({})).await);
    assert_eq!(role["myRole"], "VIEWER");
    // …and so does every key they made, in the client and in the agency.
    assert_eq!(key_role(&app, &client_key).await, "VIEWER");
    assert_eq!(key_role(&app, &agency_key).await, "VIEWER");
    assert_eq!(key_role(&app, &analyst_key).await, "VIEWER");
    let res = app.gql(&As::token(&client_key), CREATE_KEY, json!({ "i": { "name": "x", "role": "VIEWER" } })).await;
    assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"), "a capped key cannot manage keys");

    let client_trail = trail(&app, &in_client).await;
    assert!(client_trail.iter().any(|(a, v)| a == "member.role_changed" && v["role"] == "VIEWER"), "{client_trail:?}");
    assert!(client_trail.iter().any(|(a, v)| a == "api_key.role_capped" && v["role"] == "VIEWER"), "{client_trail:?}");
    let agency_trail = trail(&app, &agency.auth()).await;
    assert_eq!(agency_trail.iter().filter(|(a, _)| a == "api_key.role_capped").count(), 2, "{agency_trail:?}");
    let keys = ok(app.gql(&in_client, "{ apiKeys { nodes { id role } } }", json!({})).await);
    let k = keys["apiKeys"]["nodes"].as_array().unwrap().iter().find(|k| k["id"] == client_key_id.as_str()).unwrap();
    assert_eq!(k["role"], "VIEWER");

    // Lowering the grant itself caps the keys made in the client as well.
    let (other, other_id) = join(&app, &agency.auth(), "ADMIN").await;
    grant(&app, &agency.auth(), &client, &other_id, "ADMIN").await;
    let (_, other_key) = make_key(&app, &other.clone().in_ws(&client), "ADMIN").await;
    grant(&app, &agency.auth(), &client, &other_id, "ANALYST").await;
    assert_eq!(key_role(&app, &other_key).await, "ANALYST");
}

async fn invitations_are_limited_per_workspace_per_hour(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let invite = |email: String| {
        let who = owner.auth();
        let app = &app;
        async move {
            app.gql(
                &who,
                "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { id } }",
                json!({ "i": { "email": email, "role": "VIEWER" } }),
            )
            .await
        }
    };
    for i in 0..3 {
        ok(invite(format!("colleague{i}@example.com")).await);
    }
    let res = invite("one-too-many@example.com".into()).await;
    assert_eq!(code(&res).as_deref(), Some("RATE_LIMITED"), "{res}");
    // Re-sending to someone already invited counts too: each one is an email.
    let res = invite("colleague0@example.com".into()).await;
    assert_eq!(code(&res).as_deref(), Some("RATE_LIMITED"), "{res}");
    // Another workspace has its own allowance.
    let other = app.sign_up("BUSINESS").await;
    ok(app
        .gql(
            &other.auth(),
            "mutation($i: InviteMemberInput!) { inviteMember(input: $i) { id } }",
            json!({ "i": { "email": "colleague0@example.com", "role": "VIEWER" } }),
        )
        .await);
}

on_both!(
    keys_of_a_removed_member_stop_working,
    client_keys_end_with_the_agency_grant,
    demoting_an_agency_admin_caps_their_grants_and_keys,
);
crate::on_both_with!(invitations_are_limited_per_workspace_per_hour, &[("PARLEY_INVITATIONS_PER_HOUR", "3")]);

/// A worker whose clock is wrong neither takes a lease another worker still holds nor
/// hands out leases that are over before they start: the database's clock decides.
async fn a_worker_with_a_wrong_clock_cannot_take_a_live_lease(app: TestApp) {
    use domain::jobs::{self, NewJob};
    let acc = app.sign_up("BUSINESS").await;
    let p = &app.server.parley;
    let held = jobs::claim(p, "healthy-worker", 10).await.unwrap();
    assert!(!held.is_empty(), "the verification email is queued");
    let done: Vec<_> = held.iter().map(|j| (j.ctx.tenant_id(), j.id)).collect();

    let ahead = p.with_clock_skew(chrono::Duration::hours(2));
    assert_eq!(jobs::reap_expired(&ahead).await.unwrap(), 0, "a clock two hours ahead reaps nothing live");
    assert!(jobs::claim(&ahead, "fast-clock", 10).await.unwrap().is_empty());

    // A worker two hours behind still gets a full lease by the database's clock, so a
    // healthy worker's housekeeping leaves its job alone.
    let principal = domain::identity::auth::authenticate(p, &acc.token).await.unwrap();
    let ctx = domain::identity::auth::tenant_ctx(&principal, None).unwrap();
    let overdue = chrono::Utc::now() - chrono::Duration::hours(3);
    jobs::enqueue(&ctx, p, NewJob::new("noop", json!({})).at(overdue)).await.unwrap();
    let behind = p.with_clock_skew(-chrono::Duration::hours(2));
    let slow = jobs::claim(&behind, "slow-clock", 10).await.unwrap();
    assert_eq!(slow.len(), 1, "the overdue job");
    jobs::heartbeat(&behind, "slow-clock").await.unwrap();
    assert_eq!(jobs::reap_expired(p).await.unwrap(), 0, "no lease is over by the database's clock");
    assert_eq!(jobs::complete(&behind, "slow-clock", &[(slow[0].ctx.tenant_id(), slow[0].id)]).await.unwrap(), 1);
    assert_eq!(jobs::complete(p, "healthy-worker", &done).await.unwrap(), done.len() as u64, "still held");
}

on_both!(a_worker_with_a_wrong_clock_cannot_take_a_live_lease);

/// The owner connection and the runtime role of a PostgreSQL story's database.
async fn pg_connections(app: &TestApp) -> (sea_orm::DatabaseConnection, sea_orm::DatabaseConnection) {
    let owner = sea_orm::Database::connect(app.database_url.as_str()).await.unwrap();
    let mut url = reqwest::Url::parse(&app.database_url).unwrap();
    url.set_username("parley_app").unwrap();
    (owner, sea_orm::Database::connect(url.as_str()).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_user_scope_reads_own_memberships_but_never_writes_them() {
    use sea_orm::{ConnectionTrait, DatabaseConnection, Statement, TransactionTrait};
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let acc = app.sign_up("BUSINESS").await;
    let other = app.sign_up("BUSINESS").await;
    let _ = (&acc, &other);
    let (owner, runtime) = pg_connections(&app).await;
    let rows = owner
        .query_all_raw(Statement::from_string(
            owner.get_database_backend(),
            "SELECT user_id::text, tenant_id::text FROM memberships ORDER BY created_at",
        ))
        .await
        .unwrap();
    let user: String = rows[0].try_get_by_index(0).unwrap();
    let tenant: String = rows[0].try_get_by_index(1).unwrap();
    let other_tenant: String = rows[1].try_get_by_index(1).unwrap();

    // Each statement in its own transaction that names only the user, as `me` does.
    async fn as_user(runtime: &DatabaseConnection, user: &str, sql: &str) -> Result<u64, sea_orm::DbErr> {
        let txn = runtime.begin().await.unwrap();
        txn.execute_unprepared(&format!("SELECT set_config('app.user_id', '{user}', true)")).await.unwrap();
        let res = txn.execute_unprepared(sql).await.map(|r| r.rows_affected());
        let _ = txn.rollback().await;
        res
    }
    let txn = runtime.begin().await.unwrap();
    txn.execute_unprepared(&format!("SELECT set_config('app.user_id', '{user}', true)")).await.unwrap();
    let seen = txn
        .query_one_raw(Statement::from_string(txn.get_database_backend(), "SELECT COUNT(*) FROM memberships"))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    assert_eq!(seen, 1, "one's own membership is readable, nobody else's");
    txn.rollback().await.unwrap();
    let updated =
        as_user(&runtime, &user, &format!("UPDATE memberships SET role = 'viewer' WHERE user_id = '{user}'")).await;
    assert!(updated.is_err() || updated == Ok(0), "no update through the user scope: {updated:?}");
    // Joining another workspace (as its owner, say) through the user scope.
    let inserted = as_user(
        &runtime,
        &user,
        &format!(
            "INSERT INTO memberships (tenant_id, id, user_id, role, via_agency_id, created_at)
             VALUES ('{other_tenant}', gen_random_uuid(), '{user}', 'owner', NULL, now())"
        ),
    )
    .await;
    assert!(inserted.is_err(), "no insert through the user scope: {inserted:?}");
    // Leaving stays possible.
    let left = as_user(&runtime, &user, &format!("DELETE FROM memberships WHERE user_id = '{user}'")).await.unwrap();
    assert_eq!(left, 1);
    // The tenant scope still does everything.
    let txn = runtime.begin().await.unwrap();
    txn.execute_unprepared(&format!("SELECT set_config('app.tenant_id', '{tenant}', true)")).await.unwrap();
    let n = txn
        .execute_unprepared(&format!("UPDATE memberships SET role = 'owner' WHERE user_id = '{user}'"))
        .await
        .unwrap()
        .rows_affected();
    assert_eq!(n, 1);
    txn.rollback().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_owners_demoting_each_other_at_once_leave_one_owner() {
    let Some(app) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    for round in 0..8 {
        let first = app.sign_up("BUSINESS").await;
        let (second, second_id) = join(&app, &first.auth(), "OWNER").await;
        let first_m = membership_of(&app, &first.auth(), &first.user_id).await;
        let second_m = membership_of(&app, &first.auth(), &second_id).await;
        let first_auth = first.auth();
        let (a, b) = tokio::join!(
            change_role(&app, &first_auth, &second_m, "ADMIN"),
            change_role(&app, &second, &first_m, "ADMIN"),
        );
        // The loser sees that it would leave no owner (or, if it started after the
        // winner finished, that it is no longer an owner itself).
        let outcomes = [code(&a), code(&b)];
        assert_eq!(outcomes.iter().filter(|c| c.is_none()).count(), 1, "round {round}: {a} / {b}");
        assert!(outcomes.iter().flatten().all(|c| c == "CONFLICT" || c == "FORBIDDEN"), "round {round}: {a} / {b}");
        let members = ok(app.gql(&first.auth(), "{ members { nodes { role } } }", json!({})).await);
        let owners = members["members"]["nodes"].as_array().unwrap().iter().filter(|m| m["role"] == "OWNER").count();
        assert_eq!(owners, 1, "round {round}");
    }
    // Removing each other at once: the same.
    for round in 0..4 {
        let first = app.sign_up("BUSINESS").await;
        let (second, second_id) = join(&app, &first.auth(), "OWNER").await;
        let first_m = membership_of(&app, &first.auth(), &first.user_id).await;
        let second_m = membership_of(&app, &first.auth(), &second_id).await;
        let rm = |who: As, id: String| {
            let app = &app;
            async move { app.gql(&who, "mutation($id: ID!) { removeMember(id: $id) { id } }", json!({ "id": id })).await }
        };
        let (a, b) = tokio::join!(rm(first.auth(), second_m), rm(second.clone(), first_m));
        assert_eq!([code(&a), code(&b)].iter().filter(|c| c.is_none()).count(), 1, "round {round}: {a} / {b}");
    }
}
