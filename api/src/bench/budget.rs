//! `parley bench --only budget`: one plan of 20 programs × 50 projects with twelve
//! budget lines a project and `--order-lines` purchase order lines (two in three with an
//! invoice) written straight into a signed-up workspace, then the plan's `budgetSummary`
//! (over HTTP) beside the hand-written SQL for the same figures in the same run, median
//! of [`super::segments::RUNS`] runs each; then approval decisions per second, each of
//! 32 concurrent approvers (API keys with the approver role) deciding its share of
//! pending purchase-order approvals requested by a marketer.

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
    periods(t, http, token, &plan_id, answer).await?;
    approvals(t, http, token, &ctx).await
}

/// The plan's twelve months (`budgetSummary { periods }`), whose committed and actual
/// must add up to the year's.
async fn periods(
    t: &Target<'_>,
    http: &reqwest::Client,
    token: &str,
    plan: &str,
    year: [i64; 4],
) -> anyhow::Result<()> {
    let query = "query($n: ID!) { budgetSummary(nodeId: $n, fiscalYear: 2027) {
        periods { committed { minorUnits } actual { minorUnits } forecast { minorUnits } } } }";
    let mut took = Vec::new();
    let mut sums = (0i64, 0i64);
    for _ in 0..=super::segments::RUNS {
        let at = Instant::now();
        let d = gql(http, t.base, token, query, json!({ "n": plan })).await?;
        took.push(at.elapsed());
        let of = |p: &serde_json::Value, k: &str| {
            p[k]["minorUnits"].as_str().and_then(|s| s.parse::<i64>().ok()).unwrap_or(0)
        };
        let list = d["budgetSummary"]["periods"].as_array().cloned().unwrap_or_default();
        sums = list.iter().fold((0, 0), |(c, a), p| (c + of(p, "committed"), a + of(p, "actual")));
    }
    let same = if sums == (year[2], year[3]) { "add up to the year's" } else { "DO NOT add up to the year's" };
    println!("budgetSummary periods (12 months) {:>11}  committed and actual {same}", ms(median(took)));
    Ok(())
}

/// Concurrent approvers deciding pending requests.
const APPROVERS: usize = 32;
/// Requests each approver decides.
const EACH: usize = 20;

async fn approvals(t: &Target<'_>, http: &reqwest::Client, token: &str, ctx: &domain::TenantCtx) -> anyhow::Result<()> {
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    gql(
        http,
        t.base,
        token,
        "mutation { createApprovalRule(input: {objectType: PURCHASE_ORDER, approverRole: APPROVER}) { id } }",
        json!({}),
    )
    .await?;
    // A marketer who asks: a second account made a member of this workspace.
    let marketer = super::sign_up(http, t.base, 1).await?;
    let domain::identity::auth::Principal::User { user_id, .. } =
        domain::identity::auth::authenticate(t.parley, &marketer).await.map_err(err)?
    else {
        anyhow::bail!("the second account is not a person");
    };
    domain::bench::budget::add_member(ctx, t.parley, user_id, domain::Role::Marketer).await.map_err(err)?;
    let workspace = crate::graphql::global_id_of("Workspace", ctx.tenant_id().into());
    let as_marketer = |query: &'static str, variables: serde_json::Value| {
        let req = http
            .post(format!("{}/graphql", t.base))
            .bearer_auth(&marketer)
            .header("X-Parley-Workspace", &workspace)
            .json(&json!({ "query": query, "variables": variables }));
        async move {
            let res: serde_json::Value = req.send().await?.json().await?;
            if res.get("errors").is_some_and(|e| !e.is_null()) {
                anyhow::bail!("GraphQL errors: {res}");
            }
            anyhow::Ok(res["data"].clone())
        }
    };
    let lines = gql(http, t.base, token, "{ budgetLines(first: 5) { nodes { id nodeKind } } }", json!({})).await?;
    let line = lines["budgetLines"]["nodes"]
        .as_array()
        .and_then(|l| l.iter().find(|n| n["nodeKind"] == "PROJECT"))
        .and_then(|n| n["id"].as_str())
        .ok_or_else(|| anyhow::anyhow!("no project line: {lines}"))?
        .to_owned();
    let mut pending = Vec::with_capacity(APPROVERS * EACH);
    for _ in 0..APPROVERS * EACH {
        let po = as_marketer(
            "mutation($l: ID!) { createPurchaseOrder(input: {vendor: \"Bench Media\", lines: [{budgetLineId: $l, amount: {amount: \"10.00\", currencyCode: \"EUR\"}}]}) { id } }",
            json!({ "l": line }),
        )
        .await?;
        let submitted = as_marketer(
            "mutation($id: ID!) { submitPurchaseOrder(id: $id) { approval { id } } }",
            json!({ "id": po["createPurchaseOrder"]["id"] }),
        )
        .await?;
        pending.push(submitted["submitPurchaseOrder"]["approval"]["id"].as_str().unwrap_or_default().to_owned());
    }
    let mut keys = Vec::with_capacity(APPROVERS);
    for i in 0..APPROVERS {
        let k = gql(
            http,
            t.base,
            token,
            "mutation($n: String!) { createApiKey(input: {name: $n, role: APPROVER}) { secret } }",
            json!({ "n": format!("approver {i}") }),
        )
        .await?;
        keys.push(k["createApiKey"]["secret"].as_str().unwrap_or_default().to_owned());
    }
    let started = Instant::now();
    let runs = keys.into_iter().zip(pending.chunks(EACH).map(<[String]>::to_vec)).map(|(key, mine)| {
        let http = http.clone();
        let base = t.base.to_owned();
        tokio::spawn(async move {
            let mut failed = 0usize;
            for id in mine {
                let q = "mutation($id: ID!) { decideApproval(input: {approvalId: $id, decision: APPROVE}) { state } }";
                match gql(&http, &base, &key, q, json!({ "id": id })).await {
                    Ok(d) if d["decideApproval"]["state"] == "APPROVED" => {}
                    _ => failed += 1,
                }
            }
            failed
        })
    });
    let mut failed = 0;
    for r in futures::future::join_all(runs).await {
        failed += r?;
    }
    let took = started.elapsed();
    println!(
        "approval decisions: {} by {APPROVERS} concurrent approvers in {:.2} s: {:.0} decisions/s, {failed} failed",
        APPROVERS * EACH,
        took.as_secs_f64(),
        (APPROVERS * EACH) as f64 / took.as_secs_f64().max(1e-9)
    );
    Ok(())
}

/// The median of the runs after the first (a warm-up).
fn median(mut runs: Vec<Duration>) -> Duration {
    runs.remove(0);
    runs.sort_unstable();
    runs[runs.len() / 2]
}
