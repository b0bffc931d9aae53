//! The audit trail: every change, who made it, before and after, paged by cursor.

use serde_json::json;

use crate::on_both;
use crate::support::*;

async fn the_audit_trail_records_changes_and_pages(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    for i in 0..4 {
        ok(app
            .gql(
                &owner.auth(),
                "mutation($n: String!) { createApiKey(input: {name: $n, role: VIEWER}) { secret } }",
                json!({ "n": format!("key {i}") }),
            )
            .await);
    }
    let token = app.invite(&owner.auth(), "role.change@example.com", "VIEWER").await;
    let joined = ok(app.accept(&token).await);
    let uid = joined["acceptInvitation"]["user"]["id"].as_str().unwrap().to_owned();
    let members = ok(app.gql(&owner.auth(), "{ members { nodes { id user { id } } } }", json!({})).await);
    let mid = members["members"]["nodes"].as_array().unwrap().iter().find(|n| n["user"]["id"] == uid.as_str()).unwrap()
        ["id"]
        .clone();
    ok(app
        .gql(
            &owner.auth(),
            "mutation($id: ID!) { changeMemberRole(input: {membershipId: $id, role: MARKETER}) { role } }",
            json!({ "id": mid }),
        )
        .await);

    // Page through everything, two at a time.
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = ok(app
            .gql(&owner.auth(), "query($a: String) { auditLog(first: 2, after: $a) { totalCount edges { cursor node { id action actor objectType objectId before after } } pageInfo { hasNextPage endCursor } } }", json!({ "a": after }))
            .await);
        let log = &page["auditLog"];
        for e in log["edges"].as_array().unwrap() {
            seen.push(e["node"].clone());
        }
        if !log["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            assert_eq!(log["totalCount"].as_u64().unwrap() as usize, seen.len());
            break;
        }
        after = log["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let actions: Vec<&str> = seen.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.first(), Some(&"member.role_changed"), "newest first: {actions:?}");
    assert_eq!(actions.iter().filter(|a| **a == "api_key.created").count(), 4);
    assert!(actions.contains(&"invitation.accepted") && actions.contains(&"workspace.created"));
    let change = &seen[0];
    assert_eq!(change["objectId"], mid);
    assert_eq!(change["before"]["role"], "VIEWER");
    assert_eq!(change["after"]["role"], "MARKETER");
    assert_eq!(change["actor"], owner.email.as_str());
    // The object ID is a working global ID.
    let node = ok(app
        .gql(&owner.auth(), "query($id: ID!) { node(id: $id) { ... on Membership { role } } }", json!({ "id": mid }))
        .await);
    assert_eq!(node["node"]["role"], "MARKETER");
    // Bad page sizes name their field.
    let res = app.gql(&owner.auth(), "{ auditLog(first: 0) { totalCount } }", json!({})).await;
    assert_eq!(field(&res).as_deref(), Some("first"));
    let res = app.gql(&owner.auth(), "{ auditLog(first: 5, after: \"zzz\") { totalCount } }", json!({})).await;
    assert_eq!(field(&res).as_deref(), Some("after"));
}

on_both!(the_audit_trail_records_changes_and_pages);
