//! Another workspace's objects are invisible: every operation answers NOT_FOUND, lists
//! never show them, and nothing changes.

use serde_json::json;

use crate::on_both;
use crate::support::*;

async fn another_workspaces_ids_are_not_found_everywhere(app: TestApp) {
    let a = app.sign_up("AGENCY").await;
    let b = app.sign_up("AGENCY").await;
    // Things that belong to A.
    let key = ok(app
        .gql(&a.auth(), "mutation { createApiKey(input: {name: \"a\", role: VIEWER}) { apiKey { id } } }", json!({}))
        .await)["createApiKey"]["apiKey"]["id"]
        .clone();
    let inv = ok(app
        .gql(&a.auth(), "mutation { inviteMember(input: {email: \"z@example.com\", role: VIEWER}) { id } }", json!({}))
        .await)["inviteMember"]["id"]
        .clone();
    let members =
        ok(app.gql(&a.auth(), "{ members { nodes { id } } auditLog(first: 1) { nodes { id } } }", json!({})).await);
    let membership = members["members"]["nodes"][0]["id"].clone();
    let audit = members["auditLog"]["nodes"][0]["id"].clone();
    let job = ok(app.gql(&a.auth(), "{ jobs(first: 1) { nodes { id } } }", json!({})).await)["jobs"]["nodes"][0]["id"]
        .clone();
    assert!(job.is_string(), "the sign-up queued a verification email");
    let client = ok(app
        .gql(&a.auth(), "mutation { createClientWorkspace(input: {name: \"A client\"}) { id } }", json!({}))
        .await)["createClientWorkspace"]["id"]
        .clone();

    let probes = [
        ("node api key", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": key })),
        ("node invitation", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": inv })),
        ("node membership", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": membership })),
        ("node audit entry", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": audit })),
        ("node workspace", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": a.workspace_id })),
        ("node client", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": client })),
        ("node user", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": a.user_id })),
        ("node job", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": job })),
        ("retry job", "mutation($id: ID!) { retryJob(id: $id) { id } }", json!({ "id": job })),
        ("revoke key", "mutation($id: ID!) { revokeApiKey(id: $id) { id } }", json!({ "id": key })),
        ("revoke invitation", "mutation($id: ID!) { revokeInvitation(id: $id) { id } }", json!({ "id": inv })),
        (
            "change role",
            "mutation($id: ID!) { changeMemberRole(input: {membershipId: $id, role: VIEWER}) { id } }",
            json!({ "id": membership }),
        ),
        ("remove member", "mutation($id: ID!) { removeMember(id: $id) { id } }", json!({ "id": membership })),
        (
            "grant into client",
            "mutation($c: ID!, $u: ID!) { grantClientAccess(input: {clientWorkspaceId: $c, userId: $u, role: VIEWER}) { id } }",
            json!({ "c": client, "u": b.user_id }),
        ),
    ];
    for (what, q, vars) in probes {
        let res = app.gql(&b.auth(), q, vars).await;
        assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "{what}: {res}");
    }
    // Naming A's workspaces: the membership is read by the first transaction (or, for
    // `myRole`, on its own), so every read and write answers NOT_FOUND before touching
    // anything.
    let in_a = [
        "{ workspace { id } }",
        "{ myRole }",
        "{ members { totalCount } }",
        "{ invitations { totalCount } }",
        "{ apiKeys { totalCount } }",
        "{ auditLog { totalCount } }",
        "{ jobs { totalCount } }",
        "mutation { createApiKey(input: {name: \"b\", role: VIEWER}) { secret } }",
        "mutation { inviteMember(input: {email: \"y@example.com\", role: VIEWER}) { id } }",
        "mutation { createClientWorkspace(input: {name: \"B's\"}) { id } }",
    ];
    for ws in [&a.workspace_id, client.as_str().unwrap()] {
        for q in in_a {
            let res = app.gql(&b.auth().in_ws(ws), q, json!({})).await;
            assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "{q} in {ws}: {res}");
        }
    }
    // B's lists hold only B's things.
    let lists = ok(app.gql(&b.auth(), "{ members { totalCount } invitations { totalCount } apiKeys { totalCount } workspace { clients { id } } auditLog { nodes { objectId } } jobs { nodes { id } } }", json!({})).await);
    assert!(!lists["jobs"].to_string().contains(job.as_str().unwrap()), "B's jobs list holds only B's jobs");
    assert_eq!(lists["members"]["totalCount"], 1);
    assert_eq!(lists["invitations"]["totalCount"], 0);
    assert_eq!(lists["apiKeys"]["totalCount"], 0);
    assert_eq!(lists["workspace"]["clients"], json!([]));
    assert!(!lists.to_string().contains(key.as_str().unwrap()));
    // Nothing of A's changed.
    let a_view = ok(app
        .gql(
            &a.auth(),
            "{ apiKeys { nodes { revokedAt } } invitations { nodes { status } } members { nodes { role } } }",
            json!({}),
        )
        .await);
    assert!(a_view["apiKeys"]["nodes"][0]["revokedAt"].is_null());
    assert_eq!(a_view["invitations"]["nodes"][0]["status"], "PENDING");
    assert_eq!(a_view["members"]["nodes"][0]["role"], "OWNER");
}

async fn viewers_cannot_take_admin_actions(app: TestApp) {
    let owner = app.sign_up("AGENCY").await;
    let token = app.invite(&owner.auth(), "viewer@example.com", "VIEWER").await;
    let v = ok(app.accept(&token).await);
    let viewer = As::token(v["acceptInvitation"]["accessToken"].as_str().unwrap());
    let members = ok(app.gql(&viewer, "{ members { nodes { id role } } }", json!({})).await);
    let owner_m =
        members["members"]["nodes"].as_array().unwrap().iter().find(|m| m["role"] == "OWNER").unwrap()["id"].clone();
    for (what, q, vars) in [
        ("invite", "mutation { inviteMember(input: {email: \"q@example.com\", role: VIEWER}) { id } }", json!({})),
        (
            "promote",
            "mutation($id: ID!) { changeMemberRole(input: {membershipId: $id, role: VIEWER}) { id } }",
            json!({ "id": owner_m }),
        ),
        ("remove owner", "mutation($id: ID!) { removeMember(id: $id) { id } }", json!({ "id": owner_m })),
        ("client", "mutation { createClientWorkspace(input: {name: \"x\"}) { id } }", json!({})),
        ("key", "mutation { createApiKey(input: {name: \"x\", role: VIEWER}) { secret } }", json!({})),
        ("jobs", "{ jobs { totalCount } }", json!({})),
    ] {
        let res = app.gql(&viewer, q, vars).await;
        assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"), "{what}: {res}");
    }
    // The last owner cannot be demoted, even by themself.
    let res = app
        .gql(
            &owner.auth(),
            "mutation($id: ID!) { changeMemberRole(input: {membershipId: $id, role: ADMIN}) { id } }",
            json!({ "id": owner_m }),
        )
        .await;
    assert_eq!(code(&res).as_deref(), Some("CONFLICT"));
}

on_both!(another_workspaces_ids_are_not_found_everywhere, viewers_cannot_take_admin_actions);
