//! Contact optimization (DEC-9): proposals uploaded as CSV with constraints, chosen by a
//! background job under the per-contact maximum (counting what contacts were already
//! shown), the offers' own limits, consent, channel capacity and exclusions; every row
//! chosen, refused (counted per reason) or rejected (line, column, reason); the chosen
//! file downloadable; bad constraints and files named; another workspace sees nothing.

use serde_json::{Value, json};

use crate::campaigns::run;
use crate::decisions::offer;
use crate::on_both;
use crate::support::*;

const START: &str = "mutation($file: Upload!, $i: OptimizationInput!) { \
                     startOptimization(file: $file, input: $i) { id status stage } }";
const RUN: &str = "query($id: ID!) { optimizationRun(id: $id) { id name status stage progress error fileName
    currencyCode rowsRead rowsRejected proposals chosen totalValue { amount } totalCost { amount }
    constraints { maxPerContact maxPerContactFrom periodDays channelCapacity { channel capacity }
                  budget { amount } exclusions }
    refusals { reason count } campaigns { name proposals chosen value { amount } }
    channels { name proposals chosen } rejections { line column reason } downloadUrl } }";

async fn start(app: &TestApp, who: &As, file: &[u8], input: Value) -> Value {
    let (ct, body) = multipart(START, json!({ "i": input }), "proposals.csv", file);
    let res = app.post_multipart(who, &ct, body).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Starts a run, works the jobs, answers the run.
async fn optimize(app: &TestApp, who: &As, file: &[u8], input: Value) -> Value {
    let started = ok(start(app, who, file, input).await)["startOptimization"].clone();
    assert_eq!((started["status"].as_str(), started["stage"].as_str()), (Some("QUEUED"), Some("QUEUED")));
    app.drive_jobs().await;
    run(app, who, RUN, json!({ "id": started["id"] })).await["optimizationRun"].clone()
}

fn refusals(r: &Value) -> Vec<(String, i64)> {
    r["refusals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["reason"].as_str().unwrap().to_owned(), x["count"].as_i64().unwrap()))
        .collect()
}

async fn download(app: &TestApp, who: &As, url: &str) -> (u16, String) {
    let mut req = app.http.get(url);
    if let Some(b) = &who.bearer {
        req = req.bearer_auth(b);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// A run, for the node registry's story.
pub async fn sample(app: &TestApp, who: &As) -> Value {
    ok(start(app, who, b"contact,offer,value\r\n", json!({})).await)["startOptimization"]["id"].clone()
}

async fn proposals_are_chosen_under_every_constraint(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    crate::campaigns::plan_field(&app, &me).await;
    let ann = crate::campaigns::contact(&app, &me, "ann@opt.example.org", "Ann", Some("GRANTED")).await;
    let bob = crate::campaigns::contact(&app, &me, "bob@opt.example.org", "Bob", None).await;
    crate::campaigns::contact(&app, &me, "cy@opt.example.org", "Cy", Some("DENIED")).await;
    let q = "mutation($i: ContactInput!) { createContact(input: $i) { id } }";
    let dee =
        run(&app, &me, q, json!({ "i": { "externalId": "D-4", "firstName": "Dee" } })).await["createContact"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    offer(&app, &me, "A", &["EMAIL", "WEB"]).await;
    offer(&app, &me, "B", &["EMAIL"]).await;
    // C: at most once per contact in 30 days, and Ann was shown it on the web today.
    let c =
        json!({ "code": "C", "name": "C", "channels": ["WEB", "EMAIL"], "maxPerContact": 1, "maxPerContactDays": 30 });
    let c = run(&app, &me, crate::decisions::OFFER, json!({ "i": c })).await["createOffer"]["id"].clone();
    let web = crate::decisions::point(&app, &me, "Home", "WEB").await;
    run(&app, &me, crate::decisions::RULE, json!({ "i": { "pointId": web, "offerIds": [c] } })).await;
    let d = run(&app, &me, crate::decisions::DECIDE, json!({ "i": { "pointId": web, "contactId": ann } })).await;
    assert_eq!(d["decide"]["offers"][0]["offer"]["code"], "C");
    // The timeline reads what was decided (written first): the presentation is history.
    let q = "query($id: ID!) { contact(id: $id) { events(first: 10) { nodes { kind } } } }";
    let ev = run(&app, &me, q, json!({ "id": ann })).await;
    assert!(ev.to_string().contains("offer_presented"), "{ev}");

    // Another workspace's contact, named by its ID here: no such contact.
    let other = app.sign_up("BUSINESS").await;
    let them = other.auth();
    let theirs = crate::campaigns::contact(&app, &them, "zed@other.example.org", "Zed", None).await;

    let file = format!(
        "contact,offer,campaign,channel,value,cost\r\n\
         ann@opt.example.org,A,Spring,EMAIL,10.00,0.10\r\n\
         ANN@opt.example.org,B,Spring,EMAIL,8.00,0.10\r\n\
         ann@opt.example.org,C,Summer,EMAIL,30.00,0.10\r\n\
         bob@opt.example.org,A,Spring,,6.00,\r\n\
         bob@opt.example.org,B,Summer,EMAIL,5.00,0.10\r\n\
         bob@opt.example.org,A,Spring,EMAIL,1.00,0.10\r\n\
         cy@opt.example.org,A,Spring,EMAIL,9.00,0.10\r\n\
         D-4,B,Summer,email,4.00,0.10\r\n\
         {dee},A,Summer,EMAIL,3.00,0.10\r\n\
         nobody@opt.example.org,A,Spring,EMAIL,1.00,0.10\r\n\
         ann@opt.example.org,ZZZ,Spring,EMAIL,1.00,0.10\r\n\
         ann@opt.example.org,A,Autumn,SMS,1.00,0.10\r\n\
         bob@opt.example.org,B,Autumn,EMAIL,lots,0.10\r\n\
         {theirs},A,Spring,EMAIL,1.00,0.10\r\n"
    );
    let input = json!({ "name": "Spring and summer", "maxPerContact": 2, "exclusions": [["A", "B"]],
                        "channelCapacity": [{ "channel": "EMAIL", "capacity": 100 }] });
    let r = optimize(&app, &me, file.as_bytes(), input).await;
    assert_eq!(
        (r["status"].as_str(), r["stage"].as_str(), r["progress"].as_f64()),
        (Some("COMPLETED"), Some("DONE"), Some(1.0)),
        "{r}"
    );
    assert_eq!((r["name"].as_str(), r["currencyCode"].as_str()), (Some("Spring and summer"), Some("EUR")));
    // 14 rows: a duplicate, an unknown contact, an unknown offer, a channel the offer is
    // not on, a value that is no amount, another workspace's contact.
    assert_eq!(
        [r["rowsRead"].as_i64(), r["rowsRejected"].as_i64(), r["proposals"].as_i64(), r["chosen"].as_i64()],
        [Some(14), Some(6), Some(8), Some(3)],
        "{r}"
    );
    let rejected: Vec<(i64, String)> = r["rejections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["line"].as_i64().unwrap(), x["column"].as_str().unwrap().to_owned()))
        .collect();
    let want: Vec<(i64, String)> =
        [(7, ""), (11, "contact"), (12, "offer"), (13, "channel"), (14, "value"), (15, "contact")]
            .iter()
            .map(|(l, c)| (*l, (*c).to_owned()))
            .collect();
    assert_eq!(rejected, want, "{r}");
    assert!(r["rejections"][0]["reason"].as_str().unwrap().contains("line 5"), "{r}");
    // Ann: C is over its own limit (shown today), A takes her last place of two (one was
    // used today), B is over the maximum. Bob and Dee: A and B exclude one another. Cy
    // refused email.
    assert_eq!(
        refusals(&r),
        [("EXCLUSION", 2), ("NO_CONSENT", 1), ("OFFER_LIMIT", 1), ("PER_CONTACT", 1)]
            .map(|(k, n)| (k.to_owned(), n))
            .to_vec(),
        "{r}"
    );
    assert_eq!((r["totalValue"]["amount"].as_str(), r["totalCost"]["amount"].as_str()), (Some("20.00"), Some("0.20")));
    let spring = r["campaigns"].as_array().unwrap().iter().find(|c| c["name"] == "Spring").unwrap();
    assert_eq!((spring["proposals"].as_i64(), spring["chosen"].as_i64()), (Some(4), Some(2)), "{r}");
    assert_eq!(spring["value"]["amount"], "16.00");
    assert_eq!(r["channels"], json!([{ "name": "EMAIL", "proposals": 8, "chosen": 3 }]));
    assert_eq!(
        r["constraints"],
        json!({ "maxPerContact": 2, "maxPerContactFrom": "RUN", "periodDays": 30,
                "channelCapacity": [{ "channel": "EMAIL", "capacity": 100 }], "budget": null,
                "exclusions": [["A", "B"]] })
    );

    // The chosen proposals, in the file's order, with the IDs the API uses.
    let url = r["downloadUrl"].as_str().unwrap().to_owned();
    let (status, body) = download(&app, &me, &url).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        format!(
            "line,contactId,offer,campaign,channel,value,cost\r\n\
             2,{ann},A,Spring,EMAIL,10.00,0.10\r\n\
             5,{bob},A,Spring,EMAIL,6.00,0.00\r\n\
             9,{dee},B,Summer,EMAIL,4.00,0.10\r\n"
        )
    );
    // Another workspace: the run and its file are not found.
    let (status, _) = download(&app, &them, &url).await;
    assert_eq!(status, 404);
    for q in ["query($id: ID!) { optimizationRun(id: $id) { id } }", "query($id: ID!) { node(id: $id) { id } }"] {
        let res = app.gql(&them, q, json!({ "id": r["id"] })).await;
        assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"), "{res}");
    }
    let n = run(&app, &them, "{ optimizationRuns { totalCount } }", json!({})).await;
    assert_eq!(n["optimizationRuns"]["totalCount"], 0);

    // The workspace's contact policy sets the maximum when the run does not; a channel's
    // capacity binds.
    let set = "mutation($i: ContactPolicyInput!) { setContactPolicy(input: $i) { offerMax } }";
    run(&app, &me, set, json!({ "i": { "offerMax": 5, "offerWindowDays": 7 } })).await;
    let input = json!({ "channelCapacity": [{ "channel": "EMAIL", "capacity": 2 }] });
    let r2 = optimize(&app, &me, file.as_bytes(), input).await;
    assert_eq!(
        (r2["constraints"]["maxPerContact"].as_i64(), r2["constraints"]["maxPerContactFrom"].as_str()),
        (Some(5), Some("POLICY"))
    );
    assert_eq!(r2["constraints"]["periodDays"], 7);
    // Ann's A (10.00) and B (8.00) fill the channel; the rest find it full.
    assert_eq!(r2["chosen"], 2, "{r2}");
    assert_eq!(
        refusals(&r2),
        [("CHANNEL_CAPACITY", 4), ("NO_CONSENT", 1), ("OFFER_LIMIT", 1)].map(|(k, n)| (k.to_owned(), n)).to_vec()
    );
    // A budget: by value per cost, within 0.15 (Bob's free A, then the best that fits).
    let input = json!({ "budget": { "amount": "0.15", "currencyCode": "EUR" }, "maxPerContact": 5 });
    let r3 = optimize(&app, &me, file.as_bytes(), input).await;
    assert_eq!(r3["totalCost"]["amount"], "0.10", "{r3}");
    assert_eq!(r3["chosen"], 2, "{r3}");
    assert_eq!(r3["constraints"]["budget"]["amount"], "0.15");
    let list = run(&app, &me, "{ optimizationRuns(first: 10) { totalCount nodes { id status } } }", json!({})).await;
    assert_eq!(list["optimizationRuns"]["totalCount"], 3);
    assert_eq!(list["optimizationRuns"]["nodes"][0]["id"], r3["id"], "newest first");
}

async fn bad_constraints_and_files_are_named(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    offer(&app, &me, "A", &["EMAIL"]).await;
    offer(&app, &me, "B", &["EMAIL"]).await;
    let good = b"contact,offer,value\r\nann@example.org,A,1.00\r\n";
    for (input, want) in [
        (json!({ "maxPerContact": 0 }), "maxPerContact"),
        (json!({ "maxPerContact": 101 }), "maxPerContact"),
        (json!({ "periodDays": 400 }), "periodDays"),
        (json!({ "channelCapacity": [{ "channel": "EMAIL", "capacity": -1 }] }), "channelCapacity"),
        (
            json!({ "channelCapacity": [{ "channel": "EMAIL", "capacity": 1 }, { "channel": "EMAIL", "capacity": 2 }] }),
            "channelCapacity",
        ),
        (json!({ "budget": { "amount": "-1.00", "currencyCode": "EUR" } }), "budget"),
        (json!({ "budget": { "amount": "1.00", "currencyCode": "USD" }, "currencyCode": "EUR" }), "budget"),
        (json!({ "currencyCode": "EURO" }), "currencyCode"),
        (json!({ "exclusions": [["A"]] }), "exclusions"),
        (json!({ "exclusions": [["A", "NOPE"]] }), "exclusions"),
        (json!({ "name": "x".repeat(201) }), "name"),
    ] {
        let r = start(&app, &me, good, input.clone()).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some(want)), "{input}: {r}");
    }
    for file in [&b"contact,offer\r\nann@example.org,A\r\n"[..], b"", b"\xFF\xFEc\0o\0"] {
        let r = start(&app, &me, file, json!({})).await;
        assert_eq!((code(&r).as_deref(), field(&r).as_deref()), (Some("BAD_USER_INPUT"), Some("file")), "{r}");
    }
    // Nothing was started by any of them.
    let n = run(&app, &me, "{ optimizationRuns { totalCount } }", json!({})).await;
    assert_eq!(n["optimizationRuns"]["totalCount"], 0);
    // A viewer may not start one.
    let (viewer, _) = crate::operations::member(&app, &owner, "viewer@opt.example.org", "VIEWER").await;
    let r = start(&app, &viewer, good, json!({})).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    // Header only: a run that reads nothing, chooses nothing, and completes.
    let r = optimize(&app, &me, b"contact;offer;value\n", json!({})).await;
    assert_eq!(
        (r["status"].as_str(), r["rowsRead"].as_i64(), r["chosen"].as_i64()),
        (Some("COMPLETED"), Some(0), Some(0))
    );
    // Lines ended by LF alone are numbered as well: blank lines count, a quoted line
    // break too, and the last line needs no break.
    let r2 =
        optimize(&app, &me, b"contact;offer;value\nann@example.org;A;1.00\n\n\"no\nbody\";A;1\nlast;A;1", json!({}))
            .await;
    let lines: Vec<i64> = r2["rejections"].as_array().unwrap().iter().map(|x| x["line"].as_i64().unwrap()).collect();
    assert_eq!(lines, [2, 4, 6], "{r2}");
    let (status, body) = download(&app, &me, r["downloadUrl"].as_str().unwrap()).await;
    assert_eq!((status, body.as_str()), (200, "line,contactId,offer,campaign,channel,value,cost\r\n"));
}

on_both!(proposals_are_chosen_under_every_constraint, bad_constraints_and_files_are_named);
