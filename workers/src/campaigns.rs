//! The `campaigns.run` job: chooses the audience, then sends batch after batch through
//! the pooled SMTP connections, each message DKIM-signed for its sending domain with a
//! one-click unsubscribe (RFC 8058), a Message-ID and a return path unique to the send.
//! Delivery runs many messages at once, within limits per destination domain (how
//! many at a time, how many per second), so one large receiver is never flooded.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use domain::campaigns::run::{Claim, Delivery, Outgoing, Prepared, Run, Step};
use domain::jobs::RunCampaign;
use futures::StreamExt;
use lettre::address::Envelope;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{Address, Message};
use tokio::sync::Semaphore;

use crate::handlers::{HandlerError, JobCtx};
use crate::mailer::MailError;

/// How the sender spreads its work.
#[derive(Debug, Clone)]
pub struct SendingLimits {
    /// Messages handed over at once by one worker (the SMTP pool's size).
    pub connections: usize,
    /// Messages to one destination domain at once.
    pub per_domain: usize,
    /// Messages to one destination domain per second (None: no limit).
    pub per_domain_rate: Option<NonZeroU32>,
    /// Sends claimed per batch.
    pub batch: u64,
}

impl Default for SendingLimits {
    fn default() -> Self {
        SendingLimits { connections: 16, per_domain: 8, per_domain_rate: None, batch: 200 }
    }
}

/// The limits per destination domain, shared by every batch of a worker.
pub(crate) struct Gates {
    limits: SendingLimits,
    open: Mutex<HashMap<String, Arc<Semaphore>>>,
    rate: Option<governor::DefaultKeyedRateLimiter<String>>,
}

impl Gates {
    pub(crate) fn new(limits: SendingLimits) -> Gates {
        let rate = limits.per_domain_rate.map(|r| governor::RateLimiter::keyed(governor::Quota::per_second(r)));
        Gates { limits, open: Mutex::new(HashMap::new()), rate }
    }

    fn domain(&self, domain: &str) -> Arc<Semaphore> {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        // Forget idle domains now and then, so a long-running worker does not keep one
        // entry per domain it ever sent to.
        if open.len() > 10_000 {
            open.retain(|_, s| s.available_permits() < self.limits.per_domain);
        }
        open.entry(domain.to_owned()).or_insert_with(|| Arc::new(Semaphore::new(self.limits.per_domain))).clone()
    }
}

/// What signs every message of a run, built once.
struct Signer {
    dkim: DkimConfig,
    from: Mailbox,
    domain: String,
}

fn signer(p: &Prepared) -> Result<Signer, HandlerError> {
    signer_for(&p.dkim, &p.from_address, &p.from_name)
}

fn signer_for(dkim: &domain::campaigns::domains::DkimKey, from: &str, from_name: &str) -> Result<Signer, HandlerError> {
    let key = DkimSigningKey::new(&dkim.private_pem, DkimSigningAlgorithm::Rsa)
        .map_err(|e| HandlerError::Mail(MailError::Config(format!("the DKIM key of {}: {e:?}", dkim.domain))))?;
    let headers =
        ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "List-Unsubscribe", "List-Unsubscribe-Post"]
            .into_iter()
            .map(HeaderName::new_from_ascii_str)
            .collect();
    let canon =
        DkimCanonicalization { header: DkimCanonicalizationType::Relaxed, body: DkimCanonicalizationType::Relaxed };
    let config = DkimConfig::new(dkim.selector.clone(), dkim.domain.clone(), key, headers, canon);
    let address: Address =
        from.parse().map_err(|e| HandlerError::Mail(MailError::Config(format!("the campaign's From address: {e}"))))?;
    let name = Some(from_name.to_owned()).filter(|n| !n.is_empty());
    Ok(Signer { dkim: config, from: Mailbox::new(name, address), domain: dkim.domain.clone() })
}

/// The signed message of `out`, and its envelope.
fn build(s: &Signer, out: &Outgoing) -> Result<(Envelope, Vec<u8>), String> {
    let to: Address = out.to.parse().map_err(|e| format!("bad address {:?}: {e}", out.to))?;
    let from: Address = out.return_path.parse().map_err(|e| format!("bad return path: {e}"))?;
    let envelope = Envelope::new(Some(from), vec![to.clone()]).map_err(|e| e.to_string())?;
    let mut msg = Message::builder()
        .from(s.from.clone())
        .to(Mailbox::new(None, to))
        .subject(out.subject.clone())
        .message_id(Some(format!("<{}>", out.message_id)))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{}>", out.unsubscribe_url),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ))
        .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("X-Parley-Domain"), s.domain.clone()))
        .envelope(envelope.clone())
        .multipart(MultiPart::alternative_plain_html(out.text.clone(), out.html.clone()))
        .map_err(|e| e.to_string())?;
    msg.sign(&s.dkim);
    Ok((envelope, msg.formatted()))
}

/// Sends one batch: each message built and signed on the blocking threads (RSA is CPU
/// work), handed over within its domain's limits.
async fn deliver(
    cx: &JobCtx<'_>,
    signer: &Arc<Signer>,
    batch: Vec<Outgoing>,
) -> Vec<(domain::CampaignSendId, Delivery)> {
    let gates = cx.mailer.gates();
    let connections = gates.limits.connections.max(1);
    futures::stream::iter(batch)
        .map(|out| {
            let signer = signer.clone();
            async move {
                let id = out.send;
                let domain = out.to.rsplit('@').next().unwrap_or_default().to_owned();
                let built = tokio::task::spawn_blocking({
                    let signer = signer.clone();
                    move || build(&signer, &out)
                })
                .await;
                let (envelope, bytes) = match built {
                    Ok(Ok(b)) => b,
                    Ok(Err(e)) => return (id, Delivery::Failed(e)),
                    Err(e) => return (id, Delivery::Unsent(e.to_string())),
                };
                let gate = gates.domain(&domain);
                let _permit = gate.acquire().await;
                if let Some(rate) = &gates.rate {
                    rate.until_key_ready(&domain).await;
                }
                (id, cx.mailer.send_raw(&envelope, &bytes).await)
            }
        })
        .buffer_unordered(connections)
        .collect()
        .await
}

/// Sends a template's test messages, signed like the campaign's will be.
pub(crate) async fn test_email(cx: &JobCtx<'_>, job: domain::jobs::TestEmail) -> Result<(), HandlerError> {
    let (messages, key) = domain::campaigns::templates::prepare_test(cx.tenant(), cx.parley, &job).await?;
    let signer = Arc::new(signer_for(&key, &job.from, "")?);
    for (_, d) in deliver(cx, &signer, messages).await {
        match d {
            Delivery::Sent | Delivery::Failed(_) => {}
            Delivery::Retry(e) | Delivery::Unsent(e) => return Err(HandlerError::Mail(MailError::Smtp(e))),
        }
    }
    Ok(())
}

/// Runs a campaign's job: choose, then send until done, paused or waiting.
pub(crate) async fn run(cx: &JobCtx<'_>, job: RunCampaign) -> Result<(), HandlerError> {
    let mut run = Run::new(cx.parley, cx.worker(), cx.job, job.campaign_id)?;
    if !run.begin().await? {
        return Ok(());
    }
    loop {
        match run.choose().await? {
            Step::More => {}
            Step::Done => break,
            Step::Stop => return Ok(()),
            Step::LeaseLost => return Err(HandlerError::LeaseLost),
        }
    }
    let prepared = Arc::new(run.prepare().await?);
    let signer = Arc::new(signer(&prepared)?);
    let batch = cx.mailer.gates().limits.batch;
    // The next batch is claimed and rendered while the current one is being sent, so the
    // mail server is never left waiting on the database.
    let mut next = run.claim(&prepared, batch).await?;
    loop {
        let messages = match next {
            Claim::Stop => return Ok(()),
            Claim::Done | Claim::Wait(_) => {
                // Decided before the last batch was recorded: ask again now.
                match run.claim(&prepared, batch).await? {
                    Claim::Batch(m) => m,
                    Claim::Done => {
                        run.finish().await?;
                        return Ok(());
                    }
                    Claim::Wait(at) => {
                        run.wait_until(at).await?;
                        return Ok(());
                    }
                    Claim::Stop => return Ok(()),
                }
            }
            Claim::Batch(m) => m,
        };
        let (results, prefetched) = tokio::join!(deliver(cx, &signer, messages), run.claim(&prepared, batch));
        let outage = results.iter().find_map(|(_, d)| match d {
            Delivery::Unsent(e) => Some(e.clone()),
            _ => None,
        });
        let all_unsent = !results.is_empty() && results.iter().all(|(_, d)| matches!(d, Delivery::Unsent(_)));
        if run.record(results).await? == Step::LeaseLost {
            return Err(HandlerError::LeaseLost);
        }
        // The server is down: the job waits (its retry backoff) and goes on where it
        // stopped; nothing was lost or counted as an attempt. The batch claimed meanwhile
        // goes back to the queue as unsent too, its attempt given back.
        if let (true, Some(e)) = (all_unsent, outage) {
            if let Ok(Claim::Batch(claimed)) = prefetched {
                let back = claimed.into_iter().map(|m| (m.send, Delivery::Unsent(e.clone()))).collect();
                if run.record(back).await? == Step::LeaseLost {
                    return Err(HandlerError::LeaseLost);
                }
            }
            return Err(HandlerError::Mail(MailError::Smtp(format!("the mail server is unreachable: {e}"))));
        }
        next = prefetched?;
    }
}
