//! Segments: rules over fields, consent, history and other segments that find the
//! contacts a marketer means, saved segments and static lists, rules that are wrong
//! refused naming the wrong part, and another workspace that sees none of it.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

async fn add_contact(app: &TestApp, who: &As, input: Value) -> String {
    let q = "mutation($i: ContactInput!) { createContact(input: $i) { id } }";
    ok(app.gql(who, q, json!({ "i": input })).await)["createContact"]["id"].as_str().unwrap().to_owned()
}

/// How many contacts `rule` matches, and who (email, else phone), sorted.
async fn preview(app: &TestApp, who: &As, rule: Value) -> (u64, Vec<String>) {
    let q = "query($r: JSON!) { previewSegment(rule: $r) { count contacts(first: 100) { email phone } } }";
    let res = app.gql(who, q, json!({ "r": rule })).await;
    let d = ok(res);
    let p = &d["previewSegment"];
    let mut who: Vec<String> = p["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().or(c["phone"].as_str()).unwrap_or("?").to_owned())
        .collect();
    who.sort();
    (p["count"].as_u64().unwrap(), who)
}

/// Who `rule` matches (and the count agrees).
async fn matches(app: &TestApp, who: &As, rule: Value) -> Vec<String> {
    let (n, found) = preview(app, who, rule.clone()).await;
    assert_eq!(n as usize, found.len(), "count and contacts agree for {rule}");
    found
}

async fn create_segment(app: &TestApp, who: &As, input: Value) -> Value {
    let q = "mutation($i: CreateSegmentInput!) { createSegment(input: $i) { id name kind rule count } }";
    app.gql(who, q, json!({ "i": input })).await
}

fn ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339()
}

const ANN: &str = "ann@example.com";
const BO: &str = "bo@example.com";
const CY: &str = "+33612345678";

async fn attribute_rules_compare_by_the_fields_type(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let q = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    for f in [
        json!({ "key": "spend", "label": "Spend", "kind": "MONEY", "currency": "EUR" }),
        json!({ "key": "birthday", "label": "Birthday", "kind": "DATE" }),
        json!({ "key": "tier", "label": "Tier", "kind": "ENUM", "options": ["Gold", "Silver"] }),
        json!({ "key": "likes", "label": "Likes", "kind": "LIST" }),
    ] {
        ok(app.gql(&me, q, json!({ "i": f })).await);
    }
    // visit (NUMBER), vip (BOOLEAN) and city (STRING) are defined by their first value.
    add_contact(
        &app,
        &me,
        json!({ "email": ANN, "firstName": "Ann", "tags": ["vip", "beta"], "attributes": {
        "visit": 1, "vip": true, "spend": "12.50", "birthday": "1990-04-01", "tier": "Gold", "city": "Paris",
        "likes": ["Shoes", "hats"] } }),
    )
    .await;
    add_contact(
        &app,
        &me,
        json!({ "email": BO, "tags": ["lead"], "attributes": {
        "visit": 5, "vip": false, "spend": "100", "birthday": "2000-01-01", "tier": "Silver", "city": "Lyon" } }),
    )
    .await;
    add_contact(&app, &me, json!({ "phone": CY })).await;

    let a = |name: &str, op: &str, value: Value| json!({ "attribute": name, "op": op, "value": value });
    for (rule, want) in [
        // NUMBER: a stored 1 is equal to 1, and to "1" given as text.
        (a("visit", "eq", json!(1)), vec![ANN]),
        (a("visit", "eq", json!("1")), vec![ANN]),
        (a("visit", "gt", json!(1)), vec![BO]),
        (a("visit", "lte", json!(5.0)), vec![ANN, BO]),
        (a("visit", "in", json!([1, 5])), vec![ANN, BO]),
        (a("visit", "exists", json!(false)), vec![CY]),
        // BOOLEAN: a contact without the value fails a test, and passes its `not`.
        (a("vip", "eq", json!(true)), vec![ANN]),
        (a("vip", "ne", json!(true)), vec![BO]),
        (json!({ "not": a("vip", "eq", json!(true)) }), vec![BO, CY]),
        // MONEY by amount, read in the field's currency.
        (a("spend", "gte", json!("50")), vec![BO]),
        (a("spend", "lt", json!({ "amount": 2000, "currency": "EUR" })), vec![ANN]),
        // DATE by date; ENUM by option, whatever the case written.
        (a("birthday", "lt", json!("1995-01-01")), vec![ANN]),
        (a("birthday", "gte", json!("1995-01-01")), vec![BO]),
        (a("tier", "in", json!(["gold"])), vec![ANN]),
        // STRING contains without case; LIST and tags hold an item.
        (a("city", "contains", json!("ARI")), vec![ANN]),
        (a("city", "eq", json!("Lyon")), vec![BO]),
        (a("likes", "contains", json!("shoes")), vec![ANN]),
        (a("likes", "exists", json!(true)), vec![ANN]),
        (a("tags", "contains", json!("VIP")), vec![ANN]),
        (a("tags", "exists", json!(false)), vec![CY]),
        // The contact's own fields.
        (a("email", "eq", json!("ANN@Example.com")), vec![ANN]),
        (a("email", "in", json!([BO, "nobody@example.com"])), vec![BO]),
        (a("phone", "eq", json!("0033 6 12 34 56 78")), vec![CY]),
        (a("firstName", "exists", json!(true)), vec![ANN]),
        (a("createdAt", "gte", json!("2000-01-01")), vec![CY, ANN, BO]),
        (a("createdAt", "gte", json!(ago(-1))), vec![]),
        // Nesting.
        (
            json!({ "any": [
                { "all": [a("city", "eq", json!("Lyon")), a("visit", "gte", json!(5))] },
                { "not": a("email", "exists", json!(true)) },
            ] }),
            vec![CY, BO],
        ),
        (json!({ "all": [a("tags", "contains", json!("beta")), { "not": a("tier", "eq", json!("Gold")) }] }), vec![]),
    ] {
        let mut want: Vec<String> = want.into_iter().map(str::to_owned).collect();
        want.sort();
        assert_eq!(matches(&app, &me, rule.clone()).await, want, "{rule}");
    }
}

async fn send_events(app: &TestApp, key: &str, events: Value) {
    let body = json!({ "key": key, "events": events });
    let res = app.http.post(format!("{}/t/events", app.base)).body(body.to_string()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["rejected"], json!([]), "{report}");
}

async fn consent_and_event_rules_read_the_history(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let k = ok(app.gql(&me, "mutation { rotateTrackingKey { key } }", json!({})).await);
    let key = k["rotateTrackingKey"]["key"].as_str().unwrap().to_owned();
    send_events(
        &app,
        &key,
        json!([
            { "type": "purchase", "email": ANN, "occurredAt": ago(2), "properties": { "sku": "A1", "price": 1200 } },
            { "type": "purchase", "email": ANN, "occurredAt": ago(10), "properties": { "sku": "B2", "price": 500 } },
            { "type": "page_view", "email": ANN, "occurredAt": ago(1), "properties": { "path": "/" } },
            { "type": "purchase", "email": BO, "occurredAt": ago(20), "properties": { "sku": "a1", "price": 3000 } },
        ]),
    )
    .await;
    let cy =
        add_contact(&app, &me, json!({ "phone": CY, "consents": [{ "channel": "EMAIL", "status": "GRANTED" }] })).await;
    let set = "mutation($i: ContactInput!) { upsertContact(input: $i) { contact { id } } }";
    ok(app
        .gql(&me, set, json!({ "i": { "email": ANN, "consents": [{ "channel": "EMAIL", "status": "DENIED" }] } }))
        .await);
    ok(app
        .gql(&me, set, json!({ "i": { "email": BO, "consents": [{ "channel": "SMS", "status": "GRANTED" }] } }))
        .await);
    assert!(!cy.is_empty());

    let ev = |extra: Value| {
        let mut r = json!({ "event": "purchase" });
        r.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        r
    };
    for (rule, want) in [
        (ev(json!({})), vec![ANN, BO]),
        (ev(json!({ "within": "P7D" })), vec![ANN]),
        (ev(json!({ "within": "P1W" })), vec![ANN]),
        (ev(json!({ "within": "PT1H" })), vec![]),
        (ev(json!({ "within": "P30D", "count": { "op": "gte", "value": 2 } })), vec![ANN]),
        (ev(json!({ "count": { "op": "eq", "value": 1 } })), vec![BO]),
        // A count that admits zero finds those who never did it.
        (ev(json!({ "count": { "op": "eq", "value": 0 } })), vec![CY]),
        (ev(json!({ "within": "P7D", "count": { "op": "lt", "value": 1 } })), vec![BO, CY]),
        (ev(json!({ "within": "P14D", "count": { "op": "lte", "value": 1 } })), vec![BO, CY]),
        (ev(json!({ "count": { "op": "ne", "value": 2 } })), vec![BO, CY]),
        (ev(json!({ "count": { "op": "lt", "value": 3 } })), vec![ANN, BO, CY]),
        (ev(json!({ "count": { "op": "gt", "value": 1 } })), vec![ANN]),
        (
            ev(
                json!({ "count": { "op": "lte", "value": 1 }, "where": [{ "property": "price", "op": "lt", "value": 2000 }] }),
            ),
            vec![BO, CY],
        ),
        (json!({ "not": ev(json!({ "count": { "op": "gte", "value": 2 }, "within": "P30D" })) }), vec![BO, CY]),
        // Property conditions: numbers as numbers, text without case for contains.
        (
            ev(json!({ "where": [{ "property": "sku", "op": "eq", "value": "A1" },
                                  { "property": "price", "op": "gte", "value": 1000 }] })),
            vec![ANN],
        ),
        (ev(json!({ "where": [{ "property": "price", "op": "gt", "value": 2000 }] })), vec![BO]),
        (ev(json!({ "where": [{ "property": "sku", "op": "contains", "value": "a" }] })), vec![ANN, BO]),
        (
            ev(json!({ "where": [{ "property": "price", "op": "in", "value": [500, 3000] }], "within": "P15D" })),
            vec![ANN],
        ),
        (ev(json!({ "where": [{ "property": "coupon", "op": "exists", "value": true }] })), vec![]),
        (json!({ "consent": "EMAIL" }), vec![CY]),
        (json!({ "consent": "SMS" }), vec![BO]),
        (json!({ "all": [{ "consent": "EMAIL" }, { "not": ev(json!({})) }] }), vec![CY]),
        (json!({ "event": "page_view", "within": "P2D" }), vec![ANN]),
    ] {
        let mut want: Vec<String> = want.into_iter().map(str::to_owned).collect();
        want.sort();
        assert_eq!(matches(&app, &me, rule.clone()).await, want, "{rule}");
    }
}

async fn saved_segments_lists_and_segments_of_segments(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let mut ids = Vec::new();
    for i in 0..5 {
        let city = if i % 2 == 0 { "Paris" } else { "Lyon" };
        ids.push(
            add_contact(&app, &me, json!({ "email": format!("c{i}@example.com"), "attributes": { "city": city } }))
                .await,
        );
    }
    let paris = ok(create_segment(
        &app,
        &me,
        json!({ "name": "Paris", "rule": { "attribute": "city", "op": "eq", "value": "Paris" } }),
    )
    .await)["createSegment"]
        .clone();
    assert_eq!((paris["kind"].as_str(), paris["count"].as_u64()), (Some("DYNAMIC"), Some(3)));
    let paris_id = paris["id"].as_str().unwrap().to_owned();
    let list =
        ok(create_segment(&app, &me, json!({ "name": "Picked", "kind": "STATIC" })).await)["createSegment"].clone();
    assert_eq!(
        (list["kind"].as_str(), list["count"].as_u64(), list["rule"].clone()),
        (Some("STATIC"), Some(0), Value::Null)
    );
    let list_id = list["id"].as_str().unwrap().to_owned();

    // A static list holds whom it is given, once each.
    let add = "mutation($id: ID!, $c: [ID!]!) { addToSegment(id: $id, contactIds: $c) { id count } }";
    let r = ok(app.gql(&me, add, json!({ "id": list_id, "c": [ids[0], ids[1], ids[1]] })).await);
    assert_eq!(r["addToSegment"]["count"], 2);
    let r = ok(app.gql(&me, add, json!({ "id": list_id, "c": ids })).await);
    assert_eq!(r["addToSegment"]["count"], 5);
    let remove = "mutation($id: ID!, $c: [ID!]!) { removeFromSegment(id: $id, contactIds: $c) { count } }";
    let r = ok(app.gql(&me, remove, json!({ "id": list_id, "c": [ids[4]] })).await);
    assert_eq!(r["removeFromSegment"]["count"], 4);
    let r = app.gql(&me, add, json!({ "id": paris_id, "c": [ids[0]] })).await;
    assert_eq!(field(&r).as_deref(), Some("id"), "a dynamic segment takes no members by hand: {r}");

    // Its contacts page newest first.
    let page = "query($id: ID!, $after: String) { segment(id: $id) { contacts(first: 2, after: $after) { \
                totalCount pageInfo { hasNextPage endCursor } nodes { id } } } }";
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let p = ok(app.gql(&me, page, json!({ "id": list_id, "after": after })).await);
        let c = &p["segment"]["contacts"];
        assert_eq!(c["totalCount"], 4);
        seen.extend(c["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()));
        if !c["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = c["pageInfo"]["endCursor"].clone();
    }
    let want: Vec<String> = ids[..4].iter().rev().cloned().collect();
    assert_eq!(seen, want);

    // Segments in rules: a dynamic one is read as its rule, a static one as its list.
    let both = json!({ "all": [{ "inSegment": paris_id }, { "inSegment": list_id }] });
    assert_eq!(matches(&app, &me, both.clone()).await, ["c0@example.com", "c2@example.com"]);
    let lyon_or_missing = json!({ "not": { "inSegment": paris_id } });
    assert_eq!(matches(&app, &me, lyon_or_missing).await, ["c1@example.com", "c3@example.com"]);
    let nested =
        ok(create_segment(&app, &me, json!({ "name": "Paris, picked", "rule": both })).await)["createSegment"].clone();
    assert_eq!(nested["count"], 2);
    let nested_id = nested["id"].as_str().unwrap().to_owned();
    // A segment cannot contain itself, directly or through another.
    let upd =
        "mutation($id: ID!, $i: UpdateSegmentInput!) { updateSegment(id: $id, input: $i) { id name rule count } }";
    let cycle = json!({ "id": paris_id, "i": { "rule": { "any": [{ "attribute": "city", "op": "eq", "value": "Paris" }, { "inSegment": nested_id }] } } });
    let r = app.gql(&me, upd, cycle).await;
    assert_eq!(
        (code(&r).as_deref(), field(&r).as_deref()),
        (Some("BAD_USER_INPUT"), Some("rule.any[1].inSegment")),
        "{r}"
    );
    let r = app.gql(&me, upd, json!({ "id": nested_id, "i": { "rule": { "inSegment": nested_id } } })).await;
    assert_eq!(field(&r).as_deref(), Some("rule.inSegment"), "{r}");
    // A segment another uses cannot be deleted.
    let del = "mutation($id: ID!) { deleteSegment(id: $id) { id name } }";
    assert_eq!(code(&app.gql(&me, del, json!({ "id": paris_id })).await).as_deref(), Some("CONFLICT"));

    // Renaming and changing the rule.
    let r = ok(app
        .gql(&me, upd, json!({ "id": paris_id, "i": { "name": "Lyon", "rule": { "attribute": "city", "op": "eq", "value": "Lyon" } } }))
        .await);
    assert_eq!((r["updateSegment"]["name"].as_str(), r["updateSegment"]["count"].as_u64()), (Some("Lyon"), Some(2)));
    let r = app.gql(&me, upd, json!({ "id": list_id, "i": { "rule": { "consent": "EMAIL" } } })).await;
    assert_eq!(field(&r).as_deref(), Some("rule"));
    let r = create_segment(&app, &me, json!({ "name": "Lyon", "kind": "STATIC" })).await;
    assert_eq!(field(&r).as_deref(), Some("name"), "names are unique: {r}");
    let listed = ok(app.gql(&me, "{ segments(first: 10) { totalCount nodes { name kind } } }", json!({})).await);
    assert_eq!(listed["segments"]["totalCount"], 3);
    assert_eq!(listed["segments"]["nodes"][0], json!({ "name": "Lyon", "kind": "DYNAMIC" }));

    // Merged contacts never match; a merge carries list membership, an erasure ends it.
    let no_email = json!({ "attribute": "email", "op": "exists", "value": false });
    let phone_only = add_contact(&app, &me, json!({ "phone": CY })).await;
    ok(app.gql(&me, add, json!({ "id": list_id, "c": [phone_only] })).await);
    assert_eq!(matches(&app, &me, no_email.clone()).await, [CY]);
    let merge = "mutation($t: ID!, $s: ID!) { mergeContacts(input: { targetId: $t, sourceId: $s }) { id } }";
    ok(app.gql(&me, merge, json!({ "t": ids[4], "s": phone_only })).await);
    assert_eq!(matches(&app, &me, no_email).await, Vec::<String>::new(), "the merged-away row matches nothing");
    let count = "query($id: ID!) { segment(id: $id) { count contacts(first: 10) { nodes { id } } } }";
    let c = ok(app.gql(&me, count, json!({ "id": list_id })).await);
    assert_eq!(c["segment"]["count"], 5);
    assert_eq!(c["segment"]["contacts"]["nodes"][0]["id"], ids[4].as_str(), "the target took the list place");
    ok(app.gql(&me, "mutation($id: ID!) { eraseContact(id: $id) { erasedContactId } }", json!({ "id": ids[4] })).await);
    assert_eq!(ok(app.gql(&me, count, json!({ "id": list_id })).await)["segment"]["count"], 4);

    // Roles: a viewer reads segments but changes none.
    let k =
        ok(app.gql(&me, "mutation { createApiKey(input: { name: \"v\", role: VIEWER }) { secret } }", json!({})).await);
    let viewer = As::token(k["createApiKey"]["secret"].as_str().unwrap());
    assert_eq!(ok(app.gql(&viewer, count, json!({ "id": nested_id })).await)["segment"]["count"], 2);
    let r = create_segment(&app, &viewer, json!({ "name": "Mine", "kind": "STATIC" })).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"));
    assert_eq!(
        code(&app.gql(&viewer, add, json!({ "id": list_id, "c": [ids[0]] })).await).as_deref(),
        Some("FORBIDDEN")
    );

    // Deleting, and the trail.
    ok(app.gql(&me, del, json!({ "id": nested_id })).await);
    let r = ok(app.gql(&me, del, json!({ "id": paris_id })).await);
    assert_eq!(r["deleteSegment"]["name"], "Lyon");
    let gone = app.gql(&me, "query($id: ID!) { segment(id: $id) { id } }", json!({ "id": paris_id })).await;
    assert_eq!(code(&gone).as_deref(), Some("NOT_FOUND"));
    let trail =
        ok(app.gql(&me, "{ auditLog(first: 100) { nodes { action objectType before after } } }", json!({})).await);
    let actions: Vec<&str> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().filter_map(|l| l["action"].as_str()).collect();
    for a in
        ["segment.created", "segment.updated", "segment.deleted", "segment.members_added", "segment.members_removed"]
    {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
    assert!(!trail.to_string().contains("\"attribute\""), "rules stay out of the trail: {trail}");
}

async fn wrong_rules_are_refused_naming_the_wrong_part(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    add_contact(&app, &me, json!({ "email": ANN, "attributes": { "visit": 1, "vip": true } })).await;
    let ok_rule = json!({ "attribute": "visit", "op": "eq", "value": 1 });
    let mut deep = ok_rule.clone();
    for _ in 0..100 {
        deep = json!({ "not": deep });
    }
    for (rule, want) in [
        (json!({ "any": [{ "attribute": "nope", "op": "eq", "value": 1 }] }), "rule.any[0].attribute".to_owned()),
        (json!({ "all": [ok_rule, { "attribute": "vip", "op": "lt", "value": true }] }), "rule.all[1].op".into()),
        (json!({ "attribute": "visit", "op": "eq", "value": "many" }), "rule.value".into()),
        (json!({ "attribute": "visit", "op": "in", "value": [1, "x"] }), "rule.value[1]".into()),
        (json!({ "attribute": "visit", "op": "eq", "value": 1, "colour": "red" }), "rule.colour".into()),
        (json!({ "all": [] }), "rule.all".into()),
        (json!({ "event": "purchase", "within": "a month" }), "rule.within".into()),
        (json!({ "event": "purchase", "count": { "op": "most", "value": 1 } }), "rule.count.op".into()),
        (json!({ "consent": "FAX" }), "rule.consent".into()),
        (json!({ "inSegment": "01930000-0000-7000-8000-000000000000" }), "rule.inSegment".into()),
        (json!("everyone"), "rule".into()),
        (deep, format!("rule{}", ".not".repeat(20))),
    ] {
        let q = "query($r: JSON!) { previewSegment(rule: $r) { count } }";
        let res = app.gql(&me, q, json!({ "r": rule })).await;
        assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"), "{rule}: {res}");
        assert_eq!(field(&res).as_deref(), Some(want.as_str()), "{res}");
        let res = create_segment(&app, &me, json!({ "name": "x", "rule": rule })).await;
        assert_eq!(field(&res).as_deref(), Some(want.as_str()), "{res}");
    }
    // A rule nested a thousand deep is refused as it arrives, and the server goes on.
    let mut deeper = json!({ "consent": "EMAIL" });
    for _ in 0..1_000 {
        deeper = json!({ "not": deeper });
    }
    let body =
        json!({ "query": "query($r: JSON!) { previewSegment(rule: $r) { count } }", "variables": { "r": deeper } });
    let res =
        app.http.post(format!("{}/graphql", app.base)).bearer_auth(&owner.token).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res: Value = res.json().await.unwrap();
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"));
    // …and so is one written inline in the query, before the parser descends into it.
    let inline = format!(
        "query {{ previewSegment(rule: {}{{consent: \"EMAIL\"}}{}) {{ count }} }}",
        "{not: ".repeat(1_000),
        "}".repeat(1_000)
    );
    let body = json!({ "query": inline });
    let res = app.http.post(format!("{}/graphql", app.base)).json(&body).send().await.unwrap();
    assert_eq!(res.status(), 400);
    let res: Value = res.json().await.unwrap();
    assert_eq!(code(&res).as_deref(), Some("BAD_USER_INPUT"), "{res}");
    let saved = ok(app.gql(&me, "{ segments { totalCount } }", json!({})).await);
    assert_eq!(saved["segments"]["totalCount"], 0, "nothing saved");
    let r = create_segment(&app, &me, json!({ "name": "x" })).await;
    assert_eq!(field(&r).as_deref(), Some("rule"), "a dynamic segment needs a rule");
}

async fn another_workspaces_segments_are_invisible(app: TestApp) {
    let a = app.sign_up("BUSINESS").await;
    let b = app.sign_up("BUSINESS").await;
    let theirs =
        add_contact(&app, &a.auth(), json!({ "email": "shared@example.com", "attributes": { "city": "Paris" } })).await;
    let s = ok(create_segment(
        &app,
        &a.auth(),
        json!({ "name": "A's", "rule": { "attribute": "city", "op": "eq", "value": "Paris" } }),
    )
    .await)["createSegment"]["id"]
        .clone();
    let list = ok(create_segment(&app, &a.auth(), json!({ "name": "A's list", "kind": "STATIC" })).await)["createSegment"]["id"].clone();

    let other = b.auth();
    add_contact(&app, &other, json!({ "email": "b@example.com" })).await;
    let mine = ok(create_segment(&app, &other, json!({ "name": "B's list", "kind": "STATIC" })).await)["createSegment"]
        ["id"]
        .clone();
    for (what, q, vars) in [
        ("segment", "query($id: ID!) { segment(id: $id) { id } }", json!({ "id": s })),
        ("count", "query($id: ID!) { segment(id: $id) { count } }", json!({ "id": list })),
        ("node", "query($id: ID!) { node(id: $id) { id } }", json!({ "id": s })),
        ("update", "mutation($id: ID!) { updateSegment(id: $id, input: { name: \"X\" }) { id } }", json!({ "id": s })),
        ("delete", "mutation($id: ID!) { deleteSegment(id: $id) { id } }", json!({ "id": s })),
        (
            "add",
            "mutation($id: ID!, $c: ID!) { addToSegment(id: $id, contactIds: [$c]) { id } }",
            json!({ "id": list, "c": theirs }),
        ),
        (
            "add theirs",
            "mutation($id: ID!, $c: ID!) { addToSegment(id: $id, contactIds: [$c]) { id } }",
            json!({ "id": mine, "c": theirs }),
        ),
    ] {
        let res = app.gql(&other, q, vars).await;
        assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "{what}: {res}");
    }
    // Their segment in our rule is no segment of ours; their contacts never match ours.
    let q = "query($r: JSON!) { previewSegment(rule: $r) { count } }";
    let res = app.gql(&other, q, json!({ "r": { "inSegment": s } })).await;
    assert_eq!((code(&res).as_deref(), field(&res).as_deref()), (Some("BAD_USER_INPUT"), Some("rule.inSegment")));
    assert_eq!(matches(&app, &other, json!({ "attribute": "email", "op": "exists" })).await, ["b@example.com"]);
    assert_eq!(
        matches(&app, &other, json!({ "attribute": "email", "op": "eq", "value": "shared@example.com" })).await.len(),
        0
    );
    let listed = ok(app.gql(&other, "{ segments { totalCount } }", json!({})).await);
    assert_eq!(listed["segments"]["totalCount"], 1);
    // Nothing of A's changed.
    let still = ok(app.gql(&a.auth(), "query($id: ID!) { segment(id: $id) { name count } }", json!({ "id": s })).await);
    assert_eq!(still["segment"], json!({ "name": "A's", "count": 1 }));
}

on_both!(
    attribute_rules_compare_by_the_fields_type,
    consent_and_event_rules_read_the_history,
    saved_segments_lists_and_segments_of_segments,
    wrong_rules_are_refused_naming_the_wrong_part,
    another_workspaces_segments_are_invisible,
);
