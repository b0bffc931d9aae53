//! Agencies: client workspaces, switching by header, grants, and walls between them.

use serde_json::json;

use crate::on_both;
use crate::support::*;

async fn create_client(app: &TestApp, who: &As, name: &str) -> String {
    let c = ok(app
        .gql(
            who,
            "mutation($n: String!) { createClientWorkspace(input: {name: $n}) { id kind } }",
            json!({ "n": name }),
        )
        .await);
    assert_eq!(c["createClientWorkspace"]["kind"], "CLIENT");
    c["createClientWorkspace"]["id"].as_str().unwrap().to_owned()
}

async fn an_agency_works_inside_its_clients(app: TestApp) {
    let agency = app.sign_up("AGENCY").await;
    let c1 = create_client(&app, &agency.auth(), "Bakery").await;
    let c2 = create_client(&app, &agency.auth(), "Florist").await;
    let ws = ok(app.gql(&agency.auth(), "{ workspace { kind clients { id name } } }", json!({})).await);
    let names: Vec<_> =
        ws["workspace"]["clients"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["Bakery", "Florist"]);

    // Switch by header: the creator holds an admin grant in the client.
    let in_c1 = agency.auth().in_ws(&c1);
    let cur = ok(app.gql(&in_c1, "{ workspace { id name kind clients { id } } myRole }", json!({})).await);
    assert_eq!(cur["workspace"]["name"], "Bakery");
    assert_eq!(cur["workspace"]["kind"], "CLIENT");
    assert_eq!(cur["myRole"], "ADMIN");

    // A client user invited into the client sees only the client.
    let token = app.invite(&in_c1, "owner@bakery.example", "ADMIN").await;
    let joined = ok(app.accept(&token).await);
    let client_user = As::token(joined["acceptInvitation"]["accessToken"].as_str().unwrap());
    let me = ok(app
        .gql(
            &client_user,
            "{ me { memberships { workspace { id kind } } } workspace { id clients { id } } }",
            json!({}),
        )
        .await);
    assert_eq!(me["me"]["memberships"].as_array().unwrap().len(), 1);
    assert_eq!(me["workspace"]["id"], c1.as_str());
    for other in [&agency.workspace_id, &c2] {
        let res = app.gql(&client_user.clone().in_ws(other), "{ workspace { id } }", json!({})).await;
        assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "client user reaching {other}");
        let res = app.gql(&client_user, "query($id: ID!) { node(id: $id) { id } }", json!({ "id": other })).await;
        assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));
    }
    // The client user cannot make clients or grant into the agency's other clients.
    let res =
        app.gql(&client_user, "mutation { createClientWorkspace(input: {name: \"Nope\"}) { id } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"));

    // An agency member reaches a client only after an explicit grant.
    let staff_token = app.invite(&agency.auth(), "staff@agency.example", "MARKETER").await;
    let staff = ok(app.accept(&staff_token).await);
    let staff_auth = As::token(staff["acceptInvitation"]["accessToken"].as_str().unwrap());
    let staff_id = staff["acceptInvitation"]["user"]["id"].as_str().unwrap().to_owned();
    let res = app.gql(&staff_auth.clone().in_ws(&c2), "{ workspace { id } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "no grant yet");
    let g = ok(app
        .gql(&agency.auth(), "mutation($i: GrantClientAccessInput!) { grantClientAccess(input: $i) { role viaAgency workspace { id } } }",
            json!({ "i": { "clientWorkspaceId": c2, "userId": staff_id, "role": "MARKETER" } }))
        .await);
    assert_eq!(g["grantClientAccess"]["viaAgency"], true);
    let cur = ok(app.gql(&staff_auth.clone().in_ws(&c2), "{ workspace { name } myRole }", json!({})).await);
    assert_eq!(cur["workspace"]["name"], "Florist");
    assert_eq!(cur["myRole"], "MARKETER");
    // …and still not the other client.
    let res = app.gql(&staff_auth.clone().in_ws(&c1), "{ workspace { id } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));

    // Removing the member from the agency ends their grants in its clients.
    let members = ok(app.gql(&agency.auth(), "{ members { nodes { id user { id } } } }", json!({})).await);
    let m =
        members["members"]["nodes"].as_array().unwrap().iter().find(|n| n["user"]["id"] == staff_id.as_str()).unwrap()
            ["id"]
            .as_str()
            .unwrap()
            .to_owned();
    ok(app.gql(&agency.auth(), "mutation($id: ID!) { removeMember(id: $id) { id } }", json!({ "id": m })).await);
    let res = app.gql(&staff_auth.clone().in_ws(&c2), "{ workspace { id } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));
}

async fn grants_stay_inside_the_agency(app: TestApp) {
    let a = app.sign_up("AGENCY").await;
    let b = app.sign_up("AGENCY").await;
    let b_client = create_client(&app, &b.auth(), "B's client").await;
    let a_client = create_client(&app, &a.auth(), "A's client").await;
    // A cannot grant into B's client, nor grant B's people into its own.
    let res = app
        .gql(
            &a.auth(),
            "mutation($i: GrantClientAccessInput!) { grantClientAccess(input: $i) { id } }",
            json!({ "i": { "clientWorkspaceId": b_client, "userId": a.user_id, "role": "VIEWER" } }),
        )
        .await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));
    let res = app
        .gql(
            &a.auth(),
            "mutation($i: GrantClientAccessInput!) { grantClientAccess(input: $i) { id } }",
            json!({ "i": { "clientWorkspaceId": a_client, "userId": b.user_id, "role": "VIEWER" } }),
        )
        .await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));
    // A business cannot have clients.
    let biz = app.sign_up("BUSINESS").await;
    let res = app.gql(&biz.auth(), "mutation { createClientWorkspace(input: {name: \"X\"}) { id } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"));
    // Bad IDs name their field.
    let res = app
        .gql(
            &a.auth(),
            "mutation($i: GrantClientAccessInput!) { grantClientAccess(input: $i) { id } }",
            json!({ "i": { "clientWorkspaceId": "???", "userId": a.user_id, "role": "VIEWER" } }),
        )
        .await;
    assert_eq!(field(&res).as_deref(), Some("clientWorkspaceId"));
    let res = app.gql(&a.auth().in_ws("not-a-workspace"), "{ workspace { id } }", json!({})).await;
    assert_eq!(field(&res).as_deref(), Some("X-Parley-Workspace"));
    let res = app.gql(&a.auth(), "mutation { createClientWorkspace(input: {name: \"\"}) { id } }", json!({})).await;
    assert_eq!(field(&res).as_deref(), Some("name"));
}

on_both!(an_agency_works_inside_its_clients, grants_stay_inside_the_agency);
