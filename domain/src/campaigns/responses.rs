//! Opens and clicks (DEC-7): the open pixel and the click redirect of each message
//! record on its send (first time, and how many) and on the contact's timeline (the
//! first open, every click with its link). Both come from signed links: a forged one
//! records nothing, and a click leads only to the link the message held.

use sea_orm::ActiveValue::Set;
use serde_json::json;

use super::links::{self, Purpose, SendRef};
use crate::contacts::{Channel, timeline};
use crate::{Actor, Error, Parley, Result, Role, TenantCtx, now};
use entities::{campaign_send, contact};

fn system(r: SendRef) -> TenantCtx {
    TenantCtx::new(r.tenant, Actor::System, Role::Admin)
}

/// Records an open of the send `token` names. `NOT_FOUND` for a forged token.
pub async fn open(p: &Parley, token: &str) -> Result<()> {
    let token = token.trim_end_matches(".gif");
    let r = links::read(p, Purpose::Open, token, "").ok_or(Error::NotFound)?;
    record(p, r, None).await
}

/// Records a click of the send `token` names on `url`, and answers where to go:
/// `url`, only when the message held it (`NOT_FOUND` otherwise).
pub async fn click(p: &Parley, token: &str, url: &str) -> Result<String> {
    let r = links::read(p, Purpose::Click, token, url).ok_or(Error::NotFound)?;
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(Error::NotFound);
    }
    // A reader whose click could not be recorded still gets where the link leads.
    if let Err(e) = record(p, r, Some(url)).await {
        tracing::warn!(error = %e, "a click could not be recorded");
    }
    Ok(url.to_owned())
}

/// A click counts as an open too (the pixel may be blocked).
async fn record(p: &Parley, r: SendRef, clicked: Option<&str>) -> Result<()> {
    let ctx = system(r);
    let tx = p.tenant_tx(&ctx).await?;
    let s = tx.find::<campaign_send::Entity>(r.send).await?;
    let t = now();
    let first_open = s.opened_at.is_none();
    let first_click = clicked.is_some() && s.clicked_at.is_none();
    tx.update::<campaign_send::Entity>("campaign_send.response", s.id, |am| {
        if clicked.is_none() {
            am.opens = Set(s.opens.saturating_add(1));
        }
        if first_open {
            am.opened_at = Set(Some(t));
        }
        if clicked.is_some() {
            am.clicks = Set(s.clicks.saturating_add(1));
        }
        if first_click {
            am.clicked_at = Set(Some(t));
        }
        Ok(())
    })
    .await?;
    let c = tx.find::<contact::Entity>(s.contact_id).await?;
    let person = c.merged_into.unwrap_or(c.id);
    let base = json!({ "campaignId": s.campaign_id, "sendId": s.id, "channel": Channel::Email });
    if first_open {
        timeline::append(&tx, person, "email_opened", base.clone(), t).await?;
    }
    if let Some(url) = clicked {
        let mut props = base;
        props["url"] = json!(url);
        timeline::append(&tx, person, "email_clicked", props, t).await?;
    }
    tx.commit().await?;
    Ok(())
}
