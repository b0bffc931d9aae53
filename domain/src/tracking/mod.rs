//! Tracking (INS-3): what visitors do on a workspace's sites and apps, sent in batches
//! with the workspace's publishable key, checked event by event, and written to the
//! contact history in one statement per batch. An anonymous visitor's history joins the
//! contact's when the visitor identifies.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::contacts::{ContactChanges, Edit, identity};
use crate::crypto::random_alnum;
use crate::db::TenantOwned;
use crate::{
    Actor, ContactId, Error, Parley, Permission, Result, Role, TenantCtx, TenantTx, TrackingKeyId, TypedId,
    WorkspaceId, new_id, now,
};
use entities::{contact, contact_event, tracking_key, visitor};

/// A workspace's publishable key.
pub type TrackingKey = tracking_key::Model;

/// How publishable keys start.
pub const KEY_PREFIX: &str = "prly_pk_";
/// Most events in one request.
pub const MAX_BATCH: usize = 100;
/// Largest `properties` of one event, as JSON.
pub const MAX_PROPERTIES: usize = 8 * 1024;
/// How far ahead of Parley's clock an event may claim to have happened (clock skew).
const MAX_AHEAD: Duration = Duration::minutes(5);
/// How long ago a tracked event may have happened; older history is imported instead.
const MAX_AGE: Duration = Duration::days(30);

/// An event that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Rejection {
    /// Its place in the batch (from 0).
    pub index: usize,
    /// The event's field at fault.
    pub field: String,
    pub reason: String,
}

/// What became of a batch.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Events written.
    pub accepted: usize,
    /// Events refused, each with its reason; the others were written.
    pub rejected: Vec<Rejection>,
}

/// The workspace's current publishable key, if it has one.
pub async fn current_key(ctx: &TenantCtx, p: &Parley) -> Result<Option<TrackingKey>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let k = live_keys(&tx).await?.into_iter().next_back();
    tx.commit().await?;
    Ok(k)
}

/// One of the workspace's publishable keys (current or retired).
pub async fn get(ctx: &TenantCtx, p: &Parley, id: TrackingKeyId) -> Result<TrackingKey> {
    p.find::<tracking_key::Entity>(ctx, Permission::ReadContacts, id).await
}

async fn live_keys(tx: &TenantTx<'_>) -> Result<Vec<TrackingKey>> {
    Ok(tracking_key::Entity::scoped(tx.ctx())
        .filter(tracking_key::Column::RevokedAt.is_null())
        .order_by_asc(tracking_key::Column::Id)
        .all(tx)
        .await?)
}

impl crate::Audited for TrackingKey {
    fn audit_json(&self) -> Value {
        serde_json::json!({ "key": self.key, "revoked": self.revoked_at.is_some() })
    }
}

/// Issues a new publishable key; the old one stops working at once (pages that still
/// carry it get `401` until they are updated).
pub async fn rotate_key(ctx: &TenantCtx, p: &Parley) -> Result<TrackingKey> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageTracking)?;
    for k in live_keys(&tx).await? {
        tx.update::<tracking_key::Entity>("tracking_key.revoked", k.id, |row| {
            row.revoked_at = Set(Some(now()));
            Ok(())
        })
        .await?;
    }
    let key = format!("{KEY_PREFIX}{}_{}", random_alnum(24), ctx.tenant_id().uuid().simple());
    let row = tracking_key::ActiveModel {
        id: Set(new_id()),
        key: Set(key),
        created_at: Set(now()),
        revoked_at: Set(None),
        ..Default::default()
    };
    let k = tx.create("tracking_key.created", row).await?;
    tx.commit().await?;
    p.changed();
    Ok(k)
}

/// One event as checked: what happened, to whom, when.
struct Checked {
    kind: String,
    anonymous_id: Option<String>,
    identity: Option<(contact::Column, String)>,
    properties: Value,
    occurred_at: DateTime<Utc>,
}

fn text<'a>(o: &'a Map<String, Value>, field: &str) -> std::result::Result<Option<&'a str>, (String, String)> {
    match o.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim())),
        Some(_) => Err((field.to_owned(), "must be non-empty text".to_owned())),
    }
}

/// Checks one event; `Err((field, reason))` when it cannot be taken.
fn check(raw: &Value, clock: DateTime<Utc>) -> std::result::Result<Checked, (String, String)> {
    let bad = |field: &str, reason: &str| Err((field.to_owned(), reason.to_owned()));
    let Some(o) = raw.as_object() else { return bad("", "an event is a JSON object") };
    let Some(kind) = text(o, "type")? else { return bad("type", "is required") };
    if kind.len() > 64 || !kind.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')) {
        return bad("type", "use up to 64 letters, digits and _ - . :");
    }
    let anonymous_id = text(o, "anonymousId")?.map(str::to_owned);
    if anonymous_id.as_ref().is_some_and(|a| a.len() > 100) {
        return bad("anonymousId", "is longer than 100 characters");
    }
    let parse = |f: &str, r: Result<String>| r.map_err(|e| (f.to_owned(), e.to_string()));
    let identity = match (text(o, "email")?, text(o, "phone")?, text(o, "externalId")?) {
        (Some(e), _, _) => Some((contact::Column::Email, parse("email", identity::email("email", e))?)),
        (None, Some(ph), _) => Some((contact::Column::Phone, parse("phone", identity::phone("phone", ph))?)),
        (None, None, Some(x)) => {
            Some((contact::Column::ExternalId, parse("externalId", identity::external_id("externalId", x))?))
        }
        (None, None, None) => None,
    };
    if identity.is_none() && anonymous_id.is_none() {
        return bad("anonymousId", "an event needs an anonymousId or the contact's email, phone or externalId");
    }
    if kind == "identify" && identity.is_none() {
        return bad("email", "an identify event names the contact by email, phone or externalId");
    }
    let properties = match o.get("properties") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(p @ Value::Object(_)) => p.clone(),
        Some(_) => return bad("properties", "must be a JSON object"),
    };
    if properties.to_string().len() > MAX_PROPERTIES {
        return bad("properties", "is larger than 8 KiB");
    }
    let occurred_at = match text(o, "occurredAt")? {
        None => clock,
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(t) => t.with_timezone(&Utc),
            Err(_) => return bad("occurredAt", "must be an RFC 3339 time, like 2026-12-06T10:00:00Z"),
        },
    };
    if occurred_at > clock + MAX_AHEAD {
        return bad("occurredAt", "is in the future (more than 5 minutes ahead of Parley's clock)");
    }
    if occurred_at < clock - MAX_AGE {
        return bad("occurredAt", "is more than 30 days ago: import older history instead");
    }
    Ok(Checked { kind: kind.to_owned(), anonymous_id, identity, properties, occurred_at })
}

/// The workspace a publishable key names, before anything is read.
fn tenant_of(key: &str) -> Result<WorkspaceId> {
    let invalid = || Error::Unauthenticated("the tracking key is invalid or was replaced".into());
    let rest = key.trim().strip_prefix(KEY_PREFIX).ok_or_else(invalid)?;
    let (_, tenant) = rest.rsplit_once('_').ok_or_else(invalid)?;
    Ok(WorkspaceId::from(Uuid::try_parse(tenant).map_err(|_| invalid())?))
}

/// Takes a batch of events sent with a publishable key: each is checked on its own, the
/// good ones are written together, and each refused one is reported with its reason.
/// An event naming a contact (email, phone or external ID) goes to that contact,
/// who is added if new; one that also carries an `anonymousId` joins the visitor's
/// earlier anonymous events to the contact, and later anonymous events of that visitor
/// go to the contact too.
pub async fn ingest(p: &Parley, key: &str, events: &[Value]) -> Result<Report> {
    // Two batches naming the same new contact at once: the second to commit finds the
    // identity taken and its transaction rolled back whole; read again, it finds the
    // contact the first one added.
    let mut attempt = 0;
    loop {
        match ingest_once(p, key, events).await {
            Err(Error::Conflict(_)) if attempt < 2 && concurrent(events) => attempt += 1,
            other => return other,
        }
    }
}

/// Whether a batch names a contact, so a refusal may come from a concurrent batch
/// adding the same one.
fn concurrent(events: &[Value]) -> bool {
    events.iter().any(|e| ["email", "phone", "externalId"].iter().any(|k| e.get(k).is_some()))
}

/// The context a publishable key acts in: its workspace, as the key, with the rights
/// of a sales role (add contacts and events, ask for and answer decisions; define,
/// manage and read nothing more). `Unauthenticated` for a key that is malformed,
/// revoked or replaced.
pub async fn key_ctx(p: &Parley, key: &str) -> Result<TenantCtx> {
    key_ctx_of(p, tenant_of(key)?, key).await
}

async fn key_ctx_of(p: &Parley, tenant: WorkspaceId, key: &str) -> Result<TenantCtx> {
    let acting = |id| TenantCtx::new(tenant, Actor::TrackingKey { id }, Role::Sales);
    // A key seen in the last moment acts without a read (a key replaced on this node
    // stops at once, on another within a second).
    let node = p.node();
    let generation = node.generation();
    if let Some(hit) = node.keys.get(&key.trim().to_owned(), generation)
        && hit.0 == tenant
    {
        return Ok(acting(hit.1));
    }
    // The key's own row says which key acts; it is read in the tenant's transaction.
    let probe = TenantCtx::new(tenant, Actor::System, Role::Viewer);
    let tx = p.tenant_tx(&probe).await?;
    let found = tracking_key::Entity::scoped(&probe)
        .filter(tracking_key::Column::Key.eq(key.trim()))
        .filter(tracking_key::Column::RevokedAt.is_null())
        .one(&tx)
        .await?
        .ok_or_else(|| Error::Unauthenticated("the tracking key is invalid or was replaced".into()))?;
    tx.commit().await?;
    node.keys.put(key.trim().to_owned(), std::sync::Arc::new((tenant, found.id)), generation);
    Ok(acting(found.id))
}

async fn ingest_once(p: &Parley, key: &str, events: &[Value]) -> Result<Report> {
    let tenant = tenant_of(key)?;
    if events.len() > MAX_BATCH {
        return Err(Error::invalid("events", format!("send at most {MAX_BATCH} events per request")));
    }
    let clock = p.clock();
    let mut report = Report::default();
    let mut good = Vec::new();
    for (index, raw) in events.iter().enumerate() {
        match check(raw, clock) {
            Ok(c) => good.push(c),
            Err((field, reason)) => report.rejected.push(Rejection { index, field, reason }),
        }
    }
    let ctx = key_ctx_of(p, tenant, key).await?;
    let tx = p.tenant_tx(&ctx).await?;
    let mut contacts: HashMap<(String, String), ContactId> = HashMap::new();
    // Who each visitor of the batch identified as earlier: one query for all of them.
    let anonymous: Vec<String> = good.iter().filter_map(|c| c.anonymous_id.clone()).collect();
    let mut visitors: HashMap<String, Option<ContactId>> = stitched(&tx, anonymous).await?;
    let mut rows = Vec::with_capacity(good.len());
    for c in good {
        let mut contact_id = None;
        if let Some((col, value)) = &c.identity {
            let id = contact_for(&tx, &mut contacts, *col, value).await?;
            if let Some(anon) = c.anonymous_id.as_ref().filter(|a| visitors.get(*a) != Some(&Some(id))) {
                stitch(&tx, anon, id).await?;
                visitors.insert(anon.clone(), Some(id));
            }
            contact_id = Some(id);
        } else if let Some(anon) = &c.anonymous_id {
            contact_id = visitors.get(anon).copied().flatten();
        }
        rows.push(contact_event::ActiveModel {
            tenant_id: Set(tenant),
            id: Set(new_id()),
            contact_id: Set(contact_id),
            anonymous_id: Set(c.anonymous_id),
            kind: Set(c.kind),
            properties: Set(c.properties),
            occurred_at: Set(c.occurred_at),
            received_at: Set(clock),
        });
    }
    // A visitor who identified later in this batch owns their earlier events in it too.
    for row in &mut rows {
        if let (Set(None), Set(Some(anon))) = (&row.contact_id, &row.anonymous_id)
            && let Some(Some(id)) = visitors.get(anon)
        {
            row.contact_id = Set(Some(*id));
        }
    }
    report.accepted = rows.len();
    if !rows.is_empty() {
        contact_event::Entity::insert_many(rows).exec_without_returning(&tx).await?;
        crate::triggers::nudge_if_watching(&tx, p).await?;
    }
    tx.commit().await?;
    Ok(report)
}

/// The contact with this identity, added when new.
async fn contact_for(
    tx: &TenantTx<'_>,
    cache: &mut HashMap<(String, String), ContactId>,
    col: contact::Column,
    value: &str,
) -> Result<ContactId> {
    let cache_key = (format!("{col:?}"), value.to_owned());
    if let Some(id) = cache.get(&cache_key) {
        return Ok(*id);
    }
    let found: Option<ContactId> = contact::Entity::scoped(tx.ctx())
        .filter(col.eq(value))
        .select_only()
        .column(contact::Column::Id)
        .into_tuple()
        .one(tx)
        .await?;
    let id = match found {
        Some(id) => id,
        None => {
            let mut ch = ContactChanges::default();
            let edit = Edit::Set(value.to_owned());
            match col {
                contact::Column::Phone => ch.phone = edit,
                contact::Column::ExternalId => ch.external_id = edit,
                _ => ch.email = edit,
            }
            crate::contacts::create_in(tx, &crate::contacts::check(&ch)?).await?.id
        }
    };
    cache.insert(cache_key, id);
    Ok(id)
}

/// Records that the visitor is the contact and gives them the visitor's anonymous events.
async fn stitch(tx: &TenantTx<'_>, anonymous_id: &str, contact: ContactId) -> Result<()> {
    use sea_orm::sea_query::OnConflict;
    let row = visitor::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(new_id()),
        anonymous_id: Set(anonymous_id.to_owned()),
        contact_id: Set(contact),
        identified_at: Set(now()),
    };
    visitor::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([visitor::Column::TenantId, visitor::Column::AnonymousId])
                .update_columns([visitor::Column::ContactId, visitor::Column::IdentifiedAt])
                .to_owned(),
        )
        .exec_without_returning(tx)
        .await?;
    contact_event::Entity::update_many()
        .col_expr(contact_event::Column::ContactId, Expr::value(contact))
        .filter(contact_event::Column::TenantId.eq(tx.tenant_id()))
        .filter(contact_event::Column::AnonymousId.eq(anonymous_id))
        .filter(contact_event::Column::ContactId.is_null())
        .exec(tx)
        .await?;
    Ok(())
}

/// The contact each of these visitors identified as earlier (`None`: still anonymous),
/// in one read of the visitors table.
async fn stitched(tx: &TenantTx<'_>, mut anonymous: Vec<String>) -> Result<HashMap<String, Option<ContactId>>> {
    anonymous.sort_unstable();
    anonymous.dedup();
    let mut known: HashMap<String, Option<ContactId>> = anonymous.iter().map(|a| (a.clone(), None)).collect();
    if anonymous.is_empty() {
        return Ok(known);
    }
    let found: Vec<(String, ContactId)> = visitor::Entity::scoped(tx.ctx())
        .filter(visitor::Column::AnonymousId.is_in(anonymous))
        .select_only()
        .column(visitor::Column::AnonymousId)
        .column(visitor::Column::ContactId)
        .into_tuple()
        .all(tx)
        .await?;
    for (anon, contact) in found {
        known.insert(anon, Some(contact));
    }
    Ok(known)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_are_checked_one_by_one() {
        let now = Utc::now();
        assert!(check(&json!({ "type": "page_view", "anonymousId": "v1" }), now).is_ok());
        let ahead = (now + Duration::hours(1)).to_rfc3339();
        for (event, field) in [
            (json!({ "anonymousId": "v1" }), "type"),
            (json!({ "type": "page view", "anonymousId": "v1" }), "type"),
            (json!({ "type": "page_view" }), "anonymousId"),
            (json!({ "type": "identify", "anonymousId": "v1" }), "email"),
            (json!({ "type": "x", "email": "nope" }), "email"),
            (json!({ "type": "x", "anonymousId": "v1", "occurredAt": ahead }), "occurredAt"),
            (json!({ "type": "x", "anonymousId": "v1", "occurredAt": "yesterday" }), "occurredAt"),
            (json!({ "type": "x", "anonymousId": "v1", "properties": [1] }), "properties"),
            (json!({ "type": "x", "anonymousId": "v1", "properties": { "a": "b".repeat(9000) } }), "properties"),
        ] {
            assert_eq!(check(&event, now).err().map(|e| e.0).as_deref(), Some(field), "{event}");
        }
        assert!(tenant_of("prly_pk_abc").is_err() && tenant_of("prly_sk_x_00000000000000000000000000000000").is_err());
    }
}
