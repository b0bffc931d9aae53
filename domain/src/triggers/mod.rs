//! Event detection (INS-7): trigger rules, per workspace, evaluated by background
//! workers on the live event stream and on contact changes ([`detect`]). A rule that
//! holds for a contact fires: the firing is recorded with the events that made it fire,
//! appended to the contact's timeline (`trigger_fired`), and handed to what reacts to
//! it. Rules that wait for something *not* to happen keep durable timers in the
//! database, so a deadline passing while every worker is down fires when one is back.

pub mod definition;
pub mod detect;

use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use crate::db::TenantOwned;
use crate::jobs::{DetectEvents, NewJob};
use crate::page::{Page, PageArgs};
use crate::{
    Audited, ContactId, Error, Order, Parley, Permission, Result, TenantCtx, TenantTx, TriggerRuleId, new_id, validate,
};
use definition::Definition;
use entities::{contact_event, trigger_firing, trigger_member, trigger_rule, trigger_timer};

pub use definition::parse;

/// A trigger rule.
pub type TriggerRule = trigger_rule::Model;
/// One firing of a rule for a contact.
pub type Firing = trigger_firing::Model;

impl Audited for TriggerRule {
    fn audit_json(&self) -> Value {
        json!({ "name": self.name, "kind": self.kind, "status": self.status, "definition": self.definition })
    }
}

/// Whether a rule is watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleStatus {
    Active,
    Paused,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::Active => "ACTIVE",
            RuleStatus::Paused => "PAUSED",
        }
    }

    pub fn of(rule: &TriggerRule) -> RuleStatus {
        if rule.status == "PAUSED" { RuleStatus::Paused } else { RuleStatus::Active }
    }
}

/// A rule as a marketer writes it.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub name: String,
    pub definition: Value,
}

/// The checked definition of a stored rule (a rule stored is one that was checked).
pub fn definition_of(rule: &TriggerRule) -> Result<Definition> {
    definition::parse(&rule.definition)
}

/// Checks `input` against the workspace: the segment a rule watches is one of its
/// segments, the attribute one of its fields.
async fn check(tx: &TenantTx<'_>, input: &RuleInput) -> Result<(String, Definition, Value)> {
    let name = validate::name("name", &input.name, 200)?;
    let d = definition::parse(&input.definition)?;
    match &d {
        Definition::Segment { segment, entered } => {
            let field = if *entered { "definition.segmentEntered" } else { "definition.segmentLeft" };
            tx.find::<entities::segment::Entity>(*segment).await.map_err(|e| match e {
                Error::NotFound => Error::invalid(field, "is not a segment of this workspace"),
                e => e,
            })?;
        }
        Definition::Attribute { name, .. } => {
            let fields = crate::contacts::fields::all(tx).await?;
            if !fields.iter().any(|f| &f.key == name) {
                return Err(Error::invalid("definition.attributeChanged", "is not a contact field of this workspace"));
            }
        }
        _ => {}
    }
    let stored = definition::stored(&d, &input.definition);
    Ok((name, d, stored))
}

async fn name_free(tx: &TenantTx<'_>, name: &str, me: Option<TriggerRuleId>) -> Result<()> {
    let mut q = trigger_rule::Entity::scoped(tx.ctx()).filter(trigger_rule::Column::Name.eq(name));
    if let Some(me) = me {
        q = q.filter(trigger_rule::Column::Id.ne(me));
    }
    match q.one(tx).await? {
        Some(_) => Err(Error::invalid("name", "is already the name of a trigger rule of this workspace")),
        None => Ok(()),
    }
}

/// Forgets what a rule was waiting for (its timers) and who it saw in its segment.
async fn forget_state(tx: &TenantTx<'_>, id: TriggerRuleId) -> Result<()> {
    trigger_timer::Entity::delete_many()
        .filter(trigger_timer::Column::TenantId.eq(tx.tenant_id()))
        .filter(trigger_timer::Column::RuleId.eq(id))
        .exec(tx)
        .await?;
    trigger_member::Entity::delete_many()
        .filter(trigger_member::Column::TenantId.eq(tx.tenant_id()))
        .filter(trigger_member::Column::RuleId.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}

/// Queues a detection pass as soon as what `tx` writes may be read (at most one per
/// moment).
pub(crate) async fn nudge(tx: &TenantTx<'_>, p: &Parley) -> Result<()> {
    // Keyed by the last pass: every nudge until the next pass is the same job, and the
    // first one after it is a new one (a key of time slots would find this moment's
    // job done already and queue nothing).
    let last: Option<chrono::DateTime<chrono::Utc>> = entities::trigger_cursor::Entity::scoped(tx.ctx())
        .select_only()
        .column(entities::trigger_cursor::Column::UpdatedAt)
        .into_tuple()
        .one(tx)
        .await?;
    let after = last.map_or(0, |t| t.timestamp_micros());
    let at = p.clock() + crate::dur(p.settings().detection_lag);
    let job = NewJob::of(&DetectEvents { slot: after }).key(format!("triggers.nudge:{after}")).at(at);
    crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    Ok(())
}

/// [`nudge`], when the workspace has an active rule (events were just tracked).
pub(crate) async fn nudge_if_watching(tx: &TenantTx<'_>, p: &Parley) -> Result<()> {
    let any = trigger_rule::Entity::scoped(tx.ctx())
        .filter(trigger_rule::Column::Status.eq(RuleStatus::Active.as_str()))
        .select_only()
        .column(trigger_rule::Column::Id)
        .into_tuple::<TriggerRuleId>()
        .one(tx)
        .await?;
    if any.is_some()
        || !crate::journeys::watching(tx).await?.is_empty()
        || crate::leads::scoring::watching(tx).await?.is_some()
    {
        nudge(tx, p).await?;
    }
    Ok(())
}

/// Adds a rule, watching from now on (events before it do not fire it).
pub async fn create(ctx: &TenantCtx, p: &Parley, input: RuleInput) -> Result<TriggerRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let saved = create_in(&tx, p, &input).await?;
    tx.commit().await?;
    Ok(saved)
}

/// The active rule that fires when a contact comes into segment `segment`, made (named
/// after the segment) when there is none: what a journey entered by a segment enrols by.
pub(crate) async fn segment_entries(tx: &TenantTx<'_>, p: &Parley, segment: crate::SegmentId) -> Result<TriggerRule> {
    let want = json!({ "segmentEntered": validate::global_ref(segment) });
    let found = trigger_rule::Entity::scoped(tx.ctx())
        .filter(trigger_rule::Column::Kind.eq("SEGMENT_ENTERED"))
        .filter(trigger_rule::Column::Status.eq(RuleStatus::Active.as_str()))
        .all(tx)
        .await?
        .into_iter()
        .find(|r| r.definition == want);
    if let Some(r) = found {
        return Ok(r);
    }
    let s = tx.find::<entities::segment::Entity>(segment).await?;
    let mut name: String = format!("Entered {}", s.name).chars().take(180).collect();
    for n in 2.. {
        let taken =
            trigger_rule::Entity::scoped(tx.ctx()).filter(trigger_rule::Column::Name.eq(name.as_str())).one(tx).await?;
        if taken.is_none() {
            break;
        }
        name = format!("Entered {} ({n})", s.name.chars().take(170).collect::<String>());
    }
    create_in(tx, p, &RuleInput { name, definition: want }).await
}

async fn create_in(tx: &TenantTx<'_>, p: &Parley, input: &RuleInput) -> Result<TriggerRule> {
    let ctx = tx.ctx();
    let (name, d, stored) = check(tx, input).await?;
    name_free(tx, &name, None).await?;
    detect::cursor(tx, p).await?;
    let t = p.clock();
    let row = trigger_rule::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        definition: Set(stored),
        kind: Set(d.kind().to_owned()),
        status: Set(RuleStatus::Active.as_str().to_owned()),
        baseline_at: Set(None),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let saved = tx.create("trigger_rule.created", row).await?;
    nudge(tx, p).await?;
    Ok(saved)
}

/// Changes a rule's name or definition. A new definition starts afresh: the old one's
/// timers and segment stock are dropped (its firings stay).
pub async fn update(ctx: &TenantCtx, p: &Parley, id: TriggerRuleId, input: RuleInput) -> Result<TriggerRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let before = tx.lock::<trigger_rule::Entity>(id).await?;
    let (name, d, stored) = check(&tx, &input).await?;
    name_free(&tx, &name, Some(id)).await?;
    let redefined = stored != before.definition;
    if redefined {
        forget_state(&tx, id).await?;
    }
    let t = p.clock();
    let saved = tx
        .update::<trigger_rule::Entity>("trigger_rule.updated", id, |am| {
            am.name = Set(name);
            if redefined {
                am.definition = Set(stored);
                am.kind = Set(d.kind().to_owned());
                am.baseline_at = Set(None);
            }
            am.updated_at = Set(t);
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Pauses or resumes a rule. A paused rule reads nothing: what happens meanwhile never
/// fires it, its waiting timers are dropped, and a segment rule takes stock afresh when
/// it resumes.
pub async fn set_status(ctx: &TenantCtx, p: &Parley, id: TriggerRuleId, status: RuleStatus) -> Result<TriggerRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let found = tx.lock::<trigger_rule::Entity>(id).await?;
    if RuleStatus::of(&found) == status {
        tx.commit().await?;
        return Ok(found);
    }
    forget_state(&tx, id).await?;
    let action = match status {
        RuleStatus::Active => "trigger_rule.resumed",
        RuleStatus::Paused => "trigger_rule.paused",
    };
    let t = p.clock();
    let saved = tx
        .update::<trigger_rule::Entity>(action, id, |am| {
            am.status = Set(status.as_str().to_owned());
            am.baseline_at = Set(None);
            am.updated_at = Set(t);
            Ok(())
        })
        .await?;
    if status == RuleStatus::Active {
        nudge(&tx, p).await?;
    }
    tx.commit().await?;
    Ok(saved)
}

/// Deletes a rule with its timers; its firings stay on the contacts' timelines.
pub async fn delete(ctx: &TenantCtx, p: &Parley, id: TriggerRuleId) -> Result<TriggerRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let found = tx.lock::<trigger_rule::Entity>(id).await?;
    forget_state(&tx, id).await?;
    trigger_firing::Entity::delete_many()
        .filter(trigger_firing::Column::TenantId.eq(tx.tenant_id()))
        .filter(trigger_firing::Column::RuleId.eq(id))
        .exec(&tx)
        .await?;
    let gone = tx.delete::<trigger_rule::Entity>("trigger_rule.deleted", found).await?;
    tx.commit().await?;
    Ok(gone)
}

/// One rule.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: TriggerRuleId) -> Result<TriggerRule> {
    p.find::<trigger_rule::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The workspace's rules, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<TriggerRule>> {
    p.page::<trigger_rule::Entity>(ctx, Permission::ReadContacts, Order::Oldest, args).await
}

/// One firing.
pub async fn get_firing(ctx: &TenantCtx, p: &Parley, id: crate::TriggerFiringId) -> Result<Firing> {
    p.find::<trigger_firing::Entity>(ctx, Permission::ReadContacts, id).await
}

/// A rule's firings, newest first.
pub async fn firings(ctx: &TenantCtx, p: &Parley, rule: TriggerRuleId, args: PageArgs) -> Result<Page<Firing>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.find::<trigger_rule::Entity>(rule).await?;
    let q = trigger_firing::Entity::find().filter(trigger_firing::Column::RuleId.eq(rule));
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// What [`count`] counts of a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tally {
    /// The times it fired.
    Fired,
    /// The contacts waiting on its timers.
    Waiting,
}

/// How many times a rule fired, or how many contacts wait on its timers: one count,
/// the one asked for.
pub async fn count(ctx: &TenantCtx, p: &Parley, rule: TriggerRuleId, what: Tally) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let n = match what {
        Tally::Fired => {
            trigger_firing::Entity::scoped(ctx).filter(trigger_firing::Column::RuleId.eq(rule)).count(&tx).await?
        }
        Tally::Waiting => {
            trigger_timer::Entity::scoped(ctx).filter(trigger_timer::Column::RuleId.eq(rule)).count(&tx).await?
        }
    };
    tx.commit().await?;
    Ok(n)
}

/// A contact's latest firings (of every rule), newest first.
pub async fn of_contact(ctx: &TenantCtx, p: &Parley, contact: ContactId, first: u64) -> Result<Vec<Firing>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let found = trigger_firing::Entity::scoped(ctx)
        .filter(trigger_firing::Column::ContactId.eq(contact))
        .order_by_desc(trigger_firing::Column::FiredAt)
        .limit(first.min(100))
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// The contact fields active attribute rules watch (their changes are written to the
/// timeline as `attribute_changed` for detection to read), and whether a segment rule
/// is active.
pub(crate) async fn watching_contacts(tx: &TenantTx<'_>) -> Result<(Vec<String>, bool)> {
    let rules: Vec<(String, Value)> = trigger_rule::Entity::scoped(tx.ctx())
        .filter(trigger_rule::Column::Kind.is_in(["ATTRIBUTE", "SEGMENT_ENTERED", "SEGMENT_LEFT"]))
        .filter(trigger_rule::Column::Status.eq(RuleStatus::Active.as_str()))
        .select_only()
        .column(trigger_rule::Column::Kind)
        .column(trigger_rule::Column::Definition)
        .into_tuple()
        .all(tx)
        .await?;
    let segments = rules.iter().any(|(k, _)| k != "ATTRIBUTE");
    let mut fields: Vec<String> =
        rules.iter().filter_map(|(_, d)| d["attributeChanged"].as_str().map(str::to_owned)).collect();
    fields.sort_unstable();
    fields.dedup();
    Ok((fields, segments))
}

/// The `attribute_changed` events for contact `id`'s watched fields that differ between
/// `before` and `after` (custom attributes).
pub(crate) fn attribute_events(
    tenant: crate::WorkspaceId,
    id: ContactId,
    watched: &[String],
    before: &Value,
    after: &Value,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<contact_event::ActiveModel> {
    watched
        .iter()
        .filter(|k| before.get(k.as_str()) != after.get(k.as_str()))
        .map(|k| {
            let props = json!({ "attribute": k, "from": before.get(k.as_str()), "to": after.get(k.as_str()) });
            crate::contacts::timeline::event(tenant, id, definition::ATTRIBUTE_EVENT, props, at)
        })
        .collect()
}

/// After contact `contact` was changed (its custom attributes `before` and `after`):
/// writes the change events of watched fields and queues detection when a rule may
/// care.
pub(crate) async fn contact_changed(
    tx: &TenantTx<'_>,
    p: &Parley,
    contact: ContactId,
    before: &Value,
    after: &Value,
) -> Result<()> {
    let (watched, segments) = watching_contacts(tx).await?;
    let events = attribute_events(tx.tenant_id(), contact, &watched, before, after, p.clock());
    let any = !events.is_empty();
    if any {
        contact_event::Entity::insert_many(events).exec_without_returning(tx).await?;
    }
    if any || segments {
        nudge(tx, p).await?;
    }
    Ok(())
}

/// Queues a detection pass for the workspace at `at` (used by the job itself).
pub(crate) fn job_at(at: chrono::DateTime<chrono::Utc>, slot_ms: i64) -> NewJob {
    let slot = at.timestamp_millis().div_euclid(slot_ms.max(1));
    NewJob::of(&DetectEvents { slot }).key(format!("triggers.detect:{slot}")).at(at)
}
