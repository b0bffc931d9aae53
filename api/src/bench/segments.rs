//! `parley bench --only segments`: an audience of contacts and events written straight
//! into one signed-up workspace, then each question counted through `previewSegment`
//! (the compiled rule, over HTTP) beside hand-written SQL for it run in the same
//! workspace's transaction, median of [`RUNS`] runs each.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{BenchArgs, Target, gql, ms};
use domain::bench::audience::{self, Question};

/// Timed runs of each count (after one warm-up).
pub(crate) const RUNS: usize = 5;

/// Runs the segments part against `t`.
pub(crate) async fn run(args: &BenchArgs, t: &Target<'_>, http: &reqwest::Client, token: &str) -> anyhow::Result<()> {
    let define = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    let fields = [
        json!({ "key": "visits", "label": "Visits", "kind": "NUMBER" }),
        json!({ "key": "plan", "label": "Plan", "kind": "ENUM", "options": ["Free", "Pro", "Team", "Enterprise"] }),
    ];
    for f in fields {
        gql(http, t.base, token, define, json!({ "i": f })).await?;
    }
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    let principal = domain::identity::auth::authenticate(t.parley, token).await.map_err(err)?;
    let ctx = domain::identity::auth::tenant_ctx(&principal, None).map_err(err)?;

    let started = Instant::now();
    audience::seed(&ctx, t.parley, args.contacts, args.events, |what, n| {
        eprintln!("  {what}: {n} written ({:.0} s)", started.elapsed().as_secs_f64());
    })
    .await
    .map_err(err)?;
    let seeded = started.elapsed();
    let started = Instant::now();
    super::analysed(t).await?;
    println!(
        "audience: {} contacts and {} events written in {:.0} s, analysed in {:.0} s",
        args.contacts,
        args.events,
        seeded.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );

    let preview = "query($r: JSON!) { previewSegment(rule: $r) { count } }";
    for q in Question::ALL {
        let vars = json!({ "r": q.rule() });
        let compiled = median(|| async {
            let data = gql(http, t.base, token, preview, vars.clone()).await?;
            data["previewSegment"]["count"].as_u64().ok_or_else(|| anyhow::anyhow!("no count: {data}"))
        })
        .await?;
        let by_hand = median(|| async { audience::count_by_hand(&ctx, t.parley, q).await.map_err(err) }).await?;
        let same = if compiled.1 == by_hand.1 { "the same" } else { "DIFFERENT" };
        println!(
            "segment {:<40} compiled {:>11}  hand-written SQL {:>11}  ratio {:.2} (aim: 1.5 or less)  count {} / {} ({same})",
            q.name(),
            ms(compiled.0),
            ms(by_hand.0),
            compiled.0.as_secs_f64() / by_hand.0.as_secs_f64().max(1e-9),
            compiled.1,
            by_hand.1
        );
    }
    Ok(())
}

/// The median time of [`RUNS`] runs of `count` after a warm-up, and the last count.
async fn median<F, Fut>(count: F) -> anyhow::Result<(Duration, u64)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u64>>,
{
    let mut n = count().await?;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        n = count().await?;
        times.push(t.elapsed());
    }
    times.sort_unstable();
    Ok((times.get(RUNS / 2).copied().unwrap_or_default(), n))
}
