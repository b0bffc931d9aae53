//! Web analytics over tracked events: page views, visitors and sessions, pages, sources
//! and campaigns, a funnel with conversion between steps, and cart abandonment, each
//! for a date range, and another workspace that sees none of it.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::on_both;
use crate::support::*;

const TRAFFIC: &str = "query($f: DateTime!, $t: DateTime!) { webTraffic(from: $f, to: $t) { pageViews visitors sessions \
                       topPages { key count } sources { key count } campaigns { key count } days { date pageViews sessions } } }";

async fn key(app: &TestApp, who: &As) -> String {
    let k = ok(app.gql(who, "mutation { rotateTrackingKey { key } }", json!({})).await);
    k["rotateTrackingKey"]["key"].as_str().unwrap().to_owned()
}

async fn send(app: &TestApp, key: &str, events: Value) {
    let body = json!({ "key": key, "events": events });
    let res = app.http.post(format!("{}/t/events", app.base)).body(body.to_string()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["rejected"], json!([]), "{answer}");
}

async fn traffic_funnels_and_carts_are_counted_per_range(app: TestApp) {
    let owner = app.sign_up("BUSINESS").await;
    let me = owner.auth();
    let k = key(&app, &me).await;
    let t0 = Utc::now() - Duration::days(2);
    let at = |mins: i64| (t0 + Duration::minutes(mins)).to_rfc3339();
    let view = |who: &str, mins: i64, path: &str, props: Value| {
        let mut p = json!({ "path": path });
        p.as_object_mut().unwrap().extend(props.as_object().unwrap().clone());
        json!({ "type": "page_view", "anonymousId": who, "occurredAt": at(mins), "properties": p })
    };
    let event = |who: &str, mins: i64, kind: &str| json!({ "type": kind, "anonymousId": who, "occurredAt": at(mins) });
    send(
        &app,
        &k,
        json!([
            // Visitor a: two sessions (a 45-minute gap), the first from a newsletter.
            view("a", 0, "/", json!({ "utm_source": "Newsletter", "utm_campaign": "spring" })),
            view("a", 5, "/shoes", json!({})),
            view("a", 50, "/shoes", json!({ "referrer": "https://www.google.com/search?q=x" })),
            event("a", 51, "add_to_cart"),
            event("a", 52, "purchase"),
            // Visitor b: one session from a search engine, a cart left behind.
            view("b", 10, "/shoes", json!({ "referrer": "https://www.google.com/" })),
            event("b", 12, "add_to_cart"),
            // Visitor c: bought without a cart first (out of order for the funnel).
            view("c", 20, "/", json!({})),
            event("c", 21, "purchase"),
            event("c", 22, "add_to_cart"),
        ]),
    )
    .await;
    let vars = json!({ "f": (t0 - Duration::hours(1)).to_rfc3339(), "t": Utc::now().to_rfc3339() });
    let t = ok(app.gql(&me, TRAFFIC, vars.clone()).await)["webTraffic"].clone();
    assert_eq!((&t["pageViews"], &t["visitors"], &t["sessions"]), (&json!(5), &json!(3), &json!(4)), "{t}");
    assert_eq!(t["topPages"], json!([{ "key": "/shoes", "count": 3 }, { "key": "/", "count": 2 }]));
    assert_eq!(
        t["sources"],
        json!([{ "key": "google.com", "count": 2 }, { "key": "(direct)", "count": 1 }, { "key": "newsletter", "count": 1 }]),
        "a session's source is its first page view's"
    );
    assert_eq!(t["campaigns"], json!([{ "key": "spring", "count": 1 }]));
    let days: i64 = t["days"].as_array().unwrap().iter().map(|d| d["pageViews"].as_i64().unwrap()).sum();
    assert_eq!(days, 5);

    let fq = "query($f: DateTime!, $t: DateTime!, $s: [String!]!) { funnel(from: $f, to: $t, steps: $s) { event visitors conversion } }";
    let mut fv = vars.clone();
    fv["s"] = json!(["page_view", "add_to_cart", "purchase"]);
    let f = ok(app.gql(&me, fq, fv.clone()).await)["funnel"].clone();
    assert_eq!(
        f,
        json!([
            { "event": "page_view", "visitors": 3, "conversion": 1.0 },
            { "event": "add_to_cart", "visitors": 3, "conversion": 1.0 },
            { "event": "purchase", "visitors": 1, "conversion": 1.0 / 3.0 },
        ]),
        "c's purchase came before the cart, so it does not count"
    );
    let cq =
        "query($f: DateTime!, $t: DateTime!) { cartAbandonment(from: $f, to: $t) { carts purchased abandoned rate } }";
    let c = ok(app.gql(&me, cq, vars.clone()).await)["cartAbandonment"].clone();
    assert_eq!(c, json!({ "carts": 3, "purchased": 1, "abandoned": 2, "rate": 2.0 / 3.0 }));

    // A range before any of it counts nothing; bad ranges and funnels name the argument.
    let before = json!({ "f": (t0 - Duration::days(3)).to_rfc3339(), "t": (t0 - Duration::days(2)).to_rfc3339() });
    assert_eq!(ok(app.gql(&me, TRAFFIC, before).await)["webTraffic"]["pageViews"], 0);
    let backwards = json!({ "f": Utc::now().to_rfc3339(), "t": t0.to_rfc3339() });
    assert_eq!(field(&app.gql(&me, TRAFFIC, backwards).await).as_deref(), Some("to"));
    let long = json!({ "f": (t0 - Duration::days(200)).to_rfc3339(), "t": t0.to_rfc3339() });
    assert_eq!(field(&app.gql(&me, TRAFFIC, long).await).as_deref(), Some("to"));
    fv["s"] = json!(["page_view"]);
    assert_eq!(field(&app.gql(&me, fq, fv).await).as_deref(), Some("steps"));

    // Another workspace sees none of it.
    let other = app.sign_up("BUSINESS").await;
    let theirs = ok(app.gql(&other.auth(), TRAFFIC, vars).await)["webTraffic"].clone();
    assert_eq!((&theirs["pageViews"], &theirs["sessions"]), (&json!(0), &json!(0)));
}

on_both!(traffic_funnels_and_carts_are_counted_per_range);
