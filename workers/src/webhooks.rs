//! Webhook deliveries: the domain says what to post (URL, signed body, headers); this
//! posts it with a shared HTTP client and a short timeout, and records how it went. A
//! receiver that does not answer 2xx makes the job fail, so the runtime retries it with
//! backoff; each try is recorded on the activity.

use std::sync::OnceLock;
use std::time::Duration;

use crate::handlers::{HandlerError, JobCtx};

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Parley-Webhooks/1")
            .build()
            .unwrap_or_default()
    })
}

/// Posts one lead change to the workspace's CRM webhook.
pub(crate) async fn lead_webhook(cx: &JobCtx<'_>, job: domain::jobs::LeadWebhook) -> Result<(), HandlerError> {
    let Some(d) = domain::leads::webhook::prepare(cx.tenant(), cx.parley, job.activity_id).await? else {
        return Ok(());
    };
    let outcome = post(d).await;
    domain::leads::webhook::delivered(cx.tenant(), cx.parley, job.activity_id, outcome.clone()).await?;
    outcome.map_err(HandlerError::Webhook)
}

/// Posts a contact's arrival at a journey's webhook step.
pub(crate) async fn journey_webhook(cx: &JobCtx<'_>, job: domain::jobs::JourneyWebhook) -> Result<(), HandlerError> {
    let Some(d) = domain::journeys::prepare_webhook(cx.tenant(), cx.parley, &job).await? else {
        return Ok(());
    };
    post(d).await.map_err(HandlerError::Webhook)
}

async fn post(d: domain::leads::webhook::Delivery) -> Result<(), String> {
    let mut req = client().post(&d.url).body(d.body);
    for (k, v) in &d.headers {
        req = req.header(k, v);
    }
    match req.send().await {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(format!("the receiver answered {}", r.status())),
        Err(e) => Err(format!("the receiver could not be reached: {e}")),
    }
}
