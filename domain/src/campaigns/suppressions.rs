//! The suppression list (DEC-8): addresses of a workspace that no campaign sends to,
//! with why (hard bounce, soft bounces past the threshold, complaint, unsubscribe, put
//! there by hand), and the one-click unsubscribe (RFC 8058) that adds to it. A list
//! belongs to one workspace: an address suppressed in one is untouched in another.

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde_json::{Value, json};

use super::links::{self, Purpose, SendRef};
use crate::contacts::consent::set_consent_in;
use crate::contacts::{Channel, ConsentStatus, timeline};
use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::validate::Email;
use crate::{
    Actor, Audited, CampaignSendId, Error, Order, Parley, Permission, Result, Role, TenantCtx, TenantTx, new_id, now,
};
use entities::campaigns::enums::SuppressionReason;
use entities::{campaign_send, contact, email_suppression, workspace};

/// An address on the list (or counted toward it).
pub type Suppression = email_suppression::Model;

impl Audited for Suppression {
    fn audit_json(&self) -> Value {
        json!({ "email": self.email, "reason": self.reason, "softBounces": self.soft_bounces, "detail": self.detail })
    }
}

/// Where `email` stands in `ctx`'s workspace (None: never bounced nor suppressed).
pub async fn status_of(ctx: &TenantCtx, p: &Parley, email: &str) -> Result<Option<Suppression>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let found = find_in(&tx, &email.trim().to_lowercase()).await?;
    tx.commit().await?;
    Ok(found)
}

pub(crate) async fn find_in(tx: &TenantTx<'_>, email: &str) -> Result<Option<Suppression>> {
    Ok(email_suppression::Entity::scoped(tx.ctx()).filter(email_suppression::Column::Email.eq(email)).one(tx).await?)
}

/// The suppressed addresses, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<Suppression>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let q = email_suppression::Entity::scoped(ctx).filter(email_suppression::Column::Reason.is_not_null());
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// Suppresses `email` for `reason` (an address already suppressed keeps its first
/// reason, unless a complaint or hard bounce outranks an unsubscribe).
pub(crate) async fn suppress_in(
    tx: &TenantTx<'_>,
    email: &str,
    reason: SuppressionReason,
    detail: &str,
    send: Option<CampaignSendId>,
) -> Result<Suppression> {
    let t = now();
    let detail: String = detail.chars().take(500).collect();
    match find_in(tx, email).await? {
        Some(s) if s.reason.is_some() && !outranks(reason, s.reason) => Ok(s),
        Some(s) => {
            tx.update::<email_suppression::Entity>("email.suppressed", s.id, |am| {
                am.reason = Set(Some(reason));
                am.detail = Set(detail);
                am.send_id = Set(send.or(s.send_id));
                am.suppressed_at = Set(Some(t));
                am.updated_at = Set(t);
                Ok(())
            })
            .await
        }
        None => {
            let row = email_suppression::ActiveModel {
                id: Set(new_id()),
                email: Set(email.to_owned()),
                reason: Set(Some(reason)),
                soft_bounces: Set(0),
                detail: Set(detail),
                send_id: Set(send),
                suppressed_at: Set(Some(t)),
                updated_at: Set(t),
                ..Default::default()
            };
            tx.create("email.suppressed", row).await
        }
    }
}

fn outranks(new: SuppressionReason, old: Option<SuppressionReason>) -> bool {
    use SuppressionReason::*;
    matches!((new, old), (HardBounce | Complaint, Some(Unsubscribed | SoftBounces | Manual)))
}

/// Puts `email` on the list by hand.
pub async fn add(ctx: &TenantCtx, p: &Parley, email: &str, note: &str) -> Result<Suppression> {
    let email = Email::parse("email", email)?;
    let note = crate::validate::text("note", note, 500)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let s = suppress_in(&tx, email.as_str(), SuppressionReason::Manual, &note, None).await?;
    tx.commit().await?;
    Ok(s)
}

/// Takes `email` off the list (its soft bounces are forgotten too). `NOT_FOUND` when it
/// is not on it.
pub async fn remove(ctx: &TenantCtx, p: &Parley, email: &str) -> Result<Suppression> {
    let email = Email::parse("email", email)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let s = find_in(&tx, email.as_str()).await?.ok_or(Error::NotFound)?;
    let gone = tx.delete::<email_suppression::Entity>("email.unsuppressed", s).await?;
    tx.commit().await?;
    Ok(gone)
}

/// What the unsubscribe page shows before asking.
#[derive(Debug, Clone)]
pub struct UnsubscribeInfo {
    pub workspace: String,
    /// The address, partly hidden (`j***@example.com`).
    pub email: String,
    pub already: bool,
}

fn masked(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => format!("{}***@{domain}", local.chars().next().unwrap_or('*')),
        None => "***".into(),
    }
}

fn system(tenant: crate::WorkspaceId) -> TenantCtx {
    TenantCtx::new(tenant, Actor::System, Role::Admin)
}

/// The send an unsubscribe token names (`NOT_FOUND` for a forged or unknown one).
async fn send_of(p: &Parley, token: &str) -> Result<(TenantCtx, SendRef)> {
    let r = links::read(p, Purpose::Unsubscribe, token, "").ok_or(Error::NotFound)?;
    Ok((system(r.tenant), r))
}

/// What the unsubscribe page says for `token`.
pub async fn unsubscribe_info(p: &Parley, token: &str) -> Result<UnsubscribeInfo> {
    let (ctx, r) = send_of(p, token).await?;
    let tx = p.tenant_tx(&ctx).await?;
    let s = tx.find::<campaign_send::Entity>(r.send).await?;
    let ws = {
        use sea_orm::EntityTrait;
        workspace::Entity::find_by_id(r.tenant).one(&tx).await?.ok_or(Error::NotFound)?
    };
    let email = s.email.clone().unwrap_or_default();
    let already = s.unsubscribed_at.is_some() || find_in(&tx, &email).await?.is_some_and(|x| x.reason.is_some());
    tx.commit().await?;
    Ok(UnsubscribeInfo { workspace: ws.name, email: masked(&email), already })
}

/// Unsubscribes the recipient of the send `token` names: their email consent becomes
/// denied (source `unsubscribe link`), their address is suppressed, and the send and the
/// contact's timeline record it. Doing it again changes nothing.
pub async fn unsubscribe(p: &Parley, token: &str) -> Result<UnsubscribeInfo> {
    let (ctx, r) = send_of(p, token).await?;
    let tx = p.tenant_tx(&ctx).await?;
    let s = tx.find::<campaign_send::Entity>(r.send).await?;
    let t = now();
    if s.unsubscribed_at.is_none() {
        tx.update::<campaign_send::Entity>("campaign_send.unsubscribed", s.id, |am| {
            am.unsubscribed_at = Set(Some(t));
            Ok(())
        })
        .await?;
        // The contact may have been merged into another since: that one is asking.
        let c = tx.find::<contact::Entity>(s.contact_id).await?;
        let person = c.merged_into.unwrap_or(c.id);
        match set_consent_in(&tx, person, Channel::Email, ConsentStatus::Denied, "unsubscribe link".into()).await {
            Ok(_) | Err(Error::NotFound) => {}
            Err(e) => return Err(e),
        }
        let props = json!({ "campaignId": s.campaign_id, "sendId": s.id, "channel": Channel::Email });
        timeline::append(&tx, person, "email_unsubscribed", props, t).await?;
    }
    if let Some(email) = s.email.as_deref() {
        suppress_in(&tx, email, SuppressionReason::Unsubscribed, "unsubscribe link", Some(s.id)).await?;
    }
    tx.commit().await?;
    unsubscribe_info(p, token).await
}

/// One entry of the list, by ID.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: crate::EmailSuppressionId) -> Result<Suppression> {
    p.find::<email_suppression::Entity>(ctx, Permission::ReadContacts, id).await
}
