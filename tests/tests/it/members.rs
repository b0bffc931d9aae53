//! The team page: every member with their person and workspace, read in one go, and
//! nothing of another workspace's team.

use serde_json::json;

use crate::on_both;
use crate::support::*;

async fn tenant_of(app: &TestApp, who: &Account) -> domain::TenantCtx {
    let p = &app.server.parley;
    let principal = domain::identity::auth::authenticate(p, &who.token).await.unwrap();
    domain::identity::auth::tenant_ctx(&principal, None).unwrap()
}

async fn a_team_lists_each_member_with_their_person_and_workspace(app: TestApp) {
    let owner = app.sign_up("AGENCY").await;
    let mut emails = vec![owner.email.clone()];
    for n in 0..3 {
        let email = format!("member{n}-{}@example.com", uuid::Uuid::now_v7().simple());
        let token = app.invite(&owner.auth(), &email, "VIEWER").await;
        ok(app.accept(&token).await);
        emails.push(email);
    }

    let page = ok(app
        .gql(&owner.auth(), "{ members { totalCount nodes { id user { email } workspace { id } } } }", json!({}))
        .await);
    let nodes = page["members"]["nodes"].as_array().unwrap();
    assert_eq!(page["members"]["totalCount"], json!(4));
    let mut listed: Vec<String> = nodes.iter().map(|m| m["user"]["email"].as_str().unwrap().to_owned()).collect();
    listed.sort();
    emails.sort();
    assert_eq!(listed, emails);
    assert!(nodes.iter().all(|m| m["workspace"]["id"] == json!(owner.workspace_id)));

    // Each membership read by ID in one request: every one finds its own person.
    let fields: Vec<String> = (0..nodes.len())
        .map(|i| format!("m{i}: node(id: $m{i}) {{ ... on Membership {{ user {{ email }} workspace {{ id }} }} }}"))
        .collect();
    let params: Vec<String> = (0..nodes.len()).map(|i| format!("$m{i}: ID!")).collect();
    let query = format!("query({}) {{ {} }}", params.join(", "), fields.join(" "));
    let vars: serde_json::Map<String, serde_json::Value> =
        nodes.iter().enumerate().map(|(i, m)| (format!("m{i}"), m["id"].clone())).collect();
    let read = ok(app.gql(&owner.auth(), &query, serde_json::Value::Object(vars.clone())).await);
    for (i, m) in nodes.iter().enumerate() {
        assert_eq!(read[format!("m{i}")]["user"]["email"], m["user"]["email"], "membership {i}");
        assert_eq!(read[format!("m{i}")]["workspace"]["id"], json!(owner.workspace_id), "membership {i}");
    }

    // Another workspace sees none of these memberships, people or the workspace.
    let other = app.sign_up("BUSINESS").await;
    let res = app.gql(&other.auth(), &query, serde_json::Value::Object(vars)).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "{res}");
    let mine = tenant_of(&app, &owner).await;
    let theirs = tenant_of(&app, &other).await;
    let p = &app.server.parley;
    let team = domain::team::members::list(&mine, p, domain::page::PageArgs::new(None, None).unwrap()).await.unwrap();
    let ids: Vec<domain::UserId> = team.items.iter().map(|(_, u)| u.id).collect();
    assert_eq!(domain::identity::accounts::visible_users(&mine, p, &ids).await.unwrap().len(), 4);
    assert!(domain::identity::accounts::visible_users(&theirs, p, &ids).await.unwrap().is_empty());
    let ws = [mine.tenant_id()];
    assert_eq!(domain::workspaces::visible(&mine, p, &ws).await.unwrap().len(), 1);
    assert!(domain::workspaces::visible(&theirs, p, &ws).await.unwrap().is_empty());
}

on_both!(a_team_lists_each_member_with_their_person_and_workspace);
