//! Event detection (INS-7): trigger rules evaluated by the workers on tracked events and
//! contact changes — an event with conditions, an amount over a threshold, N events in
//! a window, a field changed, an event not followed by another in time (with durable
//! timers that fire after the workers were down), entering and leaving a segment; each
//! firing recorded with its events and on the contact's timeline; bad definitions named;
//! another workspace's events never fire a rule, and its rules are NOT_FOUND.

use serde_json::{Value, json};

use crate::campaigns::{plan_field, run, segment};
use crate::on_both;
use crate::support::*;
use crate::tracking::{history, issue_key};

const CREATE: &str = "mutation($i: TriggerRuleInput!) { createTriggerRule(input: $i) { id kind status definition } }";
const FIRINGS: &str = "query($r: ID!) { triggerFirings(ruleId: $r, first: 100) { totalCount
    nodes { id firedAt eventIds contact { id email } } } }";
const RULE: &str = "query($id: ID!) { triggerRule(id: $id) { id name kind status firingCount waitingCount } }";

pub async fn rule(app: &TestApp, who: &As, name: &str, definition: Value) -> String {
    let r = run(app, who, CREATE, json!({ "i": { "name": name, "definition": definition } })).await;
    r["createTriggerRule"]["id"].as_str().unwrap().to_owned()
}

pub async fn track(app: &TestApp, key: &str, events: Value) {
    let res = app
        .http
        .post(format!("{}/t/events", app.base))
        .body(json!({ "key": key, "events": events }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["rejected"], json!([]), "{report}");
}

/// The emails a rule fired for, in order of firing, each once per firing.
async fn fired_for(app: &TestApp, who: &As, rule: &str) -> Vec<String> {
    let f = run(app, who, FIRINGS, json!({ "r": rule })).await;
    let mut all: Vec<String> = f["triggerFirings"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["contact"]["email"].as_str().unwrap_or_default().to_owned())
        .collect();
    all.sort();
    all
}

fn ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

pub async fn contact_id(app: &TestApp, who: &As, email: &str) -> String {
    let q = "query($e: String!) { contactByEmail(email: $e) { id } }";
    run(app, who, q, json!({ "e": email })).await["contactByEmail"]["id"].as_str().unwrap().to_owned()
}

pub async fn set_plan(app: &TestApp, who: &As, id: &str, plan: &str) {
    let q = "mutation($id: ID!, $i: ContactInput!) { updateContact(id: $id, input: $i) { id } }";
    run(app, who, q, json!({ "id": id, "i": { "attributes": { "plan": plan } } })).await;
}

async fn rules_fire_on_events_thresholds_counts_and_changes(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;
    let key = issue_key(&app, &me).await;
    let big = rule(
        &app,
        &me,
        "Big basket",
        json!({ "event": "purchase", "where": [{ "property": "total", "op": "gte", "value": 100 }] }),
    )
    .await;
    let whale = rule(
        &app,
        &me,
        "Whale",
        json!({ "threshold": { "event": "purchase", "property": "amount", "op": "gt", "value": 500 } }),
    )
    .await;
    let keen =
        rule(&app, &me, "Keen", json!({ "count": { "event": "page_view", "atLeast": 3, "within": "PT10M" } })).await;
    let upgrade = rule(&app, &me, "Upgrade", json!({ "attributeChanged": "plan", "from": "Free", "to": "Pro" })).await;
    let r = run(&app, &me, RULE, json!({ "id": big })).await;
    assert_eq!(
        (r["triggerRule"]["kind"].as_str(), r["triggerRule"]["status"].as_str()),
        (Some("EVENT"), Some("ACTIVE"))
    );
    app.drive_jobs().await;

    track(
        &app,
        &key,
        json!([
            { "type": "purchase", "email": "ann@fire.example", "properties": { "total": 150, "amount": 600 } },
            { "type": "purchase", "email": "bob@fire.example", "properties": { "total": 50, "amount": 500 } },
            { "type": "page_view", "email": "ann@fire.example", "occurredAt": ago(5) },
            { "type": "page_view", "email": "ann@fire.example", "occurredAt": ago(4) },
            { "type": "page_view", "email": "ann@fire.example", "occurredAt": ago(3) },
            { "type": "page_view", "email": "ann@fire.example", "occurredAt": ago(2) },
            // Bob's views are too far apart to count together.
            { "type": "page_view", "email": "bob@fire.example", "occurredAt": ago(40) },
            { "type": "page_view", "email": "bob@fire.example", "occurredAt": ago(20) },
            { "type": "page_view", "email": "bob@fire.example", "occurredAt": ago(1) },
        ]),
    )
    .await;
    let worked = app.drive_jobs().await;
    assert!(worked.done >= 1, "the tracked events queued detection: {worked:?}");
    assert_eq!(fired_for(&app, &me, &big).await, ["ann@fire.example"]);
    assert_eq!(fired_for(&app, &me, &whale).await, ["ann@fire.example"], "500 is not over 500");
    assert_eq!(fired_for(&app, &me, &keen).await, ["ann@fire.example"], "four views in the window fire once");

    // The firing names its events, and the contact's timeline tells it.
    let f = run(&app, &me, FIRINGS, json!({ "r": keen })).await;
    let firing = &f["triggerFirings"]["nodes"][0];
    assert_eq!(firing["eventIds"].as_array().unwrap().len(), 3, "{firing}");
    let timeline = history(&app, &me, "ann@fire.example").await;
    let fired: Vec<&str> =
        timeline.iter().filter(|(k, _)| k == "trigger_fired").map(|(_, p)| p["rule"].as_str().unwrap()).collect();
    assert_eq!(fired.len(), 3, "{timeline:?}");
    for name in ["Big basket", "Whale", "Keen"] {
        assert!(fired.contains(&name), "{name}: {fired:?}");
    }

    // A field changed: Free then Pro fires; Pro to Team does not.
    let ann = contact_id(&app, &me, "ann@fire.example").await;
    let bob = contact_id(&app, &me, "bob@fire.example").await;
    set_plan(&app, &me, &ann, "Free").await;
    set_plan(&app, &me, &ann, "Pro").await;
    set_plan(&app, &me, &bob, "Pro").await;
    set_plan(&app, &me, &bob, "Team").await;
    app.drive_jobs().await;
    assert_eq!(fired_for(&app, &me, &upgrade).await, ["ann@fire.example"]);
    let changes: Vec<Value> = history(&app, &me, "bob@fire.example")
        .await
        .into_iter()
        .filter(|(k, _)| k == "attribute_changed")
        .map(|(_, p)| json!([p["from"], p["to"]]))
        .collect();
    assert_eq!(changes, [json!(["Pro", "Team"]), json!([null, "Pro"])], "bob's changes, newest first");

    // A flood of one contact's events fires the count rule once per three, and a second
    // pass over nothing new adds nothing.
    let flood: Vec<Value> = (0..30).map(|_| json!({ "type": "page_view", "email": "carl@fire.example" })).collect();
    track(&app, &key, json!(flood)).await;
    app.drive_jobs().await;
    let keen_carl = fired_for(&app, &me, &keen).await.iter().filter(|e| *e == "carl@fire.example").count();
    assert_eq!(keen_carl, 10, "30 views in the window: a firing per three");
    let before = run(&app, &me, RULE, json!({ "id": keen })).await["triggerRule"]["firingCount"].clone();
    let tenant = uuid_of(&owner.workspace_id).into();
    let again =
        domain::triggers::detect::run(&app.server.parley, tenant, std::time::Duration::from_secs(1)).await.unwrap();
    assert_eq!((again.events, again.fired), (0, 0), "{again:?}");
    assert_eq!(run(&app, &me, RULE, json!({ "id": keen })).await["triggerRule"]["firingCount"], before);

    // Paused, a rule reads nothing; resumed, it fires on what comes next only.
    let pause = "mutation($id: ID!) { pauseTriggerRule(id: $id) { status } }";
    assert_eq!(run(&app, &me, pause, json!({ "id": big })).await["pauseTriggerRule"]["status"], "PAUSED");
    track(&app, &key, json!([{ "type": "purchase", "email": "dan@fire.example", "properties": { "total": 300 } }]))
        .await;
    app.drive_jobs().await;
    let resume = "mutation($id: ID!) { resumeTriggerRule(id: $id) { status } }";
    assert_eq!(run(&app, &me, resume, json!({ "id": big })).await["resumeTriggerRule"]["status"], "ACTIVE");
    app.drive_jobs().await;
    track(&app, &key, json!([{ "type": "purchase", "email": "eve@fire.example", "properties": { "total": 300 } }]))
        .await;
    app.drive_jobs().await;
    assert_eq!(fired_for(&app, &me, &big).await, ["ann@fire.example", "eve@fire.example"]);

    // The trail records the rule's life.
    let trail = run(&app, &me, "{ auditLog(first: 50) { nodes { action } } }", json!({})).await;
    let actions: Vec<&str> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().map(|n| n["action"].as_str().unwrap()).collect();
    for a in ["trigger_rule.created", "trigger_rule.paused", "trigger_rule.resumed"] {
        assert!(actions.contains(&a), "{a}: {actions:?}");
    }
}

async fn an_abandoned_cart_fires_after_its_deadline_even_when_workers_were_down(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let key = issue_key(&app, &me).await;
    let cart = rule(
        &app,
        &me,
        "Abandoned cart",
        json!({ "sequence": { "first": "add_to_cart", "notFollowedBy": "purchase", "within": "PT1H" } }),
    )
    .await;
    track(
        &app,
        &key,
        json!([
            // Ann left her cart two hours ago: her deadline has passed already.
            { "type": "add_to_cart", "email": "ann@cart.example", "occurredAt": ago(120) },
            // Bob bought within the hour.
            { "type": "add_to_cart", "email": "bob@cart.example", "occurredAt": ago(120) },
            { "type": "purchase", "email": "bob@cart.example", "occurredAt": ago(90) },
            // Carl just added; Dan added and bought at once; Erin bought first, then added.
            { "type": "add_to_cart", "email": "carl@cart.example" },
            { "type": "add_to_cart", "email": "dan@cart.example", "occurredAt": ago(1) },
            { "type": "purchase", "email": "dan@cart.example" },
            { "type": "purchase", "email": "erin@cart.example", "occurredAt": ago(2) },
            { "type": "add_to_cart", "email": "erin@cart.example", "occurredAt": ago(1) },
        ]),
    )
    .await;
    app.drive_jobs().await;
    assert_eq!(fired_for(&app, &me, &cart).await, ["ann@cart.example"]);
    let r = run(&app, &me, RULE, json!({ "id": cart })).await;
    assert_eq!(r["triggerRule"]["waitingCount"], 2, "carl and erin wait: {r}");
    assert_eq!(r["triggerRule"]["kind"], "SEQUENCE");

    // The firing flags real-time offers: a treatment rule's eligibility asks for it.
    let comeback = crate::decisions::offer(&app, &me, "COMEBACK", &["WEB"]).await;
    let slot = crate::decisions::point(&app, &me, "Cart slot", "WEB").await;
    let fired = json!({ "event": "trigger_fired", "within": "PT1H",
                        "where": [{ "property": "rule", "op": "eq", "value": "Abandoned cart" }] });
    let i = json!({ "pointId": slot, "offerIds": [comeback], "eligibility": fired });
    run(&app, &me, crate::decisions::RULE, json!({ "i": i })).await;
    let decide = "mutation($i: DecideInput!) { decide(input: $i) { mode offers { offer { code } } } }";
    for (email, want) in
        [("ann@cart.example", json!([{ "offer": { "code": "COMEBACK" } }])), ("bob@cart.example", json!([]))]
    {
        let d = run(&app, &me, decide, json!({ "i": { "pointId": slot, "email": email } })).await;
        assert_eq!(d["decide"]["offers"], want, "{email}: {d}");
    }

    // Erin buys in time; then every worker is down while carl's hour passes. The first
    // pass after they come back (its clock two hours on) fires carl's timer.
    track(&app, &key, json!([{ "type": "purchase", "email": "erin@cart.example" }])).await;
    app.drive_jobs().await;
    assert_eq!(run(&app, &me, RULE, json!({ "id": cart })).await["triggerRule"]["waitingCount"], 1);
    let later = app.server.parley.with_clock_skew(chrono::Duration::hours(2));
    let tenant = uuid_of(&owner.workspace_id).into();
    let back = domain::triggers::detect::run(&later, tenant, std::time::Duration::from_secs(1)).await.unwrap();
    assert_eq!(back.fired, 1, "{back:?}");
    assert_eq!(fired_for(&app, &me, &cart).await, ["ann@cart.example", "carl@cart.example"]);
    let r = run(&app, &me, RULE, json!({ "id": cart })).await;
    assert_eq!(
        (r["triggerRule"]["waitingCount"].as_i64(), r["triggerRule"]["firingCount"].as_i64()),
        (Some(0), Some(2))
    );
    // Carl's firing names the event that started his timer.
    let f = run(&app, &me, FIRINGS, json!({ "r": cart })).await;
    let carl = f["triggerFirings"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["contact"]["email"] == "carl@cart.example")
        .unwrap()
        .clone();
    let added = run(
        &app,
        &me,
        "query($e: String!) { contactByEmail(email: $e) { events(first: 10) { nodes { id kind } } } }",
        json!({ "e": "carl@cart.example" }),
    )
    .await;
    let add_id = added["contactByEmail"]["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "add_to_cart")
        .unwrap()["id"]
        .clone();
    assert_eq!(carl["eventIds"], json!([add_id]));
    // Once fired, never again.
    let again = domain::triggers::detect::run(&later, tenant, std::time::Duration::from_secs(1)).await.unwrap();
    assert_eq!(again.fired, 0, "{again:?}");
}

async fn segment_rules_fire_when_contacts_come_in_or_leave(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;
    let pro = segment(&app, &me, "Pro", json!({ "attribute": "plan", "op": "eq", "value": "Pro" })).await;
    let ann = crate::campaigns::contact(&app, &me, "ann@seg.example", "Ann", None).await;
    let bob = crate::campaigns::contact(&app, &me, "bob@seg.example", "Bob", None).await;
    set_plan(&app, &me, &ann, "Pro").await;
    let entered = rule(&app, &me, "Became Pro", json!({ "segmentEntered": pro })).await;
    let left = rule(&app, &me, "Left Pro", json!({ "segmentLeft": pro })).await;
    let def =
        run(&app, &me, "query($id: ID!) { triggerRule(id: $id) { definition kind } }", json!({ "id": entered })).await;
    assert_eq!(def["triggerRule"]["definition"], json!({ "segmentEntered": pro }));
    assert_eq!(def["triggerRule"]["kind"], "SEGMENT_ENTERED");
    // The first pass takes stock: Ann was in already, nobody fires.
    app.drive_jobs().await;
    assert!(fired_for(&app, &me, &entered).await.is_empty());

    set_plan(&app, &me, &bob, "Pro").await;
    set_plan(&app, &me, &ann, "Free").await;
    app.drive_jobs().await;
    assert_eq!(fired_for(&app, &me, &entered).await, ["bob@seg.example"]);
    assert_eq!(fired_for(&app, &me, &left).await, ["ann@seg.example"]);
    // A change that keeps Bob in fires nothing more.
    let q = "mutation($id: ID!, $i: ContactInput!) { updateContact(id: $id, input: $i) { id } }";
    run(&app, &me, q, json!({ "id": bob, "i": { "firstName": "Robert" } })).await;
    app.drive_jobs().await;
    assert_eq!(fired_for(&app, &me, &entered).await, ["bob@seg.example"]);

    // Put on a static list: entered.
    let list = "mutation { createSegment(input: { name: \"VIP\", kind: STATIC }) { id } }";
    let list = run(&app, &me, list, json!({})).await["createSegment"]["id"].as_str().unwrap().to_owned();
    let vip = rule(&app, &me, "VIP", json!({ "segmentEntered": list })).await;
    app.drive_jobs().await;
    let add = "mutation($id: ID!, $c: [ID!]!) { addToSegment(id: $id, contactIds: $c) { id } }";
    run(&app, &me, add, json!({ "id": list, "c": [ann] })).await;
    app.drive_jobs().await;
    assert_eq!(fired_for(&app, &me, &vip).await, ["ann@seg.example"]);

    // Taken off the list, nothing else touching her: the hourly stocktaking sees it.
    let gone = rule(&app, &me, "Left VIP", json!({ "segmentLeft": list })).await;
    app.drive_jobs().await;
    let remove = "mutation($id: ID!, $c: [ID!]!) { removeFromSegment(id: $id, contactIds: $c) { id } }";
    run(&app, &me, remove, json!({ "id": list, "c": [ann] })).await;
    app.drive_jobs().await;
    assert!(fired_for(&app, &me, &gone).await.is_empty());
    let later = app.server.parley.with_clock_skew(chrono::Duration::hours(2));
    let tenant = uuid_of(&owner.workspace_id).into();
    domain::triggers::detect::run(&later, tenant, std::time::Duration::from_secs(1)).await.unwrap();
    assert_eq!(fired_for(&app, &me, &gone).await, ["ann@seg.example"]);
    assert_eq!(fired_for(&app, &me, &vip).await, ["ann@seg.example"], "the restock fired nothing else");
    assert_eq!(fired_for(&app, &me, &entered).await, ["bob@seg.example"]);
}

fn bad(r: &Value) -> (Option<String>, Option<String>) {
    (code(r), field(r))
}

async fn bad_definitions_are_named_and_other_workspaces_see_nothing(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let other = app.sign_up("BUSINESS").await;
    let them = other.auth();
    let their_segment =
        segment(&app, &them, "Theirs", json!({ "attribute": "email", "op": "contains", "value": "@" })).await;
    for (definition, want) in [
        (json!("purchase"), "definition"),
        (json!({ "watch": "purchase" }), "definition"),
        (json!({ "event": "page view" }), "definition.event"),
        (json!({ "event": "trigger_fired" }), "definition.event"),
        (
            json!({ "event": "purchase", "where": [{ "property": "total", "op": "about", "value": 1 }] }),
            "definition.where[0].op",
        ),
        (
            json!({ "sequence": { "first": "a", "notFollowedBy": "b", "within": "one hour" } }),
            "definition.sequence.within",
        ),
        (json!({ "sequence": { "first": "a", "notFollowedBy": "b" } }), "definition.sequence.within"),
        (
            json!({ "threshold": { "event": "purchase", "property": "amount", "op": "gt", "value": "lots" } }),
            "definition.threshold.value",
        ),
        (json!({ "count": { "event": "page_view", "atLeast": 0, "within": "PT1H" } }), "definition.count.atLeast"),
        (json!({ "attributeChanged": "plan" }), "definition.attributeChanged"),
        (json!({ "segmentEntered": their_segment }), "definition.segmentEntered"),
        (json!({ "segmentLeft": "not-an-id" }), "definition.segmentLeft"),
    ] {
        let r = app.gql(&me, CREATE, json!({ "i": { "name": "Bad", "definition": definition } })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{definition}: {r}");
    }
    let r = app.gql(&me, CREATE, json!({ "i": { "name": " ", "definition": { "event": "purchase" } } })).await;
    assert_eq!(field(&r).as_deref(), Some("name"), "{r}");
    let list = "{ triggerRules(first: 10) { totalCount nodes { id } } }";
    assert_eq!(run(&app, &me, list, json!({})).await["triggerRules"]["totalCount"], 0, "nothing was written");

    let mine = rule(&app, &me, "Purchases", json!({ "event": "purchase" })).await;
    let r = app.gql(&me, CREATE, json!({ "i": { "name": "Purchases", "definition": { "event": "refund" } } })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("name".into())), "{r}");
    // The same address in the other workspace buys: my rule does not fire.
    let their_key = issue_key(&app, &them).await;
    let theirs = rule(&app, &them, "Their purchases", json!({ "event": "purchase" })).await;
    track(&app, &their_key, json!([{ "type": "purchase", "email": "ann@both.example" }])).await;
    let my_key = issue_key(&app, &me).await;
    track(&app, &my_key, json!([{ "type": "page_view", "email": "ann@both.example" }])).await;
    app.drive_jobs().await;
    assert!(fired_for(&app, &me, &mine).await.is_empty());
    assert_eq!(fired_for(&app, &them, &theirs).await, ["ann@both.example"]);
    // A pass run for my workspace reads nothing of theirs.
    let tenant = uuid_of(&owner.workspace_id).into();
    let pass =
        domain::triggers::detect::run(&app.server.parley, tenant, std::time::Duration::from_secs(1)).await.unwrap();
    assert_eq!(pass.fired, 0, "{pass:?}");

    // Their rule and its firings are not found from here, nor mine from there.
    for (q, vars) in [
        (RULE, json!({ "id": theirs })),
        (FIRINGS, json!({ "r": theirs })),
        ("mutation($id: ID!) { pauseTriggerRule(id: $id) { id } }", json!({ "id": theirs })),
        ("mutation($id: ID!) { deleteTriggerRule(id: $id) }", json!({ "id": theirs })),
        (
            "mutation($id: ID!) { updateTriggerRule(id: $id, input: { name: \"x\", definition: { event: \"a\" } }) { id } }",
            json!({ "id": theirs }),
        ),
        ("query($id: ID!) { node(id: $id) { id } }", json!({ "id": theirs })),
    ] {
        let r = app.gql(&me, q, vars.clone()).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{q}: {r}");
    }
    let r = app.gql(&them, RULE, json!({ "id": mine })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    assert_eq!(run(&app, &them, RULE, json!({ "id": theirs })).await["triggerRule"]["firingCount"], 1);

    // Renamed and redefined; deleted.
    let upd = "mutation($id: ID!, $i: TriggerRuleInput!) { updateTriggerRule(id: $id, input: $i) { name kind } }";
    let u = run(
        &app,
        &me,
        upd,
        json!({ "id": mine, "i": { "name": "Big spend", "definition":
        { "threshold": { "event": "purchase", "property": "amount", "op": "gte", "value": 1000 } } } }),
    )
    .await;
    assert_eq!(
        (u["updateTriggerRule"]["name"].as_str(), u["updateTriggerRule"]["kind"].as_str()),
        (Some("Big spend"), Some("THRESHOLD"))
    );
    run(&app, &me, "mutation($id: ID!) { deleteTriggerRule(id: $id) }", json!({ "id": mine })).await;
    let r = app.gql(&me, RULE, json!({ "id": mine })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
}

/// A rule and one of its firings, for the node registry's story.
pub async fn samples(app: &TestApp, owner: &Account) -> Vec<(&'static str, Value)> {
    let me = owner.auth();
    let kept = run(app, &me, "{ trackingKey { key } }", json!({})).await;
    let key = match kept["trackingKey"]["key"].as_str() {
        Some(k) => k.to_owned(),
        None => issue_key(app, &me).await,
    };
    let r = rule(app, &me, "Sample", json!({ "event": "sample_event" })).await;
    track(app, &key, json!([{ "type": "sample_event", "email": "sample@triggers.example" }])).await;
    app.drive_jobs().await;
    let f = run(app, &me, FIRINGS, json!({ "r": r })).await;
    vec![("TriggerRule", json!(r)), ("TriggerFiring", f["triggerFirings"]["nodes"][0]["id"].clone())]
}

on_both!(
    rules_fire_on_events_thresholds_counts_and_changes,
    an_abandoned_cart_fires_after_its_deadline_even_when_workers_were_down,
    segment_rules_fire_when_contacts_come_in_or_leave,
    bad_definitions_are_named_and_other_workspaces_see_nothing,
);
