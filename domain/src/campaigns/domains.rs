//! Sending domains: the domains a workspace sends campaigns from. Parley makes each
//! one's DKIM key pair (RSA 2048), keeps the private key sealed, and shows the DNS TXT
//! record to publish; bounces return to an address at the domain.

use base64::Engine;
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde_json::json;

use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{Audited, Error, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now};
use entities::campaigns::enums::CampaignStatus;
use entities::ids::SendingDomainId;
use entities::{campaign, sending_domain};

/// A domain a workspace sends from.
pub type SendingDomain = sending_domain::Model;

impl Audited for SendingDomain {
    fn audit_json(&self) -> serde_json::Value {
        // Never the key, sealed or not.
        json!({ "domain": self.domain, "selector": self.dkim_selector, "publicKey": self.dkim_public_key })
    }
}

/// Bits of the RSA keys Parley makes (what receivers expect today; 1024 is refused by
/// some, 4096 does not fit one TXT string everywhere).
const KEY_BITS: usize = 2048;

/// The DNS name the DKIM record is published at.
pub fn record_name(d: &SendingDomain) -> String {
    format!("{}._domainkey.{}", d.dkim_selector, d.domain)
}

/// The DKIM TXT record to publish.
pub fn record_value(d: &SendingDomain) -> String {
    format!("v=DKIM1; k=rsa; p={}", d.dkim_public_key)
}

/// A domain name as stored: lower case, no trailing dot, letters, digits and hyphens in
/// two or more labels (an internationalised name is written in its `xn--` form).
pub fn domain_name(field: &str, raw: &str) -> Result<String> {
    let d = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    if d.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if !d.is_ascii() {
        return Err(Error::invalid(field, "must be written in ASCII (use the xn-- form of an international name)"));
    }
    if d.len() > 253 {
        return Err(Error::invalid(field, "is longer than 253 characters"));
    }
    let labels: Vec<&str> = d.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(Error::invalid(field, "is not a domain name, like news.example.com"));
    }
    if labels.last().is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit())) {
        return Err(Error::invalid(field, "is an address, not a domain name"));
    }
    Ok(d)
}

/// `BAD_USER_INPUT` on `field` unless `from` is an address at `domain` or one of its
/// subdomains (so the DKIM signature aligns with the From header).
pub(crate) fn check_from(field: &str, from: &str, domain: &str) -> Result<()> {
    let at = from.rsplit('@').next().unwrap_or_default();
    if at == domain || at.ends_with(&format!(".{domain}")) {
        return Ok(());
    }
    Err(Error::invalid(
        field,
        format!("must be an address at {domain} (the sending domain), so its DKIM signature aligns"),
    ))
}

/// A fresh key pair: the private key as PKCS#1 PEM, the public one as base64 DER.
fn key_pair() -> Result<(String, String)> {
    let mut rng = rsa::rand_core::OsRng;
    let private = rsa::RsaPrivateKey::new(&mut rng, KEY_BITS).map_err(Error::internal)?;
    let pem = private.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).map_err(Error::internal)?.to_string();
    let public = private.to_public_key().to_public_key_der().map_err(Error::internal)?;
    Ok((pem, base64::engine::general_purpose::STANDARD.encode(public.as_bytes())))
}

fn sealed_purpose(id: SendingDomainId) -> String {
    format!("dkim:{id}")
}

/// Adds a sending domain with a new DKIM key pair. `CONFLICT` when the workspace has it.
pub async fn add(ctx: &TenantCtx, p: &Parley, domain: &str) -> Result<SendingDomain> {
    let domain = domain_name("domain", domain)?;
    let taken = |d: &str| Error::Conflict(format!("{d} is already a sending domain of this workspace"));
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageSendingDomains)?;
    let exists =
        sending_domain::Entity::scoped(ctx).filter(sending_domain::Column::Domain.eq(domain.as_str())).one(&tx).await?;
    tx.commit().await?;
    if exists.is_some() {
        return Err(taken(&domain));
    }
    // Making a key takes a moment of CPU: off the async threads, outside a transaction.
    let (pem, public) = tokio::task::spawn_blocking(key_pair).await.map_err(Error::internal)??;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageSendingDomains)?;
    let exists =
        sending_domain::Entity::scoped(ctx).filter(sending_domain::Column::Domain.eq(domain.as_str())).one(&tx).await?;
    if exists.is_some() {
        return Err(taken(&domain));
    }
    let id: SendingDomainId = new_id();
    let t = now();
    let row = sending_domain::ActiveModel {
        id: Set(id),
        domain: Set(domain),
        dkim_selector: Set(format!("parley{}", t.format("%Y%m"))),
        dkim_private_key: Set(p.settings().secrets.seal(&sealed_purpose(id), &pem)?),
        dkim_public_key: Set(public),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        ..Default::default()
    };
    let d = tx.create("sending_domain.added", row).await?;
    tx.commit().await?;
    Ok(d)
}

/// One sending domain.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: SendingDomainId) -> Result<SendingDomain> {
    p.find::<sending_domain::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// The workspace's sending domains, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<SendingDomain>> {
    p.page::<sending_domain::Entity>(ctx, Permission::ReadWorkspace, Order::Oldest, args).await
}

/// Removes a sending domain and its key. `CONFLICT` while a campaign that is not over
/// sends from it.
pub async fn remove(ctx: &TenantCtx, p: &Parley, id: SendingDomainId) -> Result<SendingDomain> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageSendingDomains)?;
    let d = tx.find::<sending_domain::Entity>(id).await?;
    let used = campaign::Entity::scoped(ctx)
        .filter(campaign::Column::SendingDomainId.eq(id))
        .filter(campaign::Column::Status.is_not_in([CampaignStatus::Completed, CampaignStatus::Cancelled]))
        .one(&tx)
        .await?;
    if let Some(c) = used {
        return Err(Error::Conflict(format!("the campaign \"{}\" sends from {}", c.name, d.domain)));
    }
    let gone = tx.delete::<sending_domain::Entity>("sending_domain.removed", d).await?;
    tx.commit().await?;
    Ok(gone)
}

/// What signs a domain's mail.
#[derive(Clone)]
pub struct DkimKey {
    pub domain: String,
    pub selector: String,
    /// The private key, PKCS#1 PEM.
    pub private_pem: String,
}

impl std::fmt::Debug for DkimKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DkimKey").field("domain", &self.domain).field("selector", &self.selector).finish()
    }
}

/// The signing key of domain `id`, unsealed, for the sender.
pub(crate) async fn key_in(tx: &TenantTx<'_>, p: &Parley, id: SendingDomainId) -> Result<DkimKey> {
    let d = tx.find::<sending_domain::Entity>(id).await?;
    let pem = p.settings().secrets.open(&sealed_purpose(id), &d.dkim_private_key)?;
    Ok(DkimKey { domain: d.domain, selector: d.dkim_selector, private_pem: pem })
}
