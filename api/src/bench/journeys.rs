//! `parley bench --only journeys`: journeys over an audience written straight into one
//! workspace (`--contacts`). Printed:
//! - timers: every contact of the audience waiting in a journey's wait step, all due at
//!   the same moment (as after an outage, or a broadcast's wait), moved on by runs back
//!   to back: how long until the last one fired, and that none was lost;
//! - event to first step: signups tracked through `POST /t/events` at `--rate` per
//!   second for `--seconds`, each firing a trigger rule that enrols the contact in a
//!   journey whose first step writes a field, with one in-process worker running
//!   detection and journeys as `parley serve` does: the delay from an event's arrival to
//!   that write, p50 and p99.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use rand::Rng;
use serde_json::{Value, json};

use super::{BenchArgs, Target, gql, peak_rss_mib};

async fn journey(http: &reqwest::Client, t: &Target<'_>, token: &str, name: &str, d: Value) -> anyhow::Result<String> {
    let create = "mutation($i: JourneyInput!) { createJourney(input: $i) { id } }";
    let r = gql(http, t.base, token, create, json!({ "i": { "name": name, "definition": d } })).await?;
    let id = r["createJourney"]["id"].as_str().with_context(|| format!("{name}: {r}"))?.to_owned();
    let r = gql(http, t.base, token, "mutation($id: ID!) { publishJourney(id: $id) { version } }", json!({ "id": id }))
        .await?;
    anyhow::ensure!(r["publishJourney"]["version"] == 1, "{name}: {r}");
    Ok(id)
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
    let field = "mutation { createContactField(input: { key: \"stage\", label: \"Stage\", kind: STRING }) { id } }";
    gql(http, t.base, token, field, json!({})).await?;

    // Timers: the whole audience waiting, due at once.
    let hold = journey(
        http,
        t,
        token,
        "Hold",
        json!({ "entry": { "manual": true }, "start": "hold",
                "steps": [{ "id": "hold", "kind": "wait", "duration": "PT1H" }] }),
    )
    .await?;
    let hold_id: domain::JourneyId = crate::graphql::id_in("Journey", "id", &hold).map_err(err)?.into();
    let written = Instant::now();
    let due = chrono::Utc::now();
    domain::bench::journeys::waiting(&ctx, t.parley, (hold_id, 1, "hold"), args.contacts, due, |n| {
        if n % 100_000 == 0 {
            eprintln!("  waiting: {n} written ({:.0} s)", written.elapsed().as_secs_f64());
        }
    })
    .await
    .map_err(err)?;
    if t.backend == "postgres" {
        super::import::psql(
            &super::import::without_tls(t.url),
            "VACUUM ANALYZE contacts, journey_enrolments, journey_visits",
        )
        .await?;
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let at = Instant::now();
    let r = domain::journeys::advance::run(t.parley, ctx.tenant_id(), Duration::from_secs(3_600)).await.map_err(err)?;
    let took = at.elapsed().as_secs_f64();
    let states = domain::bench::journeys::states(&ctx, t.parley, hold_id).await.map_err(err)?;
    let completed = states.get("COMPLETED").copied().unwrap_or(0);
    println!(
        "timers: {} contacts due at once moved on in {took:.1} s = {:.0} per s (the last fired {took:.1} s after the \
         run began); {completed} completed, {} still waiting (peak RSS {:.0} MiB)",
        r.moved,
        r.moved as f64 / took.max(1e-9),
        states.get("WAITING").copied().unwrap_or(0),
        peak_rss_mib()
    );

    // Event to first step, live.
    let rule = "mutation($i: TriggerRuleInput!) { createTriggerRule(input: $i) { id } }";
    let r =
        gql(http, t.base, token, rule, json!({ "i": { "name": "Signed up", "definition": { "event": "signup" } } }))
            .await?;
    let rule_id = r["createTriggerRule"]["id"].as_str().context("no rule")?.to_owned();
    let welcome = journey(
        http,
        t,
        token,
        "Welcome",
        json!({ "entry": { "trigger": rule_id }, "reentry": { "mode": "always" }, "start": "stage",
                "steps": [{ "id": "stage", "kind": "updateAttribute", "field": "stage", "value": "new", "next": "wait" },
                          { "id": "wait", "kind": "wait", "duration": "P1D" }] }),
    )
    .await?;
    let welcome_id: domain::JourneyId = crate::graphql::id_in("Journey", "id", &welcome).map_err(err)?.into();
    let key = gql(http, t.base, token, "mutation { rotateTrackingKey { key } }", json!({})).await?;
    let key = key["rotateTrackingKey"]["key"].as_str().context("no tracking key")?.to_owned();
    let worker = super::Worker::start(t.parley, server);
    let since = chrono::Utc::now();
    // Distinct contacts, so each signup enrols one (the hold journey's contacts are done).
    let contacts = args.contacts.max(1);
    let start = rand::rng().random_range(0..contacts);
    let (sent, failed, tracked) = super::steady_events(
        http,
        t.base,
        &key,
        (args.rate, args.seconds),
        |n| json!({ "type": "signup", "email": format!("contact{}@example.com", (start + n) % contacts) }),
    )
    .await;
    // Until the first steps stop growing.
    let (mut last, mut still) = (0usize, 0);
    let mut delays = Vec::new();
    while still < 3 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        delays = domain::bench::journeys::first_step_delays(&ctx, t.parley, welcome_id, "stage", since)
            .await
            .map_err(err)?;
        still = if delays.len() == last { still + 1 } else { 0 };
        last = delays.len();
    }
    worker.stop().await?;
    let at = |p: f64| delays.get(((delays.len() as f64 * p) as usize).min(delays.len().saturating_sub(1))).copied();
    println!(
        "event to first step: {sent} signups tracked in {tracked:.1} s = {:.0} per s ({failed} refused); {} first \
         steps taken; arrival to the field written p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms",
        sent as f64 / tracked,
        delays.len(),
        at(0.5).unwrap_or(0.0) * 1000.0,
        at(0.99).unwrap_or(0.0) * 1000.0,
        delays.last().copied().unwrap_or(0.0) * 1000.0
    );
    Ok(())
}
