//! The GraphQL transport: malformed requests, size and depth limits, introspection,
//! typed errors, and the published schema.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

/// Posts `body` as it is, on a connection of its own: a server that refuses an oversized
/// body closes that connection, which must not be handed to the next request.
async fn raw(app: &TestApp, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let res = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
        .post(format!("{}/graphql", app.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn malformed_and_oversized_requests_get_clear_errors(app: TestApp) {
    let (s, body) = raw(&app, "{not json").await;
    assert_eq!(s, 400);
    assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"));
    let (s, body) = raw(&app, r#"{"query": "{ me { id "}"#).await;
    assert_eq!(s, 200);
    assert_eq!(code(&body).as_deref(), Some("BAD_USER_INPUT"), "syntax error: {body}");
    let (s, _) = raw(&app, vec![b' '; 2 * 1024 * 1024]).await;
    assert_eq!(s, 413);
    let acc = app.sign_up("BUSINESS").await;
    let res = app.gql(&acc.auth(), "{ me { id shoeSize } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"), "unknown field");
    let res =
        app.gql(&acc.auth(), "query($n: Int) { auditLog(first: $n) { totalCount } }", json!({ "n": "ten" })).await;
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"), "wrong type");
    let res = app.gql(&As::anon(), "mutation { signUp(input: {email: \"a@b.co\", password: \"x\", name: \"n\", workspaceName: \"w\", extra: 1}) { email } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"), "unknown input field");
}

async fn depth_is_limited_but_introspection_passes(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    // The introspection query GraphiQL sends nests TypeRef nine levels deep.
    let introspection = r#"query IntrospectionQuery { __schema { queryType { name } mutationType { name } types { ...FullType } directives { name locations args { ...InputValue } } } }
      fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name isDeprecated } possibleTypes { ...TypeRef } }
      fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue }
      fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }"#;
    let res = ok(app.gql(&acc.auth(), introspection, json!({})).await);
    assert!(res["__schema"]["types"].as_array().unwrap().len() > 20);
    let deep =
        format!("{{ me {{ memberships {{ workspace {{ {} id {} }} }} }} }}", "clients { ".repeat(25), "}".repeat(25));
    let res = app.gql(&acc.auth(), &deep, json!({})).await;
    assert!(res["errors"][0]["message"].as_str().unwrap().to_lowercase().contains("nested too deep"), "{res}");
}

async fn costly_queries_are_refused_before_they_run(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let page = "auditLog(first: 100) { nodes { id action actor objectType objectId createdAt } }";
    ok(app.gql(&acc.auth(), &format!("{{ {page} }}"), json!({})).await);
    // Eight full pages in one query (aliases) cost more than the limit allows.
    let many: String = (0..8).map(|i| format!("p{i}: {page} ")).collect();
    let res = app.gql(&acc.auth(), &format!("{{ {many} }}"), json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"), "{res}");
    assert!(res["errors"][0]["message"].as_str().unwrap().to_lowercase().contains("complex"), "{res}");
    assert!(res["data"].is_null(), "nothing ran: {res}");
    // So does one field repeated thousands of times.
    let wide: String = (0..3000).map(|i| format!("f{i}: me {{ id }} ")).collect();
    let res = app.gql(&acc.auth(), &format!("{{ {wide} }}"), json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"), "{res}");
}

/// The server checks depth and complexity over a whole document, every operation in it,
/// and the web client sends an operation's whole `.graphql` file: each file must pass.
async fn every_web_operation_file_is_within_the_limits(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/src/ops");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("graphql") {
            continue;
        }
        let doc = std::fs::read_to_string(&path).unwrap();
        // An operation that needs no variables, so nothing but the limits can refuse it.
        let name = doc.lines().find_map(|l| {
            let rest = l.strip_prefix("query ").or_else(|| l.strip_prefix("mutation "))?;
            let head = rest.split('{').next()?;
            (!head.contains('!')).then(|| head.split(['(', ' ']).next().unwrap_or("").to_owned())
        });
        let Some(name) = name else { continue };
        let body = json!({ "query": doc, "operationName": name });
        let res: Value = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&acc.token)
            .header("X-Parley-Workspace", &acc.workspace_id)
            .json(&body)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let text = res.to_string().to_lowercase();
        assert!(!text.contains("too complex") && !text.contains("nested too deep"), "{}: {res}", path.display());
        checked += 1;
    }
    assert!(checked >= 10, "the web's operation files were found ({checked})");
}

async fn the_published_schema_is_current(app: TestApp) {
    let served =
        app.http.get(format!("{}/graphql/schema.graphql", app.base)).send().await.unwrap().text().await.unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../api/schema.graphql")).unwrap();
    assert_eq!(served, api::graphql::sdl());
    assert!(
        committed == served,
        "api/schema.graphql is out of date: run `cargo run -p api --bin parley -- schema > api/schema.graphql`"
    );
    for op in [
        "signUp(",
        "logIn(",
        "refreshSession(",
        "logOut(",
        "createClientWorkspace(",
        "grantClientAccess(",
        "inviteMember(",
        "acceptInvitation(",
        "createApiKey(",
        "revokeApiKey(",
        "auditLog(",
    ] {
        assert!(served.contains(op), "{op} is in the contract");
    }
    let page = app.http.get(format!("{}/graphql", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().to_lowercase().contains("graphiql"));
}

/// Every type the schema lists as a `Node` is found again by `node(id:)` from its ID: one
/// object of each kind, made the way a customer would, read back by ID.
async fn every_node_type_is_found_by_its_id(app: TestApp) {
    let a = app.sign_up("AGENCY").await;
    let key = ok(app
        .gql(&a.auth(), "mutation { createApiKey(input: {name: \"n\", role: VIEWER}) { apiKey { id } } }", json!({}))
        .await)["createApiKey"]["apiKey"]["id"]
        .clone();
    let inv = ok(app
        .gql(&a.auth(), "mutation { inviteMember(input: {email: \"n@example.com\", role: VIEWER}) { id } }", json!({}))
        .await)["inviteMember"]["id"]
        .clone();
    let lists = ok(app
        .gql(
            &a.auth(),
            "{ members(first: 1) { nodes { id } } auditLog(first: 1) { nodes { id } } jobs(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await);
    let contact = ok(app
        .gql(
            &a.auth(),
            "mutation { createContactField(input: {key: \"k\", label: \"K\", kind: STRING}) { id } \
             createContact(input: {email: \"c@example.com\"}) { id } }",
            json!({}),
        )
        .await);
    let consent = ok(app
        .gql(
            &a.auth(),
            "mutation($id: ID!) { setConsent(input: {contactId: $id, channel: EMAIL, status: GRANTED, source: \"t\"}) \
             { events { nodes { id } } } }",
            json!({ "id": contact["createContact"]["id"] }),
        )
        .await);
    let tracking = ok(app.gql(&a.auth(), "mutation { rotateTrackingKey { id } }", json!({})).await);
    let start =
        "mutation($file: Upload!, $o: ContactImportOptions!) { startContactImport(file: $file, options: $o) { id } }";
    let opts = json!({ "o": { "identityColumn": "email", "identityKind": "EMAIL", "columns": [] } });
    let (ct, body) = multipart(start, opts, "n.csv", b"email\nnot an address\n");
    let started: Value = app.post_multipart(&a.auth(), &ct, body).await.json().await.unwrap();
    let import_id = ok(started)["startContactImport"]["id"].clone();
    app.drive_jobs().await;
    let rejections = "query($id: ID!) { contactImport(id: $id) { rejections(first: 1) { nodes { id } } } }";
    let rejection = ok(app.gql(&a.auth(), rejections, json!({ "id": import_id })).await)["contactImport"]["rejections"]
        ["nodes"][0]["id"]
        .clone();
    let export = ok(app.gql(&a.auth(), "mutation { startContactExport { id } }", json!({})).await);
    let segment = ok(app
        .gql(&a.auth(), "mutation { createSegment(input: {name: \"s\", kind: STATIC}) { id } }", json!({}))
        .await);
    let scores = ok(app
        .gql(
            &a.auth(),
            "mutation { refreshScores { id } \
             createPropensityModel(input: {name: \"m\", targetEvent: \"purchase\", horizonDays: 7, attribute: \"p\"}) { id } }",
            json!({}),
        )
        .await);
    let operations = crate::operations::samples(&app, &a).await;
    let mut samples = vec![
        ("User", json!(a.user_id)),
        ("Workspace", json!(a.workspace_id)),
        ("Membership", lists["members"]["nodes"][0]["id"].clone()),
        ("Invitation", inv),
        ("ApiKey", key),
        ("AuditEntry", lists["auditLog"]["nodes"][0]["id"].clone()),
        ("Job", lists["jobs"]["nodes"][0]["id"].clone()),
        ("Contact", contact["createContact"]["id"].clone()),
        ("ContactEvent", consent["setConsent"]["events"]["nodes"][0]["id"].clone()),
        ("ContactField", contact["createContactField"]["id"].clone()),
        ("TrackingKey", tracking["rotateTrackingKey"]["id"].clone()),
        ("ContactImport", import_id),
        ("ImportRejection", rejection),
        ("ContactExport", export["startContactExport"]["id"].clone()),
        ("Segment", segment["createSegment"]["id"].clone()),
        ("ScoreRun", scores["refreshScores"]["id"].clone()),
        ("PropensityModel", scores["createPropensityModel"]["id"].clone()),
    ];
    samples.extend(operations);
    samples.extend(crate::assets::samples(&app, &a).await);
    samples.extend(crate::campaigns::samples(&app, &a).await);
    samples.extend(crate::decisions::samples(&app, &a).await);
    samples.extend(crate::triggers::samples(&app, &a).await);
    samples.extend(crate::journeys::samples(&app, &a).await);
    samples.extend(crate::leads::samples(&app, &a).await);
    let node = ok(app.gql(&a.auth(), "{ __type(name: \"Node\") { possibleTypes { name } } }", json!({})).await);
    let types: Vec<String> = node["__type"]["possibleTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(!types.is_empty());
    for ty in &types {
        assert!(api::graphql::NODE_TYPES.contains(&ty.as_str()), "{ty} is in the node registry");
        let Some((_, id)) = samples.iter().find(|(t, _)| t == ty) else {
            panic!("{ty} implements Node: add one here and check node(id:) finds it");
        };
        assert!(id.is_string(), "{ty}: a sample was made");
        let found =
            ok(app.gql(&a.auth(), "query($id: ID!) { node(id: $id) { __typename id } }", json!({ "id": id })).await);
        assert_eq!(found["node"]["__typename"], json!(ty), "{ty}");
        assert_eq!(&found["node"]["id"], id, "{ty}");
    }
}

on_both!(
    malformed_and_oversized_requests_get_clear_errors,
    depth_is_limited_but_introspection_passes,
    costly_queries_are_refused_before_they_run,
    every_node_type_is_found_by_its_id,
    every_web_operation_file_is_within_the_limits
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn published_schema() {
    if let Some(app) = TestApp::spawn(Backend::Sqlite).await {
        the_published_schema_is_current(app).await;
    }
}
