//! `parley bench --only decisions`: an audience written straight into one workspace
//! (`--contacts`, 1,000,000 by default), a catalogue of 200 offers and 20 web points
//! made through GraphQL, each point with three rules (everyone; a segment; an
//! eligibility over the contact's `visits` and the request's `context.page`). Printed:
//! - `decide`'s time inside the server (the domain call, no HTTP), p50 and p99, one
//!   caller at a time;
//! - decisions per second and latency on `POST /t/decide` and on GraphQL `decide` at
//!   `--clients` concurrent clients (the load generator shares the 2 cores);
//! - responses per second on `POST /t/respond`;
//! - a simulated shop: ten offers with true click rates from 0.2 % to 1 %, 100,000
//!   decisions through `POST /t/decide` with clicks drawn from those rates and reported
//!   through `POST /t/respond`; the regret of Parley's learner beside a uniform-random
//!   policy and beside an exact Beta-Bernoulli Thompson sampler run here on the same
//!   rates;
//! - the contact optimizer alone on 5,000,000 proposals (1,000,000 contacts × 5
//!   campaigns).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Context as _;
use rand::Rng;
use serde_json::{Value, json};

use super::{BenchArgs, Target, gql, load, ms, pct, peak_rss_mib};

const OFFERS: usize = 200;
const POINTS: usize = 20;
/// Decisions of the simulated shop.
const SHOP_DECISIONS: usize = 100_000;
/// The shop's true click rates, one per offer.
const SHOP_RATES: [f64; 10] = [0.002, 0.003, 0.004, 0.005, 0.006, 0.007, 0.008, 0.0085, 0.009, 0.01];

/// Runs the decisions part against `t`.
pub(crate) async fn run(args: &BenchArgs, t: &Target<'_>, http: &reqwest::Client, token: &str) -> anyhow::Result<()> {
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    let started = Instant::now();
    super::seeded(t, token, args.contacts).await?;
    super::analysed(t).await?;
    println!("audience: {} contacts written in {:.0} s", args.contacts, started.elapsed().as_secs_f64());

    let q = |query: &'static str, variables: Value| gql(http, t.base, token, query, variables);
    let field = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    q(field, json!({ "i": { "key": "visits", "label": "Visits", "kind": "NUMBER" } })).await?;
    let plan =
        json!({ "key": "plan", "label": "Plan", "kind": "ENUM", "options": ["Free", "Pro", "Team", "Enterprise"] });
    q(field, json!({ "i": plan })).await?;
    let seg = q(
        "mutation($i: CreateSegmentInput!) { createSegment(input: $i) { id } }",
        json!({ "i": { "name": "Paying", "rule": { "attribute": "plan", "op": "in", "value": ["Pro", "Team"] } } }),
    )
    .await?;
    let segment = seg["createSegment"]["id"].clone();
    let offer = "mutation($i: OfferInput!) { createOffer(input: $i) { id } }";
    let mut offers = Vec::with_capacity(OFFERS);
    for i in 0..OFFERS {
        let o = q(
            offer,
            json!({ "i": { "code": format!("BENCH-{i}"), "name": format!("Offer {i}"), "channels": ["WEB"],
                           "value": { "amount": format!("{}", 10 + i % 40), "currencyCode": "EUR" },
                           "cost": { "amount": "0.10", "currencyCode": "EUR" },
                           "creatives": [{ "title": format!("Offer {i}"), "body": "Save today.",
                                           "link": "https://shop.example.com/" }] } }),
        )
        .await?;
        offers.push(o["createOffer"]["id"].clone());
    }
    let point = "mutation($i: InteractionPointInput!) { createInteractionPoint(input: $i) { id } }";
    let rule = "mutation($i: TreatmentRuleInput!) { createTreatmentRule(input: $i) { id } }";
    let eligibility = json!({ "all": [
        { "attribute": "visits", "op": "gte", "value": 5 },
        { "attribute": "context.page", "op": "eq", "value": "/cart" },
    ] });
    let mut points = Vec::with_capacity(POINTS);
    for p in 0..POINTS {
        let slice = |from: usize, n: usize| -> Vec<Value> {
            (0..n).map(|k| offers[(p * 10 + from + k) % OFFERS].clone()).collect()
        };
        let made = q(
            point,
            json!({ "i": { "name": format!("Slot {p}"), "channel": "WEB", "maxOffers": 3,
                           "fallbackOfferId": offers[p * 10 % OFFERS] } }),
        )
        .await?;
        let id = made["createInteractionPoint"]["id"].clone();
        q(rule, json!({ "i": { "pointId": id, "offerIds": slice(0, 8) } })).await?;
        q(rule, json!({ "i": { "pointId": id, "offerIds": slice(8, 6), "segmentId": segment, "weight": 1.5 } }))
            .await?;
        q(rule, json!({ "i": { "pointId": id, "offerIds": slice(14, 6), "eligibility": eligibility, "weight": 2 } }))
            .await?;
        q(
            "mutation($i: ConfigureLearningInput!) { configureLearning(input: $i) { id } }",
            json!({ "i": { "pointId": id, "holdoutPercent": 5, "explorationPercent": 5 } }),
        )
        .await?;
        points.push(id.as_str().unwrap_or_default().to_owned());
    }
    let key = q("mutation { rotateTrackingKey { key } }", json!({})).await?;
    let key = key["rotateTrackingKey"]["key"].as_str().context("no tracking key")?.to_owned();
    println!("catalogue: {OFFERS} offers, {POINTS} points with 3 rules each (everyone, a segment, an eligibility)");

    // The server's own time: the domain call alone, one at a time.
    let kctx = domain::tracking::key_ctx(t.parley, &key).await.map_err(err)?;
    let contacts = args.contacts.max(1);
    let request = |rng: &mut rand::rngs::ThreadRng| {
        let n = rng.random_range(0..contacts);
        let p = &points[rng.random_range(0..POINTS)];
        let page = if rng.random_bool(0.5) { "/cart" } else { "/home" };
        (n, p.clone(), page)
    };
    let mut times = Vec::new();
    for i in 0..3_000 {
        let (n, p, page) = request(&mut rand::rng());
        let input = domain::decisions::decide::DecideInput {
            point: crate::graphql::id_in("InteractionPoint", "point", &p).map_err(err)?.into(),
            who: domain::decisions::decide::Who::Email(format!("contact{n}@example.com")),
            context: Some(json!({ "page": page })),
            count: None,
            explain: false,
        };
        let at = Instant::now();
        domain::decisions::decide::decide(&kctx, t.parley, input).await.map_err(err)?;
        if i >= 500 {
            times.push(at.elapsed());
        }
    }
    times.sort_unstable();
    println!(
        "decide inside the server (one caller, {} decisions): p50 {}  p99 {}",
        times.len(),
        ms(pct(&times, 0.5)),
        ms(pct(&times, 0.99))
    );

    // The lean endpoint under load.
    let url = format!("{}/t/decide", t.base);
    let (k, pts) = (key.clone(), Arc::new(points.clone()));
    let lean = move |c: &reqwest::Client| {
        let mut rng = rand::rng();
        let n = rng.random_range(0..contacts);
        let p = &pts[rng.random_range(0..POINTS)];
        let page = if rng.random_bool(0.5) { "/cart" } else { "/home" };
        let body =
            json!({ "key": k, "point": p, "email": format!("contact{n}@example.com"), "context": { "page": page } });
        c.post(&url).header("content-type", "text/plain").body(body.to_string())
    };
    let _ = load(args.clients, 1, lean.clone()).await;
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let l = load(args.clients, args.seconds, lean).await;
    println!(
        "POST /t/decide:   {:>8.0} decisions/s  p50 {}  p99 {}  errors {}  ({} clients; peak RSS {:.0} MiB)",
        l.rps,
        ms(l.p50),
        ms(l.p99),
        l.errors,
        args.clients,
        peak_rss_mib()
    );

    let url = format!("{}/graphql", t.base);
    let (tok, pts) = (token.to_owned(), Arc::new(points.clone()));
    let graphql = move |c: &reqwest::Client| {
        let mut rng = rand::rng();
        let n = rng.random_range(0..contacts);
        let p = &pts[rng.random_range(0..POINTS)];
        let page = if rng.random_bool(0.5) { "/cart" } else { "/home" };
        let body = json!({
            "query": "mutation($i: DecideInput!) { decide(input: $i) { id offers { offer { id code } score } } }",
            "variables": { "i": { "pointId": p, "email": format!("contact{n}@example.com"), "context": { "page": page } } },
        });
        c.post(&url).bearer_auth(&tok).header("content-type", "application/json").body(body.to_string())
    };
    let g = load(args.clients, args.seconds, graphql).await;
    println!("GraphQL decide:   {:>8.0} decisions/s  p50 {}  p99 {}  errors {}", g.rps, ms(g.p50), ms(g.p99), g.errors);

    // Responses: to decisions made just before.
    let mut answered = Vec::new();
    let decide_url = format!("{}/t/decide", t.base);
    while answered.len() < 20_000 {
        let mut batch = Vec::new();
        for _ in 0..args.clients {
            let (n, p, _) = request(&mut rand::rng());
            let body = json!({ "key": key, "point": p, "email": format!("contact{n}@example.com") });
            batch.push(http.post(&decide_url).header("content-type", "text/plain").body(body.to_string()).send());
        }
        for res in futures::future::join_all(batch).await {
            let v: Value = res?.json().await?;
            if let Some(o) = v["offers"][0]["id"].as_str() {
                answered.push((v["decisionId"].as_str().unwrap_or_default().to_owned(), o.to_owned()));
            }
        }
    }
    let answered = Arc::new(answered);
    let next = Arc::new(AtomicUsize::new(0));
    let url = format!("{}/t/respond", t.base);
    let k = key.clone();
    let respond = move |c: &reqwest::Client| {
        let i = next.fetch_add(1, Ordering::Relaxed) % answered.len();
        let (d, o) = &answered[i];
        let body = json!({ "key": k, "decisionId": d, "offerId": o, "outcome": "CLICKED" });
        c.post(&url).header("content-type", "text/plain").body(body.to_string())
    };
    let r = load(args.clients, args.seconds.min(5), respond).await;
    println!("POST /t/respond:  {:>8.0} responses/s  p50 {}  p99 {}  errors {}", r.rps, ms(r.p50), ms(r.p99), r.errors);

    shop(args, t, http, token, &key).await?;
    optimizer();
    Ok(())
}

/// The contact optimizer alone on 1,000,000 contacts × 5 campaigns' proposals (random
/// values and costs, 5 offers, 3 channels): at most 2 offers per contact, a capacity on
/// one channel, a budget, one exclusion group.
fn optimizer() {
    use domain::decisions::optimize::{Constraints, Proposal, optimize};
    let mut rng = rand::rng();
    let proposals: Vec<Proposal> = (0..1_000_000u32)
        .flat_map(|contact| (0..5u32).map(move |campaign| (contact, campaign)))
        .map(|(contact, campaign)| Proposal {
            contact,
            offer: campaign,
            channel: (campaign % 3) as u16,
            value: rng.random_range(0.0..10.0),
            cost: rng.random_range(0.01..0.5),
        })
        .collect();
    let c = Constraints {
        max_per_contact: Some(2),
        channel_capacity: std::collections::HashMap::from([(2u16, 600_000u64)]),
        budget: Some(250_000.0),
        exclusions: vec![vec![0, 1]],
        ..Default::default()
    };
    let started = Instant::now();
    let out = optimize(&proposals, &c, |_| {});
    println!(
        "contact optimization: {} proposals (1,000,000 contacts × 5 campaigns) in {:.2} s: {} chosen, value {:.0}, cost {:.0}",
        proposals.len(),
        started.elapsed().as_secs_f64(),
        out.count(),
        out.total_value,
        out.total_cost
    );
}

/// The simulated shop (see the module's description).
async fn shop(args: &BenchArgs, t: &Target<'_>, http: &reqwest::Client, token: &str, key: &str) -> anyhow::Result<()> {
    let q = |query: &'static str, variables: Value| gql(http, t.base, token, query, variables);
    let mut rates = std::collections::HashMap::new();
    let mut ids = Vec::new();
    for (i, rate) in SHOP_RATES.iter().enumerate() {
        let o = q(
            "mutation($i: OfferInput!) { createOffer(input: $i) { id } }",
            json!({ "i": { "code": format!("SHOP-{i}"), "name": format!("Shop offer {i}"), "channels": ["WEB"],
                           "value": { "amount": "20", "currencyCode": "EUR" } } }),
        )
        .await?;
        let id = o["createOffer"]["id"].as_str().context("no offer")?.to_owned();
        rates.insert(id.clone(), *rate);
        ids.push(id);
    }
    let made = q(
        "mutation($i: InteractionPointInput!) { createInteractionPoint(input: $i) { id } }",
        json!({ "i": { "name": "Shop", "channel": "WEB", "maxOffers": 1 } }),
    )
    .await?;
    let point = made["createInteractionPoint"]["id"].as_str().context("no point")?.to_owned();
    q(
        "mutation($i: TreatmentRuleInput!) { createTreatmentRule(input: $i) { id } }",
        json!({ "i": { "pointId": point, "offerIds": ids } }),
    )
    .await?;
    let best = SHOP_RATES.iter().copied().fold(0.0, f64::max);
    let mean = SHOP_RATES.iter().sum::<f64>() / SHOP_RATES.len() as f64;

    let rates = Arc::new(rates);
    let done = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        let (rates, done, point, key, base) =
            (rates.clone(), done.clone(), point.clone(), key.to_owned(), t.base.to_owned());
        tasks.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let (mut regret, mut clicks, mut shown_best) = (0.0f64, 0usize, 0usize);
            while done.fetch_add(1, Ordering::Relaxed) < SHOP_DECISIONS {
                let visitor = uuid::Uuid::now_v7().simple().to_string();
                let body = json!({ "key": key, "point": point, "anonymousId": visitor });
                let v: Value =
                    http.post(format!("{base}/t/decide")).body(body.to_string()).send().await?.json().await?;
                let offer = v["offers"][0]["id"].as_str().with_context(|| format!("no offer: {v}"))?.to_owned();
                let rate = rates.get(&offer).copied().unwrap_or(0.0);
                regret += best - rate;
                if rate >= best {
                    shown_best += 1;
                }
                if rand::rng().random_bool(rate) {
                    clicks += 1;
                    let body =
                        json!({ "key": key, "decisionId": v["decisionId"], "offerId": offer, "outcome": "CLICKED" });
                    let res = http.post(format!("{base}/t/respond")).body(body.to_string()).send().await?;
                    anyhow::ensure!(res.status().is_success(), "respond: {}", res.status());
                }
            }
            anyhow::Ok((regret, clicks, shown_best))
        }));
    }
    let (mut regret, mut clicks, mut shown_best) = (0.0, 0, 0);
    for t in tasks {
        let (r, c, b) = t.await??;
        regret += r;
        clicks += c;
        shown_best += b;
    }
    let took = started.elapsed();
    let n = SHOP_DECISIONS as f64;
    let uniform = n * (best - mean);
    let exact = thompson_regret(SHOP_DECISIONS);
    println!(
        "simulated shop: {SHOP_DECISIONS} decisions in {:.0} s through the API ({:.0}/s with responses), {clicks} clicks",
        took.as_secs_f64(),
        n / took.as_secs_f64().max(1e-9)
    );
    println!(
        "  regret (expected clicks lost to the best offer): Parley {regret:.1}, uniform random {uniform:.1}, exact Thompson {exact:.1}"
    );
    println!(
        "  Parley / exact Thompson {:.2}; Parley / uniform {:.2}; the best offer shown {:.1} % of the time",
        regret / exact.max(1e-9),
        regret / uniform.max(1e-9),
        100.0 * shown_best as f64 / n
    );
    Ok(())
}

/// The regret of an exact Beta-Bernoulli Thompson sampler (uniform priors, one decision
/// at a time, each click seen at once) over `n` decisions at the shop's rates.
fn thompson_regret(n: usize) -> f64 {
    use domain::decisions::arbitrate::Stats;
    let mut rng = rand::rng();
    let best = SHOP_RATES.iter().copied().fold(0.0, f64::max);
    let mut wins = [0u64; SHOP_RATES.len()];
    let mut losses = [0u64; SHOP_RATES.len()];
    let mut regret = 0.0;
    for _ in 0..n {
        let mut pick = 0;
        let mut top = f64::MIN;
        for i in 0..SHOP_RATES.len() {
            // The Beta(1 + wins, 1 + losses) posterior, drawn exactly.
            let draw = Stats { trials: wins[i] + losses[i], successes: wins[i] }.sample(&mut rng);
            if draw > top {
                top = draw;
                pick = i;
            }
        }
        regret += best - SHOP_RATES[pick];
        if rng.random_bool(SHOP_RATES[pick]) {
            wins[pick] += 1;
        } else {
            losses[pick] += 1;
        }
    }
    regret
}
