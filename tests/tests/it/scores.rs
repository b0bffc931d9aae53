//! Predictive scores: RFM groups and lifetime value written to customers from their
//! purchases, products bought together, a propensity model that learns who responds
//! and says how well on contacts it never saw, bad model definitions refused naming
//! the field, and another workspace that sees none of it.

use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

fn ago(days: f64) -> String {
    (chrono::Utc::now() - chrono::Duration::seconds((days * 86_400.0) as i64)).to_rfc3339()
}

async fn tracking_key(app: &TestApp, me: &As) -> String {
    let k = ok(app.gql(me, "mutation { rotateTrackingKey { key } }", json!({})).await);
    k["rotateTrackingKey"]["key"].as_str().unwrap().to_owned()
}

async fn send_events(app: &TestApp, key: &str, events: &[Value]) {
    for chunk in events.chunks(100) {
        let body = json!({ "key": key, "events": chunk });
        let res = app.http.post(format!("{}/t/events", app.base)).body(body.to_string()).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let report: Value = res.json().await.unwrap();
        assert_eq!(report["rejected"], json!([]), "{report}");
    }
}

async fn attributes(app: &TestApp, me: &As, email: &str) -> Value {
    let q = "query($e: String!) { contactByEmail(email: $e) { attributes } }";
    ok(app.gql(me, q, json!({ "e": email })).await)["contactByEmail"]["attributes"].clone()
}

async fn count(app: &TestApp, me: &As, rule: Value) -> u64 {
    let q = "query($r: JSON!) { previewSegment(rule: $r) { count } }";
    ok(app.gql(me, q, json!({ "r": rule })).await)["previewSegment"]["count"].as_u64().unwrap()
}

const RUN: &str = "query($id: ID!) { scoreRun(id: $id) { status error purchasesRead contactsScored contactsTotal
    products currency revenue averageOrderValue lifetimeYears groups { name customers revenue }
    grid { recency frequency customers } } }";

fn email(i: usize) -> String {
    format!("c{i}@example.com")
}

async fn rfm_and_lifetime_value_are_written_to_customers(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let key = tracking_key(&app, &me).await;
    // Customer i (1..5) bought i times, the last time fewer days ago the higher i is,
    // each order worth i × 10.00 EUR; all but c1 bought shoes and socks, c3 and c4 a hat.
    let mut events = Vec::new();
    for i in 1..=5usize {
        for n in 0..i {
            let days = (30 - 5 * i + 2 * n) as f64;
            let mut items = vec!["shoes"];
            if i > 1 {
                items.push("socks");
            }
            if i == 3 || i == 4 {
                items.push("hat");
            }
            events.push(json!({ "type": "purchase", "email": email(i), "occurredAt": ago(days - 0.5),
                "properties": { "amount": i * 1000, "currency": "EUR", "items": items } }));
        }
    }
    // Not purchases, or nobody's: no scores.
    events.push(json!({ "type": "page_view", "email": "browser@example.com", "properties": { "path": "/" } }));
    events.push(json!({ "type": "purchase", "anonymousId": "v-1", "properties": { "amount": 99_999 } }));
    send_events(&app, &key, &events).await;

    let start = "mutation { refreshScores { id status } }";
    let run = ok(app.gql(&me, start, json!({})).await);
    let run_id = run["refreshScores"]["id"].as_str().unwrap().to_owned();
    assert_eq!(run["refreshScores"]["status"], "QUEUED");
    let again = app.gql(&me, start, json!({})).await;
    assert_eq!(code(&again).as_deref(), Some("CONFLICT"), "one run at a time: {again}");
    app.drive_jobs().await;

    let r = ok(app.gql(&me, RUN, json!({ "id": run_id })).await)["scoreRun"].clone();
    assert_eq!(r["status"], "COMPLETED", "{r}");
    assert_eq!((r["purchasesRead"].as_i64(), r["contactsScored"].as_i64()), (Some(15), Some(5)));
    assert_eq!((r["contactsTotal"].as_i64(), r["products"].as_i64()), (Some(5), Some(3)));
    assert_eq!(r["currency"], "EUR");
    // 1×10 + 2×20 + 3×30 + 4×40 + 5×50 EUR, over 15 orders.
    assert_eq!(r["revenue"].as_f64(), Some(55_000.0));
    assert_eq!(r["averageOrderValue"].as_f64(), Some(3_666.0));
    let groups: Vec<(String, i64)> = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["customers"].as_i64() != Some(0))
        .map(|g| (g["name"].as_str().unwrap().to_owned(), g["customers"].as_i64().unwrap()))
        .collect();
    assert_eq!(groups, [("Champions".into(), 2), ("Loyal".into(), 1), ("Hibernating".into(), 2)]);
    let cells: i64 = r["grid"].as_array().unwrap().iter().map(|c| c["customers"].as_i64().unwrap()).sum();
    assert_eq!((r["grid"].as_array().unwrap().len(), cells), (25, 5));

    // Customer i scores i on each axis: five customers, one per quintile.
    for i in 1..=5usize {
        let a = attributes(&app, &me, &email(i)).await;
        let s = i as i64;
        assert_eq!(
            (a["rfm_recency"].as_i64(), a["rfm_frequency"].as_i64(), a["rfm_monetary"].as_i64()),
            (Some(s), Some(s), Some(s)),
            "c{i}: {a}"
        );
        assert_eq!(a["rfm_score"].as_i64(), Some(s * 111));
        assert_eq!(a["orders_count"].as_i64(), Some(s));
    }
    let c5 = attributes(&app, &me, &email(5)).await;
    assert_eq!(c5["rfm_segment"], "Champions");
    assert_eq!(attributes(&app, &me, &email(1)).await["rfm_segment"], "Hibernating");
    // c5: 250.00 EUR so far; 50.00 an order, 5 orders in (at least) 90 days is 20.28 a
    // year, over a lifetime of 2 years (too few customers of a year: churn one half).
    let future = (5000.0_f64 * 5.0 * 365.0 / 90.0 * 2.0).round() as i64;
    assert_eq!(c5["lifetime_value"], json!({ "amount": 25_000 + future, "currency": "EUR" }));
    // c5 last bought 4.5 days ago (the run reads the time the event names).
    let last = (chrono::Utc::now() - chrono::Duration::hours(108)).date_naive().to_string();
    assert_eq!(c5["last_purchase_on"], json!(last), "{c5}");
    assert_eq!(attributes(&app, &me, "browser@example.com").await.get("rfm_score"), None);

    // The scores are fields like any other: segments use them.
    let champions = json!({ "attribute": "rfm_segment", "op": "eq", "value": "Champions" });
    assert_eq!(count(&app, &me, champions).await, 2);
    assert_eq!(count(&app, &me, json!({ "attribute": "rfm_recency", "op": "gte", "value": 4 })).await, 2);
    // c4 (160.00 + 1,297.78) and c5 are worth over 1,000.00 EUR; c3 (90.00 + 730.00) is not.
    assert_eq!(count(&app, &me, json!({ "attribute": "lifetime_value", "op": "gt", "value": "1000" })).await, 2);

    // Customers who bought shoes also bought socks (4 of 5), then the hat (2 of 5).
    let q = "query { alsoBought(product: \"shoes\") { other together buyers confidence lift } }";
    let also = ok(app.gql(&me, q, json!({})).await)["alsoBought"].clone();
    assert_eq!(also[0]["other"], "socks");
    assert_eq!((also[0]["together"].as_i64(), also[0]["buyers"].as_i64()), (Some(4), Some(5)));
    assert_eq!(also[0]["confidence"].as_f64(), Some(0.8));
    assert_eq!(also[1]["other"], "hat");
    assert_eq!(also.as_array().unwrap().len(), 2);
    let q = "query { alsoBought(product: \"hat\") { other together lift } }";
    let hat = ok(app.gql(&me, q, json!({})).await)["alsoBought"].clone();
    // Both hat buyers bought shoes and socks; socks are rarer (4 of 5 customers, lift
    // 1 / 0.8) than shoes (everyone, lift 1), so they come first.
    assert_eq!(
        hat,
        json!([{ "other": "socks", "together": 2, "lift": 1.25 }, { "other": "shoes", "together": 2, "lift": 1.0 }])
    );
    let pairs = ok(app.gql(&me, "query { productPairs { product other together } }", json!({})).await);
    assert_eq!(pairs["productPairs"][0], json!({ "product": "shoes", "other": "socks", "together": 4 }));
    let bad = app.gql(&me, "query { alsoBought(product: \"  \") { other } }", json!({})).await;
    assert_eq!(field(&bad).as_deref(), Some("product"), "{bad}");

    // A contact holding a score without a purchase loses it at the next run.
    let set = "mutation($i: ContactInput!) { upsertContact(input: $i) { contact { id } } }";
    let i =
        json!({ "i": { "email": "browser@example.com", "attributes": { "rfm_score": 555, "rfm_segment": "Loyal" } } });
    ok(app.gql(&me, set, i).await);
    assert_eq!(attributes(&app, &me, "browser@example.com").await["rfm_score"], 555);
    ok(app.gql(&me, start, json!({})).await);
    app.drive_jobs().await;
    let a = attributes(&app, &me, "browser@example.com").await;
    assert_eq!((a.get("rfm_score"), a.get("rfm_segment")), (None, None), "{a}");
    assert_eq!(attributes(&app, &me, &email(5)).await["rfm_score"], 555);
    let latest =
        ok(app.gql(&me, "query { latestScoreRun { id contactsScored } scoreRuns { totalCount } }", json!({})).await);
    assert_eq!(latest["scoreRuns"]["totalCount"], 2);
    assert_ne!(latest["latestScoreRun"]["id"], json!(run_id), "the newer run is the latest");

    // A viewer reads the figures but cannot start a run.
    let create = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }";
    let k = ok(app.gql(&me, create, json!({ "i": { "name": "read only", "role": "VIEWER" } })).await);
    let viewer = As::token(k["createApiKey"]["secret"].as_str().unwrap());
    let r = app.gql(&viewer, start, json!({})).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    ok(app.gql(&viewer, RUN, json!({ "id": run_id })).await);
}

/// `engaged` contacts browsed before the horizon began and most of them bought within
/// it; the others did neither (but for `stray` of them, who bought).
async fn history(app: &TestApp, key: &str, engaged: usize, idle: usize, stray: usize) {
    let mut events = Vec::new();
    for i in 0..engaged {
        let who = format!("e{i}@example.com");
        for d in [8.5, 9.0, 10.0] {
            events.push(
                json!({ "type": "page_view", "email": who, "occurredAt": ago(d), "properties": { "path": "/p" } }),
            );
        }
        events.push(json!({ "type": "add_to_cart", "email": who, "occurredAt": ago(9.5) }));
        if i % 10 != 0 {
            events.push(
                json!({ "type": "purchase", "email": who, "occurredAt": ago(2.0), "properties": { "amount": 100 } }),
            );
        }
    }
    for i in 0..idle {
        let who = format!("i{i}@example.com");
        events.push(json!({ "type": "signup", "email": who }));
        if i < stray {
            events.push(
                json!({ "type": "purchase", "email": who, "occurredAt": ago(1.0), "properties": { "amount": 100 } }),
            );
        }
    }
    send_events(app, key, &events).await;
}

const MODEL: &str = "id name status error auc trainingContacts holdoutContacts positives contactsScored
    contactsTotal attribute weights { feature weight }";

async fn a_propensity_model_learns_who_responds(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let key = tracking_key(&app, &me).await;
    history(&app, &key, 60, 60, 0).await;

    let create = format!("mutation($i: NewPropensityModel!) {{ createPropensityModel(input: $i) {{ {MODEL} }} }}");
    let input = json!({ "name": "Buys this week", "targetEvent": "purchase", "horizonDays": 7, "attribute": "p_buy" });
    let m = ok(app.gql(&me, &create, json!({ "i": input })).await)["createPropensityModel"].clone();
    assert_eq!((m["status"].as_str(), m["auc"].as_f64()), (Some("DRAFT"), None));
    let id = m["id"].as_str().unwrap().to_owned();
    let train = format!("mutation($id: ID!) {{ trainPropensityModel(id: $id) {{ {MODEL} }} }}");
    let t = ok(app.gql(&me, &train, json!({ "id": id })).await)["trainPropensityModel"].clone();
    assert_eq!(t["status"], "TRAINING");
    let twice = app.gql(&me, &train, json!({ "id": id })).await;
    assert_eq!(code(&twice).as_deref(), Some("CONFLICT"), "{twice}");
    app.drive_jobs().await;

    let get = format!("query($id: ID!) {{ propensityModel(id: $id) {{ {MODEL} }} }}");
    let m = ok(app.gql(&me, &get, json!({ "id": id })).await)["propensityModel"].clone();
    assert_eq!(m["status"], "READY", "{m}");
    // 54 of the 60 who browsed bought; nobody else did.
    assert_eq!(m["positives"], 54);
    let (train_n, hold_n) = (m["trainingContacts"].as_i64().unwrap(), m["holdoutContacts"].as_i64().unwrap());
    assert_eq!(train_n + hold_n, 120);
    assert!(hold_n > 5 && hold_n < 50, "about a fifth held out: {hold_n}");
    let auc = m["auc"].as_f64().unwrap();
    assert!((0.75..=1.0).contains(&auc), "the held-out contacts are ranked well: {auc}");
    assert_eq!((m["contactsScored"].as_i64(), m["contactsTotal"].as_i64()), (Some(120), Some(120)));
    let weights = m["weights"].as_array().unwrap();
    assert!(weights.iter().any(|w| w["feature"] == "page_view in 7 days"), "{m}");
    assert!(weights[0]["weight"].as_f64().unwrap() > 0.0, "browsing drives it: {m}");

    // Every contact has a score; those who browsed score above those who did not.
    let browsed = attributes(&app, &me, "e1@example.com").await["p_buy"].as_f64().unwrap();
    let idle = attributes(&app, &me, "i1@example.com").await["p_buy"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&browsed) && (0.0..=1.0).contains(&idle));
    assert!(browsed > idle, "browsed {browsed} > idle {idle}");
    assert_eq!(count(&app, &me, json!({ "attribute": "p_buy", "op": "exists", "value": true })).await, 120);
    let likely = count(&app, &me, json!({ "attribute": "p_buy", "op": "gt", "value": idle })).await;
    assert!(likely >= 60, "the browsers score above the idle: {likely}");

    // Too little history: the model fails and says why; its old scores are untouched.
    let input = json!({ "name": "Refunds", "targetEvent": "refund", "horizonDays": 30, "attribute": "p_refund" });
    let r = ok(app.gql(&me, &create, json!({ "i": input })).await)["createPropensityModel"]["id"].clone();
    ok(app.gql(&me, &train, json!({ "id": r })).await);
    app.drive_jobs().await;
    let failed = ok(app.gql(&me, &get, json!({ "id": r })).await)["propensityModel"].clone();
    assert_eq!(failed["status"], "FAILED");
    let error = failed["error"].as_str().unwrap();
    assert!(error.contains("found 0 contacts who did refund"), "{error}");

    // Deleting a model takes its scores off the contacts.
    let del = "mutation($id: ID!) { deletePropensityModel(id: $id) { id } }";
    ok(app.gql(&me, del, json!({ "id": id })).await);
    assert_eq!(count(&app, &me, json!({ "attribute": "p_buy", "op": "exists", "value": true })).await, 0);
    let gone = app.gql(&me, &get, json!({ "id": id })).await;
    assert_eq!(code(&gone).as_deref(), Some("NOT_FOUND"));
}

async fn bad_models_are_refused_naming_the_field(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let set = "mutation($i: ContactInput!) { upsertContact(input: $i) { contact { id } } }";
    ok(app.gql(&me, set, json!({ "i": { "email": "a@example.com", "attributes": { "city": "Paris" } } })).await);
    let create = "mutation($i: NewPropensityModel!) { createPropensityModel(input: $i) { id } }";
    let good = json!({ "name": "M", "targetEvent": "purchase", "horizonDays": 30, "attribute": "p_m" });
    let with = |k: &str, v: Value| {
        let mut i = good.clone();
        i[k] = v;
        i
    };
    for (input, want) in [
        (with("name", json!("  ")), "name"),
        (with("targetEvent", json!("")), "targetEvent"),
        (with("targetEvent", json!("buy now!")), "targetEvent"),
        (with("horizonDays", json!(0)), "horizonDays"),
        (with("horizonDays", json!(400)), "horizonDays"),
        (with("attribute", json!("Bad Key")), "attribute"),
        (with("attribute", json!("email")), "attribute"),
        (with("attribute", json!("rfm_score")), "attribute"),
        (with("attribute", json!("city")), "attribute"),
    ] {
        let r = app.gql(&me, create, json!({ "i": input })).await;
        assert_eq!(code(&r).as_deref(), Some("BAD_USER_INPUT"), "{input}: {r}");
        assert_eq!(field(&r).as_deref(), Some(want), "{input}: {r}");
    }
    ok(app.gql(&me, create, json!({ "i": good })).await);
    let r = app.gql(&me, create, json!({ "i": with("name", json!("Other")) })).await;
    assert_eq!(field(&r).as_deref(), Some("attribute"), "two models never share a field: {r}");
    let models = ok(app.gql(&me, "query { propensityModels { totalCount } }", json!({})).await);
    assert_eq!(models["propensityModels"]["totalCount"], 1, "nothing half-made");

    // A field in the way of the scores stops the run with the reason, not a retry loop.
    let f = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    ok(app.gql(&me, f, json!({ "i": { "key": "rfm_segment", "label": "Mine", "kind": "STRING" } })).await);
    let run = ok(app.gql(&me, "mutation { refreshScores { id } }", json!({})).await)["refreshScores"]["id"].clone();
    app.drive_jobs().await;
    let r = ok(app.gql(&me, "query($id: ID!) { scoreRun(id: $id) { status error } }", json!({ "id": run })).await);
    assert_eq!(r["scoreRun"]["status"], "FAILED");
    assert!(r["scoreRun"]["error"].as_str().unwrap().contains("rfm_segment"), "{r}");
}

async fn another_workspaces_scores_are_invisible(app: TestApp) {
    let a = app.sign_up("BUSINESS").await;
    let b = app.sign_up("BUSINESS").await;
    let key = tracking_key(&app, &a.auth()).await;
    history(&app, &key, 30, 30, 0).await;
    let mut mine = Vec::new();
    for i in 0..3 {
        mine.push(json!({ "type": "purchase", "email": format!("x{i}@example.com"),
            "properties": { "amount": 500, "items": ["pen", "ink"] } }));
    }
    send_events(&app, &key, &mine).await;
    let run =
        ok(app.gql(&a.auth(), "mutation { refreshScores { id } }", json!({})).await)["refreshScores"]["id"].clone();
    let create = "mutation($i: NewPropensityModel!) { createPropensityModel(input: $i) { id } }";
    let input = json!({ "name": "A", "targetEvent": "purchase", "horizonDays": 7, "attribute": "p_a" });
    let model = ok(app.gql(&a.auth(), create, json!({ "i": input })).await)["createPropensityModel"]["id"].clone();
    ok(app.gql(&a.auth(), "mutation($id: ID!) { trainPropensityModel(id: $id) { id } }", json!({ "id": model })).await);
    app.drive_jobs().await;

    let them = b.auth();
    for (q, id) in [
        ("query($id: ID!) { scoreRun(id: $id) { id } }", &run),
        ("query($id: ID!) { propensityModel(id: $id) { id } }", &model),
        ("query($id: ID!) { node(id: $id) { id } }", &model),
        ("mutation($id: ID!) { trainPropensityModel(id: $id) { id } }", &model),
        ("mutation($id: ID!) { deletePropensityModel(id: $id) { id } }", &model),
    ] {
        let r = app.gql(&them, q, json!({ "id": id })).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{q}: {r}");
    }
    let lists = "query { latestScoreRun { id } scoreRuns { totalCount } propensityModels { totalCount }
        productPairs { product } alsoBought(product: \"pen\") { other } }";
    let l = ok(app.gql(&them, lists, json!({})).await);
    assert_eq!(
        l,
        json!({ "latestScoreRun": null, "scoreRuns": { "totalCount": 0 }, "propensityModels": { "totalCount": 0 },
                "productPairs": [], "alsoBought": [] })
    );
    // B's own run and model see none of A's purchases or history.
    let r = ok(app.gql(&them, "mutation { refreshScores { id } }", json!({})).await)["refreshScores"]["id"].clone();
    let input = json!({ "name": "B", "targetEvent": "purchase", "horizonDays": 7, "attribute": "p_a" });
    let m = ok(app.gql(&them, create, json!({ "i": input })).await)["createPropensityModel"]["id"].clone();
    ok(app.gql(&them, "mutation($id: ID!) { trainPropensityModel(id: $id) { id } }", json!({ "id": m })).await);
    app.drive_jobs().await;
    let q = "query($r: ID!, $m: ID!) { scoreRun(id: $r) { status purchasesRead contactsScored }
        propensityModel(id: $m) { status error } }";
    let seen = ok(app.gql(&them, q, json!({ "r": r, "m": m })).await);
    assert_eq!(seen["scoreRun"], json!({ "status": "COMPLETED", "purchasesRead": 0, "contactsScored": 0 }));
    assert_eq!(seen["propensityModel"]["status"], "FAILED");
    // A's figures are whole.
    let mine =
        ok(app.gql(&a.auth(), "query($id: ID!) { scoreRun(id: $id) { contactsScored } }", json!({ "id": run })).await);
    // 27 of the 30 browsers bought, and the three pen buyers.
    assert_eq!(mine["scoreRun"]["contactsScored"], 30);
}

/// Runs every job due at `hours` from now (a worker whose clock is that far ahead).
async fn drive_at(app: &TestApp, hours: i64) {
    let p = app.server.parley.with_clock_skew(chrono::Duration::hours(hours));
    let w = workers::Runtime::new(p, app.server.mailer.clone(), workers::RuntimeConfig::default());
    while w.try_execute_batch().await.unwrap().claimed > 0 {}
}

/// The workspace's score runs: how many, and the newest's status.
async fn runs(app: &TestApp, me: &As) -> (i64, Value) {
    let r = ok(app.gql(me, "{ scoreRuns(first: 1) { totalCount nodes { status } } }", json!({})).await);
    (r["scoreRuns"]["totalCount"].as_i64().unwrap(), r["scoreRuns"]["nodes"][0]["status"].clone())
}

/// Hours from now to the schedule's next run.
async fn next_run_in_hours(app: &TestApp, me: &As) -> Option<f64> {
    let s = ok(app.gql(me, "{ scoreSchedule { every nextRunAt } }", json!({})).await);
    let at = s["scoreSchedule"]["nextRunAt"].as_str()?;
    let at = chrono::DateTime::parse_from_rfc3339(at).unwrap();
    Some((at.to_utc() - chrono::Utc::now()).num_seconds() as f64 / 3600.0)
}

async fn scores_refresh_on_a_schedule(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let key = tracking_key(&app, &me).await;
    let events: Vec<Value> = (1..=3)
        .map(|i| {
            json!({ "type": "purchase", "email": email(i), "occurredAt": ago(i as f64),
                         "properties": { "amount": 1000 * i, "currency": "EUR" } })
        })
        .collect();
    send_events(&app, &key, &events).await;
    assert_eq!(ok(app.gql(&me, "{ scoreSchedule { every } }", json!({})).await)["scoreSchedule"], Value::Null);
    let set = "mutation($e: ScoreEvery) { setScoreSchedule(every: $e) { every nextRunAt } }";
    let bad = app.gql(&me, set, json!({ "e": "HOURLY" })).await;
    assert!(bad["errors"][0]["message"].as_str().unwrap().contains("HOURLY"), "{bad}");

    let daily = ok(app.gql(&me, set, json!({ "e": "DAILY" })).await);
    assert_eq!(daily["setScoreSchedule"]["every"], "DAILY");
    let first = next_run_in_hours(&app, &me).await.unwrap();
    assert!((23.9..=24.0).contains(&first), "the first run is a day away: {first}");
    // The same schedule again keeps its time.
    ok(app.gql(&me, set, json!({ "e": "DAILY" })).await);
    assert_eq!(next_run_in_hours(&app, &me).await.unwrap().round(), first.round());
    app.drive_jobs().await;
    assert_eq!(runs(&app, &me).await.0, 0, "nothing is due yet");

    // A day later the run starts on its own, finishes, and the next waits a day more.
    drive_at(&app, 25).await;
    assert_eq!(runs(&app, &me).await, (1, json!("COMPLETED")));
    assert_eq!(attributes(&app, &me, &email(3)).await["orders_count"], 1);
    let next = next_run_in_hours(&app, &me).await.unwrap();
    assert!((47.9..=48.0).contains(&next), "{next}");
    drive_at(&app, 25).await;
    assert_eq!(runs(&app, &me).await.0, 1, "once per period");

    // Days with no worker: one catch-up run, and the schedule moves past them.
    drive_at(&app, 120).await;
    assert_eq!(runs(&app, &me).await, (2, json!("COMPLETED")));
    let next = next_run_in_hours(&app, &me).await.unwrap();
    assert!((143.9..=144.0).contains(&next), "{next}");

    // Weekly from now: the daily job waiting for its time does nothing.
    ok(app.gql(&me, set, json!({ "e": "WEEKLY" })).await);
    let weekly = next_run_in_hours(&app, &me).await.unwrap();
    assert!((167.9..=168.0).contains(&weekly), "{weekly}");
    drive_at(&app, 150).await;
    assert_eq!(runs(&app, &me).await.0, 2, "the replaced daily run did not start");
    drive_at(&app, 170).await;
    assert_eq!(runs(&app, &me).await.0, 3);

    // Off: nothing more.
    let off = ok(app.gql(&me, set, json!({ "e": null })).await);
    assert_eq!(off["setScoreSchedule"], Value::Null);
    assert_eq!(next_run_in_hours(&app, &me).await, None);
    drive_at(&app, 24 * 30).await;
    assert_eq!(runs(&app, &me).await.0, 3);

    // Another workspace has its own (none), and its schedule is not A's.
    let other = app.sign_up("BUSINESS").await;
    assert_eq!(next_run_in_hours(&app, &other.auth()).await, None);
    ok(app.gql(&other.auth(), set, json!({ "e": "DAILY" })).await);
    assert_eq!(next_run_in_hours(&app, &me).await, None);
    drive_at(&app, 24 * 30).await;
    assert_eq!(runs(&app, &me).await.0, 3, "B's schedule runs nothing of A's");
    assert_eq!(runs(&app, &other.auth()).await.0, 1);
}

on_both!(
    scores_refresh_on_a_schedule,
    rfm_and_lifetime_value_are_written_to_customers,
    a_propensity_model_learns_who_responds,
    bad_models_are_refused_naming_the_field,
    another_workspaces_scores_are_invisible,
);
