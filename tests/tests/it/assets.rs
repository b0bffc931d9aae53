//! E-proofing: assets uploaded in versions (kinds told by their bytes), comments pinned
//! to a version, a version (not the asset) approved under the workspace's rules, files
//! served so nothing in them runs as Parley, bad input named, and another workspace
//! that sees none of it.

use serde_json::{Value, json};

use crate::on_both;
use crate::operations::{member, plan, program, project};
use crate::support::*;

async fn run(app: &TestApp, who: &As, q: &str, vars: Value) -> Value {
    ok(app.gql(who, q, vars).await)
}

/// A real 1×1 PNG.
pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";
const HTML: &[u8] = b"<!DOCTYPE html><html><body><h1>Spring sale</h1><script>alert(1)</script></body></html>";

const CREATE: &str = "mutation($file: Upload!, $i: CreateAssetInput!) { createAsset(file: $file, input: $i) {
    id name kind state versionCount projectId
    latestVersion { id number kind contentType sizeBytes fileName state url } } }";
const ADD: &str = "mutation($file: Upload!, $i: AddAssetVersionInput!) { addAssetVersion(file: $file, input: $i) {
    id number kind contentType note state url } }";
const ASSET: &str = "query($id: ID!) { node(id: $id) { ... on Asset { name state kind versionCount
    approvedVersion { number } latestVersion { number }
    versions { number state comments { body x y page resolved authorLabel } } } } }";
const COMMENT: &str =
    "mutation($i: CommentOnAssetVersionInput!) { commentOnAssetVersion(input: $i) { id x y page resolved } }";
const REQUEST: &str = "mutation($v: ID!) { requestAssetApproval(versionId: $v) { id state approvalId decidedAt } }";
const DECIDE: &str = "mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { state } }";

/// Uploads with a GraphQL multipart request; the whole answer.
async fn upload(app: &TestApp, who: &As, q: &str, vars: Value, name: &str, file: &[u8]) -> Value {
    let (ct, body) = multipart(q, vars, name, file);
    app.post_multipart(who, &ct, body).await.json().await.unwrap()
}

async fn fetch(app: &TestApp, who: &As, url: &str) -> reqwest::Response {
    let mut req = app.http.get(url);
    if let Some(b) = &who.bearer {
        req = req.bearer_auth(b);
    }
    if let Some(w) = &who.workspace {
        req = req.header("X-Parley-Workspace", w);
    }
    req.send().await.unwrap()
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn asset(app: &TestApp, who: &As, id: &str) -> Value {
    run(app, who, ASSET, json!({ "id": id })).await["node"].clone()
}

async fn assets_in_versions_with_pinned_comments_and_approvals(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let (approver, _) = member(&app, &owner, "proofs@example.com", "APPROVER").await;
    let (viewer, _) = member(&app, &owner, "looks@example.com", "VIEWER").await;
    let p = plan(&app, &me, 2027).await;
    let (brand, demand) = (program(&app, &me, &p, "Brand").await, program(&app, &me, &p, "Demand").await);
    let launch = project(&app, &me, &brand, "Launch").await;

    // Version 1: a picture, told by its bytes whatever its name.
    let i = json!({ "i": { "name": "Spring banner", "description": "Hero image", "projectId": launch } });
    let created = ok(upload(&app, &me, CREATE, i, "banner.csv", PNG).await)["createAsset"].clone();
    let id = created["id"].as_str().unwrap().to_owned();
    let v1 = created["latestVersion"].clone();
    assert_eq!(
        (created["kind"].as_str(), created["state"].as_str(), created["versionCount"].as_i64()),
        (Some("IMAGE"), Some("DRAFT"), Some(1))
    );
    assert_eq!(created["projectId"], launch.as_str());
    assert_eq!(
        (v1["number"].as_i64(), v1["contentType"].as_str(), v1["sizeBytes"].as_f64()),
        (Some(1), Some("image/png"), Some(PNG.len() as f64))
    );

    // Its file, with the API's credentials, as uploaded.
    let url = v1["url"].as_str().unwrap().to_owned();
    let res = fetch(&app, &me, &url).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-type"), "image/png");
    assert_eq!(header(&res, "x-frame-options"), "SAMEORIGIN", "Parley's pages may show it in a frame");
    assert!(header(&res, "content-security-policy").contains("frame-ancestors 'self'"));
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(fetch(&app, &As::anon(), &url).await.status(), 401, "no credentials, no file");
    assert_eq!(fetch(&app, &viewer, &url).await.status(), 200, "viewers see");
    let download = fetch(&app, &me, &format!("{url}?download=1")).await;
    assert_eq!(header(&download, "content-disposition"), "attachment; filename=\"banner.csv\"");

    // Version 2: an HTML email, whose scripts never run as Parley.
    let i = json!({ "i": { "assetId": id, "note": "Made it an email" } });
    let v2 = ok(upload(&app, &me, ADD, i, "email.html", HTML).await)["addAssetVersion"].clone();
    assert_eq!(
        (v2["number"].as_i64(), v2["kind"].as_str(), v2["contentType"].as_str(), v2["note"].as_str()),
        (Some(2), Some("HTML"), Some("text/html; charset=utf-8"), Some("Made it an email"))
    );
    let res = fetch(&app, &me, v2["url"].as_str().unwrap()).await;
    assert!(
        header(&res, "content-security-policy").starts_with("sandbox;"),
        "{}",
        header(&res, "content-security-policy")
    );
    assert_eq!(res.text().await.unwrap().as_bytes(), HTML);
    let a = asset(&app, &me, &id).await;
    assert_eq!((a["kind"].as_str(), a["versionCount"].as_i64()), (Some("HTML"), Some(2)));
    let numbers: Vec<i64> = a["versions"].as_array().unwrap().iter().map(|v| v["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [2, 1], "newest first");

    // Comments: pinned to a point of version 1, about a page of version 2; approvers
    // comment too, viewers only read.
    let (v1_id, v2_id) = (v1["id"].as_str().unwrap().to_owned(), v2["id"].as_str().unwrap().to_owned());
    let pinned = run(
        &app,
        &approver,
        COMMENT,
        json!({ "i": { "versionId": v1_id, "body": "Logo too small", "x": 0.25, "y": 0.5 } }),
    )
    .await["commentOnAssetVersion"]
        .clone();
    assert_eq!((pinned["x"].as_f64(), pinned["y"].as_f64()), (Some(0.25), Some(0.5)));
    let paged =
        run(&app, &me, COMMENT, json!({ "i": { "versionId": v2_id, "body": "Footer link?", "page": 1 } })).await;
    let paged = paged["commentOnAssetVersion"]["id"].as_str().unwrap().to_owned();
    let resolved = run(
        &app,
        &approver,
        "mutation($id: ID!) { resolveAssetComment(id: $id) { resolved } }",
        json!({ "id": paged }),
    )
    .await;
    assert_eq!(resolved["resolveAssetComment"]["resolved"], true);
    let a = asset(&app, &viewer, &id).await;
    assert_eq!(
        a["versions"][1]["comments"],
        json!([{ "body": "Logo too small", "x": 0.25, "y": 0.5, "page": null, "resolved": false, "authorLabel": "proofs@example.com" }])
    );
    assert_eq!(a["versions"][0]["comments"][0]["resolved"], true);
    let r = app.gql(&viewer, COMMENT, json!({ "i": { "versionId": v1_id, "body": "Nice" } })).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "{r}");

    // A rule limited to another program does not apply: approved at once.
    let rule = "mutation($i: CreateApprovalRuleInput!) { createApprovalRule(input: $i) { id } }";
    let only_demand = json!({ "objectType": "ASSET_VERSION", "approverRole": "APPROVER", "programId": demand });
    run(&app, &me, rule, json!({ "i": only_demand })).await;
    let at_once = run(&app, &me, REQUEST, json!({ "v": v1_id })).await["requestAssetApproval"].clone();
    assert_eq!((at_once["state"].as_str(), at_once["approvalId"].as_str()), (Some("APPROVED"), None));
    assert!(at_once["decidedAt"].is_string());
    let a = asset(&app, &me, &id).await;
    assert_eq!((a["approvedVersion"]["number"].as_i64(), a["state"].as_str()), (Some(1), Some("DRAFT")));

    // One that applies everywhere: version 2 waits for an approver, who sends it back,
    // then approves it; the approver is never the one who asked.
    run(&app, &me, rule, json!({ "i": { "objectType": "ASSET_VERSION", "approverRole": "APPROVER" } })).await;
    let asked = run(&app, &me, REQUEST, json!({ "v": v2_id })).await["requestAssetApproval"].clone();
    assert_eq!(asked["state"], "IN_REVIEW");
    assert_eq!(asset(&app, &me, &id).await["state"], "IN_REVIEW", "the asset shows its latest version's state");
    let again = app.gql(&me, REQUEST, json!({ "v": v2_id })).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"), "{again}");
    let approval = asked["approvalId"].as_str().unwrap().to_owned();
    let own = app.gql(&me, DECIDE, json!({ "i": { "approvalId": approval, "decision": "APPROVE" } })).await;
    assert_eq!(code(&own).as_deref(), Some("FORBIDDEN"), "nobody decides their own request: {own}");
    let back = json!({ "i": { "approvalId": approval, "decision": "REQUEST_CHANGES", "comment": "Bigger logo" } });
    run(&app, &approver, DECIDE, back).await;
    assert_eq!(asset(&app, &me, &id).await["versions"][0]["state"], "CHANGES_REQUESTED");
    let asked = run(&app, &me, REQUEST, json!({ "v": v2_id })).await["requestAssetApproval"].clone();
    let yes = json!({ "i": { "approvalId": asked["approvalId"], "decision": "APPROVE" } });
    assert_eq!(run(&app, &approver, DECIDE, yes).await["decideApproval"]["state"], "APPROVED");
    let a = asset(&app, &me, &id).await;
    assert_eq!(
        (a["approvedVersion"]["number"].as_i64(), a["state"].as_str(), a["versions"][1]["state"].as_str()),
        (Some(2), Some("APPROVED"), Some("APPROVED"))
    );

    // Version 3 starts its own review; the approved version stays the second.
    let i = json!({ "i": { "assetId": id } });
    let v3 = ok(upload(&app, &me, ADD, i, "banner@2x.png", PNG).await)["addAssetVersion"].clone();
    let a = asset(&app, &me, &id).await;
    assert_eq!(
        (a["state"].as_str(), a["approvedVersion"]["number"].as_i64(), a["latestVersion"]["number"].as_i64()),
        (Some("DRAFT"), Some(2), Some(3))
    );
    // `requestApproval` takes any object that is approved.
    let generic = "mutation($id: ID!) { requestApproval(input: {objectId: $id}) { state objectType objectId } }";
    let r = run(&app, &me, generic, json!({ "id": v3["id"] })).await["requestApproval"].clone();
    assert_eq!(r, json!({ "state": "PENDING", "objectType": "ASSET_VERSION", "objectId": v3["id"] }));
    let r = app.gql(&me, generic, json!({ "id": p })).await;
    assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some("objectId")), "{r}");

    // The trail holds each step, with who took it.
    let trail = run(&app, &me, "{ auditLog(first: 100) { nodes { action actor } } }", json!({})).await;
    let steps: Vec<(String, String)> = trail["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["action"].as_str().unwrap().to_owned(), n["actor"].as_str().unwrap().to_owned()))
        .collect();
    for (action, actor) in [
        ("asset.created", owner.email.as_str()),
        ("asset.version_uploaded", owner.email.as_str()),
        ("asset.commented", "proofs@example.com"),
        ("asset.comment_resolved", "proofs@example.com"),
        ("asset.version_submitted", owner.email.as_str()),
        ("asset.version_returned", "proofs@example.com"),
        ("asset.version_approved", "proofs@example.com"),
        ("approval.requested", owner.email.as_str()),
    ] {
        assert!(steps.iter().any(|(a, who)| a == action && who == actor), "{action} by {actor}: {steps:?}");
    }

    // Listing and filters.
    let list = "query($s: AssetVersionState, $q: String, $p: ID) { assets(state: $s, search: $q, projectId: $p) { totalCount nodes { name } } }";
    for (vars, count) in [
        (json!({}), 1),
        (json!({ "s": "DRAFT" }), 0),
        (json!({ "s": "IN_REVIEW" }), 1),
        (json!({ "q": "spring" }), 1),
        (json!({ "q": "autumn" }), 0),
        (json!({ "p": launch }), 1),
    ] {
        assert_eq!(run(&app, &viewer, list, vars.clone()).await["assets"]["totalCount"], count, "{vars}");
    }

    // Bad input is named; nothing is half made.
    for (q, vars, name, file, field_name) in [
        (CREATE, json!({ "i": { "name": "List" } }), "list.csv", &b"email\nann@example.com\n"[..], "file"),
        (CREATE, json!({ "i": { "name": "Empty" } }), "empty.png", &b""[..], "file"),
        (CREATE, json!({ "i": { "name": "  " } }), "a.png", PNG, "name"),
        (CREATE, json!({ "i": { "name": "X", "projectId": "nope" } }), "a.png", PNG, "projectId"),
        (ADD, json!({ "i": { "assetId": id, "note": "n".repeat(2001) } }), "a.png", PNG, "note"),
    ] {
        let r = upload(&app, &me, q, vars, name, file).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(field_name)), "{r}");
    }
    for (i, field_name) in [
        (json!({ "versionId": v1_id, "body": " " }), "body"),
        (json!({ "versionId": v1_id, "body": "x", "x": 0.5 }), "y"),
        (json!({ "versionId": v1_id, "body": "x", "x": 1.5, "y": 0.1 }), "x"),
        (json!({ "versionId": v1_id, "body": "x", "page": 0 }), "page"),
        (json!({ "versionId": "nope", "body": "x" }), "versionId"),
    ] {
        let r = app.gql(&me, COMMENT, json!({ "i": i })).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(field_name)), "{r}");
    }
    let listed = run(&app, &me, "{ assets { totalCount } }", json!({})).await;
    assert_eq!(listed["assets"]["totalCount"], 1, "refused uploads made no asset");
    assert_eq!(asset(&app, &me, &id).await["versionCount"], 3, "nor a version");

    // Another workspace sees none of it, by any door.
    let stranger = app.sign_up("BUSINESS").await.auth();
    for q in [ASSET, "query($id: ID!) { node(id: $id) { id } }"] {
        for node in [&id, &v1_id, &pinned["id"].as_str().unwrap().to_owned()] {
            let r = app.gql(&stranger, q, json!({ "id": node })).await;
            assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        }
    }
    assert_eq!(fetch(&app, &stranger, &url).await.status(), 404);
    for (q, vars) in [
        (COMMENT, json!({ "i": { "versionId": v1_id, "body": "mine now" } })),
        (REQUEST, json!({ "v": v2_id })),
        ("mutation($id: ID!) { resolveAssetComment(id: $id) { id } }", json!({ "id": paged })),
        ("mutation($id: ID!) { updateAsset(input: {id: $id, name: \"Mine\"}) { id } }", json!({ "id": id })),
    ] {
        let r = app.gql(&stranger, q, vars).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    }
    let r = upload(&app, &stranger, ADD, json!({ "i": { "assetId": id } }), "a.png", PNG).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    assert_eq!(run(&app, &stranger, "{ assets { totalCount } }", json!({})).await["assets"]["totalCount"], 0);
    assert_eq!(asset(&app, &me, &id).await["name"], "Spring banner");
}

on_both!(assets_in_versions_with_pinned_comments_and_approvals);

/// One object of every asset type, for the checks that cover every node type.
pub async fn samples(app: &TestApp, owner: &Account) -> Vec<(&'static str, Value)> {
    let me = owner.auth();
    let created = ok(upload(app, &me, CREATE, json!({ "i": { "name": "Sample" } }), "s.png", PNG).await);
    let asset = created["createAsset"].clone();
    let version = asset["latestVersion"]["id"].clone();
    let c = run(app, &me, COMMENT, json!({ "i": { "versionId": version, "body": "A note" } })).await;
    vec![
        ("Asset", asset["id"].clone()),
        ("AssetVersion", version),
        ("AssetComment", c["commentOnAssetVersion"]["id"].clone()),
    ]
}
