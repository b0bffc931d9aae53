//! Segments (INS-4): groups of a workspace's contacts. A *dynamic* segment is a rule
//! (`rule.rs`) over the contacts' fields, consent, history and membership of other
//! segments, evaluated whenever it is read as one SQL statement (`sql.rs`); a *static*
//! segment is a list kept by hand (`segment_members`).
//!
//! Contacts merged into another never match; a rule may use another segment of the
//! same workspace (inlined, or its members for a static list), never one that leads
//! back to itself. The audit trail records a rule's digest, not the rule: rules may
//! hold an email address or a name.

pub mod rule;
mod sql;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use crate::audit::Change;
use crate::contacts::fields;
use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{
    Audited, Contact, ContactField, ContactId, Error, Order, Parley, Permission, Result, Segment, SegmentId,
    SegmentKind, TenantCtx, TenantTx, new_id, now, validate,
};
use entities::{contact, segment, segment_member};

pub use rule::{MAX_DEPTH, MAX_NODES, Rule};
use sql::{Compiler, Resolved};

/// How deep segments may use each other (a uses b uses c …).
pub const MAX_SEGMENT_DEPTH: usize = 5;
/// Most rule objects in one rule with the segments it uses inlined.
const MAX_INLINED: usize = 2_000;
/// Most contacts added to or removed from a list in one call.
pub const MAX_MEMBERS_PER_CALL: usize = 1_000;

/// A new segment.
#[derive(Debug, Clone)]
pub struct NewSegment {
    pub name: String,
    pub kind: SegmentKind,
    /// The rule of a dynamic segment (none for a static list).
    pub rule: Option<Value>,
}

/// Changes to a segment; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct SegmentChanges {
    pub name: Option<String>,
    /// A new rule (dynamic segments only).
    pub rule: Option<Value>,
}

/// How many contacts a rule matches now, and the rule (checked) to read samples with.
#[derive(Debug, Clone)]
pub struct Preview {
    pub count: u64,
    pub rule: Value,
}

impl Audited for Segment {
    fn audit_json(&self) -> Value {
        let digest = self.rule.as_ref().map(|r| {
            let mut d = crate::crypto::sha256_hex(&r.to_string());
            d.truncate(16);
            d
        });
        json!({ "name": self.name, "kind": self.kind, "ruleDigest": digest })
    }
}

/// A rule checked against the workspace's fields, with the segments it uses read.
struct Checked {
    rule: Rule,
    segments: HashMap<SegmentId, Resolved>,
}

impl Checked {
    fn compiler(&self, tx: &TenantTx<'_>) -> Compiler<'_> {
        use sea_orm::ConnectionTrait;
        Compiler { backend: tx.get_database_backend(), tenant: tx.tenant_id(), now: now(), segments: &self.segments }
    }
}

/// Checks `raw` (errors name `rule…`) and reads the segments it uses, refusing a use
/// that leads back to `me` or to a segment already on the way.
async fn check(tx: &TenantTx<'_>, raw: &Value, me: Option<SegmentId>) -> Result<Checked> {
    let defs = fields::all(tx).await?;
    let rule = rule::parse(raw, &defs)?;
    let segments = resolve(tx, &rule, me, &defs).await?;
    Ok(Checked { rule, segments })
}

/// Reads every segment `rule` uses, directly or through others, each checked once.
async fn resolve(
    tx: &TenantTx<'_>,
    rule: &Rule,
    me: Option<SegmentId>,
    defs: &[ContactField],
) -> Result<HashMap<SegmentId, Resolved>> {
    let mut out: HashMap<SegmentId, Resolved> = HashMap::new();
    // Each use: the segment, where the checked rule names the way to it, and the
    // segments on that way.
    let mut todo: Vec<(SegmentId, String, Vec<SegmentId>)> =
        rule.segments().into_iter().map(|s| (s.id, s.path.clone(), me.into_iter().collect())).collect();
    let (mut inlined, mut uses) = (rule.size(), 0usize);
    while let Some((id, path, way)) = todo.pop() {
        if way.contains(&id) {
            return Err(Error::invalid(
                &path,
                "leads back to the segment it is used in (a segment cannot contain itself)",
            ));
        }
        if way.len() >= MAX_SEGMENT_DEPTH {
            return Err(Error::invalid(&path, format!("segments may use each other at most {MAX_SEGMENT_DEPTH} deep")));
        }
        uses += 1;
        if uses > 100 {
            return Err(Error::invalid(&path, "uses too many segments"));
        }
        if let Entry::Vacant(slot) = out.entry(id) {
            let Some(s) = segment::Entity::scoped(tx.ctx()).filter(segment::Column::Id.eq(id)).one(tx).await? else {
                return Err(Error::invalid(&path, "is not a segment of this workspace"));
            };
            let resolved = match (s.kind, &s.rule) {
                (SegmentKind::Dynamic, Some(stored)) => Resolved::Dynamic(rule::parse(stored, defs).map_err(|e| {
                    Error::invalid(&path, format!("uses segment “{}”, whose rule no longer holds ({e})", s.name))
                })?),
                _ => Resolved::Static,
            };
            slot.insert(resolved);
        }
        if let Some(Resolved::Dynamic(r)) = out.get(&id) {
            inlined += r.size();
            if inlined > MAX_INLINED {
                return Err(Error::invalid(&path, "with the segments it uses, the rule is too large"));
            }
            let mut next = way.clone();
            next.push(id);
            todo.extend(r.segments().into_iter().map(|s| (s.id, path.clone(), next.clone())));
        }
    }
    Ok(out)
}

/// The condition on `contacts` of a saved segment: live contacts of the tenant its
/// rule matches, or on its list.
async fn condition_of(tx: &TenantTx<'_>, s: &Segment) -> Result<Expr> {
    let rule = match (s.kind, &s.rule) {
        (SegmentKind::Dynamic, Some(r)) => r.clone(),
        // A static list is the rule "in this segment".
        _ => json!({ "inSegment": s.id.to_string() }),
    };
    let me = (s.kind == SegmentKind::Dynamic).then_some(s.id);
    let checked = check(tx, &rule, me).await?;
    let c = checked.compiler(tx);
    c.matching(&checked.rule)
}

/// The IDs of the contacts in segment `id` now, as one statement (`SELECT contacts.id
/// FROM contacts WHERE …`) to use inside other queries of the same transaction
/// (campaign audiences, exports).
pub(crate) async fn members_in(tx: &TenantTx<'_>, id: SegmentId) -> Result<SelectStatement> {
    let s = tx.find::<segment::Entity>(id).await?;
    let cond = condition_of(tx, &s).await?;
    Ok(Query::select().column((contact::Entity, contact::Column::Id)).from(contact::Entity).and_where(cond).to_owned())
}

/// The condition on `contacts` that the rule `raw` states now (checked like a segment's
/// rule), to test contacts against it inside other reads (offer eligibility).
pub(crate) async fn rule_condition(tx: &TenantTx<'_>, raw: &Value) -> Result<Expr> {
    let checked = check(tx, raw, None).await?;
    checked.compiler(tx).matching(&checked.rule)
}

/// The condition on `contacts` that segment `id` holds now (`NotFound` for another
/// workspace's), for reads that page through its contacts in batches (exports).
pub(crate) async fn condition_in(tx: &TenantTx<'_>, id: SegmentId) -> Result<Expr> {
    let s = tx.find::<segment::Entity>(id).await?;
    condition_of(tx, &s).await
}

/// [`members_in`] in a transaction of its own, for a reader of the segment: the
/// statement holds its values bound (the tenant, "now" for event windows).
pub async fn members_query(ctx: &TenantCtx, p: &Parley, id: SegmentId) -> Result<SelectStatement> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let q = members_in(&tx, id).await?;
    tx.commit().await?;
    Ok(q)
}

/// How many contacts `rule` matches now; the rule is checked first.
pub async fn preview(ctx: &TenantCtx, p: &Parley, rule: Value) -> Result<Preview> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let checked = check(&tx, &rule, None).await?;
    let c = checked.compiler(&tx);
    let cond = c.matching(&checked.rule)?;
    let count = contact::Entity::find().filter(cond).count(&tx).await?;
    tx.commit().await?;
    Ok(Preview { count, rule })
}

/// The newest `first` (1..=100) contacts `rule` matches now.
pub async fn preview_contacts(ctx: &TenantCtx, p: &Parley, rule: &Value, first: u64) -> Result<Vec<Contact>> {
    let args = PageArgs::new(i32::try_from(first).ok(), None)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let checked = check(&tx, rule, None).await?;
    let c = checked.compiler(&tx);
    let cond = c.matching(&checked.rule)?;
    let found =
        contact::Entity::find().filter(cond).order_by_desc(contact::Column::Id).limit(args.first).all(&tx).await?;
    tx.commit().await?;
    Ok(found)
}

/// `Invalid` naming `name` when another segment of the workspace has it.
async fn check_name_free(tx: &TenantTx<'_>, name: &str, me: Option<SegmentId>) -> Result<()> {
    let mut q = segment::Entity::scoped(tx.ctx()).filter(segment::Column::Name.eq(name));
    if let Some(me) = me {
        q = q.filter(segment::Column::Id.ne(me));
    }
    match q.one(tx).await? {
        Some(_) => Err(Error::invalid("name", "is already the name of a segment of this workspace")),
        None => Ok(()),
    }
}

/// Saves a segment: a dynamic one with its rule (checked), or an empty static list.
pub async fn create(ctx: &TenantCtx, p: &Parley, new: NewSegment) -> Result<Segment> {
    let name = validate::name("name", &new.name, 100)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageSegments)?;
    let rule = match (new.kind, new.rule) {
        (SegmentKind::Dynamic, Some(r)) => {
            check(&tx, &r, None).await?;
            Some(r)
        }
        (SegmentKind::Dynamic, None) => return Err(Error::invalid("rule", "a dynamic segment needs a rule")),
        (SegmentKind::Static, Some(_)) => {
            return Err(Error::invalid("rule", "a static list has no rule: add contacts to it"));
        }
        (SegmentKind::Static, None) => None,
    };
    check_name_free(&tx, &name, None).await?;
    let t = now();
    let row = segment::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        kind: Set(new.kind),
        rule: Set(rule),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let s = tx.create("segment.created", row).await?;
    tx.commit().await?;
    p.changed();
    Ok(s)
}

/// Renames a segment or changes a dynamic segment's rule (checked, and refused when it
/// would make the segment contain itself through others).
pub async fn update(ctx: &TenantCtx, p: &Parley, id: SegmentId, changes: SegmentChanges) -> Result<Segment> {
    let name = changes.name.as_deref().map(|n| validate::name("name", n, 100)).transpose()?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageSegments)?;
    let s = tx.find::<segment::Entity>(id).await?;
    if let Some(r) = &changes.rule {
        if s.kind == SegmentKind::Static {
            return Err(Error::invalid("rule", "a static list has no rule: add contacts to it"));
        }
        check(&tx, r, Some(s.id)).await?;
    }
    if let Some(n) = &name {
        check_name_free(&tx, n, Some(s.id)).await?;
    }
    let s = tx
        .update::<segment::Entity>("segment.updated", s.id, |row| {
            if let Some(n) = name.filter(|n| n != row.name.as_ref()) {
                row.name = Set(n);
            }
            if let Some(r) = changes.rule.filter(|r| Some(r) != row.rule.as_ref().as_ref()) {
                row.rule = Set(Some(r));
            }
            if sea_orm::ActiveModelTrait::is_changed(row) {
                row.updated_at = Set(now());
            }
            Ok(())
        })
        .await?;
    tx.commit().await?;
    p.changed();
    Ok(s)
}

/// Deletes a segment (and a list's members). Refused while another segment's rule uses
/// it: that rule would stop working.
pub async fn delete(ctx: &TenantCtx, p: &Parley, id: SegmentId) -> Result<Segment> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageSegments)?;
    let s = tx.find::<segment::Entity>(id).await?;
    let others = segment::Entity::scoped(ctx)
        .filter(segment::Column::Kind.eq(SegmentKind::Dynamic))
        .filter(segment::Column::Id.ne(s.id))
        .all(&tx)
        .await?;
    if let Some(user) = others.iter().find(|o| o.rule.as_ref().is_some_and(|r| names_segment(r, s.id))) {
        return Err(Error::Conflict(format!("segment “{}” uses it in its rule: change that rule first", user.name)));
    }
    segment_member::Entity::delete_many()
        .filter(segment_member::Column::TenantId.eq(tx.tenant_id()))
        .filter(segment_member::Column::SegmentId.eq(s.id))
        .exec(&tx)
        .await?;
    let s = tx.delete::<segment::Entity>("segment.deleted", s).await?;
    tx.commit().await?;
    p.changed();
    Ok(s)
}

/// Whether a stored rule names segment `id` anywhere (walked without recursion).
fn names_segment(rule: &Value, id: SegmentId) -> bool {
    let mut todo = vec![rule];
    while let Some(v) = todo.pop() {
        match v {
            Value::Object(o) => {
                if o.get("inSegment").and_then(Value::as_str).and_then(rule::segment_ref) == Some(id) {
                    return true;
                }
                todo.extend(o.values());
            }
            Value::Array(a) => todo.extend(a),
            _ => {}
        }
    }
    false
}

/// One segment.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: SegmentId) -> Result<Segment> {
    p.find::<segment::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The workspace's segments, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<Segment>> {
    p.page::<segment::Entity>(ctx, Permission::ReadContacts, Order::Oldest, args).await
}

/// How many contacts are in segment `id` now.
pub async fn count(ctx: &TenantCtx, p: &Parley, id: SegmentId) -> Result<u64> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let s = tx.find::<segment::Entity>(id).await?;
    let cond = condition_of(&tx, &s).await?;
    let n = contact::Entity::find().filter(cond).count(&tx).await?;
    tx.commit().await?;
    Ok(n)
}

/// The contacts in segment `id` now, newest first.
pub async fn contacts(ctx: &TenantCtx, p: &Parley, id: SegmentId, args: PageArgs) -> Result<Page<Contact>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let s = tx.find::<segment::Entity>(id).await?;
    let cond = condition_of(&tx, &s).await?;
    let page = tx.page(contact::Entity::find().filter(cond), Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// The static list `id` for a change of its members, and the contacts named, each once.
async fn list_for_members(
    tx: &TenantTx<'_>,
    id: SegmentId,
    contacts: &[ContactId],
) -> Result<(Segment, Vec<ContactId>)> {
    tx.require(Permission::ManageSegments)?;
    let s = tx.find::<segment::Entity>(id).await?;
    if s.kind != SegmentKind::Static {
        return Err(Error::invalid("id", "is a dynamic segment: its rule decides its contacts"));
    }
    let mut ids = contacts.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() || ids.len() > MAX_MEMBERS_PER_CALL {
        return Err(Error::invalid("contactIds", format!("give 1 to {MAX_MEMBERS_PER_CALL} contacts")));
    }
    Ok((s, ids))
}

/// Adds contacts to a static list (those on it already stay as they are). Every contact
/// must be one of the workspace's, not merged away: `NotFound` otherwise.
pub async fn add_members(ctx: &TenantCtx, p: &Parley, id: SegmentId, contacts: &[ContactId]) -> Result<Segment> {
    let tx = p.tenant_tx(ctx).await?;
    let (s, ids) = list_for_members(&tx, id, contacts).await?;
    let live: Vec<ContactId> = contact::Entity::scoped(ctx)
        .filter(contact::Column::Id.is_in(ids.clone()))
        .filter(contact::Column::MergedInto.is_null())
        .select_only()
        .column(contact::Column::Id)
        .into_tuple()
        .all(&tx)
        .await?;
    if live.len() != ids.len() {
        return Err(Error::NotFound);
    }
    let on: Vec<ContactId> = segment_member::Entity::scoped(ctx)
        .filter(segment_member::Column::SegmentId.eq(s.id))
        .filter(segment_member::Column::ContactId.is_in(ids.clone()))
        .select_only()
        .column(segment_member::Column::ContactId)
        .into_tuple()
        .all(&tx)
        .await?;
    let at = now();
    let rows: Vec<segment_member::ActiveModel> = ids
        .into_iter()
        .filter(|c| !on.contains(c))
        .map(|c| segment_member::ActiveModel {
            tenant_id: Set(tx.tenant_id()),
            id: Set(new_id()),
            segment_id: Set(s.id),
            contact_id: Set(c),
            added_at: Set(at),
        })
        .collect();
    let added = rows.len();
    if added > 0 {
        segment_member::Entity::insert_many(rows).exec_without_returning(&tx).await?;
        tx.record(Change::new("segment.members_added", s.id).after(json!({ "added": added }))).await?;
        crate::triggers::nudge_if_watching(&tx, p).await?;
    }
    tx.commit().await?;
    Ok(s)
}

/// Removes contacts from a static list (those not on it are skipped).
pub async fn remove_members(ctx: &TenantCtx, p: &Parley, id: SegmentId, contacts: &[ContactId]) -> Result<Segment> {
    let tx = p.tenant_tx(ctx).await?;
    let (s, ids) = list_for_members(&tx, id, contacts).await?;
    let gone = segment_member::Entity::delete_many()
        .filter(segment_member::Column::TenantId.eq(tx.tenant_id()))
        .filter(segment_member::Column::SegmentId.eq(s.id))
        .filter(segment_member::Column::ContactId.is_in(ids))
        .exec(&tx)
        .await?;
    if gone.rows_affected > 0 {
        let removed = gone.rows_affected;
        tx.record(Change::new("segment.members_removed", s.id).after(json!({ "removed": removed }))).await?;
    }
    tx.commit().await?;
    Ok(s)
}

/// Takes erased contacts off every list (inside the erasure's transaction).
pub(crate) async fn forget_contacts(tx: &TenantTx<'_>, contacts: &[ContactId]) -> Result<()> {
    segment_member::Entity::delete_many()
        .filter(segment_member::Column::TenantId.eq(tx.tenant_id()))
        .filter(segment_member::Column::ContactId.is_in(contacts.to_vec()))
        .exec(tx)
        .await?;
    Ok(())
}

/// Puts `to` on every list `from` was on (inside a merge's transaction); a list both
/// were on keeps one entry.
pub(crate) async fn carry_members(tx: &TenantTx<'_>, from: ContactId, to: ContactId) -> Result<()> {
    let both: Vec<SegmentId> = segment_member::Entity::scoped(tx.ctx())
        .filter(segment_member::Column::ContactId.eq(to))
        .select_only()
        .column(segment_member::Column::SegmentId)
        .into_tuple()
        .all(tx)
        .await?;
    segment_member::Entity::delete_many()
        .filter(segment_member::Column::TenantId.eq(tx.tenant_id()))
        .filter(segment_member::Column::ContactId.eq(from))
        .filter(segment_member::Column::SegmentId.is_in(both))
        .exec(tx)
        .await?;
    segment_member::Entity::update_many()
        .col_expr(segment_member::Column::ContactId, Expr::value(to))
        .filter(segment_member::Column::TenantId.eq(tx.tenant_id()))
        .filter(segment_member::Column::ContactId.eq(from))
        .exec(tx)
        .await?;
    Ok(())
}
