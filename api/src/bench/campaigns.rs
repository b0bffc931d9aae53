//! `parley bench --only campaigns`: an audience written straight into one workspace
//! (`--contacts`, two in three consenting to email, so the default 150,000 give 100,000
//! recipients), a campaign to everyone who consented launched through GraphQL, and one
//! in-process worker sending it, personalised and DKIM-signed, to the SMTP server at
//! `--smtp` (Debian's `smtp-sink` from the postfix package: `smtp-sink -u nobody -c
//! 127.0.0.1:2525 1000 &`). Printed: the time from launch to the first delivery, messages per second
//! over the sending, and the process's peak resident memory.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{BenchArgs, Target, gql, peak_rss_mib};

const MJML: &str = r#"<mjml><mj-body><mj-section><mj-column>
<mj-text>Hello {{ contact.email }}, your plan is {{ contact.plan | default("none") }}.</mj-text>
<mj-button href="https://shop.example.com/offer">See the offer</mj-button>
</mj-column></mj-section></mj-body></mjml>"#;

/// Runs the campaigns part against `t` (whose mail goes to `--smtp`).
pub(crate) async fn run(
    args: &BenchArgs,
    t: &Target<'_>,
    server: &crate::Server,
    http: &reqwest::Client,
    token: &str,
) -> anyhow::Result<()> {
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    let started = Instant::now();
    super::seeded(t, token, args.contacts).await?;
    domain::bench::verify_every_address(t.parley).await.map_err(err)?;
    let define = "mutation($i: CreateContactFieldInput!) { createContactField(input: $i) { id } }";
    let plan =
        json!({ "key": "plan", "label": "Plan", "kind": "ENUM", "options": ["Free", "Pro", "Team", "Enterprise"] });
    gql(http, t.base, token, define, json!({ "i": plan })).await?;
    let d = gql(
        http,
        t.base,
        token,
        "mutation { addSendingDomain(input: { domain: \"bench.example.com\" }) { id } }",
        json!({}),
    )
    .await?;
    let tpl = gql(
        http,
        t.base,
        token,
        "mutation($i: EmailTemplateInput!) { createEmailTemplate(input: $i) { id } }",
        json!({ "i": { "name": "Bench", "subject": "Hello {{ contact.email }}", "mjml": MJML } }),
    )
    .await?;
    let seg = gql(
        http,
        t.base,
        token,
        "mutation($i: CreateSegmentInput!) { createSegment(input: $i) { id count } }",
        json!({ "i": { "name": "Consenting", "rule": { "consent": "EMAIL" } } }),
    )
    .await?;
    let recipients = seg["createSegment"]["count"].as_u64().unwrap_or(0);
    let c = gql(
        http,
        t.base,
        token,
        "mutation($i: CampaignInput!) { createCampaign(input: $i) { id } }",
        json!({ "i": { "name": "Bench", "segmentIds": [seg["createSegment"]["id"]],
                        "templateId": tpl["createEmailTemplate"]["id"], "sendingDomainId": d["addSendingDomain"]["id"],
                        "fromAddress": "news@bench.example.com" } }),
    )
    .await?;
    let id = c["createCampaign"]["id"].clone();
    println!(
        "audience: {} contacts written in {:.0} s, {recipients} of them consenting to email",
        args.contacts,
        started.elapsed().as_secs_f64()
    );

    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let progress = "query($id: ID!) { campaign(id: $id) { status progress { sent failed } } }";
    gql(http, t.base, token, "mutation($id: ID!) { launchCampaign(id: $id) { status } }", json!({ "id": id })).await?;
    let launched = Instant::now();
    let worker = super::Worker::start(t.parley, server);
    let (mut first, mut done) = (None, None);
    let mut last = json!(null);
    while done.is_none() {
        // Often until the first delivery, then once a second: the progress query counts
        // every send, and asking it 20 times a second would be a load of its own.
        let pause = if first.is_none() { 50 } else { 1_000 };
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let p = gql(http, t.base, token, progress, json!({ "id": id })).await?;
        let sent = p["campaign"]["progress"]["sent"].as_u64().unwrap_or(0);
        if first.is_none() && sent > 0 {
            first = Some(launched.elapsed());
        }
        if p["campaign"]["status"] == "COMPLETED" {
            done = Some(launched.elapsed());
        }
        if worker.is_finished() && done.is_none() {
            let p = gql(http, t.base, token, progress, json!({ "id": id })).await?;
            anyhow::bail!("the worker stopped before the campaign completed: {p}");
        }
        if launched.elapsed() > Duration::from_secs(3_600) {
            anyhow::bail!("the campaign did not complete within an hour: {p}");
        }
        last = p;
    }
    worker.stop().await?;
    let (first, done) = (first.unwrap_or_default(), done.unwrap_or_default());
    let sent = last["campaign"]["progress"]["sent"].as_u64().unwrap_or(0);
    let sending = done.saturating_sub(first).as_secs_f64().max(1e-9);
    println!(
        "first delivery {:.2} s after launch (the audience of {recipients} chosen before it)",
        first.as_secs_f64()
    );
    println!(
        "sent {sent} (failed {}) in {:.1} s after launch: {:.0} emails/s over the sending, {:.0} emails/s from launch",
        last["campaign"]["progress"]["failed"],
        done.as_secs_f64(),
        sent as f64 / sending,
        sent as f64 / done.as_secs_f64().max(1e-9)
    );
    println!("peak resident memory while sending: {:.0} MiB (server, worker and bench in one process)", peak_rss_mib());
    Ok(())
}
