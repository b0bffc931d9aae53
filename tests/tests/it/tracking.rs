//! Tracking: batches of events sent with a workspace's publishable key, checked one by
//! one, written to the contact history, anonymous visits joined to the contact who
//! identifies, and nothing of it reaching another workspace.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

pub async fn issue_key(app: &TestApp, who: &As) -> String {
    let k = ok(app.gql(who, "mutation { rotateTrackingKey { key } }", json!({})).await);
    k["rotateTrackingKey"]["key"].as_str().unwrap().to_owned()
}

async fn send(app: &TestApp, body: Value) -> (u16, Value) {
    let res = app
        .http
        .post(format!("{}/t/events", app.base))
        .header("content-type", "text/plain")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    assert_eq!(res.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap()), Some("*"));
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn history(app: &TestApp, who: &As, email: &str) -> Vec<(String, Value)> {
    let q = "query($e: String!) { contactByEmail(email: $e) { events(first: 50) { nodes { kind properties } } } }";
    let h = ok(app.gql(who, q, json!({ "e": email })).await);
    h["contactByEmail"]["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["kind"].as_str().unwrap().to_owned(), e["properties"].clone()))
        .collect()
}

async fn a_visitors_history_joins_the_contact_who_identifies(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    assert_eq!(ok(app.gql(&me, "{ trackingKey { key } }", json!({})).await)["trackingKey"], Value::Null);
    let key = issue_key(&app, &me).await;
    assert!(key.starts_with("prly_pk_"));
    assert_eq!(ok(app.gql(&me, "{ trackingKey { key } }", json!({})).await)["trackingKey"]["key"], key.as_str());

    // Two anonymous page views, then the visitor signs up.
    let views = json!({ "key": key, "events": [
        { "type": "page_view", "anonymousId": "v-1", "properties": { "path": "/pricing" } },
        { "type": "page_view", "anonymousId": "v-1", "properties": { "path": "/signup" } },
    ]});
    let (status, report) = send(&app, views).await;
    assert_eq!((status, report["accepted"].clone(), report["rejected"].clone()), (200, json!(2), json!([])));
    // In one batch, an event before the visitor identifies is theirs too.
    let identify = json!({ "key": key, "events": [
        { "type": "viewed_size_guide", "anonymousId": "v-1" },
        { "type": "identify", "anonymousId": "v-1", "email": "New.Buyer@Example.com" },
    ]});
    assert_eq!(send(&app, identify).await.1["accepted"], 2);
    // Later anonymous events of the same visitor go to the contact too.
    let later = json!({ "key": key, "events": [
        { "type": "add_to_cart", "anonymousId": "v-1", "properties": { "sku": "A1", "price": 1200 } },
        { "type": "page_view", "anonymousId": "someone-else" },
    ]});
    assert_eq!(send(&app, later).await.1["accepted"], 2);
    let h = history(&app, &me, "new.buyer@example.com").await;
    let kinds: Vec<&str> = h.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds, ["add_to_cart", "identify", "viewed_size_guide", "page_view", "page_view"], "{h:?}");
    assert!(h.iter().any(|(_, p)| p["path"] == "/pricing"));
    // The contact was added by tracking, and the trail says so.
    let trail = ok(app.gql(&me, "{ auditLog(first: 5) { nodes { action actor } } }", json!({})).await);
    assert!(
        trail["auditLog"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["action"] == "contact.created" && l["actor"] == "Tracking"),
        "{trail}"
    );

    // Rotating the key retires the old one at once.
    let newer = issue_key(&app, &me).await;
    let (status, body) = send(&app, json!({ "key": key, "events": [{ "type": "x", "anonymousId": "v-2" }] })).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["field"], "key");
    assert_eq!(send(&app, json!({ "key": newer, "events": [{ "type": "x", "anonymousId": "v-2" }] })).await.0, 200);
}

async fn bad_events_are_refused_one_by_one_and_the_rest_kept(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let key = issue_key(&app, &me).await;
    let ahead = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let batch = json!({ "key": key, "events": [
        { "type": "purchase", "email": "ann@example.com", "properties": { "amount": 4200 } },
        { "type": "purchase", "email": "ann@example.com", "occurredAt": ahead },
        { "type": "page view", "anonymousId": "v" },
        { "type": "page_view" },
        { "type": "page_view", "anonymousId": "v", "properties": { "blob": "x".repeat(10_000) } },
        { "type": "signup", "phone": "12345" },
        "not an event",
    ]});
    let (status, report) = send(&app, batch).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["accepted"], 1);
    let refused: Vec<(u64, &str)> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["index"].as_u64().unwrap(), r["field"].as_str().unwrap()))
        .collect();
    assert_eq!(refused, [(1, "occurredAt"), (2, "type"), (3, "anonymousId"), (4, "properties"), (5, "phone"), (6, "")]);
    assert!(report["rejected"][0]["reason"].as_str().unwrap().contains("future"));
    let h = history(&app, &me, "ann@example.com").await;
    assert_eq!(h, [("purchase".to_owned(), json!({ "amount": 4200 }))]);

    // Whole requests that cannot be read are refused as a whole, and write nothing.
    let too_many: Vec<Value> = (0..101).map(|i| json!({ "type": "x", "anonymousId": format!("v{i}") })).collect();
    let (status, body) = send(&app, json!({ "key": key, "events": too_many })).await;
    assert_eq!((status, body["field"].as_str()), (400, Some("events")));
    assert_eq!(send(&app, json!({ "key": key })).await.0, 400);
    assert_eq!(send(&app, json!({ "events": [] })).await.0, 401);
    assert_eq!(send(&app, json!({ "key": "prly_pk_made_up", "events": [] })).await.0, 401);
    let res = app.http.post(format!("{}/t/events", app.base)).body("{not json").send().await.unwrap();
    assert_eq!(res.status().as_u16(), 400);
    let huge = json!({ "key": key, "events": [{ "type": "x", "anonymousId": "v", "properties": { "a": "x".repeat(1_200_000) } }] });
    assert_eq!(send(&app, huge).await.0, 413);
    assert_eq!(history(&app, &me, "ann@example.com").await.len(), 1);
    // A role that cannot manage tracking cannot issue keys.
    let q = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }";
    let k = ok(app.gql(&me, q, json!({ "i": { "name": "v", "role": "ANALYST" } })).await);
    let analyst = As::token(k["createApiKey"]["secret"].as_str().unwrap());
    let res = app.gql(&analyst, "mutation { rotateTrackingKey { key } }", json!({})).await;
    assert_eq!(code(&res).as_deref(), Some("FORBIDDEN"));
}

async fn a_key_writes_only_to_its_own_workspace(app: TestApp) {
    let a = app.sign_up("BUSINESS").await;
    let b = app.sign_up("BUSINESS").await;
    let key_a = issue_key(&app, &a.auth()).await;
    let key_b = issue_key(&app, &b.auth()).await;
    // B has a contact with the same email; A's key must not touch it.
    ok(app.gql(&b.auth(), "mutation { createContact(input: {email: \"same@example.com\"}) { id } }", json!({})).await);
    let batch = json!({ "key": key_a, "events": [{ "type": "purchase", "email": "same@example.com", "anonymousId": "shared-v" }] });
    assert_eq!(send(&app, batch).await.1["accepted"], 1);
    assert_eq!(history(&app, &a.auth(), "same@example.com").await.len(), 1);
    assert_eq!(history(&app, &b.auth(), "same@example.com").await.len(), 0);
    // The same visitor ID in B stays anonymous there: A's identify does not stitch B's events.
    assert_eq!(
        send(&app, json!({ "key": key_b, "events": [{ "type": "page_view", "anonymousId": "shared-v" }] })).await.0,
        200
    );
    assert_eq!(history(&app, &b.auth(), "same@example.com").await.len(), 0);
    // A key with its workspace part swapped for B's is refused.
    let forged = format!("{}_{}", key_a.rsplit_once('_').unwrap().0, key_b.rsplit_once('_').unwrap().1);
    assert_eq!(send(&app, json!({ "key": forged, "events": [] })).await.0, 401);
    // B cannot read A's key by its ID.
    let id = ok(app.gql(&a.auth(), "{ trackingKey { id } }", json!({})).await)["trackingKey"]["id"].clone();
    let res = app.gql(&b.auth(), "query($id: ID!) { node(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));
}

on_both!(
    a_visitors_history_joins_the_contact_who_identifies,
    bad_events_are_refused_one_by_one_and_the_rest_kept,
    a_key_writes_only_to_its_own_workspace,
);
