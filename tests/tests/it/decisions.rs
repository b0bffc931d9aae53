//! Centralized decisioning, the catalogue side: offers (checked, versioned, retired),
//! interaction points (with their fallback, response window and learning settings) and
//! treatment rules (offers on the point's channel, eligibility in the segment rule
//! language plus the request's context), bad input named, and another workspace that
//! sees none of it.

use serde_json::{Value, json};

use crate::campaigns::run;
use crate::on_both;
use crate::support::*;

pub const OFFER: &str = "mutation($i: OfferInput!) { createOffer(input: $i) {
    id code version status channels value { amount currencyCode } cost { amount currencyCode }
    creatives { title body imageUrl link } attributes } }";
const POINT: &str = "mutation($i: InteractionPointInput!) { createInteractionPoint(input: $i) {
    id name channel maxOffers fallbackOfferId responseWindow holdoutPercent explorationPercent } }";
pub const RULE: &str = "mutation($i: TreatmentRuleInput!) { createTreatmentRule(input: $i) {
    id pointId segmentId offerIds eligibility weight } }";

pub async fn offer(app: &TestApp, who: &As, code: &str, channels: &[&str]) -> String {
    let i = json!({ "code": code, "name": format!("Offer {code}"), "channels": channels,
                    "value": { "amount": "20.00", "currencyCode": "EUR" } });
    run(app, who, OFFER, json!({ "i": i })).await["createOffer"]["id"].as_str().unwrap().to_owned()
}

pub async fn point(app: &TestApp, who: &As, name: &str, channel: &str) -> String {
    let i = json!({ "name": name, "channel": channel, "maxOffers": 2 });
    run(app, who, POINT, json!({ "i": i })).await["createInteractionPoint"]["id"].as_str().unwrap().to_owned()
}

fn bad(r: &Value) -> (Option<String>, Option<String>) {
    (code(r), field(r))
}

async fn the_catalogue_is_versioned_and_checked(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();

    // An offer with everything: its code kept upper case, money in one currency.
    let full = json!({
        "code": "spring-10", "name": "Spring ten percent", "channels": ["WEB", "EMAIL", "WEB"],
        "value": { "amount": "25.00", "currencyCode": "EUR" }, "cost": { "amount": "0.05", "currencyCode": "EUR" },
        "validFrom": "2026-03-01T00:00:00Z", "validTo": "2026-06-01T00:00:00Z",
        "creatives": [{ "title": "Ten percent off", "body": "This spring only",
                        "imageUrl": "https://cdn.example.com/spring.png", "link": "https://shop.example.com/spring" }],
        "attributes": { "category": "garden", "margin": 0.4 },
    });
    let o = run(&app, &me, OFFER, json!({ "i": full })).await["createOffer"].clone();
    assert_eq!(o["code"], "SPRING-10");
    assert_eq!((o["version"].as_i64(), o["status"].as_str()), (Some(1), Some("ACTIVE")));
    assert_eq!(o["channels"], json!(["WEB", "EMAIL"]), "each channel once");
    assert_eq!(o["value"], json!({ "amount": "25.00", "currencyCode": "EUR" }));
    assert_eq!(o["cost"], json!({ "amount": "0.05", "currencyCode": "EUR" }));
    assert_eq!(o["creatives"][0]["link"], "https://shop.example.com/spring");
    assert_eq!(o["attributes"], json!({ "category": "garden", "margin": 0.4 }));
    let id = o["id"].as_str().unwrap().to_owned();

    // Bad input, each named; nothing written.
    for (patch, want) in [
        (json!({ "code": "" }), "code"),
        (json!({ "code": "has space" }), "code"),
        (json!({ "code": "x".repeat(41) }), "code"),
        (json!({ "code": "SPRING-10" }), "code"),
        (json!({ "name": " " }), "name"),
        (json!({ "channels": [] }), "channels"),
        (json!({ "value": { "amount": "abc", "currencyCode": "EUR" } }), "value.amount"),
        (json!({ "value": { "amount": "-1", "currencyCode": "EUR" } }), "value.amount"),
        (json!({ "cost": { "amount": "1", "currencyCode": "USD" } }), "cost.currencyCode"),
        (json!({ "value": { "amount": "1", "currencyCode": "EURO" } }), "value.currencyCode"),
        (json!({ "validTo": "2026-02-01T00:00:00Z" }), "validTo"),
        (json!({ "creatives": [{ "title": "" }] }), "creatives[0].title"),
        (json!({ "creatives": [{ "title": "t", "link": "javascript:alert(1)" }] }), "creatives[0].link"),
        (json!({ "creatives": [{ "title": "t", "imageUrl": "ftp://x.example.com/a.png" }] }), "creatives[0].imageUrl"),
        (json!({ "creatives": vec![json!({ "title": "t" }); 11] }), "creatives"),
        (json!({ "attributes": [1, 2] }), "attributes"),
        (json!({ "attributes": { "big": "x".repeat(9000) } }), "attributes"),
    ] {
        let mut i = full.clone();
        i.as_object_mut().unwrap().extend(patch.as_object().unwrap().clone());
        if patch.get("code").is_none() {
            i["code"] = json!("OTHER");
        }
        let r = app.gql(&me, OFFER, json!({ "i": i })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{patch}: {r}");
    }
    let n = run(&app, &me, "{ offers { totalCount } }", json!({})).await;
    assert_eq!(n["offers"]["totalCount"], 1, "nothing half-written");

    // A change is a new version; the first stays as it was.
    let upd = "mutation($id: ID!, $i: OfferInput!) { updateOffer(id: $id, input: $i) { version name
        versions { version content } } }";
    let mut changed = full.clone();
    changed["name"] = json!("Spring fifteen percent");
    changed["value"] = json!({ "amount": "30.00", "currencyCode": "EUR" });
    let u = run(&app, &me, upd, json!({ "id": id, "i": changed })).await["updateOffer"].clone();
    assert_eq!(u["version"], 2);
    let versions = u["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!((versions[0]["version"].as_i64(), versions[1]["version"].as_i64()), (Some(2), Some(1)));
    assert_eq!(versions[1]["content"]["name"], "Spring ten percent");
    assert_eq!(versions[1]["content"]["valueMinor"], 2500);
    assert_eq!(versions[0]["content"]["valueMinor"], 3000);

    // Without value or cost: zero in the default currency.
    let plain = json!({ "code": "PLAIN", "name": "Plain", "channels": ["KIOSK"] });
    let p = run(&app, &me, OFFER, json!({ "i": plain })).await["createOffer"].clone();
    assert_eq!(p["value"], json!({ "amount": "0.00", "currencyCode": "EUR" }));

    // Points: the fallback must be an active offer shown on the point's channel.
    let web = point(&app, &me, "Home hero", "WEB").await;
    let kiosk_fallback = json!({ "name": "Till", "channel": "POINT_OF_SALE", "fallbackOfferId": p["id"] });
    let r = app.gql(&me, POINT, json!({ "i": kiosk_fallback })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("fallbackOfferId".into())), "{r}");
    let with_fallback = json!({ "name": "Cart", "channel": "WEB", "fallbackOfferId": id, "maxOffers": 3,
                                "responseWindow": "P7D" });
    let cart = run(&app, &me, POINT, json!({ "i": with_fallback })).await["createInteractionPoint"].clone();
    assert_eq!(cart["responseWindow"], "P7D");
    assert_eq!(cart["fallbackOfferId"], json!(id));
    let home = run(
        &app,
        &me,
        "query($id: ID!) { interactionPoint(id: $id) { responseWindow maxOffers } }",
        json!({ "id": web }),
    )
    .await;
    assert_eq!(home["interactionPoint"], json!({ "responseWindow": "PT24H", "maxOffers": 2 }), "the defaults");
    for (patch, want) in [
        (json!({ "name": "Home hero" }), "name"),
        (json!({ "maxOffers": 0 }), "maxOffers"),
        (json!({ "maxOffers": 21 }), "maxOffers"),
        (json!({ "responseWindow": "24 hours" }), "responseWindow"),
        (json!({ "responseWindow": "P1M" }), "responseWindow"),
        (json!({ "responseWindow": "PT10S" }), "responseWindow"),
        (json!({ "responseWindow": "P365D" }), "responseWindow"),
        (json!({ "fallbackOfferId": "not-an-id" }), "fallbackOfferId"),
    ] {
        let mut i = json!({ "name": "Another", "channel": "WEB" });
        i.as_object_mut().unwrap().extend(patch.as_object().unwrap().clone());
        let r = app.gql(&me, POINT, json!({ "i": i })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{patch}: {r}");
    }
    let learn =
        "mutation($i: ConfigureLearningInput!) { configureLearning(input: $i) { holdoutPercent explorationPercent } }";
    let l = run(&app, &me, learn, json!({ "i": { "pointId": web, "holdoutPercent": 10, "explorationPercent": 5.5 } }))
        .await;
    assert_eq!(l["configureLearning"], json!({ "holdoutPercent": 10.0, "explorationPercent": 5.5 }));
    for (i, want) in [
        (json!({ "pointId": web, "holdoutPercent": 60 }), "holdoutPercent"),
        (json!({ "pointId": web, "holdoutPercent": -1 }), "holdoutPercent"),
        (json!({ "pointId": web, "holdoutPercent": 5, "explorationPercent": 101 }), "explorationPercent"),
    ] {
        let r = app.gql(&me, learn, json!({ "i": i })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{r}");
    }

    // Rules: offers on the point's channel, a segment of the workspace, an eligibility
    // expression that parses (contact fields and the request's context).
    crate::campaigns::plan_field(&app, &me).await;
    let seg = crate::campaigns::segment(&app, &me, "Gardeners", crate::campaigns::at("garden.example.org")).await;
    let eligibility = json!({ "all": [
        { "attribute": "plan", "op": "eq", "value": "gold" },
        { "attribute": "context.page", "op": "in", "value": ["/cart", "/checkout"] },
        { "not": { "attribute": "context.basket", "op": "lt", "value": 20 } },
    ] });
    let rule = json!({ "pointId": cart["id"], "offerIds": [id, id], "segmentId": seg, "eligibility": eligibility,
                       "weight": 2.5 });
    let r = run(&app, &me, RULE, json!({ "i": rule })).await["createTreatmentRule"].clone();
    assert_eq!(r["offerIds"], json!([id]), "each offer once");
    assert_eq!((r["weight"].as_f64(), r["segmentId"].as_str()), (Some(2.5), Some(seg.as_str())));
    assert_eq!(r["eligibility"], eligibility);
    let everyone = json!({ "pointId": web, "offerIds": [id] });
    let e = run(&app, &me, RULE, json!({ "i": everyone })).await["createTreatmentRule"].clone();
    assert_eq!(
        (e["segmentId"].clone(), e["weight"].as_f64(), e["eligibility"].clone()),
        (Value::Null, Some(1.0), Value::Null)
    );
    for (patch, want) in [
        (json!({ "offerIds": [] }), "offerIds"),
        (json!({ "offerIds": [p["id"]] }), "offerIds[0]"),
        (json!({ "offerIds": ["bad"] }), "offerIds[0]"),
        (json!({ "pointId": "bad" }), "pointId"),
        (json!({ "weight": 0 }), "weight"),
        (json!({ "weight": 1001 }), "weight"),
        (json!({ "eligibility": { "attribute": "nope", "op": "eq", "value": 1 } }), "eligibility.attribute"),
        (
            json!({ "eligibility": { "all": [{ "attribute": "context.page", "op": "between", "value": 1 }] } }),
            "eligibility.all[0].op",
        ),
        (json!({ "eligibility": { "attribute": "context.", "op": "eq", "value": 1 } }), "eligibility.attribute"),
        (json!({ "eligibility": { "any": [] } }), "eligibility.any"),
        (json!({ "eligibility": "plan = gold" }), "eligibility"),
    ] {
        let mut i = everyone.clone();
        i.as_object_mut().unwrap().extend(patch.as_object().unwrap().clone());
        let r = app.gql(&me, RULE, json!({ "i": i })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{patch}: {r}");
    }
    let rules =
        run(&app, &me, "query($id: ID!) { interactionPoint(id: $id) { rules { id } } }", json!({ "id": web })).await;
    assert_eq!(rules["interactionPoint"]["rules"].as_array().unwrap().len(), 1);

    // Retiring: not while it is a point's fallback; then once, and never changed again
    // nor named by a new rule.
    let retire = "mutation($id: ID!) { retireOffer(id: $id) { id status retiredAt } }";
    assert_eq!(code(&app.gql(&me, retire, json!({ "id": id })).await).as_deref(), Some("CONFLICT"), "a fallback");
    let upd_point = "mutation($id: ID!, $i: InteractionPointInput!) { updateInteractionPoint(id: $id, input: $i) { fallbackOfferId } }";
    let u = run(&app, &me, upd_point, json!({ "id": cart["id"], "i": { "name": "Cart", "channel": "WEB" } })).await;
    assert_eq!(u["updateInteractionPoint"]["fallbackOfferId"], Value::Null);
    let gone = run(&app, &me, retire, json!({ "id": id })).await["retireOffer"].clone();
    assert_eq!(gone["status"], "RETIRED");
    assert!(gone["retiredAt"].is_string());
    assert_eq!(code(&app.gql(&me, retire, json!({ "id": id })).await).as_deref(), Some("CONFLICT"));
    assert_eq!(code(&app.gql(&me, upd, json!({ "id": id, "i": changed })).await).as_deref(), Some("CONFLICT"));
    let r = app.gql(&me, RULE, json!({ "i": everyone })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("offerIds[0]".into())), "a retired offer: {r}");
    let active = run(
        &app,
        &me,
        "{ offers(status: ACTIVE) { totalCount } retired: offers(status: RETIRED) { totalCount } }",
        json!({}),
    )
    .await;
    assert_eq!((active["offers"]["totalCount"].as_i64(), active["retired"]["totalCount"].as_i64()), (Some(1), Some(1)));

    // Consent is recorded only on channels a contact is reached on.
    let q = "mutation($i: ContactInput!) { createContact(input: $i) { id } }";
    let r = app
        .gql(
            &me,
            q,
            json!({ "i": { "email": "w@garden.example.org",
        "consents": [{ "channel": "WEB", "status": "GRANTED" }] } }),
        )
        .await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("consents.channel".into())), "{r}");
}

async fn another_workspace_sees_none_of_it(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let o = offer(&app, &me, "MINE", &["WEB"]).await;
    let pt = point(&app, &me, "Mine", "WEB").await;
    let rule =
        run(&app, &me, RULE, json!({ "i": { "pointId": pt, "offerIds": [o] } })).await["createTreatmentRule"]["id"]
            .as_str()
            .unwrap()
            .to_owned();

    let other = app.sign_up("BUSINESS").await;
    let them = other.auth();
    for (q, vars) in [
        ("query($id: ID!) { offer(id: $id) { id } }", json!({ "id": o })),
        ("query($id: ID!) { interactionPoint(id: $id) { id } }", json!({ "id": pt })),
        ("query($id: ID!) { treatmentRule(id: $id) { id } }", json!({ "id": rule })),
        ("query($id: ID!) { node(id: $id) { id } }", json!({ "id": o })),
        ("query($id: ID!) { node(id: $id) { id } }", json!({ "id": pt })),
        ("query($id: ID!) { node(id: $id) { id } }", json!({ "id": rule })),
        ("mutation($id: ID!) { retireOffer(id: $id) { id } }", json!({ "id": o })),
        ("mutation($id: ID!) { deleteTreatmentRule(id: $id) { id } }", json!({ "id": rule })),
        (
            "mutation($i: ConfigureLearningInput!) { configureLearning(input: $i) { id } }",
            json!({ "i": { "pointId": pt, "holdoutPercent": 5 } }),
        ),
    ] {
        let r = app.gql(&them, q, vars).await;
        assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{q}: {r}");
    }
    // Naming another workspace's offer or point in their own rule or point: unknown there.
    let their_point = point(&app, &them, "Theirs", "WEB").await;
    let r = app.gql(&them, RULE, json!({ "i": { "pointId": their_point, "offerIds": [o] } })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("offerIds[0]".into())), "{r}");
    let their_offer = offer(&app, &them, "THEIRS", &["WEB"]).await;
    let r = app.gql(&them, RULE, json!({ "i": { "pointId": pt, "offerIds": [their_offer] } })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("pointId".into())), "{r}");
    let r = app.gql(&them, POINT, json!({ "i": { "name": "Stolen", "channel": "WEB", "fallbackOfferId": o } })).await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("fallbackOfferId".into())), "{r}");
    let list = run(&app, &them, "{ offers { totalCount } interactionPoints { totalCount } }", json!({})).await;
    assert_eq!(
        (list["offers"]["totalCount"].as_i64(), list["interactionPoints"]["totalCount"].as_i64()),
        (Some(1), Some(1))
    );
    // Their code may be ours: codes are unique per workspace.
    offer(&app, &them, "MINE", &["WEB"]).await;
    // A viewer reads the catalogue but writes none of it.
    let (viewer, _) = crate::operations::member(&app, &owner, "viewer@example.com", "VIEWER").await;
    let n = run(&app, &viewer, "{ offers { totalCount } }", json!({})).await;
    assert_eq!(n["offers"]["totalCount"], 1);
    let r = app.gql(&viewer, OFFER, json!({ "i": { "code": "V", "name": "V", "channels": ["WEB"] } })).await;
    assert_eq!(code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
}

pub const DECIDE: &str = "mutation($i: DecideInput!) { decide(input: $i) { id mode contactId
    offers { offer { id code } score rank } explanation } }";
const RESPOND: &str = "mutation($i: RespondInput!) { respond(input: $i) { id outcome learned revenue { amount } } }";

fn codes(d: &Value) -> Vec<String> {
    d["offers"].as_array().unwrap().iter().map(|o| o["offer"]["code"].as_str().unwrap().to_owned()).collect()
}

async fn decisions_rank_explain_and_learn(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    crate::campaigns::plan_field(&app, &me).await;
    let ann = crate::campaigns::contact(&app, &me, "ann@gold.example.org", "Ann", Some("GRANTED")).await;
    let refused = crate::campaigns::contact(&app, &me, "no@mail.example.org", "No", Some("DENIED")).await;
    let gold =
        crate::campaigns::segment(&app, &me, "Gold", json!({ "attribute": "plan", "op": "eq", "value": "gold" })).await;

    let low = offer(&app, &me, "LOW", &["WEB", "EMAIL"]).await; // value 20.00
    let mut high_input = json!({ "code": "HIGH", "name": "High", "channels": ["WEB"],
        "value": { "amount": "500.00", "currencyCode": "EUR" } });
    let high = run(&app, &me, OFFER, json!({ "i": high_input.clone() })).await["createOffer"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let later = json!({ "code": "LATER", "name": "Later", "channels": ["WEB"], "validFrom": "2099-01-01T00:00:00Z" });
    let later = run(&app, &me, OFFER, json!({ "i": later })).await["createOffer"]["id"].as_str().unwrap().to_owned();
    let cart = json!({ "code": "CART", "name": "Cart", "channels": ["WEB"],
        "value": { "amount": "500.00", "currencyCode": "EUR" } });
    let cart_only = run(&app, &me, OFFER, json!({ "i": cart })).await["createOffer"]["id"].as_str().unwrap().to_owned();
    let fallback = offer(&app, &me, "HOUSE", &["WEB"]).await;
    let home = run(
        &app,
        &me,
        POINT,
        json!({ "i": { "name": "Home", "channel": "WEB", "maxOffers": 2,
        "fallbackOfferId": fallback } }),
    )
    .await["createInteractionPoint"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    run(&app, &me, RULE, json!({ "i": { "pointId": home, "offerIds": [low, high, later], "weight": 0.001 } })).await;
    let cart_rule = json!({ "pointId": home, "offerIds": [cart_only], "segmentId": gold, "weight": 1000,
        "eligibility": { "all": [{ "attribute": "context.page", "op": "eq", "value": "/cart" },
                                 { "attribute": "plan", "op": "eq", "value": "gold" }] } });
    run(&app, &me, RULE, json!({ "i": cart_rule })).await;

    // Ann on the home page: the two eligible offers, the one of higher value first (no
    // evidence yet, so the value decides unless a draw is very unlikely), explained.
    let d = run(
        &app,
        &me,
        DECIDE,
        json!({ "i": { "pointId": home, "contactId": ann, "context": { "page": "/" },
        "explain": true } }),
    )
    .await["decide"]
        .clone();
    assert_eq!(d["mode"], "LEARNED");
    assert_eq!(d["contactId"], json!(ann));
    let mut shown = codes(&d);
    shown.sort();
    assert_eq!(shown, ["HIGH", "LOW"]);
    let e = &d["explanation"];
    assert_eq!(e["candidates"].as_array().unwrap().len(), 2, "{e}");
    for c in e["candidates"].as_array().unwrap() {
        for factor in ["weight", "value", "estimate", "low", "high", "probability", "score", "rank", "reason"] {
            assert!(!c[factor].is_null(), "{factor} in {c}");
        }
    }
    let excluded = e["excluded"].to_string();
    assert!(excluded.contains("not valid yet"), "{excluded}");
    assert!(excluded.contains("eligibility does not hold"), "{excluded}");

    // On the cart page Ann (gold) gets the cart offer, weighted far above the rest. With no
    // evidence yet each response probability is drawn from a uniform prior, so a weight alone
    // only makes a loss unlikely: at 10^6 times the score of HIGH, a draw overturns it about
    // once in two million runs (the chance that one uniform draw is 10^6 times another).
    let d2 = run(
        &app,
        &me,
        DECIDE,
        json!({ "i": { "pointId": home, "email": "ANN@gold.example.org",
        "context": { "page": "/cart" }, "count": 1 } }),
    )
    .await["decide"]
        .clone();
    assert_eq!(codes(&d2), ["CART"]);

    // Responses: the first click teaches, the same again changes nothing, an offer the
    // decision did not show is refused.
    let first = d["offers"][0]["offer"]["id"].as_str().unwrap().to_owned();
    let r1 = run(&app, &me, RESPOND, json!({ "i": { "decisionId": d["id"], "offerId": first, "outcome": "CLICKED" } }))
        .await;
    assert_eq!(r1["respond"]["learned"], true);
    let again =
        run(&app, &me, RESPOND, json!({ "i": { "decisionId": d["id"], "offerId": first, "outcome": "CLICKED" } }))
            .await;
    assert_eq!(again["respond"]["id"], r1["respond"]["id"], "idempotent");
    let conv = json!({ "i": { "decisionId": d["id"], "offerId": first, "outcome": "CONVERTED",
        "revenue": { "amount": "99.90", "currencyCode": "EUR" } } });
    let r2 = run(&app, &me, RESPOND, conv).await;
    assert_eq!(
        (r2["respond"]["learned"].as_bool(), r2["respond"]["revenue"]["amount"].as_str()),
        (Some(false), Some("99.90")),
        "one success per decision and offer"
    );
    let r = app
        .gql(&me, RESPOND, json!({ "i": { "decisionId": d["id"], "offerId": cart_only, "outcome": "CLICKED" } }))
        .await;
    assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("offerId".into())), "{r}");
    // What was learnt shows in the next explanation.
    let d3 =
        run(&app, &me, DECIDE, json!({ "i": { "pointId": home, "contactId": ann, "explain": true } })).await["decide"]
            .clone();
    let learnt: Vec<(String, u64)> = d3["explanation"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["code"].as_str().unwrap().to_owned(), c["trials"].as_u64().unwrap()))
        .collect();
    assert!(learnt.iter().all(|(_, t)| *t >= 1), "every shown offer had a trial: {learnt:?}");
    // The contact's timeline holds the presentations and the responses.
    let q = "query($id: ID!) { contact(id: $id) { events(first: 50) { nodes { kind properties } } } }";
    let ev = run(&app, &me, q, json!({ "id": ann })).await;
    let kinds: Vec<&str> =
        ev["contact"]["events"]["nodes"].as_array().unwrap().iter().map(|n| n["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "offer_presented").count(), 5, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "offer_responded").count(), 2, "{kinds:?}");

    // Nothing eligible: the fallback. A contact who refused email gets nothing by email.
    run(&app, &me, "mutation($id: ID!) { retireOffer(id: $id) { id } }", json!({ "id": low })).await;
    high_input["validTo"] = json!("2020-01-01T00:00:00Z");
    high_input["validFrom"] = json!("2019-01-01T00:00:00Z");
    run(
        &app,
        &me,
        "mutation($id: ID!, $i: OfferInput!) { updateOffer(id: $id, input: $i) { id } }",
        json!({ "id": high, "i": high_input }),
    )
    .await;
    let f =
        run(&app, &me, DECIDE, json!({ "i": { "pointId": home, "anonymousId": "visitor-1" } })).await["decide"].clone();
    assert_eq!((f["mode"].as_str(), codes(&f)), (Some("FALLBACK"), vec!["HOUSE".to_owned()]));
    let block = point(&app, &me, "Newsletter block", "EMAIL").await;
    let also_email = offer(&app, &me, "NEWS", &["EMAIL"]).await;
    run(&app, &me, RULE, json!({ "i": { "pointId": block, "offerIds": [also_email] } })).await;
    let n = run(&app, &me, DECIDE, json!({ "i": { "pointId": block, "contactId": refused, "explain": true } })).await["decide"].clone();
    assert_eq!((n["mode"].as_str(), n["offers"].as_array().unwrap().len()), (Some("NONE"), 0));
    assert!(n["explanation"]["excluded"].to_string().contains("refused consent on EMAIL"));
    let ok_email =
        run(&app, &me, DECIDE, json!({ "i": { "pointId": block, "contactId": ann } })).await["decide"].clone();
    assert_eq!(codes(&ok_email), ["NEWS"]);

    // All random: the holdout and exploration shares take every decision.
    let learn = "mutation($i: ConfigureLearningInput!) { configureLearning(input: $i) { id } }";
    run(&app, &me, learn, json!({ "i": { "pointId": block, "holdoutPercent": 50, "explorationPercent": 50 } })).await;
    for _ in 0..10 {
        let m = run(&app, &me, DECIDE, json!({ "i": { "pointId": block, "contactId": ann } })).await;
        assert!(["HOLDOUT", "EXPLORE"].contains(&m["decide"]["mode"].as_str().unwrap()), "{m}");
    }

    // Bad requests, each named.
    for (i, want) in [
        (json!({ "pointId": home }), "contactId"),
        (json!({ "pointId": home, "contactId": ann, "email": "a@b.example.com" }), "contactId"),
        (json!({ "pointId": home, "anonymousId": "v", "count": 0 }), "count"),
        (json!({ "pointId": home, "anonymousId": "v", "count": 3 }), "count"),
        (json!({ "pointId": home, "anonymousId": "v", "context": [1] }), "context"),
        (json!({ "pointId": home, "anonymousId": "v", "context": { "big": "x".repeat(17_000) } }), "context"),
        (json!({ "pointId": "nope", "anonymousId": "v" }), "pointId"),
        (json!({ "pointId": home, "email": "not an address" }), "email"),
    ] {
        let r = app.gql(&me, DECIDE, json!({ "i": i })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{i}: {r}");
    }

    // The lean endpoints: the publishable key, JSON in and out.
    let key = crate::tracking::issue_key(&app, &me).await;
    let post = |path: &'static str, body: Value| {
        let url = format!("{}{path}", app.base);
        let http = app.http.clone();
        async move { http.post(url).json(&body).send().await.unwrap() }
    };
    let res =
        post("/t/decide", json!({ "key": key, "point": block, "anonymousId": "kiosk-7", "context": { "x": 1 } })).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["offers"][0]["code"], "NEWS");
    let decision = body["decisionId"].as_str().unwrap().to_owned();
    let res =
        post("/t/respond", json!({ "key": key, "decisionId": decision, "offerId": also_email, "outcome": "ACCEPTED" }))
            .await;
    assert_eq!(res.status(), 204);
    let res =
        post("/t/respond", json!({ "key": key, "decisionId": decision, "offerId": also_email, "outcome": "MAYBE" }))
            .await;
    assert_eq!((res.status().as_u16(), res.json::<Value>().await.unwrap()["field"].clone()), (400, json!("outcome")));
    let res = post("/t/decide", json!({ "key": "prly_pk_nope", "point": block, "anonymousId": "v" })).await;
    assert_eq!(res.status(), 401);
    let res = post("/t/decide", json!({ "key": key, "anonymousId": "v" })).await;
    assert_eq!((res.status().as_u16(), res.json::<Value>().await.unwrap()["field"].clone()), (400, json!("point")));

    // Another workspace: none of it, through either door.
    let other = app.sign_up("BUSINESS").await;
    let them = other.auth();
    let r = app.gql(&them, DECIDE, json!({ "i": { "pointId": home, "anonymousId": "v" } })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app
        .gql(&them, RESPOND, json!({ "i": { "decisionId": d["id"], "offerId": first, "outcome": "CLICKED" } }))
        .await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let their_key = crate::tracking::issue_key(&app, &them).await;
    let res = post("/t/decide", json!({ "key": their_key, "point": block, "anonymousId": "v" })).await;
    assert_eq!(res.status(), 404);
    let res = post(
        "/t/respond",
        json!({ "key": their_key, "decisionId": decision, "offerId": also_email, "outcome": "CLICKED" }),
    )
    .await;
    assert_eq!(res.status(), 404);
    // Their responses never move our estimates: our trials and successes stand.
    let mine = run(&app, &me, DECIDE, json!({ "i": { "pointId": block, "contactId": ann, "explain": true } })).await;
    let news = &mine["decide"]["explanation"]["candidates"][0];
    assert_eq!(news["code"], "NEWS");
    assert!(news["estimate"].as_f64().unwrap() > 0.0);

    // What each offer did at a point, and the point's lift over its holdout.
    let perf = "query($p: ID!) { offerPerformance(pointId: $p) { offer { code } presentations responses
        rate { estimate low high } trafficShare } }";
    let home_perf = run(&app, &me, perf, json!({ "p": home })).await["offerPerformance"].clone();
    let rows = home_perf.as_array().unwrap();
    assert_eq!(rows.iter().filter(|r| r["responses"] == 1).count(), 1, "the clicked offer's one response: {home_perf}");
    let shares: f64 = rows.iter().map(|r| r["trafficShare"].as_f64().unwrap()).sum();
    assert!((shares - 1.0).abs() < 1e-9, "{home_perf}");
    let presented: i64 = rows.iter().map(|r| r["presentations"].as_i64().unwrap()).sum();
    assert_eq!(presented, 6, "five to Ann and the fallback once: {home_perf}");
    let later_row = rows.iter().find(|r| r["offer"]["code"] == "LATER").unwrap();
    assert_eq!((later_row["presentations"].as_i64(), later_row["trafficShare"].as_f64()), (Some(0), Some(0.0)));
    for r in rows.iter().filter(|r| r["presentations"].as_i64().unwrap() > 0) {
        let rate = &r["rate"];
        assert!(rate["low"].as_f64().unwrap() <= rate["estimate"].as_f64().unwrap());
        assert!(rate["estimate"].as_f64().unwrap() <= rate["high"].as_f64().unwrap());
    }
    let lift =
        "query($p: ID!) { pointLift(pointId: $p) { treated holdout lift low high treatedDecisions holdoutDecisions } }";
    let l = run(&app, &me, lift, json!({ "p": block })).await["pointLift"].clone();
    assert_eq!(l["treatedDecisions"], 1, "one learned decision before the shares took all: {l}");
    assert!(l["holdoutDecisions"].as_i64().unwrap() <= 11, "{l}");
    assert!(l["low"].as_f64().unwrap() <= l["lift"].as_f64().unwrap(), "{l}");
    let r = app.gql(&them, perf, json!({ "p": home })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
    let r = app.gql(&them, lift, json!({ "p": block })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
}

/// One object of each decisioning node type, for the node registry story.
pub async fn samples(app: &TestApp, owner: &Account) -> Vec<(&'static str, Value)> {
    let me = owner.auth();
    let o = offer(app, &me, "SAMPLE", &["WEB"]).await;
    let pt = point(app, &me, "Sample", "WEB").await;
    let r = run(app, &me, RULE, json!({ "i": { "pointId": pt, "offerIds": [o] } })).await;
    let optimization = crate::optimization::sample(app, &me).await;
    vec![
        ("Offer", json!(o)),
        ("InteractionPoint", json!(pt)),
        ("TreatmentRule", r["createTreatmentRule"]["id"].clone()),
        ("OptimizationRun", optimization),
    ]
}

/// Limits on showing offers: an offer's maximum per contact within its window, its
/// capacity in all, and the workspace's cap on offers shown to one contact everywhere
/// (cross-channel fatigue); each refused for bad input, each explained when it bites.
async fn offers_are_limited_per_contact_in_all_and_by_fatigue(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    crate::campaigns::plan_field(&app, &me).await;
    let ann = crate::campaigns::contact(&app, &me, "ann@limits.example.org", "Ann", None).await;
    let bob = crate::campaigns::contact(&app, &me, "bob@limits.example.org", "Bob", None).await;

    let base = json!({ "code": "LIMITED", "name": "Limited", "channels": ["WEB"] });
    for (patch, want) in [
        (json!({ "maxPerContact": 0, "maxPerContactDays": 7 }), "maxPerContact"),
        (json!({ "maxPerContact": 1001, "maxPerContactDays": 7 }), "maxPerContact"),
        (json!({ "maxPerContact": 2 }), "maxPerContactDays"),
        (json!({ "maxPerContactDays": 7 }), "maxPerContact"),
        (json!({ "maxPerContact": 2, "maxPerContactDays": 400 }), "maxPerContactDays"),
        (json!({ "capacity": 0 }), "capacity"),
        (json!({ "capacity": -5 }), "capacity"),
    ] {
        let mut i = base.clone();
        i.as_object_mut().unwrap().extend(patch.as_object().unwrap().clone());
        let r = app.gql(&me, OFFER, json!({ "i": i })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{i}: {r}");
    }
    let offers = "{ offers(first: 10) { nodes { code } } }";
    assert_eq!(run(&app, &me, offers, json!({})).await["offers"]["nodes"], json!([]), "nothing written");

    let make = |code: &str, value: &str, extra: Value| {
        let mut i = json!({ "code": code, "name": code, "channels": ["WEB"],
                            "value": { "amount": value, "currencyCode": "EUR" } });
        i.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        i
    };
    let q = "mutation($i: OfferInput!) { createOffer(input: $i) { id maxPerContact maxPerContactDays capacity } }";
    let once =
        run(&app, &me, q, json!({ "i": make("ONCE", "900", json!({ "maxPerContact": 1, "maxPerContactDays": 7 })) }))
            .await["createOffer"]
            .clone();
    assert_eq!((once["maxPerContact"].as_i64(), once["maxPerContactDays"].as_i64()), (Some(1), Some(7)));
    let scarce =
        run(&app, &me, q, json!({ "i": make("SCARCE", "800", json!({ "capacity": 2 })) })).await["createOffer"].clone();
    assert_eq!(scarce["capacity"], 2);
    let plain = offer(&app, &me, "PLAIN", &["WEB"]).await;
    let p = run(&app, &me, POINT, json!({ "i": { "name": "Banner", "channel": "WEB", "maxOffers": 3 } })).await
        ["createInteractionPoint"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    run(&app, &me, RULE, json!({ "i": { "pointId": p, "offerIds": [once["id"], scarce["id"], plain] } })).await;
    let decide = |who: Value| {
        let mut i = json!({ "pointId": p, "explain": true });
        i.as_object_mut().unwrap().extend(who.as_object().unwrap().clone());
        let (app, me) = (&app, &me);
        async move { run(app, me, DECIDE, json!({ "i": i })).await["decide"].clone() }
    };
    let sorted = |d: &Value| {
        let mut c = codes(d);
        c.sort();
        c
    };

    // Ann sees all three once; then ONCE no more (its limit), SCARCE a second time.
    assert_eq!(sorted(&decide(json!({ "contactId": ann })).await), ["ONCE", "PLAIN", "SCARCE"]);
    let d = decide(json!({ "contactId": ann })).await;
    assert_eq!(sorted(&d), ["PLAIN", "SCARCE"]);
    let why = d["explanation"]["excluded"].to_string();
    assert!(why.contains("ONCE") && why.contains("shown to this contact 1 times in 7 days"), "{why}");
    // Bob may see ONCE, but SCARCE has had its two presentations, for everyone.
    let d = decide(json!({ "contactId": bob })).await;
    assert_eq!(sorted(&d), ["ONCE", "PLAIN"]);
    assert!(d["explanation"]["excluded"].to_string().contains("reached its capacity of 2 presentations"), "{d}");
    let d = decide(json!({ "anonymousId": "walk-in" })).await;
    assert_eq!(sorted(&d), ["ONCE", "PLAIN"], "capacity holds for visitors too");

    // The workspace's cap across points and channels: Ann has been shown 5 offers.
    let set = "mutation($i: ContactPolicyInput!) { setContactPolicy(input: $i) { offerMax offerWindowDays } }";
    for (i, want) in [
        (json!({ "offerMax": 5 }), "offerWindowDays"),
        (json!({ "offerWindowDays": 5 }), "offerMax"),
        (json!({ "offerMax": 0, "offerWindowDays": 5 }), "offerMax"),
        (json!({ "offerMax": 5, "offerWindowDays": 366 }), "offerWindowDays"),
    ] {
        let r = app.gql(&me, set, json!({ "i": i })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some(want.into())), "{i}: {r}");
    }
    let pol = run(&app, &me, set, json!({ "i": { "offerMax": 5, "offerWindowDays": 1 } })).await;
    assert_eq!(pol["setContactPolicy"], json!({ "offerMax": 5, "offerWindowDays": 1 }));
    let d = decide(json!({ "contactId": ann })).await;
    assert_eq!((d["mode"].as_str(), codes(&d).len()), (Some("NONE"), 0), "{d}");
    assert!(d["explanation"]["excluded"].to_string().contains("the workspace's cap"), "{d}");
    // Bob has been shown 2: he still gets offers, up to the cap.
    assert_eq!(sorted(&decide(json!({ "contactId": bob })).await), ["PLAIN"], "ONCE was his once");

    // Ann's history with offers: her three decisions (the last showed nothing), newest first.
    let hist = "query($c: ID!, $n: Int) { offerHistory(contactId: $c, first: $n) { id mode channel
        point { name } offers { offer { code } version rank } responses { outcome } decidedAt } }";
    let h = run(&app, &me, hist, json!({ "c": ann })).await["offerHistory"].clone();
    let h = h.as_array().unwrap();
    assert_eq!(h.len(), 3, "{h:?}");
    assert_eq!((h[0]["mode"].as_str(), h[0]["offers"].as_array().unwrap().len()), (Some("NONE"), 0));
    let mut first: Vec<&str> =
        h[2]["offers"].as_array().unwrap().iter().map(|o| o["offer"]["code"].as_str().unwrap()).collect();
    first.sort();
    assert_eq!(first, ["ONCE", "PLAIN", "SCARCE"]);
    assert_eq!((h[2]["channel"].as_str(), h[2]["point"]["name"].as_str()), (Some("WEB"), Some("Banner")));
    assert_eq!(h[2]["offers"][0]["version"], 1);
    assert!(h[0]["decidedAt"].as_str().unwrap() >= h[2]["decidedAt"].as_str().unwrap());
    let one = run(&app, &me, hist, json!({ "c": ann, "n": 1 })).await;
    assert_eq!(one["offerHistory"].as_array().unwrap().len(), 1);
    for n in [0, 101] {
        let r = app.gql(&me, hist, json!({ "c": ann, "n": n })).await;
        assert_eq!(bad(&r), (Some("BAD_USER_INPUT".into()), Some("first".into())), "{r}");
    }

    // Another workspace's presentations of the same contact's address count for nothing here.
    let other = app.sign_up("BUSINESS").await;
    let them = other.auth();
    crate::campaigns::plan_field(&app, &them).await;
    crate::campaigns::contact(&app, &them, "ann@limits.example.org", "Ann", None).await;
    let theirs = offer(&app, &them, "ONCE", &["WEB"]).await;
    let tp = point(&app, &them, "Banner", "WEB").await;
    run(&app, &them, RULE, json!({ "i": { "pointId": tp, "offerIds": [theirs] } })).await;
    let d = run(&app, &them, DECIDE, json!({ "i": { "pointId": tp, "email": "ann@limits.example.org" } })).await;
    assert_eq!(codes(&d["decide"]), ["ONCE"]);
    // And our Ann's history is not theirs to read.
    let r = app.gql(&them, hist, json!({ "c": ann })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
}

/// A point learning by segment keeps each offer's evidence apart for the contacts of
/// each segment of its rules: a click by a gold contact teaches the gold traffic only,
/// performance reads per segment, and turning it off learns from the whole traffic again.
async fn a_point_learns_each_segment_apart(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    crate::campaigns::plan_field(&app, &me).await;
    let gold_ann = crate::campaigns::contact(&app, &me, "ann@seg.example.org", "Ann", None).await;
    let q = "mutation($i: ContactInput!) { createContact(input: $i) { id } }";
    let silver_sam =
        run(&app, &me, q, json!({ "i": { "email": "sam@seg.example.org", "attributes": { "plan": "silver" } } })).await
            ["createContact"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let gold =
        crate::campaigns::segment(&app, &me, "Gold", json!({ "attribute": "plan", "op": "eq", "value": "gold" })).await;
    let silver =
        crate::campaigns::segment(&app, &me, "Silver", json!({ "attribute": "plan", "op": "eq", "value": "silver" }))
            .await;
    let a = offer(&app, &me, "SEG-A", &["WEB"]).await;
    let b = offer(&app, &me, "SEG-B", &["WEB"]).await;
    let p = point(&app, &me, "Segmented", "WEB").await;
    run(&app, &me, RULE, json!({ "i": { "pointId": p, "offerIds": [a, b], "segmentId": gold } })).await;
    run(&app, &me, RULE, json!({ "i": { "pointId": p, "offerIds": [a, b], "segmentId": silver } })).await;
    let learn =
        "mutation($i: ConfigureLearningInput!) { configureLearning(input: $i) { learnBySegment holdoutPercent } }";
    let on = run(&app, &me, learn, json!({ "i": { "pointId": p, "holdoutPercent": 0, "learnBySegment": true } })).await;
    assert_eq!(on["configureLearning"], json!({ "learnBySegment": true, "holdoutPercent": 0.0 }));
    let kept = run(&app, &me, learn, json!({ "i": { "pointId": p, "holdoutPercent": 0 } })).await;
    assert_eq!(kept["configureLearning"]["learnBySegment"], true, "left out: as it was");

    let decide = |contact: &str| {
        let i = json!({ "pointId": p, "contactId": contact, "count": 1, "explain": true });
        let (app, me) = (&app, &me);
        async move { run(app, me, DECIDE, json!({ "i": i })).await["decide"].clone() }
    };
    let trials = |d: &Value| -> i64 {
        d["explanation"]["candidates"].as_array().unwrap().iter().map(|c| c["trials"].as_i64().unwrap()).sum()
    };
    let d = decide(&gold_ann).await;
    let shown = d["offers"][0]["offer"]["id"].as_str().unwrap().to_owned();
    let r = run(&app, &me, RESPOND, json!({ "i": { "decisionId": d["id"], "offerId": shown, "outcome": "CLICKED" } }))
        .await;
    assert_eq!(r["respond"]["learned"], true);
    let d = decide(&gold_ann).await;
    assert_eq!(trials(&d), 1, "the gold traffic's one presentation: {d}");
    let seen = d["explanation"]["candidates"].as_array().unwrap().iter().find(|c| c["trials"] == 1).unwrap().clone();
    assert!(seen["estimate"].as_f64().unwrap() > 0.0, "its click learnt: {seen}");
    let d = decide(&silver_sam).await;
    assert_eq!(trials(&d), 0, "nothing learnt for silver yet: {d}");

    // Performance per segment and for the whole point.
    let perf = "query($p: ID!, $s: ID) { offerPerformance(pointId: $p, segmentId: $s) { offer { code } presentations responses } }";
    let total = |rows: &Value| -> (i64, i64) {
        rows["offerPerformance"].as_array().unwrap().iter().fold((0, 0), |(t, r), row| {
            (t + row["presentations"].as_i64().unwrap(), r + row["responses"].as_i64().unwrap())
        })
    };
    assert_eq!(total(&run(&app, &me, perf, json!({ "p": p, "s": gold })).await), (2, 1));
    assert_eq!(total(&run(&app, &me, perf, json!({ "p": p, "s": silver })).await), (1, 0));
    assert_eq!(total(&run(&app, &me, perf, json!({ "p": p })).await), (3, 1));
    let other = app.sign_up("BUSINESS").await;
    let theirs = crate::campaigns::segment(&app, &other.auth(), "Theirs", json!({ "consent": "EMAIL" })).await;
    let r = app.gql(&me, perf, json!({ "p": p, "s": theirs })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");

    // Off again: every candidate learns from the whole traffic.
    run(&app, &me, learn, json!({ "i": { "pointId": p, "holdoutPercent": 0, "learnBySegment": false } })).await;
    let d = decide(&silver_sam).await;
    assert_eq!(trials(&d), 3, "the point's three presentations: {d}");
}

/// Offers approved by rule (DEC-1): a rule on offers costing from an amount up holds a
/// new or changed offer out of decisions until an approver approves it; a refusal makes
/// it a draft, which a change submits again; a cheap offer needs nobody.
async fn offers_wait_for_approval_by_rule(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let (approver, _) = crate::operations::member(&app, &owner, "yes@offers.example.org", "APPROVER").await;
    let rule = "mutation($i: CreateApprovalRuleInput!) { createApprovalRule(input: $i) { id } }";
    run(
        &app,
        &me,
        rule,
        json!({ "i": { "objectType": "OFFER", "approverRole": "APPROVER",
        "minAmount": { "amount": "5.00", "currencyCode": "EUR" } } }),
    )
    .await;
    let q = "mutation($i: OfferInput!) { createOffer(input: $i) { id code status version approvalId } }";
    let costly = json!({ "code": "COSTLY", "name": "Costly", "channels": ["WEB"],
        "value": { "amount": "50.00", "currencyCode": "EUR" }, "cost": { "amount": "8.00", "currencyCode": "EUR" } });
    let o = run(&app, &me, q, json!({ "i": costly.clone() })).await["createOffer"].clone();
    assert_eq!(o["status"], "IN_APPROVAL", "{o}");
    let cheap = json!({ "code": "CHEAP", "name": "Cheap", "channels": ["WEB"],
        "cost": { "amount": "1.00", "currencyCode": "EUR" } });
    let c = run(&app, &me, q, json!({ "i": cheap })).await["createOffer"].clone();
    assert_eq!((c["status"].as_str(), c["approvalId"].as_str()), (Some("ACTIVE"), None), "below the amount");
    let pt = point(&app, &me, "Home", "WEB").await;
    run(&app, &me, RULE, json!({ "i": { "pointId": pt, "offerIds": [o["id"], c["id"]] } })).await;
    let decide = |who: &'static str| {
        let (app, me, pt) = (&app, &me, pt.clone());
        async move {
            run(app, me, DECIDE, json!({ "i": { "pointId": pt, "anonymousId": who, "explain": true } })).await["decide"]
                .clone()
        }
    };
    let d = decide("v1").await;
    assert_eq!(codes(&d), ["CHEAP"]);
    assert!(d["explanation"]["excluded"].to_string().contains("waiting for approval"), "{d}");

    // The approver sees the request, names the offer, and refuses it: a draft.
    let inbox =
        run(&app, &approver, "{ approvals(state: PENDING) { nodes { id objectType summary } } }", json!({})).await;
    let req = &inbox["approvals"]["nodes"][0];
    assert_eq!((req["objectType"].as_str(), req["id"].as_str()), (Some("OFFER"), o["approvalId"].as_str()), "{inbox}");
    assert!(req["summary"].as_str().unwrap().contains("COSTLY"), "{inbox}");
    let answer = "mutation($i: DecideApprovalInput!) { decideApproval(input: $i) { state } }";
    let no = json!({ "i": { "approvalId": o["approvalId"], "decision": "REJECT", "comment": "too generous" } });
    run(&app, &approver, answer, no).await;
    let get = "query($id: ID!) { offer(id: $id) { status version approvalId } }";
    assert_eq!(run(&app, &me, get, json!({ "id": o["id"] })).await["offer"]["status"], "DRAFT");
    let d = decide("v2").await;
    assert!(d["explanation"]["excluded"].to_string().contains("a draft"), "{d}");

    // Changed, it asks again (a new request); approved, it is a candidate.
    let upd = "mutation($id: ID!, $i: OfferInput!) { updateOffer(id: $id, input: $i) { status version approvalId } }";
    let mut changed = costly.clone();
    changed["cost"] = json!({ "amount": "6.00", "currencyCode": "EUR" });
    let u = run(&app, &me, upd, json!({ "id": o["id"], "i": changed.clone() })).await["updateOffer"].clone();
    assert_eq!((u["status"].as_str(), u["version"].as_i64()), (Some("IN_APPROVAL"), Some(2)), "{u}");
    assert_ne!(u["approvalId"], o["approvalId"]);
    // Changed again while waiting: the earlier request is withdrawn for the new one.
    changed["name"] = json!("Costly, renamed");
    let u2 = run(&app, &me, upd, json!({ "id": o["id"], "i": changed })).await["updateOffer"].clone();
    let st = "query($id: ID!) { approval(id: $id) { state } }";
    assert_eq!(run(&app, &me, st, json!({ "id": u["approvalId"] })).await["approval"]["state"], "CANCELLED");
    let yes = json!({ "i": { "approvalId": u2["approvalId"], "decision": "APPROVE" } });
    run(&app, &approver, answer, yes).await;
    assert_eq!(run(&app, &me, get, json!({ "id": o["id"] })).await["offer"]["status"], "ACTIVE");
    let mut shown = codes(&decide("v3").await);
    shown.sort();
    assert_eq!(shown, ["CHEAP", "COSTLY"]);
    // Nobody approves their own offer.
    let own = app.gql(&me, answer, json!({ "i": { "approvalId": u2["approvalId"], "decision": "APPROVE" } })).await;
    assert!(matches!(code(&own).as_deref(), Some("FORBIDDEN") | Some("CONFLICT")), "{own}");
    // Another workspace sees neither the offer nor its request.
    let other = app.sign_up("BUSINESS").await;
    let r = app.gql(&other.auth(), st, json!({ "id": u2["approvalId"] })).await;
    assert_eq!(code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
}

on_both!(
    a_point_learns_each_segment_apart,
    the_catalogue_is_versioned_and_checked,
    another_workspace_sees_none_of_it,
    decisions_rank_explain_and_learn,
    offers_are_limited_per_contact_in_all_and_by_fatigue,
    offers_wait_for_approval_by_rule
);

/// A real PostgreSQL restart while kiosks ask for decisions: every answer is a decision
/// or `503 Service Unavailable` (never a 500), the service comes back by itself, and
/// every presentation answered is counted by the learner (counts that could not be
/// written during the outage are kept and written after it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_ride_out_a_database_restart() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use sea_orm::ConnectionTrait;

    let Some(cluster) = crate::pg_cluster::PgCluster::start() else { return };
    let admin = sea_orm::Database::connect(cluster.url("postgres").as_str()).await.unwrap();
    admin.execute_unprepared("CREATE DATABASE parley").await.unwrap();
    admin.close().await.unwrap();
    let app = Arc::new(TestApp::spawn_on(cluster.url("parley"), &[], false).await);
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let key = run(&app, &me, "mutation { rotateTrackingKey { key } }", json!({})).await["rotateTrackingKey"]["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let a = offer(&app, &me, "KIOSK-A", &["KIOSK"]).await;
    let b = offer(&app, &me, "KIOSK-B", &["KIOSK"]).await;
    let p = point(&app, &me, "Lobby", "KIOSK").await;
    run(&app, &me, RULE, json!({ "i": { "pointId": p, "offerIds": [a, b] } })).await;

    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..4 {
        let (app, key, p, stop) = (app.clone(), key.clone(), p.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let (mut shown, mut unavailable, mut i) = (0usize, 0usize, 0usize);
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let body = json!({ "key": key, "point": p, "anonymousId": format!("kiosk-{c}-{i}"), "count": 1 });
                let res = app.http.post(format!("{}/t/decide", app.base)).body(body.to_string()).send().await.unwrap();
                let status = res.status().as_u16();
                let v: Value = res.json().await.unwrap();
                match status {
                    200 => shown += v["offers"].as_array().unwrap().len(),
                    503 => {
                        assert!(!v.to_string().contains("connection"), "no internals given away: {v}");
                        unavailable += 1;
                    }
                    s => panic!("a decision during a restart answered {s}: {v}"),
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            (shown, unavailable)
        }));
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    tokio::task::block_in_place(|| cluster.restart(Duration::from_millis(1000)));
    tokio::time::sleep(Duration::from_millis(2000)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut shown, mut unavailable) = (0, 0);
    for c in clients {
        let (s, u) = c.await.unwrap();
        shown += s;
        unavailable += u;
    }
    assert!(shown > 50, "the kiosks were answered before and after: {shown} shown, {unavailable} refused");

    // Every offer shown is a trial of the learner, none lost in the outage.
    let perf = "query($p: ID!) { offerPerformance(pointId: $p) { offer { code } presentations } }";
    let mut counted = 0;
    for _ in 0..100 {
        let res = app.gql(&me, perf, json!({ "p": p })).await;
        if res.get("errors").is_none() {
            counted = res["data"]["offerPerformance"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["presentations"].as_i64().unwrap())
                .sum::<i64>();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(counted as usize, shown, "every presentation answered is learnt from ({unavailable} refused)");
}
