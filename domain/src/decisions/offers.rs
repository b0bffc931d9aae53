//! The offer catalogue (DEC-1): code, name, channels, validity window, value and cost,
//! creative variants and the marketer's own attributes. Every change makes a new version,
//! kept whole in `offer_versions`, so decisions and the history can name what they
//! showed; an offer is retired, never deleted.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Offer, OfferStatus, OfferVersion};
use crate::contacts::Channel;
use crate::db::TenantOwned;
use crate::money::Money;
use crate::page::{Page, PageArgs};
use crate::{Error, OfferId, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now, validate};
use entities::{offer, offer_version};

/// The most creative variants an offer holds.
pub const MAX_CREATIVES: usize = 10;
/// The most bytes an offer's attributes take, as JSON.
pub const MAX_ATTRIBUTES_BYTES: usize = 8 * 1024;
/// The currency of an offer given neither a value nor a cost.
pub const DEFAULT_CURRENCY: &str = "EUR";

/// One way of showing an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Creative {
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub image_url: Option<String>,
    #[serde(default)]
    pub link: Option<String>,
}

/// An offer as a marketer writes it. `value` and `cost` are (amount, currency) pairs,
/// in one currency; a missing one is zero.
#[derive(Debug, Clone, Default)]
pub struct OfferInput {
    pub code: String,
    pub name: String,
    pub channels: Vec<Channel>,
    pub value: Option<(String, String)>,
    pub cost: Option<(String, String)>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_to: Option<DateTime<Utc>>,
    pub creatives: Vec<Creative>,
    pub attributes: Option<Value>,
    /// Most presentations to one contact within `max_per_contact_days` (both or neither).
    pub max_per_contact: Option<i32>,
    pub max_per_contact_days: Option<i32>,
    /// Most presentations in all.
    pub capacity: Option<i64>,
}

/// An offer input once checked.
struct Checked {
    code: String,
    name: String,
    channels: Vec<Channel>,
    currency: String,
    value_minor: i64,
    cost_minor: i64,
    valid_from: Option<DateTime<Utc>>,
    valid_to: Option<DateTime<Utc>>,
    creatives: Vec<Creative>,
    attributes: Value,
    max_per_contact: Option<i32>,
    max_per_contact_days: Option<i32>,
    capacity: Option<i64>,
}

/// The largest capacity.
pub const MAX_CAPACITY: i64 = 1_000_000_000_000;

/// A per-contact limit: a maximum and its window in days, both or neither.
fn per_contact(max: Option<i32>, days: Option<i32>) -> Result<(Option<i32>, Option<i32>)> {
    match (max, days) {
        (None, None) => Ok((None, None)),
        (Some(m), Some(d)) => {
            if !(1..=1_000).contains(&m) {
                return Err(Error::invalid("maxPerContact", "is from 1 to 1000 presentations"));
            }
            if !(1..=365).contains(&d) {
                return Err(Error::invalid("maxPerContactDays", "is from 1 to 365 days"));
            }
            Ok((Some(m), Some(d)))
        }
        (Some(_), None) => Err(Error::invalid("maxPerContactDays", "is required with maxPerContact")),
        (None, Some(_)) => Err(Error::invalid("maxPerContact", "is required with maxPerContactDays")),
    }
}

/// An offer code: 1 to 40 of `A-Z 0-9 - _ .`, kept in upper case.
pub fn code(field: &str, raw: &str) -> Result<String> {
    let c = raw.trim().to_ascii_uppercase();
    if c.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if c.len() > 40 || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch)) {
        return Err(Error::invalid(field, "is 1 to 40 letters, digits, '-', '_' or '.'"));
    }
    Ok(c)
}

/// An absolute http(s) URL of at most 2,048 characters.
fn web_url(field: &str, raw: &str) -> Result<String> {
    let s = raw.trim();
    if s.len() > 2048 {
        return Err(Error::invalid(field, "is longer than 2048 characters"));
    }
    match url::Url::parse(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(s.to_owned()),
        _ => Err(Error::invalid(field, "is not an http(s) URL")),
    }
}

fn check(input: OfferInput) -> Result<Checked> {
    let code = code("code", &input.code)?;
    let name = validate::name("name", &input.name, 200)?;
    if input.channels.is_empty() {
        return Err(Error::invalid("channels", "names at least one channel"));
    }
    let mut channels = Vec::new();
    for c in input.channels {
        if !channels.contains(&c) {
            channels.push(c);
        }
    }
    let value = input.value.map(|(a, c)| Money::parse("value", &a, &c)).transpose()?;
    let cost = input.cost.map(|(a, c)| Money::parse("cost", &a, &c)).transpose()?;
    for (m, field) in [(&value, "value"), (&cost, "cost")] {
        if m.as_ref().is_some_and(|m| m.minor < 0) {
            return Err(Error::invalid(&format!("{field}.amount"), "must not be negative"));
        }
    }
    let currency = match (&value, &cost) {
        (Some(v), Some(c)) => {
            c.require_currency("cost", &v.currency, "the offer's value")?;
            v.currency.clone()
        }
        (Some(m), None) | (None, Some(m)) => m.currency.clone(),
        (None, None) => DEFAULT_CURRENCY.to_owned(),
    };
    if let (Some(from), Some(to)) = (input.valid_from, input.valid_to)
        && to <= from
    {
        return Err(Error::invalid("validTo", "is not after validFrom"));
    }
    if input.creatives.len() > MAX_CREATIVES {
        return Err(Error::invalid("creatives", format!("holds at most {MAX_CREATIVES} variants")));
    }
    let creatives = input
        .creatives
        .iter()
        .enumerate()
        .map(|(i, c)| {
            Ok(Creative {
                title: validate::name(&format!("creatives[{i}].title"), &c.title, 200)?,
                body: validate::text(&format!("creatives[{i}].body"), &c.body, 4000)?,
                image_url: c
                    .image_url
                    .as_deref()
                    .filter(|u| !u.trim().is_empty())
                    .map(|u| web_url(&format!("creatives[{i}].imageUrl"), u))
                    .transpose()?,
                link: c
                    .link
                    .as_deref()
                    .filter(|u| !u.trim().is_empty())
                    .map(|u| web_url(&format!("creatives[{i}].link"), u))
                    .transpose()?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let attributes = match input.attributes {
        None | Some(Value::Null) => json!({}),
        Some(Value::Object(o)) => Value::Object(o),
        Some(_) => return Err(Error::invalid("attributes", "is not a JSON object")),
    };
    if attributes.to_string().len() > MAX_ATTRIBUTES_BYTES {
        return Err(Error::invalid("attributes", format!("is larger than {} KiB", MAX_ATTRIBUTES_BYTES / 1024)));
    }
    let (max_per_contact, max_per_contact_days) = per_contact(input.max_per_contact, input.max_per_contact_days)?;
    if input.capacity.is_some_and(|c| !(1..=MAX_CAPACITY).contains(&c)) {
        return Err(Error::invalid("capacity", "is from 1 to 1,000,000,000,000 presentations"));
    }
    Ok(Checked {
        code,
        name,
        channels,
        currency,
        value_minor: value.map_or(0, |m| m.minor),
        cost_minor: cost.map_or(0, |m| m.minor),
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        creatives,
        attributes,
        max_per_contact,
        max_per_contact_days,
        capacity: input.capacity,
    })
}

/// The channels an offer may be shown on.
pub fn channels_of(o: &Offer) -> Vec<Channel> {
    serde_json::from_value(o.channels.clone()).unwrap_or_default()
}

/// The creative variants of an offer.
pub fn creatives_of(o: &Offer) -> Vec<Creative> {
    serde_json::from_value(o.creatives.clone()).unwrap_or_default()
}

/// Everything a version keeps of the offer.
fn content(o: &Offer) -> Value {
    json!({
        "code": o.code, "name": o.name, "channels": o.channels, "validFrom": o.valid_from,
        "validTo": o.valid_to, "currency": o.currency, "valueMinor": o.value_minor,
        "costMinor": o.cost_minor, "creatives": o.creatives, "attributes": o.attributes,
        "maxPerContact": o.max_per_contact, "maxPerContactDays": o.max_per_contact_days, "capacity": o.capacity,
    })
}

async fn code_free(tx: &TenantTx<'_>, code: &str, me: Option<OfferId>) -> Result<()> {
    let mut q = offer::Entity::scoped(tx.ctx()).filter(offer::Column::Code.eq(code));
    if let Some(me) = me {
        q = q.filter(offer::Column::Id.ne(me));
    }
    match q.one(tx).await? {
        Some(_) => Err(Error::invalid("code", "is already the code of an offer of this workspace")),
        None => Ok(()),
    }
}

async fn save_version(tx: &TenantTx<'_>, ctx: &TenantCtx, o: &Offer) -> Result<()> {
    let row = offer_version::ActiveModel {
        id: Set(new_id()),
        offer_id: Set(o.id),
        version: Set(o.version),
        content: Set(content(o)),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(o.updated_at),
        ..Default::default()
    };
    tx.create("offer_version.created", row).await?;
    Ok(())
}

/// Adds an offer to the catalogue, at version 1.
pub async fn create(ctx: &TenantCtx, p: &Parley, input: OfferInput) -> Result<Offer> {
    let c = check(input)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    code_free(&tx, &c.code, None).await?;
    let t = now();
    let row = offer::ActiveModel {
        id: Set(new_id()),
        code: Set(c.code),
        name: Set(c.name),
        status: Set(OfferStatus::Active),
        version: Set(1),
        channels: Set(json!(c.channels)),
        valid_from: Set(c.valid_from),
        valid_to: Set(c.valid_to),
        currency: Set(c.currency),
        value_minor: Set(c.value_minor),
        cost_minor: Set(c.cost_minor),
        creatives: Set(json!(c.creatives)),
        attributes: Set(c.attributes),
        max_per_contact: Set(c.max_per_contact),
        max_per_contact_days: Set(c.max_per_contact_days),
        capacity: Set(c.capacity),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        updated_at: Set(t),
        retired_at: Set(None),
        approval_id: Set(None),
        ..Default::default()
    };
    let saved = tx.create("offer.created", row).await?;
    save_version(&tx, ctx, &saved).await?;
    let saved = submit_in(&tx, p, &saved).await?;
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

/// Changes an offer: a new version, the earlier ones kept. A retired offer is not
/// changed (`CONFLICT`).
pub async fn update(ctx: &TenantCtx, p: &Parley, id: OfferId, input: OfferInput) -> Result<Offer> {
    let c = check(input)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    let o = tx.lock::<offer::Entity>(id).await?;
    if o.status == OfferStatus::Retired {
        return Err(Error::Conflict("the offer is retired; add a new one instead".into()));
    }
    code_free(&tx, &c.code, Some(id)).await?;
    let saved = tx
        .update::<offer::Entity>("offer.updated", id, |am| {
            am.code = Set(c.code);
            am.name = Set(c.name);
            am.version = Set(o.version + 1);
            am.channels = Set(json!(c.channels));
            am.valid_from = Set(c.valid_from);
            am.valid_to = Set(c.valid_to);
            am.currency = Set(c.currency);
            am.value_minor = Set(c.value_minor);
            am.cost_minor = Set(c.cost_minor);
            am.creatives = Set(json!(c.creatives));
            am.attributes = Set(c.attributes);
            am.max_per_contact = Set(c.max_per_contact);
            am.max_per_contact_days = Set(c.max_per_contact_days);
            am.capacity = Set(c.capacity);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    save_version(&tx, ctx, &saved).await?;
    let saved = submit_in(&tx, p, &saved).await?;
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

/// Asks for the approval the workspace's rules want for `o` as it now is (the amount
/// they are compared with is its cost): with a request the offer waits in approval, out
/// of decisions, until it is approved; with none it is active. A request still pending
/// for an earlier version is cancelled first.
async fn submit_in(tx: &TenantTx<'_>, p: &Parley, o: &Offer) -> Result<Offer> {
    use crate::approvals::requests::{Subject, cancel_in, request_in};
    if let Some(a) = o.approval_id
        && o.status == OfferStatus::InApproval
    {
        cancel_in(tx, a).await?;
    }
    let subject = Subject {
        object_type: crate::ApprovalObject::Offer,
        object_id: o.id.into(),
        amount: Some(Money::of(o.cost_minor, &o.currency)),
        summary: format!("Offer {} '{}', version {}", o.code, o.name, o.version),
        requester: crate::approvals::person_of(tx).await?,
        places: Vec::new(),
    };
    let (status, approval, action) = match request_in(tx, p, subject).await? {
        Some(a) => (OfferStatus::InApproval, Some(a.id), "offer.submitted"),
        None if o.status == OfferStatus::Active => return Ok(o.clone()),
        None => (OfferStatus::Active, o.approval_id, "offer.activated"),
    };
    tx.update::<offer::Entity>(action, o.id, |am| {
        am.status = Set(status);
        am.approval_id = Set(approval);
        Ok(())
    })
    .await
}

/// What an approval's outcome does to the offer it was about: approved, it is active
/// (a candidate again); refused or sent back, a draft until it is changed.
pub(crate) async fn decided_in(
    tx: &TenantTx<'_>,
    p: &Parley,
    id: OfferId,
    outcome: crate::approvals::requests::Outcome,
) -> Result<()> {
    use crate::approvals::requests::Outcome;
    let o = tx.lock::<offer::Entity>(id).await?;
    if o.status != OfferStatus::InApproval {
        return Ok(());
    }
    let (status, action) = match outcome {
        Outcome::Approved => (OfferStatus::Active, "offer.approved"),
        Outcome::Rejected => (OfferStatus::Draft, "offer.rejected"),
        Outcome::Returned => (OfferStatus::Draft, "offer.returned"),
    };
    tx.update::<offer::Entity>(action, id, |am| {
        am.status = Set(status);
        am.updated_at = Set(now());
        Ok(())
    })
    .await?;
    p.changed();
    Ok(())
}

/// Retires an offer: never chosen again, kept for the history. Retiring a retired
/// offer is a `CONFLICT`; so is retiring a point's fallback.
pub async fn retire(ctx: &TenantCtx, p: &Parley, id: OfferId) -> Result<Offer> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    let o = tx.lock::<offer::Entity>(id).await?;
    if o.status == OfferStatus::Retired {
        return Err(Error::Conflict("the offer is retired already".into()));
    }
    if let Some(point) = super::points::falling_back_to(&tx, id).await? {
        return Err(Error::Conflict(format!(
            "the offer is the fallback of the point \"{}\"; choose another fallback first",
            point.name
        )));
    }
    if let Some(a) = o.approval_id
        && o.status == OfferStatus::InApproval
    {
        crate::approvals::requests::cancel_in(&tx, a).await?;
    }
    let t = now();
    let saved = tx
        .update::<offer::Entity>("offer.retired", id, |am| {
            am.status = Set(OfferStatus::Retired);
            am.retired_at = Set(Some(t));
            am.updated_at = Set(t);
            Ok(())
        })
        .await?;
    tx.commit().await?;
    p.changed();
    Ok(saved)
}

/// One offer.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: OfferId) -> Result<Offer> {
    p.find::<offer::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The catalogue, newest first: one status, or all.
pub async fn list(ctx: &TenantCtx, p: &Parley, status: Option<OfferStatus>, args: PageArgs) -> Result<Page<Offer>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let mut q = offer::Entity::scoped(ctx);
    if let Some(s) = status {
        q = q.filter(offer::Column::Status.eq(s));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// Every version of an offer, newest first.
pub async fn versions(ctx: &TenantCtx, p: &Parley, id: OfferId) -> Result<Vec<OfferVersion>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.find::<offer::Entity>(id).await?;
    let all = offer_version::Entity::scoped(ctx)
        .filter(offer_version::Column::OfferId.eq(id))
        .order_by_desc(offer_version::Column::Version)
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(all)
}

/// The offers of `ids` in this workspace, in that order; an unknown or retired one is
/// `BAD_USER_INPUT` naming `field[i]` (another workspace's is unknown here).
pub(crate) async fn active_in(tx: &TenantTx<'_>, field: &str, ids: &[OfferId]) -> Result<Vec<Offer>> {
    let mut out = Vec::with_capacity(ids.len());
    for (i, id) in ids.iter().enumerate() {
        let o = match tx.find::<offer::Entity>(*id).await {
            Ok(o) => o,
            Err(Error::NotFound) => {
                return Err(Error::invalid(&format!("{field}[{i}]"), "is not an offer of this workspace"));
            }
            Err(e) => return Err(e),
        };
        if o.status == OfferStatus::Retired {
            return Err(Error::invalid(&format!("{field}[{i}]"), format!("is the retired offer {}", o.code)));
        }
        out.push(o);
    }
    Ok(out)
}
