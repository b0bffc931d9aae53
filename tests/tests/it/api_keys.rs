//! API keys: shown once, bound to one workspace, limited by role, revocable.

use serde_json::json;

use crate::on_both;
use crate::support::*;

const CREATE: &str =
    "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { apiKey { id name prefix role lastUsedAt } secret } }";

async fn a_key_acts_for_its_workspace_until_revoked(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let k = ok(app.gql(&owner.auth(), CREATE, json!({ "i": { "name": "CRM sync", "role": "ADMIN" } })).await);
    let secret = k["createApiKey"]["secret"].as_str().unwrap().to_owned();
    let prefix = k["createApiKey"]["apiKey"]["prefix"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("prly_sk_") && secret.starts_with(&prefix), "{secret} / {prefix}");
    let key_id = k["createApiKey"]["apiKey"]["id"].as_str().unwrap().to_owned();

    let key = As::token(&secret);
    let ws = ok(app.gql(&key, "{ workspace { id } myRole }", json!({})).await);
    assert_eq!(ws["workspace"]["id"], owner.workspace_id.as_str());
    assert_eq!(ws["myRole"], "ADMIN");
    // Keys act for a workspace, not a person.
    assert_eq!(code(&app.gql(&key, "{ me { id } }", json!({})).await).as_deref(), Some("FORBIDDEN"));
    // The listing never shows the secret, and records the last use.
    let list = ok(app
        .gql(&owner.auth(), "{ apiKeys { totalCount nodes { id prefix lastUsedAt revokedAt } } }", json!({}))
        .await);
    assert_eq!(list["apiKeys"]["totalCount"], 1);
    assert!(!list.to_string().contains(&secret));
    assert!(list["apiKeys"]["nodes"][0]["lastUsedAt"].is_string());
    // Another workspace by header is not found for a key.
    let other = app.sign_up("BUSINESS").await;
    let res = app.gql(&key.clone().in_ws(&other.workspace_id), "{ workspace { id } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));

    let r = ok(app
        .gql(&owner.auth(), "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }", json!({ "id": key_id }))
        .await);
    assert!(r["revokeApiKey"]["revokedAt"].is_string());
    let res = app.gql(&key, "{ workspace { id } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("UNAUTHENTICATED"));
    // Revoking again changes nothing: the same answer and no second line in the trail.
    let again = ok(app
        .gql(&owner.auth(), "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }", json!({ "id": key_id }))
        .await);
    assert_eq!(again["revokeApiKey"]["revokedAt"], r["revokeApiKey"]["revokedAt"]);
    let trail = ok(app
        .gql(&owner.auth(), "{ auditLog { nodes { action objectType objectId before after } } }", json!({}))
        .await);
    let lines: Vec<&serde_json::Value> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().filter(|l| l["objectId"] == key_id.as_str()).collect();
    let actions: Vec<&str> = lines.iter().map(|l| l["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["api_key.revoked", "api_key.created"], "newest first: {trail}");
    assert!(lines.iter().all(|l| l["objectType"] == "ApiKey"));
    assert_eq!(lines[0]["before"]["revoked"], false);
    assert_eq!(lines[0]["after"]["revoked"], true);
    assert_eq!(lines[1]["after"]["name"], "CRM sync");
    assert!(!trail.to_string().contains(&secret[prefix.len()..]), "the trail holds no secret");
    // A made-up key of the same shape is refused too.
    let fake = format!("{}x_{}", &secret[..secret.len() - 34], &secret[secret.len() - 32..]);
    assert_eq!(
        code(&app.gql(&As::token(&fake), "{ workspace { id } }", json!({})).await).as_deref(),
        Some("UNAUTHENTICATED")
    );
}

async fn a_keys_role_limits_what_it_may_do(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let k = ok(app.gql(&owner.auth(), CREATE, json!({ "i": { "name": "read only", "role": "VIEWER" } })).await);
    let viewer = As::token(k["createApiKey"]["secret"].as_str().unwrap());
    ok(app.gql(&viewer, "{ workspace { name } members { totalCount } }", json!({})).await);
    for (what, q) in [
        ("invite", "mutation { inviteMember(input: {email: \"a@example.com\", role: VIEWER}) { id } }"),
        ("create key", "mutation { createApiKey(input: {name: \"x\", role: VIEWER}) { secret } }"),
        ("audit", "{ auditLog { totalCount } }"),
    ] {
        assert_eq!(code(&app.gql(&viewer, q, json!({})).await).as_deref(), Some("FORBIDDEN"), "{what}");
    }
    // Keys cannot be owners, and names are checked.
    let res = app.gql(&owner.auth(), CREATE, json!({ "i": { "name": "boss", "role": "OWNER" } })).await;
    assert_eq!(field(&res).as_deref(), Some("role"));
    let res = app.gql(&owner.auth(), CREATE, json!({ "i": { "name": "", "role": "VIEWER" } })).await;
    assert_eq!(field(&res).as_deref(), Some("name"));
}

on_both!(a_key_acts_for_its_workspace_until_revoked, a_keys_role_limits_what_it_may_do);
