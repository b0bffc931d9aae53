//! Leads (EXE-8): captured through the API, hosted forms and trigger rules; scored for
//! fit and decaying behaviour with the reasons shown; moved to MQL and SQL by the
//! thresholds; routed by the workers under rules (round-robin, weighted, territory,
//! capacity, working hours, reps away or gone); first-touch deadlines that pass while
//! every worker is down escalate to the manager and reassign when one comes back;
//! outcomes close leads and land in the contact's history; every change goes to the
//! CRM webhook, signed; a Sales member sees only their own leads, and another
//! workspace's leads, rules and reps are NOT_FOUND.

use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::campaigns::{plan_field, run};
use crate::on_both;
use crate::support::*;
use crate::tracking::issue_key;
use crate::triggers::{contact_id, rule, track};

const MODEL: &str = "mutation($i: LeadScoringModelInput!) {
    createLeadScoringModel(input: $i) { id name active halfLifeDays mqlThreshold sqlThreshold } }";
const RULE: &str = "mutation($i: RoutingRuleInput!) { createRoutingRule(input: $i) { id name strategy repIds } }";
const CAPTURE: &str = "mutation($i: CaptureLeadInput!) { captureLead(input: $i) { id stage } }";
const LEAD: &str = "query($id: ID!) { lead(id: $id) { id contact { id email } score fitScore behaviourScore grade
    stage open source owner { id email } slaDueAt overdue outcome revenue { amount currencyCode } lostReason waiting
    reasons: scoreReasons { kind reason points count } lines: reasons activities { kind detail actor delivery } } }";
const LEADS: &str = "query($mine: Boolean, $overdue: Boolean) { leads(first: 50, mine: $mine, overdue: $overdue) {
    totalCount nodes { id owner { id } stage } } }";
const OUTCOME: &str = "mutation($i: LeadOutcomeInput!) {
    recordLeadOutcome(input: $i) { id stage open outcome slaDueAt revenue { amount currencyCode } } }";

/// A new member of `owner`'s workspace with `role`: their session, and their user ID.
pub async fn member(app: &TestApp, owner: &As, email: &str, role: &str) -> (As, String) {
    let token = app.invite(owner, email, role).await;
    let joined = ok(app.accept(&token).await);
    let who = As::token(joined["acceptInvitation"]["accessToken"].as_str().unwrap());
    (who, joined["acceptInvitation"]["user"]["id"].as_str().unwrap().to_owned())
}

async fn capture(app: &TestApp, who: &As, input: Value) -> String {
    run(app, who, CAPTURE, json!({ "i": input })).await["captureLead"]["id"].as_str().unwrap().to_owned()
}

async fn lead(app: &TestApp, who: &As, id: &str) -> Value {
    run(app, who, LEAD, json!({ "id": id })).await["lead"].clone()
}

fn owner_of(l: &Value) -> Option<&str> {
    l["owner"]["id"].as_str()
}

fn kinds(l: &Value) -> Vec<&str> {
    l["activities"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect()
}

async fn routing_rule(app: &TestApp, who: &As, input: Value) -> String {
    run(app, who, RULE, json!({ "i": input })).await["createRoutingRule"]["id"].as_str().unwrap().to_owned()
}

/// Runs every job due by `p`'s clock, as a worker with that clock would.
async fn drive_as(app: &TestApp, p: &domain::Parley) {
    let w = workers::Runtime::new(p.clone(), app.server.mailer.clone(), workers::RuntimeConfig::default());
    for _ in 0..50 {
        if w.try_execute_batch().await.unwrap().claimed == 0 {
            break;
        }
    }
}

async fn leads_are_scored_routed_worked_and_closed(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    plan_field(&app, &me).await;
    let key = issue_key(&app, &me).await;
    let (rep_a, a) = member(&app, &me, "ada@sales.example", "SALES").await;
    let (rep_b, b) = member(&app, &me, "ben@sales.example", "SALES").await;
    let m = run(
        &app,
        &me,
        MODEL,
        json!({ "i": {
        "name": "Inbound", "halfLifeDays": 7.0, "mqlThreshold": 20, "sqlThreshold": 50,
        "rules": {
            "fit": [{ "when": { "attribute": "plan", "op": "eq", "value": "pro" }, "points": 30,
                      "reason": "On the pro plan" }],
            "behaviour": [{ "event": "page_view", "where": [{ "property": "path", "op": "eq", "value": "/pricing" }],
                            "points": 10, "reason": "Visited pricing" }],
        } } }),
    )
    .await;
    assert_eq!(m["createLeadScoringModel"]["active"], true);
    assert_eq!(m["createLeadScoringModel"]["halfLifeDays"], 7.0);
    // Both in the North team; Ben sees the team's leads, Ada only her own.
    let set_rep = "mutation($i: SalesRepInput!) { setSalesRep(input: $i) { team sees } }";
    run(&app, &me, set_rep, json!({ "i": { "userId": a, "team": "North" } })).await;
    let r = run(&app, &me, set_rep, json!({ "i": { "userId": b, "team": "North", "sees": "TEAM" } })).await;
    assert_eq!(r["setSalesRep"], json!({ "team": "North", "sees": "TEAM" }));
    let r = app.gql(&rep_b, set_rep, json!({ "i": { "userId": b, "sees": "ALL" } })).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "a rep cannot widen their own view: {r}");
    routing_rule(
        &app,
        &me,
        json!({ "name": "Inbound", "priority": 10, "condition": {}, "strategy": "ROUND_ROBIN",
        "repIds": [a, b], "slaMinutes": 60, "escalateToId": owner.user_id }),
    )
    .await;

    // Ann fits (pro plan): MQL at once, and routed to the first rep.
    let ann = capture(&app, &me, json!({ "email": "ann@lead.example", "attributes": { "plan": "pro" } })).await;
    app.drive_jobs().await;
    let l = lead(&app, &me, &ann).await;
    assert_eq!((l["stage"].as_str(), l["score"].as_i64(), l["grade"].as_str()), (Some("MQL"), Some(30), Some("A")));
    assert_eq!(l["reasons"], json!([{ "kind": "FIT", "reason": "On the pro plan", "points": 30.0, "count": 1 }]));
    assert_eq!(l["lines"], json!(["+30 On the pro plan"]));
    assert_eq!(owner_of(&l), Some(a.as_str()));
    assert_eq!((l["source"].as_str(), l["overdue"].as_bool()), (Some("API"), Some(false)));
    let due: chrono::DateTime<chrono::Utc> = l["slaDueAt"].as_str().unwrap().parse().unwrap();
    let left = due - chrono::Utc::now();
    assert!(left > chrono::Duration::minutes(58) && left <= chrono::Duration::minutes(60), "{left}");
    // A refused capture writes nothing, not even the contact.
    let r = app.gql(&me, CAPTURE, json!({ "i": { "email": "nobody@lead.example", "source": "x".repeat(300) } })).await;
    assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some("source".into())), "{r}");
    let r = app.gql(&me, "query { contactByEmail(email: \"nobody@lead.example\") { id } }", json!({})).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    // Capturing again finds the open lead.
    assert_eq!(capture(&app, &me, json!({ "email": "ann@lead.example" })).await, ann);

    // Bob does not fit; two visits to the pricing page (not the blog) make him an MQL,
    // routed in turn to the second rep.
    let bob = capture(&app, &me, json!({ "email": "bob@lead.example" })).await;
    app.drive_jobs().await;
    let l = lead(&app, &me, &bob).await;
    assert_eq!((l["stage"].as_str(), l["score"].as_i64(), l["grade"].as_str()), (Some("NEW"), Some(0), Some("D")));
    assert_eq!(owner_of(&l), None);
    let visits: Vec<Value> = ["/pricing", "/blog", "/pricing"]
        .iter()
        .map(|p| json!({ "type": "page_view", "email": "bob@lead.example", "properties": { "path": p } }))
        .collect();
    track(&app, &key, json!(visits)).await;
    app.drive_jobs().await;
    let l = lead(&app, &me, &bob).await;
    assert_eq!((l["stage"].as_str(), l["fitScore"].as_i64()), (Some("MQL"), Some(0)));
    let behaviour = l["behaviourScore"].as_f64().unwrap();
    assert!((19.9..=20.0).contains(&behaviour), "two visits just now, barely decayed: {behaviour}");
    assert_eq!(l["score"], 20);
    assert_eq!(l["reasons"][0]["reason"], "Visited pricing");
    assert_eq!(l["reasons"][0]["count"], 2);
    assert_eq!(l["lines"], json!(["+20 Visited pricing (2×)"]));
    assert_eq!(owner_of(&l), Some(b.as_str()));
    assert_eq!(kinds(&l), ["CAPTURED", "STAGE", "ASSIGNED"]);
    assert_eq!(l["activities"][1]["detail"]["to"], "MQL");

    // A rep sees the leads they hold, and no other.
    let r = app.gql(&rep_a, LEAD, json!({ "id": bob })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let mine = run(&app, &rep_a, LEADS, json!({})).await;
    assert_eq!(mine["leads"]["totalCount"], 1);
    assert_eq!(mine["leads"]["nodes"][0]["id"], json!(ann));
    let all = run(&app, &me, LEADS, json!({})).await;
    assert_eq!(all["leads"]["totalCount"], 2, "the owner sees every lead");
    let c = run(&app, &rep_b, "{ leadCounts { open mine due overdue unassigned } }", json!({})).await;
    assert_eq!(c["leadCounts"], json!({ "open": 2, "mine": 1, "due": 2, "overdue": 0, "unassigned": 0 }), "the team's");
    assert_eq!(lead(&app, &rep_b, &ann).await["owner"]["id"], json!(a), "Ben sees his team's leads");

    // Outcomes: a first touch stops the deadline; WON needs revenue, LOST a reason; a
    // closed lead stays closed; another rep's lead is not found.
    let o = run(&app, &rep_a, OUTCOME, json!({ "i": { "leadId": ann, "outcome": "CONTACTED" } })).await;
    assert_eq!(o["recordLeadOutcome"]["stage"], "CONTACTED");
    assert_eq!(o["recordLeadOutcome"]["slaDueAt"], Value::Null);
    let r = app.gql(&rep_a, OUTCOME, json!({ "i": { "leadId": bob, "outcome": "CONTACTED" } })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app.gql(&rep_a, OUTCOME, json!({ "i": { "leadId": ann, "outcome": "WON" } })).await;
    assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some("revenue".into())), "{r}");
    let r = app.gql(&rep_a, OUTCOME, json!({ "i": { "leadId": ann, "outcome": "LOST", "reason": " " } })).await;
    assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some("reason".into())), "{r}");
    let r = app
        .gql(
            &rep_a,
            OUTCOME,
            json!({ "i": { "leadId": ann, "outcome": "WON",
            "revenue": { "amount": "12.345", "currencyCode": "EUR" } } }),
        )
        .await;
    assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some("revenue.amount".into())), "{r}");
    let won = run(
        &app,
        &rep_a,
        OUTCOME,
        json!({ "i": { "leadId": ann, "outcome": "WON",
        "revenue": { "amount": "1200.00", "currencyCode": "EUR" } } }),
    )
    .await;
    assert_eq!(
        won["recordLeadOutcome"],
        json!({ "id": ann, "stage": "WON", "open": false, "outcome": "WON", "slaDueAt": null,
                "revenue": { "amount": "1200.00", "currencyCode": "EUR" } })
    );
    let r = app.gql(&rep_a, OUTCOME, json!({ "i": { "leadId": ann, "outcome": "CONTACTED" } })).await;
    assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some("leadId".into())), "{r}");
    let ann_contact = contact_id(&app, &me, "ann@lead.example").await;
    let q = "query($id: ID!) { contact(id: $id) { events(first: 50) { nodes { kind properties } } } }";
    let ev = run(&app, &me, q, json!({ "id": ann_contact })).await;
    let outcomes: Vec<&Value> = ev["contact"]["events"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "lead_outcome")
        .map(|e| &e["properties"])
        .collect();
    assert_eq!(outcomes.len(), 2, "{ev}");
    assert_eq!(outcomes[0]["outcome"], "WON");
    assert_eq!(outcomes[0]["revenue"], json!({ "amount": "1200.00", "currency": "EUR" }));

    // Bob's first touch is due in an hour; every worker is down while it passes. The
    // first worker back escalates: the manager is told, the other rep gets him.
    let later = app.server.parley.with_clock_skew(chrono::Duration::hours(2));
    drive_as(&app, &later).await;
    let l = lead(&app, &me, &bob).await;
    assert_eq!(owner_of(&l), Some(a.as_str()), "{l}");
    assert_eq!(kinds(&l), ["CAPTURED", "STAGE", "ASSIGNED", "ESCALATED", "REASSIGNED"]);
    assert_eq!(l["activities"][3]["detail"]["owner"], json!(uuid_of(&b).to_string()));
    let mail = app.smtp.to(&owner.email);
    assert!(
        mail.iter().any(|m| m.text().contains("bob@lead.example held by ben@sales.example")),
        "{:?}",
        mail.iter().map(|m| m.text()).collect::<Vec<_>>()
    );

    // The audit trail names the scoring and routing changes.
    let trail = run(&app, &me, "{ auditLog(first: 100) { nodes { action } } }", json!({})).await;
    let actions: Vec<&str> =
        trail["auditLog"]["nodes"].as_array().unwrap().iter().map(|n| n["action"].as_str().unwrap()).collect();
    for a in ["lead_scoring_model.created", "routing_rule.created", "lead.outcome"] {
        assert!(actions.contains(&a), "{a} in {actions:?}");
    }
}

async fn routing_follows_territories_weights_capacity_hours_and_absence(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let region =
        "mutation { createContactField(input: { key: \"region\", label: \"Region\", kind: \"STRING\" }) { id } }";
    run(&app, &me, region, json!({})).await;
    let (_, eu) = member(&app, &me, "eu@sales.example", "SALES").await;
    let (_, us) = member(&app, &me, "us@sales.example", "SALES").await;
    let (rep_x, x) = member(&app, &me, "x@sales.example", "SALES").await;
    // Without a scoring model every lead goes to sales. Territories first; then a
    // round-robin of one lead each at most.
    routing_rule(&app, &me, json!({ "name": "Territories", "priority": 1, "condition": {}, "strategy": "TERRITORY",
        "repIds": [eu, us], "territoryAttribute": "region", "territories": { eu.clone(): ["EMEA"], us.clone(): ["amer"] } }))
    .await;
    routing_rule(
        &app,
        &me,
        json!({ "name": "Overflow", "priority": 2, "condition": {}, "strategy": "ROUND_ROBIN",
        "repIds": [x, eu], "capacity": 1 }),
    )
    .await;
    let mut ids = Vec::new();
    for (n, r) in [("e1", "emea"), ("e2", "Emea"), ("a1", "amer"), ("p1", "apac"), ("p2", "apac"), ("p3", "apac")] {
        ids.push(capture(&app, &me, json!({ "email": format!("{n}@t.example"), "attributes": { "region": r } })).await);
    }
    app.drive_jobs().await;
    let mut owners = Vec::new();
    for id in &ids {
        owners.push(lead(&app, &me, id).await["owner"]["id"].as_str().map(str::to_owned));
    }
    let s = |u: &String| Some(u.clone());
    assert_eq!(owners, [s(&eu), s(&eu), s(&us), s(&x), s(&eu), None], "territory, then one each");
    let waiting = lead(&app, &me, &ids[5]).await;
    assert_eq!(waiting["waiting"], "every rep is away, at capacity or off hours");

    // X closes their lead: the one waiting goes to X at once.
    run(&app, &rep_x, OUTCOME, json!({ "i": { "leadId": ids[3], "outcome": "LOST", "reason": "No budget" } })).await;
    app.drive_jobs().await;
    let l = lead(&app, &me, &ids[5]).await;
    assert_eq!(owner_of(&l), Some(x.as_str()), "{l}");
    assert_eq!(l["waiting"], Value::Null);

    // X goes away: their open lead is handed on; nobody on the overflow rule has room,
    // so it waits without an owner.
    let away = "mutation($u: ID!) { setSalesRepAway(userId: $u, away: true) { away } }";
    assert_eq!(run(&app, &rep_x, away, json!({ "u": x })).await["setSalesRepAway"]["away"], true);
    app.drive_jobs().await;
    let l = lead(&app, &me, &ids[5]).await;
    assert_eq!(owner_of(&l), None, "{l}");
    assert_eq!(kinds(&l).last(), Some(&"UNASSIGNED"));

    // Working hours: US works only on a day that is not today; an American lead waits.
    let tomorrow = chrono::Utc::now().date_naive().succ_opt().unwrap();
    use chrono::Datelike;
    let day = tomorrow.weekday().number_from_monday();
    let set_rep = "mutation($i: SalesRepInput!) { setSalesRep(input: $i) { id hours away } }";
    let hours = json!({ "zone": "UTC", "days": [day], "from": "00:00", "to": "23:59" });
    run(&app, &me, set_rep, json!({ "i": { "userId": us, "hours": hours } })).await;
    let a2 = capture(&app, &me, json!({ "email": "a2@t.example", "attributes": { "region": "AMER" } })).await;
    app.drive_jobs().await;
    let l = lead(&app, &me, &a2).await;
    assert_eq!(owner_of(&l), None, "off hours: {l}");
    let r = app
        .gql(&me, set_rep, json!({ "i": { "userId": us, "hours": { "zone": "Mars/Olympus", "days": [1] , "from": "09:00", "to": "17:00" } } }))
        .await;
    assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some("hours.zone".into())), "{r}");
    let r = app
        .gql(&me, set_rep, json!({ "i": { "userId": us, "hours": { "zone": "UTC", "from": "17:00", "to": "09:00" } } }))
        .await;
    assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some("hours.to".into())), "{r}");

    // Weighted shares: 3 to 1 over eight leads.
    let (_, w1) = member(&app, &me, "w1@sales.example", "SALES").await;
    let (_, w2) = member(&app, &me, "w2@sales.example", "SALES").await;
    run(&app, &me, set_rep, json!({ "i": { "userId": w1, "weight": 3 } })).await;
    let rr = "mutation($id: ID!) { deleteRoutingRule(id: $id) { id } }";
    for r in run(&app, &me, "{ routingRules { id } }", json!({})).await["routingRules"].as_array().unwrap() {
        run(&app, &me, rr, json!({ "id": r["id"] })).await;
    }
    routing_rule(&app, &me, json!({ "name": "Weighted", "priority": 1, "condition": { "attribute": "region", "op": "eq", "value": "weighted" },
        "strategy": "WEIGHTED", "repIds": [w1, w2] }))
    .await;
    let mut tally = std::collections::HashMap::new();
    let mut weighted = Vec::new();
    for i in 0..8 {
        let body = json!({ "email": format!("w{i}@t.example"), "attributes": { "region": "weighted" } });
        weighted.push(capture(&app, &me, body).await);
    }
    app.drive_jobs().await;
    for id in &weighted {
        let l = lead(&app, &me, id).await;
        *tally.entry(owner_of(&l).unwrap().to_owned()).or_insert(0) += 1;
    }
    assert_eq!((tally.get(&w1).copied(), tally.get(&w2).copied()), (Some(6), Some(2)), "{tally:?}");
    // The leads no rule matches now wait for one.
    let l = lead(&app, &me, &a2).await;
    assert_eq!(l["waiting"], "no routing rule matches", "{l}");
}

type Seen = Arc<Mutex<Vec<(axum::http::HeaderMap, String)>>>;

/// A CRM that refuses the first delivery and keeps the rest.
pub async fn crm() -> (String, Seen) {
    let seen: Seen = Arc::default();
    let keep = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let keep = keep.clone();
            async move {
                let mut all = keep.lock().unwrap();
                all.push((headers, body));
                if all.len() == 1 { axum::http::StatusCode::SERVICE_UNAVAILABLE } else { axum::http::StatusCode::OK }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), seen)
}

pub fn verify(secret: &str, header: &str, body: &str) -> bool {
    let mut parts = header.split(',');
    let t = parts.next().unwrap().strip_prefix("t=").unwrap();
    let v1 = parts.next().unwrap().strip_prefix("v1=").unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    mac.verify_slice(&hex::decode(v1).unwrap()).is_ok()
}

async fn forms_triggers_and_the_crm_webhook_capture_and_tell(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let key = issue_key(&app, &me).await;
    let (rep, rid) = member(&app, &me, "rep@sales.example", "SALES").await;
    let (url, seen) = crm().await;
    let hook = "mutation($u: String!) { setLeadWebhook(url: $u) { secret webhook { url active } } }";
    let bad = app.gql(&me, hook, json!({ "u": "ftp://crm.example/hook" })).await;
    assert_eq!((code(&bad), field(&bad)), (Some("BAD_USER_INPUT".into()), Some("url".into())), "{bad}");
    let bad = app.gql(&rep, hook, json!({ "u": url })).await;
    assert_eq!(code(&bad).as_deref(), Some("FORBIDDEN"), "{bad}");
    let h = run(&app, &me, hook, json!({ "u": url })).await;
    let secret = h["setLeadWebhook"]["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(h["setLeadWebhook"]["webhook"], json!({ "url": url, "active": true }));

    // Firings of a capturing rule make leads (worth points); the model's half-life
    // and thresholds are checked field by field.
    let demo = rule(&app, &me, "Asked for a demo", json!({ "event": "demo_request" })).await;
    let model = |rules: Value| {
        json!({ "i": { "name": "Demo", "halfLifeDays": 30.0, "mqlThreshold": 10,
        "sqlThreshold": 40, "rules": rules } })
    };
    for (rules, f) in [
        (json!({ "behaviour": [{ "rule": "nope", "points": 5 }] }), "rules.behaviour[0].rule"),
        (json!({ "behaviour": [{ "event": "x", "points": 5000 }] }), "rules.behaviour[0].points"),
        (
            json!({ "fit": [{ "when": { "attribute": "nosuch", "op": "eq", "value": 1 }, "points": 5 }] }),
            "rules.fit[0].when",
        ),
        (json!({ "fits": [] }), "rules.fits"),
    ] {
        let r = app.gql(&me, MODEL, model(rules)).await;
        assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some(f.into())), "{r}");
    }
    let mut bad_hl = model(json!({}));
    bad_hl["i"]["halfLifeDays"] = json!(0);
    let r = app.gql(&me, MODEL, bad_hl).await;
    assert_eq!(field(&r).as_deref(), Some("halfLifeDays"), "{r}");
    let mut bad_sql = model(json!({}));
    bad_sql["i"]["sqlThreshold"] = json!(5);
    let r = app.gql(&me, MODEL, bad_sql).await;
    assert_eq!(field(&r).as_deref(), Some("sqlThreshold"), "{r}");
    run(
        &app,
        &me,
        MODEL,
        model(json!({ "behaviour": [{ "rule": demo, "points": 15, "capture": true, "reason": "Asked for a demo" }] })),
    )
    .await;
    let stranger = app.sign_up("BUSINESS").await;
    let bad_rule = app
        .gql(
            &me,
            RULE,
            json!({ "i": { "name": "R", "priority": 1, "condition": {}, "strategy": "ROUND_ROBIN",
            "repIds": [owner.user_id, stranger.user_id] } }),
        )
        .await;
    assert_eq!(
        (code(&bad_rule), field(&bad_rule)),
        (Some("BAD_USER_INPUT".into()), Some("repIds[1]".into())),
        "{bad_rule}"
    );
    let bad_rule = app
        .gql(
            &me,
            RULE,
            json!({ "i": { "name": "R", "priority": 1, "condition": {}, "strategy": "TERRITORY", "repIds": [rid] } }),
        )
        .await;
    assert_eq!(field(&bad_rule).as_deref(), Some("territoryAttribute"), "{bad_rule}");
    routing_rule(
        &app,
        &me,
        json!({ "name": "All", "priority": 1, "condition": {}, "strategy": "ROUND_ROBIN", "repIds": [rid] }),
    )
    .await;
    let burst: Vec<Value> = (0..3).map(|_| json!({ "type": "demo_request", "email": "dora@lead.example" })).collect();
    track(&app, &key, json!(burst)).await;
    app.drive_jobs().await;
    let all = run(&app, &me, LEADS, json!({})).await;
    assert_eq!(all["leads"]["totalCount"], 1, "one lead however many firings: {all}");
    let dora = all["leads"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let l = lead(&app, &me, &dora).await;
    assert_eq!(
        (l["source"].as_str(), l["stage"].as_str(), l["score"].as_i64()),
        (Some("TRIGGER"), Some("SQL"), Some(45))
    );
    assert_eq!(l["reasons"][0]["count"], 3);
    assert_eq!(owner_of(&l), Some(rid.as_str()));

    // The hosted form: served for the key, posted as a browser would, redirected.
    let page = app.http.get(format!("{}/f/{key}?form=Pricing", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("action=\"/t/leads\"") && html.contains("<h1>Pricing</h1>"), "{html}");
    assert_eq!(app.http.get(format!("{}/f/nokey", app.base)).send().await.unwrap().status(), 404);
    let no_follow = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let form = [
        ("key", key.as_str()),
        ("form", "Pricing"),
        ("email", "eve@lead.example"),
        ("first_name", "Eve"),
        ("message", "Call me"),
        ("redirect", "https://shop.example/thanks"),
    ];
    let res = no_follow.post(format!("{}/t/leads", app.base)).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "https://shop.example/thanks");
    let res = no_follow.post(format!("{}/t/leads", app.base)).form(&[("key", key.as_str())]).send().await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("email: is required"));
    let res = app
        .http
        .post(format!("{}/t/leads", app.base))
        .json(&json!({ "key": "pk_wrong", "email": "x@y.example" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .http
        .post(format!("{}/t/leads", app.base))
        .json(&json!({ "key": key, "email": "not-an-email" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "email");
    app.drive_jobs().await;
    let eve_contact = contact_id(&app, &me, "eve@lead.example").await;
    let q =
        "query($c: ID!) { leads(first: 5, contactId: $c) { nodes { id source stage activities { kind detail } } } }";
    let eve = run(&app, &me, q, json!({ "c": eve_contact })).await["leads"]["nodes"][0].clone();
    assert_eq!((eve["source"].as_str(), eve["stage"].as_str()), (Some("FORM"), Some("NEW")));
    assert_eq!(eve["activities"][1]["detail"]["text"], "Call me");

    // Every change reached the CRM, signed, once each; the refused first try was
    // retried with the same event ID.
    app.drive_jobs().await;
    let got = seen.lock().unwrap().clone();
    let mut ids: Vec<String> = Vec::new();
    for (headers, body) in &got {
        let sig = headers["parley-signature"].to_str().unwrap();
        assert!(verify(&secret, sig, body), "signature of {body}");
        assert!(!verify("whsec_other", sig, body));
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(headers["parley-event-id"].to_str().unwrap(), v["id"].as_str().unwrap());
        ids.push(v["id"].as_str().unwrap().to_owned());
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(ids.len(), unique.len() + 1, "one retry: {ids:?}");
    let dora_changes: Vec<Value> = got
        .iter()
        .map(|(_, b)| serde_json::from_str::<Value>(b).unwrap())
        .filter(|v| v["lead"]["id"] == json!(dora))
        .collect();
    let types: std::collections::BTreeSet<&str> = dora_changes.iter().map(|v| v["type"].as_str().unwrap()).collect();
    assert!(types.contains("lead.captured") && types.contains("lead.assigned"), "{types:?}");
    let l = lead(&app, &me, &dora).await;
    assert!(l["activities"].as_array().unwrap().iter().all(|a| a["delivery"] == "DELIVERED"), "{l}");

    // A journey's lead step captures the contact, with points toward the thresholds.
    let steps = json!([{ "id": "hot", "kind": "lead", "points": 12, "reason": "Finished onboarding" }]);
    let j = crate::journeys::journey(
        &app,
        &me,
        "Onboarding",
        json!({ "entry": { "manual": true }, "start": "hot",
        "steps": steps }),
    )
    .await;
    run(&app, &me, crate::journeys::PUBLISH, json!({ "id": j })).await;
    let jo = crate::journeys::contact_id_or_new(&app, &me, "jo@lead.example").await;
    run(&app, &me, crate::journeys::ENROL, json!({ "j": j, "c": jo })).await;
    app.drive_jobs().await;
    let q = "query($c: ID!) { leads(first: 5, contactId: $c) { nodes { id source stage score owner { id }
        reasons: scoreReasons { reason points } } } }";
    let jl = run(&app, &me, q, json!({ "c": jo })).await["leads"]["nodes"][0].clone();
    assert_eq!(
        (jl["source"].as_str(), jl["stage"].as_str(), jl["score"].as_i64()),
        (Some("JOURNEY"), Some("MQL"), Some(12))
    );
    assert_eq!(jl["reasons"], json!([{ "reason": "Finished onboarding", "points": 12.0 }]));
    assert_eq!(owner_of(&jl), Some(rid.as_str()));

    // A journey's webhook step posts the contact, signed with the journey's secret; a
    // step with a URL that is not https is refused by name.
    let (hook_url, hooked) = crm().await;
    let bad_steps = json!([{ "id": "tell", "kind": "webhook", "url": "ftp://x.example" }]);
    let r = app
        .gql(
            &me,
            "mutation($i: JourneyInput!) { createJourney(input: $i) { id } }",
            json!({ "i": { "name": "Bad hook",
            "definition": { "entry": { "manual": true }, "start": "tell", "steps": bad_steps } } }),
        )
        .await;
    assert_eq!((code(&r), field(&r)), (Some("BAD_USER_INPUT".into()), Some("definition.steps[0].url".into())), "{r}");
    let steps = json!([{ "id": "tell", "kind": "webhook", "url": hook_url }]);
    let tell = crate::journeys::journey(
        &app,
        &me,
        "Tell the shop",
        json!({ "entry": { "manual": true }, "start": "tell",
        "steps": steps }),
    )
    .await;
    run(&app, &me, crate::journeys::PUBLISH, json!({ "id": tell })).await;
    run(&app, &me, crate::journeys::ENROL, json!({ "j": tell, "c": jo })).await;
    app.drive_jobs().await;
    let secret = run(&app, &me, "query($id: ID!) { journey(id: $id) { webhookSecret } }", json!({ "id": tell })).await
        ["journey"]["webhookSecret"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.gql(&rep, "query($id: ID!) { journey(id: $id) { webhookSecret } }", json!({ "id": tell })).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "a Sales member may not read it: {r}");
    let got = hooked.lock().unwrap().clone();
    assert_eq!(got.len(), 2, "refused once, then taken: {got:?}");
    let (headers, body) = &got[1];
    assert!(verify(&secret, headers["parley-signature"].to_str().unwrap(), body));
    let v: Value = serde_json::from_str(body).unwrap();
    assert_eq!((v["type"].as_str(), v["step"].as_str()), (Some("journey.step"), Some("tell")));
    assert_eq!(v["contact"]["email"], "jo@lead.example");
    assert_eq!(got[0].1, got[1].1, "the retry posts the same event");

    // The rep leaves the workspace: their leads wait for another rep.
    let members = run(&app, &me, "{ members { nodes { id user { id } } } }", json!({})).await;
    let mid = members["members"]["nodes"].as_array().unwrap().iter().find(|n| n["user"]["id"] == rid.as_str()).unwrap()
        ["id"]
        .clone();
    run(&app, &me, "mutation($id: ID!) { removeMember(id: $id) { id } }", json!({ "id": mid })).await;
    app.drive_jobs().await;
    let l = lead(&app, &me, &dora).await;
    assert_eq!(owner_of(&l), None, "{l}");
    assert_eq!(l["waiting"], "every rep is away, at capacity or off hours");
    assert_eq!(l["activities"].as_array().unwrap().last().unwrap()["detail"]["why"], "the rep left the workspace");
}

async fn another_workspace_sees_no_leads_rules_or_reps(app: TestApp) {
    let a = app.sign_up("BUSINESS").await;
    let b = app.sign_up("BUSINESS").await;
    let (ma, mb) = (a.auth(), b.auth());
    let key_b = issue_key(&app, &mb).await;
    let lead_a = capture(&app, &ma, json!({ "email": "x@a.example" })).await;
    let rule_a = routing_rule(
        &app,
        &ma,
        json!({ "name": "All", "priority": 1, "condition": {}, "strategy": "ROUND_ROBIN",
        "repIds": [a.user_id] }),
    )
    .await;
    let model_a = run(
        &app,
        &ma,
        MODEL,
        json!({ "i": { "name": "M", "halfLifeDays": 7.0, "mqlThreshold": 1,
        "sqlThreshold": 2, "rules": { "behaviour": [{ "event": "visit", "points": 5 }] } } }),
    )
    .await["createLeadScoringModel"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.drive_jobs().await;
    assert_eq!(owner_of(&lead(&app, &ma, &lead_a).await), Some(a.user_id.as_str()));
    for (q, id) in [
        (LEAD, &lead_a),
        ("query($id: ID!) { routingRule(id: $id) { id } }", &rule_a),
        ("query($id: ID!) { leadScoringModel(id: $id) { id } }", &model_a),
        ("query($id: ID!) { node(id: $id) { id } }", &lead_a),
    ] {
        let r = app.gql(&mb, q, json!({ "id": id })).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{q}: {r}");
    }
    let r = app.gql(&mb, OUTCOME, json!({ "i": { "leadId": lead_a, "outcome": "CONTACTED" } })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql(
            &mb,
            "mutation($l: ID!, $o: ID!) { assignLead(leadId: $l, ownerId: $o) { id } }",
            json!({ "l": lead_a, "o": b.user_id }),
        )
        .await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    // B cannot route to A's people, nor see A's leads, reps or rules in lists.
    let r = app
        .gql(
            &mb,
            RULE,
            json!({ "i": { "name": "Steal", "priority": 1, "condition": {}, "strategy": "ROUND_ROBIN",
            "repIds": [a.user_id] } }),
        )
        .await;
    assert_eq!(field(&r).as_deref(), Some("repIds[0]"), "{r}");
    let lists = run(
        &app,
        &mb,
        "{ leads(first: 10) { totalCount } salesReps(first: 10) { totalCount } routingRules { id } }",
        json!({}),
    )
    .await;
    assert_eq!(lists, json!({ "leads": { "totalCount": 0 }, "salesReps": { "totalCount": 0 }, "routingRules": [] }));
    // B's events never score A's leads: the same email tracked in B is B's contact.
    track(&app, &key_b, json!([{ "type": "visit", "email": "x@a.example" }])).await;
    app.drive_jobs().await;
    let l = lead(&app, &ma, &lead_a).await;
    assert_eq!(l["score"], 0, "{l}");
}

/// A lead, a scoring model, a routing rule and a rep, for the node registry's story.
pub async fn samples(app: &TestApp, owner: &Account) -> Vec<(&'static str, Value)> {
    let me = owner.auth();
    let lead = capture(app, &me, json!({ "email": "sample@leads.example" })).await;
    let model = run(
        app,
        &me,
        MODEL,
        json!({ "i": { "name": "Sample", "halfLifeDays": 7.0, "mqlThreshold": 1,
        "sqlThreshold": 2, "rules": {} } }),
    )
    .await["createLeadScoringModel"]["id"]
        .clone();
    let rule = routing_rule(
        app,
        &me,
        json!({ "name": "Sample", "priority": 1, "condition": {},
        "strategy": "ROUND_ROBIN", "repIds": [owner.user_id] }),
    )
    .await;
    let reps = run(app, &me, "{ salesReps(first: 1) { nodes { id } } }", json!({})).await;
    vec![
        ("Lead", json!(lead)),
        ("LeadScoringModel", model),
        ("RoutingRule", json!(rule)),
        ("SalesRep", reps["salesReps"]["nodes"][0]["id"].clone()),
    ]
}

on_both!(
    leads_are_scored_routed_worked_and_closed,
    routing_follows_territories_weights_capacity_hours_and_absence,
    forms_triggers_and_the_crm_webhook_capture_and_tell,
    another_workspace_sees_no_leads_rules_or_reps,
);
