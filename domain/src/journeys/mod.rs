//! Journeys (EXE-5): graphs of steps that contacts go through one by one, run by
//! background workers ([`advance`]). A journey is edited as a draft and published as
//! numbered versions that never change; contacts enrolled follow the version they
//! entered until they finish it or are moved by an explicit migration. Each contact's
//! way through is an enrolment with the step it is at and when it moves on; each step
//! it entered is a visit, which gives its path and the canvas's per-step counts.
//!
//! Contacts are enrolled by a trigger rule's firings (in the detection pass that
//! records them), or by hand and through the API; re-entry follows the journey's rule
//! and a contact is never in one journey twice at once. A goal event takes a contact
//! out as soon as it is tracked.

pub mod advance;
pub mod definition;
pub(crate) mod email;

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{
    Audited, ContactId, Error, JourneyEnrolmentId, JourneyId, Order, Parley, Permission, Result, TenantCtx, TenantTx,
    TriggerFiringId, TriggerRuleId, new_id, validate,
};
use definition::{Action, Definition, Entry, Reentry};
use entities::{contact, journey, journey_enrolment, journey_version, journey_visit};

/// A journey.
pub type Journey = journey::Model;
/// A published version.
pub type Version = journey_version::Model;
/// A contact's way through a journey.
pub type Enrolment = journey_enrolment::Model;
/// One step an enrolment entered.
pub type Visit = journey_visit::Model;

impl Audited for Journey {
    fn audit_json(&self) -> Value {
        json!({ "name": self.name, "status": self.status, "version": self.version, "draft": self.draft })
    }
}

impl Audited for Version {
    fn audit_json(&self) -> Value {
        json!({ "journey": self.journey_id, "version": self.version, "definition": self.definition })
    }
}

impl Audited for Enrolment {
    fn audit_json(&self) -> Value {
        json!({ "journey": self.journey_id, "version": self.version, "contact": self.contact_id, "status": self.status,
                "step": self.step })
    }
}

impl Audited for Visit {
    fn audit_json(&self) -> Value {
        json!({ "enrolment": self.enrolment_id, "step": self.step, "outcome": self.outcome })
    }
}

/// A journey's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Never published.
    Draft,
    /// Enrolling and moving contacts.
    Active,
    /// Neither: contacts stay where they are until it resumes.
    Paused,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "DRAFT",
            Status::Active => "ACTIVE",
            Status::Paused => "PAUSED",
        }
    }

    pub fn of(j: &Journey) -> Status {
        match j.status.as_str() {
            "ACTIVE" => Status::Active,
            "PAUSED" => Status::Paused,
            _ => Status::Draft,
        }
    }
}

/// Where an enrolment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// To run its step at `wake_at`.
    Active,
    /// In a wait step.
    Waiting,
    /// Went through to an end.
    Completed,
    /// Taken out: an exit step, the goal met, removed, its contact gone.
    Exited,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Active => "ACTIVE",
            State::Waiting => "WAITING",
            State::Completed => "COMPLETED",
            State::Exited => "EXITED",
        }
    }

    pub fn of(e: &Enrolment) -> State {
        match e.status.as_str() {
            "WAITING" => State::Waiting,
            "COMPLETED" => State::Completed,
            "EXITED" => State::Exited,
            _ => State::Active,
        }
    }

    pub fn finished(self) -> bool {
        matches!(self, State::Completed | State::Exited)
    }
}

/// A journey as a marketer writes it.
#[derive(Debug, Clone)]
pub struct JourneyInput {
    pub name: String,
    pub definition: Value,
}

/// The checked definition of a published version.
pub fn definition_of(v: &Version) -> Result<Definition> {
    definition::parse(&v.definition)
}

async fn name_free(tx: &TenantTx<'_>, name: &str, me: Option<JourneyId>) -> Result<()> {
    let mut q = journey::Entity::scoped(tx.ctx()).filter(journey::Column::Name.eq(name));
    if let Some(me) = me {
        q = q.filter(journey::Column::Id.ne(me));
    }
    match q.one(tx).await? {
        Some(_) => Err(Error::invalid("name", "is already the name of a journey of this workspace")),
        None => Ok(()),
    }
}

/// Checks a draft's form (a draft may still lead nowhere; publishing checks the rest)
/// and answers it as stored.
fn checked_draft(input: &JourneyInput) -> Result<(String, Value)> {
    let name = validate::name("name", &input.name, 200)?;
    let d = definition::parse(&input.definition)?;
    Ok((name, definition::stored(&d, &input.definition)))
}

/// Adds a journey as a draft.
pub async fn create(ctx: &TenantCtx, p: &Parley, input: JourneyInput) -> Result<Journey> {
    let (name, draft) = checked_draft(&input)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    name_free(&tx, &name, None).await?;
    let t = p.clock();
    let row = journey::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        draft: Set(draft),
        status: Set(Status::Draft.as_str().to_owned()),
        version: Set(0),
        entry_kind: Set(None),
        entry_ref: Set(None),
        watches: Set(json!([])),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let saved = tx.create("journey.created", row).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Changes a journey's name and draft; its published versions stay as they are.
pub async fn update(ctx: &TenantCtx, p: &Parley, id: JourneyId, input: JourneyInput) -> Result<Journey> {
    let (name, draft) = checked_draft(&input)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    tx.lock::<journey::Entity>(id).await?;
    name_free(&tx, &name, Some(id)).await?;
    let t = p.clock();
    let saved = tx
        .update::<journey::Entity>("journey.updated", id, |am| {
            am.name = Set(name);
            am.draft = Set(draft);
            am.updated_at = Set(t);
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Checks what a definition names against the workspace: its trigger rule, the lists
/// it adds to (static ones), the fields it writes and the rules it branches on.
async fn check_references(tx: &TenantTx<'_>, d: &Definition) -> Result<()> {
    match d.entry {
        Entry::Trigger(rule) => {
            tx.find::<entities::trigger_rule::Entity>(rule).await.map_err(|e| match e {
                Error::NotFound => {
                    Error::invalid("definition.entry.trigger", "is not a trigger rule of this workspace")
                }
                e => e,
            })?;
        }
        Entry::Segment(segment) => {
            tx.find::<entities::segment::Entity>(segment).await.map_err(|e| match e {
                Error::NotFound => Error::invalid("definition.entry.segment", "is not a segment of this workspace"),
                e => e,
            })?;
        }
        Entry::Manual => {}
    }
    let mut fields = None;
    for (i, s) in d.steps.iter().enumerate() {
        let at = format!("definition.steps[{i}]");
        match &s.action {
            Action::AddToList { list } => {
                let found = tx.find::<entities::segment::Entity>(*list).await.map_err(|e| match e {
                    Error::NotFound => Error::invalid(
                        &format!("{at}.list"),
                        format!("step \"{}\": not a list of this workspace", s.id),
                    ),
                    e => e,
                })?;
                if found.kind != entities::enums::SegmentKind::Static {
                    return Err(Error::invalid(
                        &format!("{at}.list"),
                        format!("step \"{}\": \"{}\" is a dynamic segment, not a list", s.id, found.name),
                    ));
                }
            }
            Action::UpdateAttribute { field, .. } => {
                if fields.is_none() {
                    fields = Some(crate::contacts::fields::all(tx).await?);
                }
                if !fields.iter().flatten().any(|f| &f.key == field) {
                    return Err(Error::invalid(
                        &format!("{at}.field"),
                        format!("step \"{}\": \"{field}\" is not a contact field of this workspace", s.id),
                    ));
                }
            }
            Action::Email { template, domain, from, .. } => {
                let named = |field: &str, what: &str, e: Error| match e {
                    Error::NotFound => Error::invalid(
                        &format!("{at}.{field}"),
                        format!("step \"{}\": not {what} of this workspace", s.id),
                    ),
                    e => e,
                };
                if let Err(e) = tx.find::<entities::email_template::Entity>(*template).await {
                    return Err(named("template", "an email template", e));
                }
                let d = match tx.find::<entities::sending_domain::Entity>(*domain).await {
                    Ok(d) => d,
                    Err(e) => return Err(named("domain", "a sending domain", e)),
                };
                crate::campaigns::domains::check_from(&format!("{at}.fromAddress"), from, &d.domain)?;
            }
            Action::Notify { user, .. } => {
                let member = entities::membership::Entity::scoped(tx.ctx())
                    .filter(entities::membership::Column::UserId.eq(*user))
                    .one(tx)
                    .await?;
                if member.is_none() {
                    return Err(Error::invalid(
                        &format!("{at}.user"),
                        format!("step \"{}\": not a member of this workspace", s.id),
                    ));
                }
            }
            Action::Decide { point, save_to } => {
                if tx.find::<entities::interaction_point::Entity>(*point).await.is_err() {
                    return Err(Error::invalid(
                        &format!("{at}.point"),
                        format!("step \"{}\": not an interaction point of this workspace", s.id),
                    ));
                }
                if let Some(f) = save_to {
                    let fields = crate::contacts::fields::all(tx).await?;
                    if !fields.iter().any(|x| &x.key == f && x.kind == crate::AttributeKind::String) {
                        return Err(Error::invalid(
                            &format!("{at}.saveTo"),
                            format!("step \"{}\": not a text contact field of this workspace", s.id),
                        ));
                    }
                }
            }
            Action::Branch { condition, .. } if definition::last_response(condition).is_none() => {
                crate::segments::rule_condition(tx, condition).await.map_err(|e| match e {
                    Error::Invalid { message, .. } => {
                        Error::invalid(&format!("{at}.condition"), format!("step \"{}\": {message}", s.id))
                    }
                    e => e,
                })?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Publishes the draft as the next version: the contacts who enter from now on follow
/// it, those in an older version finish that one. A paused journey stays paused.
pub async fn publish(ctx: &TenantCtx, p: &Parley, id: JourneyId) -> Result<Journey> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let found = tx.lock::<journey::Entity>(id).await?;
    let d = definition::parse(&found.draft)?;
    definition::check_graph(&d)?;
    check_references(&tx, &d).await?;
    let latest: Option<Value> = if found.version > 0 {
        journey_version::Entity::scoped(ctx)
            .filter(journey_version::Column::JourneyId.eq(id))
            .filter(journey_version::Column::Version.eq(found.version))
            .select_only()
            .column(journey_version::Column::Definition)
            .into_tuple()
            .one(&tx)
            .await?
    } else {
        None
    };
    if latest.as_ref() == Some(&found.draft) {
        return Err(Error::invalid("id", format!("version {} is this draft already", found.version)));
    }
    let t = p.clock();
    let version = found.version + 1;
    let row = journey_version::ActiveModel {
        id: Set(new_id()),
        journey_id: Set(id),
        version: Set(version),
        definition: Set(found.draft.clone()),
        published_by: Set(ctx.actor().id().unwrap_or_default().into()),
        published_at: Set(t),
        ..Default::default()
    };
    tx.create("journey.published", row).await?;
    let mut watches: Vec<String> = serde_json::from_value(found.watches.clone()).unwrap_or_default();
    watches.extend(d.watches());
    watches.sort();
    watches.dedup();
    if !watches.is_empty() {
        // Detection reads the events they wait for from now on.
        crate::triggers::detect::cursor(&tx, p).await?;
    }
    let status = if Status::of(&found) == Status::Paused { Status::Paused } else { Status::Active };
    // A segment's entries come through the trigger rule that fires on them.
    let entry_ref: Option<uuid::Uuid> = match d.entry {
        Entry::Trigger(rule) => Some(rule.into()),
        Entry::Segment(segment) => Some(crate::triggers::segment_entries(&tx, p, segment).await?.id.into()),
        Entry::Manual => None,
    };
    let saved = tx
        .update::<journey::Entity>("journey.updated", id, |am| {
            am.version = Set(version);
            am.status = Set(status.as_str().to_owned());
            am.entry_kind = Set(Some(d.entry.kind().to_owned()));
            am.entry_ref = Set(entry_ref);
            am.watches = Set(json!(watches));
            am.updated_at = Set(t);
            Ok(())
        })
        .await?;
    email::prepare(&tx, p, &saved, &d).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Pauses or resumes a published journey. Paused, it enrols nobody and moves nobody;
/// resumed, contacts whose wait ended meanwhile move on at once.
pub async fn set_status(ctx: &TenantCtx, p: &Parley, id: JourneyId, active: bool) -> Result<Journey> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let found = tx.lock::<journey::Entity>(id).await?;
    if Status::of(&found) == Status::Draft {
        return Err(Error::invalid("id", "is a draft: publish it first"));
    }
    let want = if active { Status::Active } else { Status::Paused };
    if Status::of(&found) == want {
        tx.commit().await?;
        return Ok(found);
    }
    let t = p.clock();
    let action = if active { "journey.resumed" } else { "journey.paused" };
    let saved = tx
        .update::<journey::Entity>(action, id, |am| {
            am.status = Set(want.as_str().to_owned());
            am.updated_at = Set(t);
            Ok(())
        })
        .await?;
    if active {
        advance::nudge(&tx, p).await?;
    }
    tx.commit().await?;
    Ok(saved)
}

/// Deletes a journey with its versions, enrolments and paths.
pub async fn delete(ctx: &TenantCtx, p: &Parley, id: JourneyId) -> Result<Journey> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let found = tx.lock::<journey::Entity>(id).await?;
    let tenant = tx.tenant_id();
    journey_visit::Entity::delete_many()
        .filter(journey_visit::Column::TenantId.eq(tenant))
        .filter(journey_visit::Column::JourneyId.eq(id))
        .exec(&tx)
        .await?;
    journey_enrolment::Entity::delete_many()
        .filter(journey_enrolment::Column::TenantId.eq(tenant))
        .filter(journey_enrolment::Column::JourneyId.eq(id))
        .exec(&tx)
        .await?;
    journey_version::Entity::delete_many()
        .filter(journey_version::Column::TenantId.eq(tenant))
        .filter(journey_version::Column::JourneyId.eq(id))
        .exec(&tx)
        .await?;
    let gone = tx.delete::<journey::Entity>("journey.deleted", found).await?;
    tx.commit().await?;
    Ok(gone)
}

/// One journey.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: JourneyId) -> Result<Journey> {
    p.find::<journey::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The workspace's journeys, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<Journey>> {
    p.page::<journey::Entity>(ctx, Permission::ReadContacts, Order::Oldest, args).await
}

/// A journey's published versions, newest first.
pub async fn versions(ctx: &TenantCtx, p: &Parley, id: JourneyId) -> Result<Vec<Version>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let found = journey_version::Entity::scoped(ctx)
        .filter(journey_version::Column::JourneyId.eq(id))
        .order_by_desc(journey_version::Column::Version)
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// Per-step counts of one version: contacts that entered each step, are at it now,
/// went on from it (or finished there), and left the journey there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepCounts {
    pub entered: u64,
    pub waiting: u64,
    pub completed: u64,
    pub exited: u64,
}

/// [`StepCounts`] of every step of `version` of journey `id`, by step ID, in one
/// grouped read.
pub async fn step_counts(
    ctx: &TenantCtx,
    p: &Parley,
    id: JourneyId,
    version: i32,
) -> Result<HashMap<String, StepCounts>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let rows: Vec<(String, Option<String>, bool, i64)> = journey_visit::Entity::scoped(ctx)
        .filter(journey_visit::Column::JourneyId.eq(id))
        .filter(journey_visit::Column::Version.eq(version))
        .select_only()
        .column(journey_visit::Column::Step)
        .column(journey_visit::Column::Outcome)
        .expr_as(journey_visit::Column::LeftAt.is_null(), "open")
        .expr_as(journey_visit::Column::Id.count(), "n")
        .group_by(journey_visit::Column::Step)
        .group_by(journey_visit::Column::Outcome)
        .group_by(journey_visit::Column::LeftAt.is_null())
        .into_tuple()
        .all(&tx)
        .await?;
    tx.commit().await?;
    let mut out: HashMap<String, StepCounts> = HashMap::new();
    for (step, outcome, open, n) in rows {
        let n = n.max(0) as u64;
        let c = out.entry(step).or_default();
        c.entered += n;
        if open {
            c.waiting += n;
        } else if outcome.as_deref() == Some("EXITED") {
            c.exited += n;
        } else {
            c.completed += n;
        }
    }
    Ok(out)
}

/// A journey's enrolments, newest first, optionally in one state.
pub async fn enrolments(
    ctx: &TenantCtx,
    p: &Parley,
    id: JourneyId,
    state: Option<State>,
    args: PageArgs,
) -> Result<Page<Enrolment>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.find::<journey::Entity>(id).await?;
    let mut q = journey_enrolment::Entity::find().filter(journey_enrolment::Column::JourneyId.eq(id));
    if let Some(s) = state {
        q = q.filter(journey_enrolment::Column::Status.eq(s.as_str()));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One enrolment.
pub async fn get_enrolment(ctx: &TenantCtx, p: &Parley, id: JourneyEnrolmentId) -> Result<Enrolment> {
    p.find::<journey_enrolment::Entity>(ctx, Permission::ReadContacts, id).await
}

/// A contact's enrolments in every journey, newest first.
pub async fn of_contact(ctx: &TenantCtx, p: &Parley, contact: ContactId, first: u64) -> Result<Vec<Enrolment>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.find::<contact::Entity>(contact).await?;
    let found = journey_enrolment::Entity::scoped(ctx)
        .filter(journey_enrolment::Column::ContactId.eq(contact))
        .order_by_desc(journey_enrolment::Column::Id)
        .limit(first.clamp(1, 100))
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// The steps an enrolment entered, in order: its path.
pub async fn path(ctx: &TenantCtx, p: &Parley, id: JourneyEnrolmentId) -> Result<Vec<Visit>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let found = journey_visit::Entity::scoped(ctx)
        .filter(journey_visit::Column::EnrolmentId.eq(id))
        .order_by_asc(journey_visit::Column::EnteredAt)
        .order_by_asc(journey_visit::Column::Id)
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(found)
}

/// The email telling a member that a contact reached a notify step; None when the
/// step, the member or the enrolment is gone.
pub async fn prepare_notice(
    ctx: &TenantCtx,
    p: &Parley,
    job: &crate::jobs::JourneyNotice,
) -> Result<Option<crate::mail::Email>> {
    let tx = p.tenant_tx(ctx).await?;
    let Some((e, j, step)) = step_reached(&tx, job.enrolment_id, &job.step).await? else { return Ok(None) };
    let definition::Step { action: Action::Notify { user, message }, .. } = step else { return Ok(None) };
    let member = entities::membership::Entity::scoped(ctx)
        .filter(entities::membership::Column::UserId.eq(user))
        .one(&tx)
        .await?;
    let c = contact::Entity::scoped(ctx).filter(contact::Column::Id.eq(e.contact_id)).one(&tx).await?;
    tx.commit().await?;
    let (Some(_), Some(c)) = (member, c) else { return Ok(None) };
    let u = crate::identity::accounts::user_by_id(p, user).await?;
    let who = match (c.first_name.as_deref(), c.last_name.as_deref(), c.email.as_deref()) {
        (Some(f), Some(l), _) => format!("{f} {l}"),
        (Some(f), None, _) => f.to_owned(),
        (_, _, Some(email)) => email.to_owned(),
        _ => "A contact".to_owned(),
    };
    let link = format!("{}/app/contacts/{}", p.settings().public_url, validate::global_ref(c.id));
    let name = if u.name.is_empty() { "there" } else { &u.name };
    Ok(Some(crate::mail::journey_notice(&u.email, name, &who, &j.name, &message, &link)))
}

/// The secret a journey's webhook steps sign with (derived from the instance's sealing
/// key, so nothing is stored; it changes when that key rotates).
pub fn webhook_secret(p: &Parley, journey: JourneyId) -> String {
    let tag = p.settings().secrets.tag("journey-webhook", uuid::Uuid::from(journey).as_bytes(), 32);
    format!("whsec_{}", hex::encode(tag))
}

/// The journey's webhook secret, for those who may edit it.
pub async fn webhook_secret_of(ctx: &TenantCtx, p: &Parley, id: JourneyId) -> Result<String> {
    let j = p.find::<journey::Entity>(ctx, Permission::ManageCampaigns, id).await?;
    Ok(webhook_secret(p, j.id))
}

/// The enrolment, its journey and the step `step` of the version it follows (None: the
/// enrolment or the step is gone), for the jobs a step writes.
async fn step_reached(
    tx: &TenantTx<'_>,
    enrolment: JourneyEnrolmentId,
    step: &str,
) -> Result<Option<(Enrolment, Journey, definition::Step)>> {
    let e = match tx.find::<journey_enrolment::Entity>(enrolment).await {
        Ok(e) => e,
        Err(Error::NotFound) => return Ok(None),
        Err(err) => return Err(err),
    };
    let j = tx.find::<journey::Entity>(e.journey_id).await?;
    let v = journey_version::Entity::scoped(tx.ctx())
        .filter(journey_version::Column::JourneyId.eq(j.id))
        .filter(journey_version::Column::Version.eq(e.version))
        .one(tx)
        .await?;
    let step = v.and_then(|v| definition_of(&v).ok()).and_then(|d| d.step(step).cloned());
    Ok(step.map(|s| (e, j, s)))
}

/// Runs a decide step's job: the engine's answer for the contact at the step's point
/// (recorded in its history like any decision), the top offer's code written to the
/// step's field, and a `journey_decided` event that wakes the contact (nothing once it
/// left the step).
pub async fn decide_step(ctx: &TenantCtx, p: &Parley, job: &crate::jobs::JourneyDecide) -> Result<()> {
    use crate::decisions::decide::{DecideInput, Who, decide};
    let tx = p.tenant_tx(ctx).await?;
    let Some((e, j, step)) = step_reached(&tx, job.enrolment_id, &job.step).await? else { return Ok(()) };
    tx.commit().await?;
    let Action::Decide { point, save_to } = step.action else { return Ok(()) };
    if e.step != job.step || State::of(&e).finished() {
        return Ok(());
    }
    let context = json!({ "journey": validate::global_ref(j.id), "step": job.step });
    let input =
        DecideInput { point, who: Who::Contact(e.contact_id), context: Some(context), count: Some(1), explain: false };
    let (decision, offer) = match decide(ctx, p, input).await {
        Ok(d) => (Some(d.id), d.offers.first().map(|o| o.offer.code.clone())),
        // The point or the contact is gone: the contact goes on without an offer.
        Err(Error::NotFound | Error::Invalid { .. }) => (None, None),
        Err(err) => return Err(err),
    };
    if let (Some(field), Some(code)) = (&save_to, &offer) {
        let mut changes = crate::contacts::ContactChanges::default();
        changes.attributes.insert(field.clone(), json!(code));
        match crate::contacts::update(ctx, p, e.contact_id, changes).await {
            Ok(_) | Err(Error::Invalid { .. } | Error::NotFound) => {}
            Err(err) => return Err(err),
        }
    }
    let tx = p.tenant_tx(ctx).await?;
    let props = json!({ "journey": validate::global_ref(j.id), "step": job.step, "offer": offer,
                        "decision": decision.map(validate::global_ref) });
    crate::contacts::timeline::append(&tx, e.contact_id, definition::DECIDED_EVENT, props, p.clock()).await?;
    crate::triggers::nudge(&tx, p).await?;
    tx.commit().await?;
    Ok(())
}

/// What to post for a contact at a journey's webhook step (None: the step, the
/// enrolment or the contact is gone).
pub async fn prepare_webhook(
    ctx: &TenantCtx,
    p: &Parley,
    job: &crate::jobs::JourneyWebhook,
) -> Result<Option<crate::leads::webhook::Delivery>> {
    let tx = p.tenant_tx(ctx).await?;
    let Some((e, j, step)) = step_reached(&tx, job.enrolment_id, &job.step).await? else { return Ok(None) };
    let definition::Step { action: Action::Webhook { url }, .. } = step else { return Ok(None) };
    let c = contact::Entity::scoped(ctx).filter(contact::Column::Id.eq(e.contact_id)).one(&tx).await?;
    tx.commit().await?;
    let Some(c) = c else { return Ok(None) };
    let id = format!("{}:{}:{}", validate::global_ref(e.id), job.step, job.at.timestamp_micros());
    let body = json!({
        "id": id,
        "type": "journey.step",
        "occurredAt": job.at,
        "journey": { "id": validate::global_ref(j.id), "name": j.name, "version": e.version },
        "step": job.step,
        "contact": { "id": validate::global_ref(c.id), "email": c.email, "firstName": c.first_name,
                     "lastName": c.last_name, "attributes": c.attributes },
    })
    .to_string();
    let sig = crate::leads::webhook::signature(&webhook_secret(p, j.id), chrono::Utc::now().timestamp(), &body);
    Ok(Some(crate::leads::webhook::Delivery {
        url,
        body,
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("parley-event-id".into(), id),
            ("parley-signature".into(), sig),
        ],
    }))
}

/// Why a contact was not enrolled.
fn refused(why: impl Into<String>) -> Error {
    Error::invalid("contactId", why)
}

/// Enrols contact `id` in `j` now (the caller checked the journey is active), unless
/// re-entry forbids it or `source` enrolled it already: None then, with the reason.
async fn enrol_in(
    tx: &TenantTx<'_>,
    p: &Parley,
    j: &Journey,
    d: &Definition,
    contact: ContactId,
    source: String,
) -> Result<std::result::Result<Enrolment, String>> {
    let t = p.clock();
    let last = journey_enrolment::Entity::scoped(tx.ctx())
        .filter(journey_enrolment::Column::JourneyId.eq(j.id))
        .filter(journey_enrolment::Column::ContactId.eq(contact))
        .order_by_desc(journey_enrolment::Column::EnteredAt)
        .one(tx)
        .await?;
    if let Some(last) = &last {
        if !State::of(last).finished() {
            return Ok(Err("is in this journey now".into()));
        }
        match d.reentry {
            Reentry::Never => return Ok(Err("was in this journey before, and it is entered once".into())),
            Reentry::AfterDays(days) if last.entered_at > t - chrono::Duration::days(days) => {
                return Ok(Err(format!("entered this journey less than {days} days ago")));
            }
            _ => {}
        }
    }
    let id: JourneyEnrolmentId = new_id();
    let row = journey_enrolment::ActiveModel {
        tenant_id: Set(tx.tenant_id()),
        id: Set(id),
        journey_id: Set(j.id),
        version: Set(j.version),
        contact_id: Set(contact),
        source: Set(source),
        status: Set(State::Active.as_str().to_owned()),
        step: Set(d.start.clone()),
        since: Set(t),
        wake_at: Set(Some(t)),
        exit_reason: Set(None),
        entered_at: Set(t),
        finished_at: Set(None),
        updated_at: Set(t),
    };
    let once = OnConflict::columns([
        journey_enrolment::Column::TenantId,
        journey_enrolment::Column::JourneyId,
        journey_enrolment::Column::Source,
    ])
    .do_nothing()
    .to_owned();
    if journey_enrolment::Entity::insert(row).on_conflict(once).exec_without_returning(tx).await? == 0 {
        return Ok(Err("was enrolled for this already".into()));
    }
    advance::visit(tx, j.id, j.version, id, &d.start, t).await?;
    let found = tx.find::<journey_enrolment::Entity>(id).await?;
    Ok(Ok(found))
}

/// The published definition of `j`'s latest version.
async fn latest(tx: &TenantTx<'_>, j: &Journey) -> Result<Definition> {
    let v = journey_version::Entity::scoped(tx.ctx())
        .filter(journey_version::Column::JourneyId.eq(j.id))
        .filter(journey_version::Column::Version.eq(j.version))
        .one(tx)
        .await?
        .ok_or(Error::NotFound)?;
    definition_of(&v)
}

/// Enrols a contact by hand or through the API (whatever else enrols the journey's
/// contacts). Refused when the journey is not active (naming `journeyId`), or when the
/// contact is in it now or re-entry forbids it (naming `contactId`).
pub async fn enrol(ctx: &TenantCtx, p: &Parley, id: JourneyId, contact_id: ContactId) -> Result<Enrolment> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let j = tx.find::<journey::Entity>(id).await?;
    let c = tx.find::<contact::Entity>(contact_id).await?;
    if c.merged_into.is_some() {
        return Err(Error::NotFound);
    }
    match Status::of(&j) {
        Status::Active => {}
        Status::Draft => return Err(Error::invalid("journeyId", "is a draft: publish it first")),
        Status::Paused => return Err(Error::invalid("journeyId", "is paused")),
    }
    let d = latest(&tx, &j).await?;
    let source = format!("manual:{}", uuid::Uuid::now_v7());
    let e = enrol_in(&tx, p, &j, &d, c.id, source).await?.map_err(refused)?;
    tx.record(crate::audit::Change::new("journey.enrolled", j.id).after(json!({ "contact": c.id, "enrolment": e.id })))
        .await?;
    advance::nudge(&tx, p).await?;
    tx.commit().await?;
    Ok(e)
}

/// Takes a contact out of a journey by hand.
pub async fn remove(ctx: &TenantCtx, p: &Parley, id: JourneyEnrolmentId) -> Result<Enrolment> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let e = tx.lock::<journey_enrolment::Entity>(id).await?;
    if State::of(&e).finished() {
        return Err(Error::invalid("id", "has finished the journey already"));
    }
    let done = advance::finish(&tx, &e, State::Exited, Some("removed by hand"), p.clock()).await?;
    tx.record(crate::audit::Change::new("journey.removed", e.journey_id).after(json!({ "enrolment": e.id }))).await?;
    tx.commit().await?;
    Ok(done)
}

/// Moves the contacts still in version `from` of a journey to its latest version, each
/// at the step of the same ID; one whose step the latest version lacks leaves the
/// journey. Answers (moved, left).
pub async fn migrate(ctx: &TenantCtx, p: &Parley, id: JourneyId, from: i32) -> Result<(u64, u64)> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let j = tx.lock::<journey::Entity>(id).await?;
    if from < 1 || from >= j.version {
        return Err(Error::invalid("fromVersion", format!("is an older version than the latest ({})", j.version)));
    }
    let d = latest(&tx, &j).await?;
    let on: Vec<Enrolment> = journey_enrolment::Entity::scoped(ctx)
        .filter(journey_enrolment::Column::JourneyId.eq(id))
        .filter(journey_enrolment::Column::Version.eq(from))
        .filter(journey_enrolment::Column::Status.is_in([State::Active.as_str(), State::Waiting.as_str()]))
        .all(&tx)
        .await?;
    let t = p.clock();
    let (mut moved, mut left) = (0, 0);
    for e in on {
        if d.step(&e.step).is_some() {
            let tenant = tx.tenant_id();
            journey_enrolment::Entity::update_many()
                .col_expr(journey_enrolment::Column::Version, Expr::value(j.version))
                .col_expr(journey_enrolment::Column::WakeAt, Expr::value(Some(t)))
                .col_expr(journey_enrolment::Column::UpdatedAt, Expr::value(t))
                .filter(journey_enrolment::Column::TenantId.eq(tenant))
                .filter(journey_enrolment::Column::Id.eq(e.id))
                .exec(&tx)
                .await?;
            journey_visit::Entity::update_many()
                .col_expr(journey_visit::Column::Version, Expr::value(j.version))
                .filter(journey_visit::Column::TenantId.eq(tenant))
                .filter(journey_visit::Column::EnrolmentId.eq(e.id))
                .filter(journey_visit::Column::LeftAt.is_null())
                .exec(&tx)
                .await?;
            moved += 1;
        } else {
            let why = format!("moved to version {}, which has no step \"{}\"", j.version, e.step);
            advance::finish(&tx, &e, State::Exited, Some(&why), t).await?;
            left += 1;
        }
    }
    tx.record(
        crate::audit::Change::new("journey.migrated", id)
            .after(json!({ "from": from, "to": j.version, "moved": moved, "left": left })),
    )
    .await?;
    advance::nudge(&tx, p).await?;
    tx.commit().await?;
    Ok((moved, left))
}

/// Enrols the contacts of new firings in the active journeys their rules enter
/// (inside the detection pass that recorded them: a firing enrols once).
pub(crate) async fn enrol_fired(
    tx: &TenantTx<'_>,
    p: &Parley,
    fired: &[(TriggerRuleId, ContactId, TriggerFiringId)],
) -> Result<u64> {
    if fired.is_empty() {
        return Ok(0);
    }
    let mut rules: Vec<uuid::Uuid> = fired.iter().map(|(r, _, _)| (*r).into()).collect();
    rules.sort();
    rules.dedup();
    let journeys: Vec<Journey> = journey::Entity::scoped(tx.ctx())
        .filter(journey::Column::Status.eq(Status::Active.as_str()))
        .filter(journey::Column::EntryKind.is_in(["TRIGGER", "SEGMENT"]))
        .filter(journey::Column::EntryRef.is_in(rules))
        .all(tx)
        .await?;
    let mut n = 0;
    for j in &journeys {
        let d = latest(tx, j).await?;
        for (rule, contact, firing) in fired {
            if j.entry_ref != Some((*rule).into()) {
                continue;
            }
            let source = format!("firing:{}", uuid::Uuid::from(*firing));
            if enrol_in(tx, p, j, &d, *contact, source).await?.is_ok() {
                n += 1;
            }
        }
    }
    if n > 0 {
        advance::nudge(tx, p).await?;
    }
    Ok(n)
}

/// The active journeys waiting for events or watching a goal, with the event kinds.
pub(crate) async fn watching(tx: &TenantTx<'_>) -> Result<Vec<(JourneyId, Vec<String>)>> {
    let rows: Vec<(JourneyId, Value)> = journey::Entity::scoped(tx.ctx())
        .filter(journey::Column::Status.eq(Status::Active.as_str()))
        .select_only()
        .column(journey::Column::Id)
        .column(journey::Column::Watches)
        .into_tuple()
        .all(tx)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, w)| {
            let kinds: Vec<String> = serde_json::from_value(w).ok()?;
            (!kinds.is_empty()).then_some((id, kinds))
        })
        .collect())
}

/// Wakes the contacts of `seen` (contact, event kind: events detection just read) in
/// the journeys `watching` that wait for that kind or take it as their goal, so the
/// next run checks them now; answers how many were woken.
pub(crate) async fn wake(
    tx: &TenantTx<'_>,
    p: &Parley,
    watching: &[(JourneyId, Vec<String>)],
    seen: &[(ContactId, &str)],
) -> Result<u64> {
    let t = p.clock();
    let mut n = 0;
    for (j, kinds) in watching {
        let mut contacts: Vec<ContactId> =
            seen.iter().filter(|(_, k)| kinds.iter().any(|w| w == k)).map(|(c, _)| *c).collect();
        contacts.sort_by_key(|c| uuid::Uuid::from(*c));
        contacts.dedup();
        for chunk in contacts.chunks(500) {
            n += journey_enrolment::Entity::update_many()
                .col_expr(journey_enrolment::Column::WakeAt, Expr::value(Some(t)))
                .filter(journey_enrolment::Column::TenantId.eq(tx.tenant_id()))
                .filter(journey_enrolment::Column::JourneyId.eq(*j))
                .filter(journey_enrolment::Column::Status.eq(State::Waiting.as_str()))
                .filter(journey_enrolment::Column::ContactId.is_in(chunk.to_vec()))
                .exec(tx)
                .await?
                .rows_affected;
        }
    }
    if n > 0 {
        advance::nudge(tx, p).await?;
    }
    Ok(n)
}
