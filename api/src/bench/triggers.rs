//! `parley bench --only triggers`: event detection with 50 active rules (event rules
//! with a condition, thresholds, counts in a window, sequences with timers) over an
//! audience written straight into one workspace (`--contacts`). Printed:
//! - events per second through detection: a backlog of `--events` events (ten kinds,
//!   over the first 100,000 contacts) read by passes run back to back, as a worker
//!   catching up after an outage does, with the firings and timers they made;
//! - the delay from an event's arrival to its firing being recorded, p50 and p99, while
//!   events are tracked through `POST /t/events` at `--rate` events per second for
//!   `--seconds`, with one in-process worker running detection as `parley serve` does.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use rand::Rng;
use serde_json::{Value, json};

use super::{BenchArgs, Target, gql, peak_rss_mib};
use domain::bench::triggers::KINDS;

const RULES: usize = 50;

/// The definition of the `i`th rule: five shapes in turn over the ten event kinds, as
/// selective as real rules are (a big basket, a rare amount, a burst of five, a cart
/// or a viewed item left without a purchase).
fn definition(i: usize) -> Value {
    let kind = |k: usize| KINDS[(i + k) % KINDS.len()];
    match i % 5 {
        0 => json!({ "event": kind(0), "where": [{ "property": "total", "op": "gte", "value": 900 }] }),
        1 => json!({ "threshold": { "event": kind(1), "property": "amount", "op": "gt", "value": 950 } }),
        2 => json!({ "count": { "event": kind(2), "atLeast": 5, "within": "PT10M" } }),
        3 => {
            let first = if i.is_multiple_of(2) { "add_to_cart" } else { "view_item" };
            json!({ "sequence": { "first": first, "notFollowedBy": "purchase", "within": format!("PT{}M", 30 + i) } })
        }
        _ => json!({ "event": kind(4), "where": [{ "property": "total", "op": "lt", "value": 10 }] }),
    }
}

pub(crate) async fn run(
    args: &BenchArgs,
    t: &Target<'_>,
    server: &crate::Server,
    http: &reqwest::Client,
    token: &str,
) -> anyhow::Result<()> {
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    let started = Instant::now();
    let ctx = super::seeded(t, token, args.contacts).await?;
    println!("audience: {} contacts written in {:.0} s", args.contacts, started.elapsed().as_secs_f64());
    let create = "mutation($i: TriggerRuleInput!) { createTriggerRule(input: $i) { id } }";
    for i in 0..RULES {
        let r = gql(
            http,
            t.base,
            token,
            create,
            json!({ "i": { "name": format!("Rule {i}"), "definition": definition(i) } }),
        )
        .await?;
        r["createTriggerRule"]["id"].as_str().with_context(|| format!("rule {i}: {r}"))?;
    }
    println!("rules: {RULES} active (events with a condition, thresholds, counts of 5 in 10 min, sequences)");

    // The backlog, read by passes back to back.
    let backlog = args.events.min(5_000_000);
    let written = Instant::now();
    domain::bench::triggers::backlog(&ctx, t.parley, 100_000, backlog, |n| {
        if n % 100_000 == 0 {
            eprintln!("  events: {n} written ({:.0} s)", written.elapsed().as_secs_f64());
        }
    })
    .await
    .map_err(err)?;
    super::analysed(t).await?;
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let at = Instant::now();
    let r = domain::triggers::detect::run(t.parley, ctx.tenant_id(), Duration::from_secs(3_600)).await.map_err(err)?;
    let took = at.elapsed().as_secs_f64();
    println!(
        "detection over a backlog: {} events in {:.1} s = {:.0} events/s; {} firings, {} timers started, {} cancelled (peak RSS {:.0} MiB)",
        r.events,
        took,
        r.events as f64 / took.max(1e-9),
        r.fired,
        r.timers_started,
        r.timers_cancelled,
        peak_rss_mib()
    );

    // Live: events tracked at a steady rate, detected by a worker.
    let key = gql(http, t.base, token, "mutation { rotateTrackingKey { key } }", json!({})).await?;
    let key = key["rotateTrackingKey"]["key"].as_str().context("no tracking key")?.to_owned();
    let worker = super::Worker::start(t.parley, server);
    let since = chrono::Utc::now();
    let contacts = args.contacts.clamp(1, 100_000);
    let (sent, failed, tracked) = super::steady_events(http, t.base, &key, (args.rate, args.seconds), |n| {
        let mut rng = rand::rng();
        json!({ "type": KINDS[n as usize % KINDS.len()],
                "email": format!("contact{}@example.com", rng.random_range(0..contacts)),
                "properties": { "total": rng.random_range(0..1_000), "amount": rng.random_range(0..1_000) } })
    })
    .await;
    // Until detection has caught up: the firings stop growing.
    let (mut last, mut still) = (0usize, 0);
    let mut delays = Vec::new();
    while still < 3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        delays = domain::bench::triggers::firing_delays(&ctx, t.parley, since).await.map_err(err)?;
        still = if delays.len() == last { still + 1 } else { 0 };
        last = delays.len();
    }
    worker.stop().await?;
    let at = |p: f64| delays.get(((delays.len() as f64 * p) as usize).min(delays.len().saturating_sub(1))).copied();
    println!(
        "live: {sent} events tracked in {tracked:.1} s = {:.0} events/s ({failed} refused); {} firings on their event; \
         arrival to firing p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        sent as f64 / tracked,
        delays.len(),
        at(0.5).unwrap_or(0.0) * 1000.0,
        at(0.99).unwrap_or(0.0) * 1000.0,
        delays.last().copied().unwrap_or(0.0) * 1000.0
    );
    Ok(())
}
