//! `parley bench --only leads`: lead routing over an audience written straight into
//! one workspace (`--contacts`, each with an open lead due for routing), twenty Sales
//! reps with a capacity each (together room for nine leads in ten), and one
//! round-robin routing rule with a first-touch SLA. Printed: how many leads one routing
//! run (as a worker runs it) gave out per second, how many wait for room, and that no
//! rep holds more than their capacity.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::json;

use super::{BenchArgs, Target, gql, peak_rss_mib};

/// How many reps take the leads.
const REPS: usize = 20;

pub(crate) async fn run(args: &BenchArgs, t: &Target<'_>, http: &reqwest::Client, token: &str) -> anyhow::Result<()> {
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    let ctx = super::seeded(t, token, args.contacts).await?;
    let mut users = Vec::with_capacity(REPS);
    for n in 0..REPS {
        let rep = super::sign_up(http, t.base, 1_000 + n).await?;
        let me = gql(http, t.base, &rep, "{ me { id } }", json!({})).await?;
        let id = me["me"]["id"].as_str().context("no user")?;
        let user: domain::UserId = crate::graphql::id_in("User", "id", id).map_err(err)?.into();
        users.push((user, id.to_owned()));
    }
    let capacity = ((args.contacts as f64 * 0.9) / REPS as f64).ceil() as i32;
    let ids: Vec<domain::UserId> = users.iter().map(|u| u.0).collect();
    domain::bench::leads::staff(&ctx, t.parley, &ids, capacity).await.map_err(err)?;
    let rule = "mutation($i: RoutingRuleInput!) { createRoutingRule(input: $i) { id } }";
    let reps: Vec<&str> = users.iter().map(|u| u.1.as_str()).collect();
    let r = gql(
        http,
        t.base,
        token,
        rule,
        json!({ "i": { "name": "Everyone", "priority": 1, "condition": {},
        "strategy": "ROUND_ROBIN", "repIds": reps, "slaMinutes": 60 } }),
    )
    .await?;
    r["createRoutingRule"]["id"].as_str().with_context(|| format!("routing rule: {r}"))?;
    let written = domain::bench::leads::pending(&ctx, t.parley, args.contacts).await.map_err(err)?;
    if t.backend == "postgres" {
        super::import::psql(&super::import::without_tls(t.url), "VACUUM ANALYZE contacts, leads").await?;
    }
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let at = Instant::now();
    let report =
        domain::leads::routing::run(t.parley, ctx.tenant_id(), Duration::from_secs(3_600)).await.map_err(err)?;
    let took = at.elapsed().as_secs_f64();
    let (held, waiting) = domain::bench::leads::spread(&ctx, t.parley).await.map_err(err)?;
    let most = held.last().copied().unwrap_or(0);
    let least = held.first().copied().unwrap_or(0);
    anyhow::ensure!(most <= capacity as u64, "a rep holds {most}, over the capacity of {capacity}");
    anyhow::ensure!(report.routed + waiting == written, "{} routed + {waiting} waiting != {written}", report.routed);
    println!(
        "routing: {written} leads, {REPS} reps of capacity {capacity}: {} routed in {took:.1} s = {:.0} per s; {waiting} \
         wait for room; each rep holds {least}–{most} (peak RSS {:.0} MiB)",
        report.routed,
        report.routed as f64 / took.max(1e-9),
        peak_rss_mib()
    );
    Ok(())
}
