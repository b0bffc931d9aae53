//! The CRM webhook: every lead activity is posted to the workspace's URL as JSON,
//! signed like Stripe signs its events, so the receiver can check it came from here
//! and is fresh:
//!
//! `Parley-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>`
//!
//! Each delivery carries the activity's ID (`Parley-Event-Id`, also `id` in the body);
//! a retry sends the same ID, so a receiver that keeps the IDs it handled applies each
//! change once. Deliveries are jobs: retried with backoff, and recorded on the activity.

use chrono::Utc;
use hmac::{Hmac, Mac};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde_json::{Value, json};
use sha2::Sha256;

use super::Lead;
use crate::db::TenantOwned;
use crate::{Audited, Error, LeadActivityId, Parley, Permission, Result, TenantCtx, new_id, validate};
use entities::{contact, lead, lead_activity, lead_webhook};

/// The webhook.
pub type Webhook = lead_webhook::Model;

impl Audited for Webhook {
    fn audit_json(&self) -> Value {
        json!({ "url": self.url, "status": self.status })
    }
}

fn purpose(tenant: crate::WorkspaceId) -> String {
    format!("lead-webhook:{}", uuid::Uuid::from(tenant))
}

/// Checks a webhook URL: HTTPS, or HTTP to this machine (for development).
pub(crate) fn url(raw: &str) -> Result<String> {
    let u = raw.trim();
    let parsed = url::Url::parse(u).map_err(|_| Error::invalid("url", "is not a URL"))?;
    let local = matches!(parsed.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if parsed.scheme() != "https" && !(parsed.scheme() == "http" && local) {
        return Err(Error::invalid("url", "must use https (http only to localhost)"));
    }
    if u.len() > 2000 {
        return Err(Error::invalid("url", "is at most 2000 characters"));
    }
    Ok(u.to_owned())
}

/// Points the workspace's webhook at `url` with a new signing secret, answered once.
pub async fn set(ctx: &TenantCtx, p: &Parley, raw_url: &str) -> Result<(Webhook, String)> {
    let u = url(raw_url)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    let secret = format!("whsec_{}", crate::crypto::random_token());
    let sealed = p.settings().secrets.seal(&purpose(ctx.tenant_id()), &secret)?;
    let now = p.clock();
    let before = lead_webhook::Entity::scoped(ctx).one(&tx).await?;
    let saved = match before {
        Some(b) => {
            tx.update::<lead_webhook::Entity>("lead_webhook.updated", b.id, |am| {
                am.url = Set(u.clone());
                am.secret_sealed = Set(sealed.clone());
                am.status = Set("ACTIVE".into());
                am.updated_at = Set(now);
                Ok(())
            })
            .await?
        }
        None => {
            let row = lead_webhook::ActiveModel {
                id: Set(new_id()),
                url: Set(u),
                secret_sealed: Set(sealed),
                status: Set("ACTIVE".into()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            tx.create("lead_webhook.created", row).await?
        }
    };
    tx.commit().await?;
    Ok((saved, secret))
}

/// Stops posting (changes from now on are not delivered).
pub async fn remove(ctx: &TenantCtx, p: &Parley) -> Result<Webhook> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    let h = lead_webhook::Entity::scoped(ctx).one(&tx).await?.ok_or(Error::NotFound)?;
    let gone = tx.delete::<lead_webhook::Entity>("lead_webhook.deleted", h).await?;
    tx.commit().await?;
    Ok(gone)
}

/// The webhook, if one is set.
pub async fn get(ctx: &TenantCtx, p: &Parley) -> Result<Option<Webhook>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    let h = lead_webhook::Entity::scoped(ctx).one(&tx).await?;
    tx.commit().await?;
    Ok(h)
}

/// The `Parley-Signature` header of `body` signed at `t` (unix seconds).
pub fn signature(secret: &str, t: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(format!("{t}.{body}").as_bytes());
    let hex = hex::encode(mac.finalize().into_bytes());
    format!("t={t},v1={hex}")
}

/// One delivery to make.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub url: String,
    pub body: String,
    /// `(name, value)` headers: content type, event ID, signature.
    pub headers: Vec<(String, String)>,
}

/// The lead as the CRM is told of it.
fn lead_json(l: &Lead, email: Option<String>, now: chrono::DateTime<Utc>) -> Value {
    json!({
        "id": validate::global_ref(l.id),
        "contact": { "id": validate::global_ref(l.contact_id), "email": email },
        "stage": l.stage,
        "status": l.status,
        "score": super::score_now(l, now),
        "grade": l.grade,
        "owner": l.owner_id.map(validate::global_ref),
        "slaDueAt": l.sla_due_at,
        "outcome": l.outcome,
        "revenue": l.revenue_minor.zip(l.currency.as_ref()).map(|(m, c)| json!({
            "amount": crate::money::format_major(c, m), "currencyCode": c })),
        "lostReason": l.lost_reason,
    })
}

/// What to post for activity `id` (None: no webhook any more, or delivered already).
pub async fn prepare(ctx: &TenantCtx, p: &Parley, id: LeadActivityId) -> Result<Option<Delivery>> {
    let tx = p.tenant_tx(ctx).await?;
    let Some(a) = lead_activity::Entity::scoped(ctx).filter(lead_activity::Column::Id.eq(id)).one(&tx).await? else {
        return Ok(None);
    };
    if a.delivery == "DELIVERED" {
        return Ok(None);
    }
    let Some(h) = lead_webhook::Entity::scoped(ctx).filter(lead_webhook::Column::Status.eq("ACTIVE")).one(&tx).await?
    else {
        return Ok(None);
    };
    let l = tx.find::<lead::Entity>(a.lead_id).await?;
    let email: Option<String> =
        contact::Entity::scoped(ctx).filter(contact::Column::Id.eq(l.contact_id)).one(&tx).await?.and_then(|c| c.email);
    tx.commit().await?;
    let secret = p.settings().secrets.open(&purpose(ctx.tenant_id()), &h.secret_sealed)?;
    let now = p.clock();
    let event = validate::global_ref(a.id);
    let body = json!({
        "id": event,
        "type": format!("lead.{}", a.kind.to_lowercase()),
        "occurredAt": a.at,
        "detail": a.detail,
        "lead": lead_json(&l, email, now),
    })
    .to_string();
    let sig = signature(&secret, Utc::now().timestamp(), &body);
    Ok(Some(Delivery {
        url: h.url,
        body,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("parley-event-id".into(), event),
            ("parley-signature".into(), sig),
        ],
    }))
}

/// Records how a delivery went.
pub async fn delivered(
    ctx: &TenantCtx,
    p: &Parley,
    id: LeadActivityId,
    outcome: std::result::Result<(), String>,
) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let Some(a) = lead_activity::Entity::scoped(ctx).filter(lead_activity::Column::Id.eq(id)).one(&tx).await? else {
        return Ok(());
    };
    let ok = outcome.is_ok();
    let am = lead_activity::ActiveModel {
        tenant_id: sea_orm::ActiveValue::Unchanged(a.tenant_id),
        id: sea_orm::ActiveValue::Unchanged(a.id),
        attempts: Set(a.attempts + 1),
        delivery: Set(if ok { "DELIVERED" } else { "FAILED" }.into()),
        delivery_error: Set(outcome.err().map(|e| e.chars().take(500).collect())),
        delivered_at: Set(ok.then(|| p.clock())),
        ..Default::default()
    };
    sea_orm::ActiveModelTrait::update(am, &tx).await?;
    tx.commit().await?;
    Ok(())
}
