//! Leads (EXE-8): a lead is a contact in a sales process. Leads are captured from
//! hosted forms, the API, trigger rules (a scoring model's rule that captures) and
//! journeys; scored by the workspace's active model ([`scoring`]); routed to sales reps
//! by background workers under routing rules ([`routing`]), with first-touch deadlines
//! that escalate; and closed by outcomes written back to the contact's history. Every
//! change is a lead activity, posted signed to the workspace's CRM webhook
//! ([`webhook`]).
//!
//! A member with the Sales role sees the leads they hold, or their team's, or all, as
//! their rep profile says; any other lead is `NotFound` to them.

pub mod routing;
pub mod scoring;
pub mod webhook;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use crate::db::TenantOwned;
use crate::jobs::{LeadWebhook, NewJob};
use crate::money::Money;
use crate::page::{Page, PageArgs};
use crate::{
    Audited, ContactId, Error, LeadActivityId, LeadId, Order, Parley, Permission, Result, Role, TenantCtx, TenantTx,
    UserId, new_id, validate,
};
use entities::{lead, lead_activity, lead_webhook, membership, sales_rep};

/// A lead.
pub type Lead = lead::Model;
/// One change to a lead.
pub type Activity = lead_activity::Model;

impl Audited for Lead {
    fn audit_json(&self) -> Value {
        json!({ "contact": self.contact_id, "stage": self.stage, "owner": self.owner_id, "outcome": self.outcome })
    }
}

/// Where a lead came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Form,
    Api,
    Trigger,
    Journey,
    Manual,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Form => "FORM",
            Source::Api => "API",
            Source::Trigger => "TRIGGER",
            Source::Journey => "JOURNEY",
            Source::Manual => "MANUAL",
        }
    }
}

/// An outcome a rep records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Contacted,
    Qualified,
    Won,
    Lost,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Contacted => "CONTACTED",
            Outcome::Qualified => "QUALIFIED",
            Outcome::Won => "WON",
            Outcome::Lost => "LOST",
        }
    }
}

/// The stages, in order.
pub const STAGES: [&str; 7] = ["NEW", "MQL", "SQL", "CONTACTED", "QUALIFIED", "WON", "LOST"];

fn rank(stage: &str) -> usize {
    STAGES.iter().position(|s| *s == stage).unwrap_or(0)
}

/// A lead's score as of `now`: fit plus behaviour decayed since it was scored.
pub fn score_now(l: &Lead, now: DateTime<Utc>) -> i64 {
    l.fit as i64 + scoring::behaviour_now(l, l.half_life_secs, now).round() as i64
}

/// A lead's score by `p`'s clock.
pub fn score(p: &Parley, l: &Lead) -> i64 {
    score_now(l, p.clock())
}

/// A lead's behaviour points by `p`'s clock, to a tenth.
pub fn behaviour(p: &Parley, l: &Lead) -> f64 {
    (scoring::behaviour_now(l, l.half_life_secs, p.clock()) * 10.0).round() / 10.0
}

/// Why a lead scores what it does, by `p`'s clock.
pub fn reasons(p: &Parley, l: &Lead) -> Vec<ShownReason> {
    reasons_now(l, p.clock())
}

/// Whether an open lead's first-touch deadline passed, by `p`'s clock.
pub fn overdue(p: &Parley, l: &Lead) -> bool {
    l.status == "OPEN" && l.sla_due_at.is_some_and(|d| d < p.clock())
}

/// One reason as shown: points as of `now`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownReason {
    /// `FIT` or `BEHAVIOUR`.
    pub kind: String,
    pub reason: String,
    pub points: f64,
    pub count: i64,
}

/// Why a lead scores what it does, as of `now`, the largest first.
pub fn reasons_now(l: &Lead, now: DateTime<Utc>) -> Vec<ShownReason> {
    let d = scoring::decay(l.half_life_secs, l.scored_at, now);
    let mut out: Vec<ShownReason> = scoring::reasons_of(l)
        .into_iter()
        .map(|r| {
            let raw = r.milli as f64 / 1000.0;
            let points = if r.kind == "BEHAVIOUR" { (raw * d * 10.0).round() / 10.0 } else { raw };
            ShownReason { kind: r.kind, reason: r.reason, points, count: r.count }
        })
        .collect();
    out.sort_by(|a, b| b.points.abs().total_cmp(&a.points.abs()));
    out
}

/// Which leads the actor of `tx` sees (None: all of them).
async fn visible(tx: &TenantTx<'_>) -> Result<Option<Condition>> {
    if tx.role() != Role::Sales {
        return Ok(None);
    }
    let Some(me) = tx.ctx().user_id() else { return Ok(Some(Condition::all().add(lead::Column::Id.is_null()))) };
    let rep = sales_rep::Entity::scoped(tx.ctx()).filter(sales_rep::Column::UserId.eq(me)).one(tx).await?;
    let own = Condition::all().add(lead::Column::OwnerId.eq(me));
    Ok(match rep {
        Some(r) if r.sees == "ALL" => None,
        Some(r) if r.sees == "TEAM" && r.team.is_some() => {
            Some(Condition::any().add(own).add(lead::Column::Team.eq(r.team.clone().unwrap_or_default())))
        }
        _ => Some(own),
    })
}

/// A lead the actor sees, `NotFound` otherwise.
async fn seen(tx: &TenantTx<'_>, id: LeadId) -> Result<Lead> {
    let mut q = lead::Entity::scoped(tx.ctx()).filter(lead::Column::Id.eq(id));
    if let Some(c) = visible(tx).await? {
        q = q.filter(c);
    }
    q.one(tx).await?.ok_or(Error::NotFound)
}

/// One lead.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: LeadId) -> Result<Lead> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadLeads)?;
    let l = seen(&tx, id).await?;
    tx.commit().await?;
    Ok(l)
}

/// Which leads a list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only these stages.
    pub stages: Vec<String>,
    /// Only open (true) or closed (false) ones.
    pub open: Option<bool>,
    /// Only those held by this member.
    pub owner: Option<UserId>,
    /// Only those held by the actor.
    pub mine: bool,
    /// Only those with a first-touch deadline still running.
    pub due: bool,
    /// Only those whose first-touch deadline passed.
    pub overdue: bool,
    /// Only those no rep holds.
    pub unassigned: bool,
    /// Only this contact's.
    pub contact: Option<ContactId>,
}

/// The leads the actor sees, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, f: Filter, args: PageArgs) -> Result<Page<Lead>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadLeads)?;
    let mut q = lead::Entity::find();
    if let Some(c) = visible(&tx).await? {
        q = q.filter(c);
    }
    if !f.stages.is_empty() {
        q = q.filter(lead::Column::Stage.is_in(f.stages.clone()));
    }
    if let Some(open) = f.open {
        q = q.filter(lead::Column::Status.eq(if open { "OPEN" } else { "CLOSED" }));
    }
    if let Some(o) = f.owner {
        q = q.filter(lead::Column::OwnerId.eq(o));
    }
    if f.mine {
        q = match ctx.user_id() {
            Some(me) => q.filter(lead::Column::OwnerId.eq(me)),
            None => q.filter(lead::Column::Id.is_null()),
        };
    }
    if f.unassigned {
        q = q.filter(lead::Column::OwnerId.is_null());
    }
    if let Some(c) = f.contact {
        q = q.filter(lead::Column::ContactId.eq(c));
    }
    let now = p.clock();
    if f.due || f.overdue {
        q = q.filter(lead::Column::Status.eq("OPEN")).filter(lead::Column::SlaDueAt.is_not_null());
    }
    if f.overdue {
        q = q.filter(lead::Column::SlaDueAt.lt(now));
    } else if f.due {
        q = q.filter(lead::Column::SlaDueAt.gte(now));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// A lead's activity, oldest first (at most 200).
pub async fn activities(ctx: &TenantCtx, p: &Parley, id: LeadId) -> Result<Vec<Activity>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadLeads)?;
    let l = seen(&tx, id).await?;
    let all = lead_activity::Entity::scoped(ctx)
        .filter(lead_activity::Column::LeadId.eq(l.id))
        .order_by_asc(lead_activity::Column::At)
        .order_by_asc(lead_activity::Column::Id)
        .limit(200)
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(all)
}

/// Writes lead activity: one read of whether a webhook listens, for every change of a
/// run.
pub(crate) struct Log {
    hook: bool,
}

impl Log {
    pub(crate) async fn new(tx: &TenantTx<'_>) -> Result<Log> {
        let hook = lead_webhook::Entity::scoped(tx.ctx())
            .filter(lead_webhook::Column::Status.eq("ACTIVE"))
            .one(tx)
            .await?
            .is_some();
        Ok(Log { hook })
    }

    /// Records `kind` for `lead` (and queues its delivery to the webhook).
    pub(crate) async fn add(
        &self,
        tx: &TenantTx<'_>,
        p: &Parley,
        lead: LeadId,
        kind: &str,
        detail: Value,
    ) -> Result<LeadActivityId> {
        let (id, row) = self.row(tx, p, lead, kind, detail);
        self.write(tx, p, vec![row]).await?;
        Ok(id)
    }

    /// One activity to write with [`Log::write`] (a run writes its batch's at once).
    pub(crate) fn row(
        &self,
        tx: &TenantTx<'_>,
        p: &Parley,
        lead: LeadId,
        kind: &str,
        detail: Value,
    ) -> (LeadActivityId, lead_activity::ActiveModel) {
        let id: LeadActivityId = new_id();
        let ctx = tx.ctx();
        let row = lead_activity::ActiveModel {
            tenant_id: Set(tx.tenant_id()),
            id: Set(id),
            lead_id: Set(lead),
            kind: Set(kind.to_owned()),
            detail: Set(detail),
            actor_id: Set(ctx.user_id()),
            actor: Set(ctx.actor().label()),
            at: Set(p.clock()),
            delivery: Set(if self.hook { "PENDING" } else { "NONE" }.to_owned()),
            attempts: Set(0),
            delivery_error: Set(None),
            delivered_at: Set(None),
        };
        (id, row)
    }

    /// Writes `rows`, and queues each one's delivery when a webhook listens.
    pub(crate) async fn write(
        &self,
        tx: &TenantTx<'_>,
        p: &Parley,
        rows: Vec<lead_activity::ActiveModel>,
    ) -> Result<()> {
        let ids: Vec<LeadActivityId> = rows.iter().filter_map(|r| r.id.clone().take()).collect();
        crate::bulk::insert(tx, rows).await?;
        if self.hook {
            for id in ids {
                let job = NewJob::of(&LeadWebhook { activity_id: id }).key(format!("leads.webhook:{id}"));
                crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
            }
        }
        Ok(())
    }
}

/// A contact to capture as a lead.
#[derive(Debug, Clone)]
pub struct CaptureInput {
    /// An existing contact…
    pub contact: Option<ContactId>,
    /// …or identities and fields to find or make one by (email, names, attributes).
    pub changes: Option<crate::contacts::ContactChanges>,
    /// What it came through (a form's name, a campaign).
    pub note: Option<String>,
}

/// Captures a contact as a lead (through the API or by hand): its open lead if it has
/// one, else a new one, scored at once. Answers the lead and whether it is new.
pub async fn capture(ctx: &TenantCtx, p: &Parley, input: CaptureInput, source: Source) -> Result<(Lead, bool)> {
    // Checked before the contact is written, so a refusal writes nothing.
    let note = input.note.as_deref().map(|n| validate::name("source", n, 200)).transpose()?;
    let contact = match (input.contact, input.changes) {
        (Some(c), None) => c,
        (None, Some(ch)) => {
            if matches!(ch.email, crate::contacts::Edit::Keep)
                && matches!(ch.external_id, crate::contacts::Edit::Keep)
                && matches!(ch.phone, crate::contacts::Edit::Keep)
            {
                return Err(Error::invalid("email", "is required (or a contact's ID)"));
            }
            crate::contacts::upsert(ctx, p, ch).await?.0.id
        }
        (Some(_), Some(_)) => {
            return Err(Error::invalid("contactId", "give a contact's ID or its identities, not both"));
        }
        (None, None) => return Err(Error::invalid("contactId", "is required (or the contact's email)")),
    };
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::WorkLeads)?;
    crate::contacts::live(&tx, contact).await?;
    let log = Log::new(&tx).await?;
    let got = capture_in(&tx, p, &log, contact, source, note, &[]).await?;
    tx.commit().await?;
    Ok(got)
}

/// The contact's open lead, if any.
async fn open_lead(tx: &TenantTx<'_>, contact: ContactId) -> Result<Option<Lead>> {
    Ok(lead::Entity::scoped(tx.ctx())
        .filter(lead::Column::ContactId.eq(contact))
        .filter(lead::Column::Status.eq("OPEN"))
        .one(tx)
        .await?)
}

/// [`capture`] in a transaction (the contact is the workspace's).
pub(crate) async fn capture_in(
    tx: &TenantTx<'_>,
    p: &Parley,
    log: &Log,
    contact: ContactId,
    source: Source,
    source_ref: Option<String>,
    skip: &[crate::TriggerFiringId],
) -> Result<(Lead, bool)> {
    if let Some(l) = open_lead(tx, contact).await? {
        return Ok((l, false));
    }
    let now = p.clock();
    let model = scoring::active_in(tx).await?;
    let scored = match &model {
        Some(m) => match scoring::rules_of(m) {
            Ok(rules) => Some((m, scoring::initial(tx, p, m, &rules, contact, skip).await?)),
            Err(_) => None,
        },
        None => None,
    };
    // Without a model there is no qualification: every lead goes to sales.
    let stage = match &scored {
        Some((m, s)) => scoring::stage_of(m, s.total()).unwrap_or("NEW"),
        None => "MQL",
    };
    let routed = stage != "NEW";
    let id: LeadId = new_id();
    let mut row = unscored(tx.tenant_id(), id, contact, source, now);
    row.source_ref = Set(source_ref.clone());
    if let Some((m, sc)) = &scored {
        row.stage = Set(stage.into());
        row.model_id = Set(Some(m.id));
        row.fit = Set(sc.fit as i32);
        row.behaviour_milli = Set(sc.behaviour_milli);
        row.half_life_secs = Set(m.half_life_secs);
        row.grade = Set(sc.grade.clone());
        row.reasons = Set(json!(sc.reasons));
        row.route_at = Set(routed.then_some(now));
    }
    // A capture racing another for the same contact keeps the first.
    let on = OnConflict::new().do_nothing().to_owned();
    let written = lead::Entity::insert(row).on_conflict(on).exec_without_returning(tx).await?;
    if written == 0 {
        return Ok((open_lead(tx, contact).await?.ok_or(Error::NotFound)?, false));
    }
    let l = tx.find::<lead::Entity>(id).await?;
    let score = score_now(&l, now);
    log.add(
        tx,
        p,
        id,
        "CAPTURED",
        json!({ "source": source.as_str(), "ref": source_ref, "stage": stage, "score": score }),
    )
    .await?;
    let props = json!({ "lead": validate::global_ref(id), "source": source.as_str(), "stage": stage, "score": score });
    crate::contacts::timeline::append(tx, contact, "lead_captured", props, now).await?;
    if routed {
        routing::nudge(tx, p).await?;
    }
    Ok((l, true))
}

/// A new open lead of `contact` as it stands without a scoring model: no score, and
/// marketing-qualified, due for routing now.
pub(crate) fn unscored(
    tenant: crate::WorkspaceId,
    id: LeadId,
    contact: ContactId,
    source: Source,
    now: DateTime<Utc>,
) -> lead::ActiveModel {
    lead::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(id),
        contact_id: Set(contact),
        status: Set("OPEN".into()),
        stage: Set("MQL".into()),
        source: Set(source.as_str().into()),
        source_ref: Set(None),
        model_id: Set(None),
        fit: Set(0),
        behaviour_milli: Set(0),
        half_life_secs: Set(86_400 * 30),
        scored_at: Set(now),
        grade: Set("A".into()),
        reasons: Set(json!([])),
        owner_id: Set(None),
        rule_id: Set(None),
        team: Set(None),
        assigned_at: Set(None),
        sla_due_at: Set(None),
        touched_at: Set(None),
        escalations: Set(0),
        route_at: Set(Some(now)),
        waiting: Set(None),
        outcome: Set("NONE".into()),
        revenue_minor: Set(None),
        currency: Set(None),
        lost_reason: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        closed_at: Set(None),
    }
}

/// Writes a new score to `l` and moves it up a stage the score now reaches (never
/// down, never past SQL, never once worked); answers whether the stage moved.
pub(crate) async fn rescore(
    tx: &TenantTx<'_>,
    p: &Parley,
    log: &Log,
    l: &Lead,
    m: &scoring::ScoringModel,
    s: &scoring::Score,
) -> Result<bool> {
    let now = p.clock();
    let reached = scoring::stage_of(m, s.total());
    let promote = match reached {
        Some(to) if rank(&l.stage) < rank(to) && rank(&l.stage) <= rank("SQL") => Some(to),
        _ => None,
    };
    let route = promote.is_some() && l.owner_id.is_none() && l.route_at.is_none();
    let mut am = lead::ActiveModel {
        tenant_id: sea_orm::ActiveValue::Unchanged(l.tenant_id),
        id: sea_orm::ActiveValue::Unchanged(l.id),
        fit: Set(s.fit as i32),
        behaviour_milli: Set(s.behaviour_milli),
        half_life_secs: Set(m.half_life_secs),
        scored_at: Set(now),
        grade: Set(s.grade.clone()),
        reasons: Set(json!(s.reasons)),
        model_id: Set(Some(m.id)),
        updated_at: Set(now),
        ..Default::default()
    };
    if let Some(to) = promote {
        am.stage = Set(to.into());
    }
    if route {
        am.route_at = Set(Some(now));
    }
    sea_orm::ActiveModelTrait::update(am, tx).await?;
    if let Some(to) = promote {
        log.add(tx, p, l.id, "STAGE", json!({ "from": l.stage, "to": to, "score": s.total() })).await?;
    }
    if route {
        routing::nudge(tx, p).await?;
    }
    Ok(promote.is_some())
}

/// Captures leads for firings of the active model's capturing rules, then adds what
/// detection read (events and firings) to the open leads' scores. Runs in detection's
/// pass, after the firings are recorded.
pub(crate) async fn on_detected(
    tx: &TenantTx<'_>,
    p: &Parley,
    (m, rules): (&scoring::ScoringModel, &scoring::Rules),
    seen: &[scoring::Seen<'_>],
    fired: &[(crate::TriggerRuleId, ContactId, crate::TriggerFiringId)],
) -> Result<()> {
    let capturing = scoring::captures(rules);
    let log = Log::new(tx).await?;
    let mut fired_pairs = Vec::new();
    // This pass's firings are added below: a lead they capture does not count them twice.
    let skip: Vec<crate::TriggerFiringId> = fired.iter().map(|f| f.2).collect();
    for (rule, contact, _) in fired {
        if capturing.contains(rule) {
            capture_in(tx, p, &log, *contact, Source::Trigger, Some(validate::global_ref(*rule)), &skip).await?;
        }
        fired_pairs.push((*rule, *contact));
    }
    scoring::on_detected(tx, p, &log, (m, rules), seen, &fired_pairs).await?;
    Ok(())
}

/// Adds a note to a lead's activity (a form's message).
pub async fn note(ctx: &TenantCtx, p: &Parley, id: LeadId, text: &str) -> Result<()> {
    let text = validate::text("message", text, 5000)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::WorkLeads)?;
    let l = tx.find::<lead::Entity>(id).await?;
    Log::new(&tx).await?.add(&tx, p, l.id, "NOTE", json!({ "text": text })).await?;
    tx.commit().await?;
    Ok(())
}

/// A journey's lead step: captures the contact (or finds its open lead) and adds
/// `points` to its behaviour; answers the note the contact's path shows.
pub(crate) async fn from_journey(
    tx: &TenantTx<'_>,
    p: &Parley,
    contact: ContactId,
    journey: crate::JourneyId,
    points: Option<i64>,
    reason: &str,
) -> Result<String> {
    let log = Log::new(tx).await?;
    let (l, new) = capture_in(tx, p, &log, contact, Source::Journey, Some(validate::global_ref(journey)), &[]).await?;
    if let Some(pts) = points {
        scoring::bump(tx, p, &log, &l, pts, reason).await?;
    }
    let what = if new { "lead captured" } else { "lead updated" };
    Ok(match points {
        Some(pts) => format!("{what}, {pts:+} points"),
        None => what.to_owned(),
    })
}

/// An outcome as a rep records it.
#[derive(Debug, Clone)]
pub struct OutcomeInput {
    pub lead: LeadId,
    pub outcome: Outcome,
    /// For `WON`: amount and currency.
    pub revenue: Option<(String, String)>,
    /// For `LOST` (required), or a note for the others.
    pub reason: Option<String>,
}

/// Records an outcome: the first one touches the lead (its first-touch deadline
/// stops), `WON` and `LOST` close it. Written to the lead's activity, the webhook and
/// the contact's history.
pub async fn record_outcome(ctx: &TenantCtx, p: &Parley, input: OutcomeInput) -> Result<Lead> {
    let reason = input.reason.as_deref().map(|r| validate::text("reason", r, 500)).transpose()?;
    let reason = reason.filter(|r| !r.trim().is_empty());
    let revenue = match (&input.revenue, input.outcome) {
        (Some((amount, currency)), Outcome::Won) => Some(Money::parse("revenue", amount, currency)?),
        (Some(_), _) => return Err(Error::invalid("revenue", "is recorded with WON only")),
        (None, Outcome::Won) => return Err(Error::invalid("revenue", "is required when the lead is won")),
        (None, _) => None,
    };
    if let Some(m) = &revenue
        && m.minor < 0
    {
        return Err(Error::invalid("revenue", "cannot be negative"));
    }
    if input.outcome == Outcome::Lost && reason.is_none() {
        return Err(Error::invalid("reason", "is required when the lead is lost"));
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::WorkLeads)?;
    let l = seen(&tx, input.lead).await?;
    let l = tx.lock::<lead::Entity>(l.id).await?;
    if l.status == "CLOSED" {
        return Err(Error::invalid("leadId", format!("is closed ({}); its outcome cannot change", l.outcome)));
    }
    let now = p.clock();
    let o = input.outcome;
    let stage = match o {
        Outcome::Contacted if rank(&l.stage) >= rank("CONTACTED") => l.stage.clone(),
        _ => o.as_str().to_owned(),
    };
    let closes = matches!(o, Outcome::Won | Outcome::Lost);
    let saved = tx
        .update::<lead::Entity>("lead.outcome", l.id, |am| {
            am.outcome = Set(o.as_str().into());
            am.stage = Set(stage.clone());
            if l.touched_at.is_none() {
                am.touched_at = Set(Some(now));
            }
            am.sla_due_at = Set(None);
            if closes {
                am.status = Set("CLOSED".into());
                am.closed_at = Set(Some(now));
                am.route_at = Set(None);
                am.waiting = Set(None);
            }
            if let Some(m) = &revenue {
                am.revenue_minor = Set(Some(m.minor));
                am.currency = Set(Some(m.currency.clone()));
            }
            if o == Outcome::Lost {
                am.lost_reason = Set(reason.clone());
            }
            am.updated_at = Set(now);
            Ok(())
        })
        .await?;
    let money = revenue.as_ref().map(|m| json!({ "amount": m.major(), "currency": m.currency }));
    let detail = json!({ "outcome": o.as_str(), "revenue": money, "reason": reason, "stage": stage });
    Log::new(&tx).await?.add(&tx, p, l.id, "OUTCOME", detail.clone()).await?;
    let mut props = detail;
    props["lead"] = json!(validate::global_ref(l.id));
    crate::contacts::timeline::append(&tx, l.contact_id, "lead_outcome", props, now).await?;
    if closes && l.owner_id.is_some() {
        // Its rep has room for a lead that waits.
        routing::reroute_waiting(&tx, p).await?;
    }
    tx.commit().await?;
    Ok(saved)
}

/// Gives a lead to a member by hand (no first-touch deadline).
pub async fn assign(ctx: &TenantCtx, p: &Parley, id: LeadId, owner: UserId) -> Result<Lead> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    let l = tx.lock::<lead::Entity>(id).await?;
    if l.status == "CLOSED" {
        return Err(Error::invalid("leadId", "is closed"));
    }
    let member = membership::Entity::scoped(ctx).filter(membership::Column::UserId.eq(owner)).one(&tx).await?.is_some();
    if !member {
        return Err(Error::invalid("ownerId", "is not a member of this workspace"));
    }
    let team =
        sales_rep::Entity::scoped(ctx).filter(sales_rep::Column::UserId.eq(owner)).one(&tx).await?.and_then(|r| r.team);
    let now = p.clock();
    let saved = tx
        .update::<lead::Entity>("lead.assigned", id, |am| {
            am.owner_id = Set(Some(owner));
            am.team = Set(team.clone());
            am.assigned_at = Set(Some(now));
            am.sla_due_at = Set(None);
            am.route_at = Set(None);
            am.waiting = Set(None);
            am.rule_id = Set(None);
            am.updated_at = Set(now);
            Ok(())
        })
        .await?;
    let detail = json!({ "from": l.owner_id, "to": owner, "byHand": true });
    Log::new(&tx).await?.add(&tx, p, id, if l.owner_id.is_some() { "REASSIGNED" } else { "ASSIGNED" }, detail).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Open leads, and leads waiting for a rep, for the sales page's header.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub open: u64,
    pub mine: u64,
    pub due: u64,
    pub overdue: u64,
    pub unassigned: u64,
}

/// What the actor sees, counted.
pub async fn counts(ctx: &TenantCtx, p: &Parley) -> Result<Counts> {
    use sea_orm::PaginatorTrait;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadLeads)?;
    let mut base = lead::Entity::scoped(ctx).filter(lead::Column::Status.eq("OPEN"));
    if let Some(c) = visible(&tx).await? {
        base = base.filter(c);
    }
    let now = p.clock();
    let mine = match ctx.user_id() {
        Some(me) => base.clone().filter(lead::Column::OwnerId.eq(me)).count(&tx).await?,
        None => 0,
    };
    let counts = Counts {
        open: base.clone().count(&tx).await?,
        mine,
        due: base.clone().filter(lead::Column::SlaDueAt.gte(now)).count(&tx).await?,
        overdue: base.clone().filter(lead::Column::SlaDueAt.lt(now)).count(&tx).await?,
        unassigned: base.filter(lead::Column::OwnerId.is_null()).count(&tx).await?,
    };
    tx.commit().await?;
    Ok(counts)
}
