//! `parley bench --only budget`: one plan of 20 programs × 50 projects with twelve
//! budget lines a project and `--order-lines` purchase order lines (two in three with an
//! invoice) written straight into a signed-up workspace, then the plan's `budgetSummary`
//! (over HTTP) beside the hand-written SQL for the same figures in the same run, median
//! of [`super::segments::RUNS`] runs each.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{BenchArgs, Target, gql, ms};

/// Runs the budget part against `t`.
pub(crate) async fn run(args: &BenchArgs, t: &Target<'_>, http: &reqwest::Client, token: &str) -> anyhow::Result<()> {
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    let principal = domain::identity::auth::authenticate(t.parley, token).await.map_err(err)?;
    let ctx = domain::identity::auth::tenant_ctx(&principal, None).map_err(err)?;
    let started = Instant::now();
    let plan = domain::bench::budget::seed(&ctx, t.parley, 20, 50, args.order_lines, |what, n| {
        if n % 50_000 == 0 || what != "purchase order lines (with their invoices)" {
            eprintln!("  {what}: {n} ({:.0} s)", started.elapsed().as_secs_f64());
        }
    })
    .await
    .map_err(err)?;
    println!(
        "plan: 20 programs, 1000 projects, 12000 project lines, {} order lines written in {:.0} s",
        args.order_lines,
        started.elapsed().as_secs_f64()
    );
    if t.backend == "postgres" {
        super::import::psql(
            &super::import::without_tls(t.url),
            "VACUUM ANALYZE budget_lines, purchase_orders, purchase_order_lines, invoice_charges",
        )
        .await?;
    }
    let plan_id = crate::graphql::global_id_of("Plan", plan.into());
    let query = "query($n: ID!) { budgetSummary(nodeId: $n, fiscalYear: 2027) {
        budgeted { minorUnits } allocated { minorUnits } committed { minorUnits } actual { minorUnits } } }";
    let minor = |v: &serde_json::Value, k: &str| {
        v["budgetSummary"][k]["minorUnits"].as_str().and_then(|s| s.parse::<i64>().ok()).unwrap_or(-1)
    };
    let mut api = Vec::new();
    let mut answer = [0i64; 4];
    for _ in 0..=super::segments::RUNS {
        let at = Instant::now();
        let d = gql(http, t.base, token, query, json!({ "n": plan_id })).await?;
        api.push(at.elapsed());
        answer = ["budgeted", "allocated", "committed", "actual"].map(|k| minor(&d, k));
    }
    let mut by_hand = Vec::new();
    let mut hand = [0i64; 4];
    for _ in 0..=super::segments::RUNS {
        let at = Instant::now();
        let s = domain::bench::budget::summary_by_hand(&ctx, t.parley, plan).await.map_err(err)?;
        by_hand.push(at.elapsed());
        hand = [s.budgeted, s.allocated, s.committed, s.actual];
    }
    let (a, h) = (median(api), median(by_hand));
    let same = if answer == hand { "the same" } else { "DIFFERENT" };
    println!(
        "budgetSummary of the plan {:>11}  hand-written SQL {:>11}  ratio {:.2}  figures {same} (budgeted, allocated, committed, actual in cents: {answer:?})",
        ms(a),
        ms(h),
        a.as_secs_f64() / h.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// The median of the runs after the first (a warm-up).
fn median(mut runs: Vec<Duration>) -> Duration {
    runs.remove(0);
    runs.sort_unstable();
    runs[runs.len() / 2]
}
