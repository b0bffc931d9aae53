//! `parley bench --only optimization`: an audience written straight into one workspace
//! (`--contacts`, 1,000,000 by default) and five campaigns proposing every contact one
//! offer each, by email address, with random expected values and costs: a file of five
//! proposals per contact. The run has at most 2 offers per contact, a capacity on one
//! channel, a budget and one exclusion group. Printed: the file's size and the time to
//! upload it, then the job's time reading (resolving contacts and offers), choosing and
//! writing the chosen proposals, and the peak resident memory of the process.

use std::io::Write as _;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rand::Rng;
use serde_json::json;

use super::{Target, gql, peak_rss_mib};

/// Campaigns, one offer each.
const CAMPAIGNS: usize = 5;

pub(crate) async fn run(
    args: &super::BenchArgs,
    t: &Target<'_>,
    server: &crate::Server,
    http: &reqwest::Client,
    token: &str,
) -> anyhow::Result<()> {
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    let started = Instant::now();
    let ctx = super::seeded(t, token, args.contacts).await?;
    super::analysed(t).await?;
    println!("audience: {} contacts written in {:.0} s", args.contacts, started.elapsed().as_secs_f64());
    for i in 0..CAMPAIGNS {
        gql(
            http,
            t.base,
            token,
            "mutation($i: OfferInput!) { createOffer(input: $i) { id } }",
            json!({ "i": { "code": format!("CAMP-{i}"), "name": format!("Campaign offer {i}"),
                           "channels": if i % 2 == 0 { json!(["EMAIL", "SMS"]) } else { json!(["SMS", "EMAIL"]) },
                           "value": { "amount": "20", "currencyCode": "EUR" } } }),
        )
        .await?;
    }

    // The file: five proposals per contact, by email address.
    let path = std::env::temp_dir().join(format!("parley-bench-proposals-{}.csv", std::process::id()));
    {
        let mut rng = rand::rng();
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path)?);
        writeln!(f, "contact,offer,campaign,value,cost")?;
        for n in 0..args.contacts {
            for c in 0..CAMPAIGNS {
                let value = rng.random_range(0..1_000);
                let cost = rng.random_range(1..50);
                writeln!(
                    f,
                    "contact{n}@example.com,CAMP-{c},Campaign {c},{}.{:02},0.{cost:02}",
                    value / 100,
                    value % 100
                )?;
            }
        }
        f.flush()?;
    }
    let size = std::fs::metadata(&path)?.len();
    let proposals = args.contacts * CAMPAIGNS as u64;
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let upload = Instant::now();
    let file = tokio::fs::File::open(&path).await?;
    let input = domain::decisions::optimization::OptimizationInput {
        name: Some("Bench".to_owned()),
        max_per_contact: Some(2),
        channel_capacity: vec![(domain::contacts::Channel::Sms, i64::try_from(args.contacts / 2).unwrap_or(0))],
        budget: Some((format!("{}", args.contacts / 10), "EUR".to_owned())),
        exclusions: vec![vec!["CAMP-0".to_owned(), "CAMP-1".to_owned()]],
        ..Default::default()
    };
    let opt = domain::decisions::optimization::start(&ctx, t.parley, "proposals.csv", file, input, u64::MAX)
        .await
        .map_err(err)?;
    let uploaded = upload.elapsed();
    let _ = std::fs::remove_file(&path);
    println!(
        "proposals file: {proposals} rows, {:.0} MiB, stored in {:.1} s",
        size as f64 / (1024.0 * 1024.0),
        uploaded.as_secs_f64()
    );

    // One worker runs the job; the stages are watched from here.
    let worker = workers::Runtime::new(t.parley.clone(), server.mailer.clone(), workers::RuntimeConfig::default());
    let job = tokio::spawn(async move {
        loop {
            match worker.try_execute_batch().await {
                Ok(r) if r.claimed == 0 => tokio::time::sleep(Duration::from_millis(20)).await,
                Ok(_) => {}
                Err(e) => return Err::<(), _>(anyhow::anyhow!("{e}")),
            }
        }
    });
    let began = Instant::now();
    let mut seen: Vec<(String, Duration)> = Vec::new();
    let view = loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let v = domain::decisions::optimization::get(&ctx, t.parley, opt.id).await.map_err(err)?;
        if seen.last().is_none_or(|(s, _)| *s != v.run.stage) {
            seen.push((v.run.stage.clone(), began.elapsed()));
        }
        match v.run.status {
            domain::TransferStatus::Completed => break v,
            domain::TransferStatus::Failed => anyhow::bail!("the run failed: {:?}", v.error),
            _ if job.is_finished() => anyhow::bail!("the worker stopped before the run completed"),
            _ => {}
        }
        if began.elapsed() > Duration::from_secs(3_600) {
            anyhow::bail!("the run did not complete within an hour");
        }
    };
    job.abort();
    let total = began.elapsed();
    let at = |stage: &str| seen.iter().find(|(s, _)| s == stage).map(|(_, d)| *d).context(stage.to_owned());
    let (reading, optimizing, writing) = (at("reading")?, at("optimizing")?, at("writing")?);
    let r = &view.run;
    println!(
        "optimization run: {} proposals in {:.1} s: reading and resolving {:.1} s, choosing {:.1} s, writing {:.1} s",
        r.proposals,
        total.as_secs_f64(),
        optimizing.saturating_sub(reading).as_secs_f64(),
        writing.saturating_sub(optimizing).as_secs_f64(),
        total.saturating_sub(writing).as_secs_f64(),
    );
    println!(
        "  {} chosen, value {} EUR, cost {} EUR, refused {}",
        r.chosen,
        domain::money::format_major("EUR", r.total_value_minor),
        domain::money::format_major("EUR", r.total_cost_minor),
        r.summary["refused"]
    );
    println!("peak resident memory: {:.0} MiB (server, worker and bench in one process)", peak_rss_mib());
    Ok(())
}
