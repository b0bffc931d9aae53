//! Contacts (INS-1): a workspace's customers and prospects, with their identities
//! (email, phone, external ID: each unique in the workspace), names, custom fields,
//! consent per channel, tags and history.
//!
//! The audit trail records what changed about a contact (which identities it has,
//! which fields, tags and consents) but never the personal data itself: the trail is
//! append-only, and erasing a contact must leave nothing of them behind.

pub mod consent;
pub mod fields;
pub mod identity;
mod merge;
pub mod timeline;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Map, Value, json};

use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{Audited, Contact, ContactId, Error, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now};
use entities::{contact, contact_event};

pub use consent::{Channel, Consent, ConsentStatus, consents_of, set_consent};
pub use merge::merge;

/// A change to one of a contact's own fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Edit<T> {
    /// Leave it as it is.
    #[default]
    Keep,
    /// Remove it.
    Clear,
    /// Set it to this (checked before it is stored).
    Set(T),
}

/// What to write about a contact: its own fields, custom field values (`null` removes
/// one) and, when given, its whole set of tags.
#[derive(Debug, Clone, Default)]
pub struct ContactChanges {
    pub email: Edit<String>,
    pub phone: Edit<String>,
    pub external_id: Edit<String>,
    pub first_name: Edit<String>,
    pub last_name: Edit<String>,
    pub time_zone: Edit<String>,
    pub attributes: Map<String, Value>,
    pub tags: Option<Vec<String>>,
    /// Consent to record (a status the channel already has changes nothing).
    pub consents: Vec<ConsentChange>,
}

/// Consent on one channel to record with a contact.
#[derive(Debug, Clone)]
pub struct ConsentChange {
    pub channel: Channel,
    pub status: ConsentStatus,
    /// Where it came from; `api` when not said.
    pub source: Option<String>,
}

/// One way to find a contact: by one of its identities.
#[derive(Debug, Clone)]
pub enum Identity {
    Email(String),
    Phone(String),
    ExternalId(String),
}

/// The identity columns with the field names clients use for them.
const IDENTITIES: [(contact::Column, &str); 3] =
    [(contact::Column::Email, "email"), (contact::Column::Phone, "phone"), (contact::Column::ExternalId, "externalId")];

/// The contact's tags.
pub fn tags_of(c: &Contact) -> Vec<String> {
    serde_json::from_value(c.tags.clone()).unwrap_or_default()
}

/// The contact's custom field values by key.
pub fn attributes_of(c: &Contact) -> Map<String, Value> {
    c.attributes.as_object().cloned().unwrap_or_default()
}

/// A name to show: the full name, else the email, phone or external ID.
pub fn display_name(c: &Contact) -> String {
    let full = [c.first_name.as_deref(), c.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
    [Some(full).filter(|f| !f.is_empty()), c.email.clone(), c.phone.clone(), c.external_id.clone()]
        .into_iter()
        .flatten()
        .next()
        .unwrap_or_default()
}

impl Audited for Contact {
    fn audit_json(&self) -> Value {
        let has: Vec<&str> = [(&self.email, "email"), (&self.phone, "phone"), (&self.external_id, "externalId")]
            .into_iter()
            .filter_map(|(v, n)| v.as_ref().map(|_| n))
            .collect();
        let consents: Map<String, Value> =
            consents_of(self).into_iter().map(|c| (c.channel.as_str().to_owned(), json!(c.status))).collect();
        json!({
            "identities": has,
            "fields": attributes_of(self).keys().collect::<Vec<_>>(),
            "tags": tags_of(self),
            "consents": consents,
            "mergedInto": self.merged_into,
        })
    }
}

/// Checks one identity or name edit and turns it into the stored value.
fn checked(edit: &Edit<String>, parse: impl Fn(&str) -> Result<String>) -> Result<Edit<String>> {
    Ok(match edit {
        Edit::Set(raw) if raw.trim().is_empty() => Edit::Clear,
        Edit::Set(raw) => Edit::Set(parse(raw)?),
        Edit::Clear => Edit::Clear,
        Edit::Keep => Edit::Keep,
    })
}

/// The changes checked field by field (errors name the field as clients send it).
pub(crate) fn check(ch: &ContactChanges) -> Result<ContactChanges> {
    Ok(ContactChanges {
        email: checked(&ch.email, |r| identity::email("email", r))?,
        phone: checked(&ch.phone, |r| identity::phone("phone", r))?,
        external_id: checked(&ch.external_id, |r| identity::external_id("externalId", r))?,
        first_name: checked(&ch.first_name, |r| crate::validate::name("firstName", r, 100))?,
        last_name: checked(&ch.last_name, |r| crate::validate::name("lastName", r, 100))?,
        time_zone: checked(&ch.time_zone, |r| identity::time_zone("timeZone", r))?,
        attributes: ch.attributes.clone(),
        tags: ch.tags.as_deref().map(|t| identity::tags("tags", t)).transpose()?,
        consents: ch
            .consents
            .iter()
            .map(|c| {
                let source =
                    c.source.as_deref().map(|s| crate::validate::name("consents.source", s, 200)).transpose()?;
                c.channel.consentable("consents.channel")?;
                Ok(ConsentChange { source, ..c.clone() })
            })
            .collect::<Result<_>>()?,
    })
}

/// The text a column value holds, if any.
fn text(v: Option<sea_orm::Value>) -> Option<String> {
    match v {
        Some(sea_orm::Value::String(Some(s))) => Some(s.to_string()),
        _ => None,
    }
}

/// Sets `col` from `edit` unless it already holds that value (so an edit that changes
/// nothing writes nothing).
pub(crate) fn put(am: &mut contact::ActiveModel, col: contact::Column, edit: &Edit<String>) {
    use sea_orm::ActiveModelTrait;
    let new = match edit {
        Edit::Keep => return,
        Edit::Clear => None,
        Edit::Set(v) => Some(v.clone()),
    };
    let current = text(am.get(col).into_value());
    if current != new {
        am.set(col, new.into());
    }
}

/// Applies checked `ch` to `am`, whose values are the contact as it is (or a new one);
/// answers the consents that changed, for the history.
async fn apply(tx: &TenantTx<'_>, am: &mut contact::ActiveModel, ch: &ContactChanges) -> Result<Vec<Consent>> {
    use contact::Column as C;
    for (col, edit) in [
        (C::Email, &ch.email),
        (C::Phone, &ch.phone),
        (C::ExternalId, &ch.external_id),
        (C::FirstName, &ch.first_name),
        (C::LastName, &ch.last_name),
        (C::TimeZone, &ch.time_zone),
    ] {
        put(am, col, edit);
    }
    if !ch.attributes.is_empty() {
        let mut defs = fields::all(tx).await?;
        let mut attributes = am.attributes.as_ref().as_object().cloned().unwrap_or_default();
        fields::apply(tx, &mut defs, &mut attributes, &ch.attributes).await?;
        if &Value::Object(attributes.clone()) != am.attributes.as_ref() {
            am.attributes = Set(Value::Object(attributes));
        }
    }
    if let Some(tags) = ch.tags.as_ref().filter(|t| &json!(t) != am.tags.as_ref()) {
        am.tags = Set(json!(tags));
    }
    let mut consents = consent::parse(am.consents.as_ref());
    let changed = consent::record(&mut consents, &ch.consents, now());
    if !changed.is_empty() {
        am.consents = Set(consent::stored(&consents));
    }
    Ok(changed)
}

/// `Invalid` naming the identity when the contact would have none, or would share one
/// with another contact of the workspace.
async fn check_identities(tx: &TenantTx<'_>, am: &contact::ActiveModel, me: Option<ContactId>) -> Result<()> {
    use sea_orm::ActiveModelTrait;
    let mut any = false;
    for (col, field) in IDENTITIES {
        let Some(v) = text(am.get(col).into_value()) else { continue };
        any = true;
        let mut q = contact::Entity::scoped(tx.ctx()).filter(col.eq(v)).select_only().column(contact::Column::Id);
        if let Some(me) = me {
            q = q.filter(contact::Column::Id.ne(me));
        }
        if q.into_tuple::<ContactId>().one(tx).await?.is_some() {
            return Err(Error::invalid(field, "already belongs to another contact of this workspace"));
        }
    }
    if !any {
        return Err(Error::invalid("email", "a contact needs an email, a phone or an external ID"));
    }
    Ok(())
}

/// A new contact row (all fields empty) for the transaction's tenant.
pub(crate) fn blank() -> contact::ActiveModel {
    let t = now();
    contact::ActiveModel {
        id: Set(new_id()),
        email: Set(None),
        phone: Set(None),
        external_id: Set(None),
        first_name: Set(None),
        last_name: Set(None),
        time_zone: Set(None),
        attributes: Set(json!({})),
        tags: Set(json!([])),
        consents: Set(json!({})),
        merged_into: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    }
}

pub(crate) async fn create_in(tx: &TenantTx<'_>, ch: &ContactChanges) -> Result<Contact> {
    let mut am = blank();
    let changed = apply(tx, &mut am, ch).await?;
    check_identities(tx, &am, None).await?;
    let c = tx.create("contact.created", am).await?;
    consent::append_events(tx, c.id, changed).await?;
    Ok(c)
}

pub(crate) async fn update_in(tx: &TenantTx<'_>, p: &Parley, id: ContactId, ch: &ContactChanges) -> Result<Contact> {
    let found = live(tx, id).await?;
    let mut am: contact::ActiveModel = found.clone().into();
    let changed = apply(tx, &mut am, ch).await?;
    check_identities(tx, &am, Some(found.id)).await?;
    let contact_id = found.id;
    let c = tx
        .update::<contact::Entity>("contact.updated", found.id, |row| {
            *row = am;
            row.tenant_id = sea_orm::ActiveValue::Unchanged(found.tenant_id);
            row.id = sea_orm::ActiveValue::Unchanged(found.id);
            if sea_orm::ActiveModelTrait::is_changed(row) {
                row.updated_at = Set(now());
            }
            Ok(())
        })
        .await?;
    consent::append_events(tx, contact_id, changed).await?;
    if c.updated_at != found.updated_at {
        crate::triggers::contact_changed(tx, p, contact_id, &found.attributes, &c.attributes).await?;
    }
    Ok(c)
}

/// Adds a contact; it needs at least one identity, none of them another contact's.
pub async fn create(ctx: &TenantCtx, p: &Parley, changes: ContactChanges) -> Result<Contact> {
    let ch = check(&changes)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let c = create_in(&tx, &ch).await?;
    tx.commit().await?;
    Ok(c)
}

/// Changes a contact; fields not named in `changes` stay as they are.
pub async fn update(ctx: &TenantCtx, p: &Parley, id: ContactId, changes: ContactChanges) -> Result<Contact> {
    let ch = check(&changes)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let c = update_in(&tx, p, id, &ch).await?;
    tx.commit().await?;
    Ok(c)
}

/// Creates or updates the contact the identities in `changes` point to (external ID,
/// then email, then phone): the one way in for imports and integrations, so sending the
/// same data twice changes nothing. Answers the contact and whether it is new.
/// Identities that point to two different contacts are refused, naming the second:
/// merge them first.
pub async fn upsert(ctx: &TenantCtx, p: &Parley, changes: ContactChanges) -> Result<(Contact, bool)> {
    let ch = check(&changes)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let found = matching(&tx, &ch).await?;
    let answer = match found {
        Some(id) => (update_in(&tx, p, id, &ch).await?, false),
        None => (create_in(&tx, &ch).await?, true),
    };
    tx.commit().await?;
    Ok(answer)
}

/// The one contact the identities set in `ch` point to, if any.
async fn matching(tx: &TenantTx<'_>, ch: &ContactChanges) -> Result<Option<ContactId>> {
    let mut found: Option<(ContactId, &str)> = None;
    for ((col, field), edit) in IDENTITIES.into_iter().zip([&ch.email, &ch.phone, &ch.external_id]).rev() {
        let Edit::Set(v) = edit else { continue };
        let q = contact::Entity::scoped(tx.ctx()).filter(col.eq(v.clone())).select_only().column(contact::Column::Id);
        let Some(id) = q.into_tuple::<ContactId>().one(tx).await? else { continue };
        match found {
            Some((other, first)) if other != id => {
                return Err(Error::invalid(field, format!("belongs to another contact than the {first} does")));
            }
            _ => found = Some((id, field)),
        }
    }
    Ok(found.map(|(id, _)| id))
}

/// A contact that was not merged away, `NotFound` otherwise.
pub(crate) async fn live(tx: &TenantTx<'_>, id: ContactId) -> Result<Contact> {
    let c = tx.find::<contact::Entity>(id).await?;
    match c.merged_into {
        Some(_) => Err(Error::NotFound),
        None => Ok(c),
    }
}

/// One contact. A contact merged into another answers as the one it was merged into,
/// so links to it keep working.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: ContactId) -> Result<Contact> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let mut c = tx.find::<contact::Entity>(id).await?;
    // Merges re-point older pointers, so one step is enough; a few allow for a merge
    // that raced with this read.
    for _ in 0..4 {
        match c.merged_into {
            Some(next) => c = tx.find::<contact::Entity>(next).await?,
            None => break,
        }
    }
    tx.commit().await?;
    Ok(c)
}

/// The contact with `identity`, `NotFound` when none has it.
pub async fn find_by_identity(ctx: &TenantCtx, p: &Parley, identity: Identity) -> Result<Contact> {
    let (col, value) = match identity {
        Identity::Email(e) => (contact::Column::Email, identity::email("email", &e)?),
        Identity::Phone(ph) => (contact::Column::Phone, identity::phone("phone", &ph)?),
        Identity::ExternalId(x) => (contact::Column::ExternalId, identity::external_id("externalId", &x)?),
    };
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let c = contact::Entity::scoped(ctx).filter(col.eq(value)).one(&tx).await?.ok_or(Error::NotFound)?;
    tx.commit().await?;
    Ok(c)
}

/// The workspace's contacts, newest first; with `search`, those whose email, name or
/// external ID starts with it or whose phone contains its digits.
pub async fn list(ctx: &TenantCtx, p: &Parley, search: Option<&str>, args: PageArgs) -> Result<Page<Contact>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let mut q = contact::Entity::find().filter(contact::Column::MergedInto.is_null());
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(matches_search(s));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

fn matches_search(s: &str) -> Condition {
    use contact::Column as C;
    let escaped = crate::db::like_lower(s);
    let prefix = || LikeExpr::new(format!("{escaped}%")).escape('\\');
    let mut any = Condition::any()
        .add(Expr::col(C::Email).like(prefix()))
        .add(Expr::col(C::ExternalId).like(prefix()))
        .add(Expr::expr(Func::lower(Expr::col(C::FirstName))).like(prefix()))
        .add(Expr::expr(Func::lower(Expr::col(C::LastName))).like(prefix()));
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 3 {
        any = any.add(Expr::col(C::Phone).like(LikeExpr::new(format!("%{digits}%"))));
    }
    any
}

/// The contacts merged into `id` (pointers left by merges).
async fn merged_into(tx: &TenantTx<'_>, id: ContactId) -> Result<Vec<ContactId>> {
    Ok(contact::Entity::scoped(tx.ctx())
        .filter(contact::Column::MergedInto.eq(id))
        .select_only()
        .column(contact::Column::Id)
        .into_tuple()
        .all(tx)
        .await?)
}

/// Erases a contact and their history on request (TEN-8): the contact, every event
/// about them and any pointers left by earlier merges. The trail keeps one line that
/// says a contact was erased, with nothing personal in it.
pub async fn erase(ctx: &TenantCtx, p: &Parley, id: ContactId) -> Result<ContactId> {
    // Decisions held by this node are written first, so their history is erased too.
    crate::decisions::live::flush_for_read(p).await;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EraseContacts)?;
    let c = live(&tx, id).await?;
    let merged = merged_into(&tx, c.id).await?;
    let mut gone = merged;
    gone.push(c.id);
    crate::segments::forget_contacts(&tx, &gone).await?;
    contact_event::Entity::delete_many()
        .filter(contact_event::Column::TenantId.eq(ctx.tenant_id()))
        .filter(contact_event::Column::ContactId.is_in(gone))
        .exec(&tx)
        .await?;
    contact::Entity::delete_many()
        .filter(contact::Column::TenantId.eq(ctx.tenant_id()))
        .filter(contact::Column::MergedInto.eq(c.id))
        .exec(&tx)
        .await?;
    entities::visitor::Entity::delete_many()
        .filter(entities::visitor::Column::TenantId.eq(ctx.tenant_id()))
        .filter(entities::visitor::Column::ContactId.eq(c.id))
        .exec(&tx)
        .await?;
    let id = c.id;
    tx.delete::<contact::Entity>("contact.erased", c).await?;
    tx.commit().await?;
    Ok(id)
}

/// Everything the workspace holds about one contact, as JSON (a privacy request's
/// answer, TEN-8): identities, names, fields, tags, consent, the IDs of contacts merged
/// into them, and their whole history, oldest first. The export itself is recorded in
/// the audit trail (who asked, when; not what it held).
pub async fn export(ctx: &TenantCtx, p: &Parley, id: ContactId) -> Result<Value> {
    use sea_orm::QueryOrder;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let c = live(&tx, id).await?;
    let merged = merged_into(&tx, c.id).await?;
    let events = contact_event::Entity::scoped(ctx)
        .filter(contact_event::Column::ContactId.eq(c.id))
        .order_by_asc(contact_event::Column::Id)
        .all(&tx)
        .await?;
    let events: Vec<Value> = events
        .into_iter()
        .map(|e| {
            json!({ "id": e.id, "type": e.kind, "properties": e.properties, "occurredAt": e.occurred_at,
                    "receivedAt": e.received_at, "anonymousId": e.anonymous_id })
        })
        .collect();
    let doc = json!({
        "id": c.id,
        "email": c.email,
        "phone": c.phone,
        "externalId": c.external_id,
        "firstName": c.first_name,
        "lastName": c.last_name,
        "timeZone": c.time_zone,
        "attributes": c.attributes,
        "tags": c.tags,
        "consents": consents_of(&c),
        "mergedContactIds": merged,
        "createdAt": c.created_at,
        "updatedAt": c.updated_at,
        "events": events,
    });
    tx.record(crate::audit::Change::new("contact.exported", c.id)).await?;
    tx.commit().await?;
    Ok(doc)
}
