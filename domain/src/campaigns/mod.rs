//! Email campaigns (EXE-1): an audience of segments and lists (with exclusions), a
//! template, a sending domain, a control group held out at random, a schedule, and the
//! lifecycle draft → in approval → scheduled → running ⇄ paused → completed, or
//! cancelled. Every transition is checked here and audited; sending is done by the
//! `campaigns.run` job ([`run`]), batch by batch, each batch's send records committed
//! with the job's position.

pub mod domains;
pub mod inbound;
pub mod links;
pub mod policies;
pub mod responses;
pub mod results;
pub mod roi;
pub mod run;
pub mod suppressions;
pub mod templates;

use chrono::{DateTime, NaiveTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, FromQueryResult, QueryFilter};
use serde_json::{Value, json};

use crate::approvals::person_of;
use crate::approvals::requests::{self, Outcome, Subject};
use crate::db::TenantOwned;
use crate::jobs::{self, NewJob, RunCampaign};
use crate::page::{Page, PageArgs};
use crate::validate::Email;
use crate::{
    Audited, BudgetLineId, CampaignId, EmailTemplateId, Error, Order, Parley, Permission, ProjectId, Result, Role,
    SegmentId, SendingDomainId, TenantCtx, TenantTx, new_id, now, validate,
};
use entities::campaigns::enums::{CampaignStatus as Status, SendStatus};
use entities::ops::enums::ApprovalObject;
use entities::{
    budget_line, campaign, campaign_send, email_template, membership, program, project, segment, sending_domain, user,
};

/// A campaign.
pub type Campaign = campaign::Model;
/// One contact in one campaign.
pub type Send = campaign_send::Model;

impl Audited for Campaign {
    fn audit_json(&self) -> Value {
        json!({
            "name": self.name, "status": self.status, "template": self.template_id,
            "sendingDomain": self.sending_domain_id, "from": self.from_address, "fromName": self.from_name,
            "segments": self.segment_ids, "excluded": self.exclude_segment_ids,
            "controlBasisPoints": self.control_basis_points, "scheduleAt": self.schedule_at,
            "localTime": self.local_time, "project": self.project_id, "budgetLine": self.budget_line_id,
            "approval": self.approval_id, "runs": self.runs,
        })
    }
}

impl Audited for Send {
    fn audit_json(&self) -> Value {
        json!({ "campaign": self.campaign_id, "contact": self.contact_id, "status": self.status, "reason": self.reason })
    }
}

/// A campaign's content and audience, as written.
#[derive(Debug, Clone, Default)]
pub struct CampaignInput {
    pub name: String,
    pub segments: Vec<SegmentId>,
    pub exclude_segments: Vec<SegmentId>,
    pub template: Option<EmailTemplateId>,
    /// An A/B split: each variant's template and share in percent (together 100); empty
    /// for `template` alone.
    pub variants: Vec<(EmailTemplateId, f64)>,
    pub sending_domain: Option<SendingDomainId>,
    pub from_address: String,
    pub from_name: String,
    /// The share held out, in percent (0 to 50; two decimals kept).
    pub control_percent: f64,
    pub schedule_at: Option<DateTime<Utc>>,
    /// `HH:MM`: send at that time of day in each contact's zone.
    pub local_time: Option<String>,
    pub project: Option<ProjectId>,
    pub budget_line: Option<BudgetLineId>,
}

/// The most segments an audience names, either way.
const MAX_SEGMENTS: usize = 20;

/// The segment IDs a campaign stores in `column`.
pub fn segment_ids(stored: &Value) -> Vec<SegmentId> {
    serde_json::from_value(stored.clone()).unwrap_or_default()
}

fn ids_json(ids: &[SegmentId]) -> Value {
    json!(ids)
}

/// `HH:MM` (00:00 to 23:59).
pub fn local_time(field: &str, raw: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| Error::invalid(field, "is a time of day written HH:MM, like 09:30"))
}

/// One content variant of a campaign, as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Variant {
    pub template_id: EmailTemplateId,
    /// Its share of the treated contacts, in hundredths of a percent.
    pub basis_points: i32,
}

/// The most variants a split has.
pub const MAX_VARIANTS: usize = 10;

/// A campaign's variants (one of 100% without a split).
pub fn variants_of(c: &Campaign) -> Vec<Variant> {
    let v: Vec<Variant> = serde_json::from_value(c.variants.clone()).unwrap_or_default();
    if v.is_empty() { vec![Variant { template_id: c.template_id, basis_points: 10_000 }] } else { v }
}

/// Which variant contact `ct` gets in campaign `c`: a uniform draw from a hash of both
/// IDs (salted apart from the control group's), placed along the variants' shares.
pub fn variant_for(c: CampaignId, ct: crate::ContactId, variants: &[Variant]) -> i32 {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(b"variant");
    h.update(uuid::Uuid::from(c).as_bytes());
    h.update(uuid::Uuid::from(ct).as_bytes());
    let d = h.finalize();
    let draw =
        i64::try_from(u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) % 10_000).unwrap_or(0);
    let mut upto = 0i64;
    for (i, v) in variants.iter().enumerate() {
        upto += i64::from(v.basis_points);
        if draw < upto {
            return i32::try_from(i).unwrap_or(0);
        }
    }
    i32::try_from(variants.len().saturating_sub(1)).unwrap_or(0)
}

fn checked_variants(template: Option<EmailTemplateId>, split: &[(EmailTemplateId, f64)]) -> Result<Vec<Variant>> {
    if split.is_empty() {
        let t = template.ok_or_else(|| Error::invalid("templateId", "is required"))?;
        return Ok(vec![Variant { template_id: t, basis_points: 10_000 }]);
    }
    if split.len() < 2 || split.len() > MAX_VARIANTS {
        return Err(Error::invalid("variants", format!("is a split of 2 to {MAX_VARIANTS} variants")));
    }
    let mut out = Vec::with_capacity(split.len());
    for (t, pct) in split {
        if !pct.is_finite() || *pct <= 0.0 {
            return Err(Error::invalid("variants", "each variant's percent is above 0"));
        }
        out.push(Variant { template_id: *t, basis_points: (pct * 100.0).round() as i32 });
    }
    if out.iter().map(|v| i64::from(v.basis_points)).sum::<i64>() != 10_000 {
        return Err(Error::invalid("variants", "the variants' percents add up to 100"));
    }
    Ok(out)
}

/// The input checked against the workspace: everything it names exists here, the From
/// address is at the sending domain.
struct Checked {
    name: String,
    segments: Vec<SegmentId>,
    excluded: Vec<SegmentId>,
    variants: Vec<Variant>,
    domain: SendingDomainId,
    from: String,
    from_name: String,
    control_bp: i32,
    schedule_at: Option<DateTime<Utc>>,
    local_time: Option<String>,
    project: Option<ProjectId>,
    budget_line: Option<BudgetLineId>,
}

async fn check(tx: &TenantTx<'_>, input: CampaignInput) -> Result<Checked> {
    let name = validate::name("name", &input.name, 200)?;
    if input.segments.is_empty() {
        return Err(Error::invalid("segmentIds", "needs at least one segment or list"));
    }
    for (field, ids) in [("segmentIds", &input.segments), ("excludeSegmentIds", &input.exclude_segments)] {
        if ids.len() > MAX_SEGMENTS {
            return Err(Error::invalid(field, format!("names more than {MAX_SEGMENTS} segments")));
        }
    }
    // Each segment once, in the order given (not only repeats side by side).
    let once = |ids: &[SegmentId]| {
        let mut seen = std::collections::HashSet::new();
        ids.iter().copied().filter(|s| seen.insert(*s)).collect::<Vec<_>>()
    };
    let segments = once(&input.segments);
    let excluded = once(&input.exclude_segments);
    if let Some(both) = segments.iter().find(|s| excluded.contains(s)) {
        return Err(Error::invalid("excludeSegmentIds", format!("segment {both} is both targeted and excluded")));
    }
    let variants = checked_variants(input.template, &input.variants)?;
    let domain = input.sending_domain.ok_or_else(|| Error::invalid("sendingDomainId", "is required"))?;
    let from = Email::parse("fromAddress", &input.from_address)?.as_str().to_owned();
    let from_name = validate::text("fromName", &input.from_name, 100)?;
    if from_name.chars().any(|c| c.is_control() || c == '"') {
        return Err(Error::invalid("fromName", "may not hold quotes or control characters"));
    }
    let control_bp = validate::percent_basis_points("controlGroupPercent", input.control_percent, 50.0)?;
    let local = input.local_time.as_deref().map(|t| local_time("localTime", t)).transpose()?;
    for s in segments.iter().chain(&excluded) {
        tx.find::<segment::Entity>(*s).await?;
    }
    for v in &variants {
        tx.find::<email_template::Entity>(v.template_id).await?;
    }
    let d = tx.find::<sending_domain::Entity>(domain).await?;
    domains::check_from("fromAddress", &from, &d.domain)?;
    if let Some(p) = input.project {
        tx.find::<project::Entity>(p).await?;
    }
    if let Some(l) = input.budget_line {
        tx.find::<budget_line::Entity>(l).await?;
    }
    Ok(Checked {
        name,
        segments,
        excluded,
        variants,
        domain,
        from,
        from_name,
        control_bp,
        schedule_at: input.schedule_at,
        local_time: local.map(|t| t.format("%H:%M").to_string()),
        project: input.project,
        budget_line: input.budget_line,
    })
}

fn apply(am: &mut campaign::ActiveModel, c: Checked) {
    am.name = Set(c.name);
    am.segment_ids = Set(ids_json(&c.segments));
    am.exclude_segment_ids = Set(ids_json(&c.excluded));
    if let Some(first) = c.variants.first() {
        am.template_id = Set(first.template_id);
    }
    am.variants = Set(json!(c.variants));
    am.sending_domain_id = Set(c.domain);
    am.from_address = Set(c.from);
    am.from_name = Set(c.from_name);
    am.control_basis_points = Set(c.control_bp);
    am.schedule_at = Set(c.schedule_at);
    am.local_time = Set(c.local_time);
    am.project_id = Set(c.project);
    am.budget_line_id = Set(c.budget_line);
}

/// Saves a draft campaign.
pub async fn create(ctx: &TenantCtx, p: &Parley, input: CampaignInput) -> Result<Campaign> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let checked = check(&tx, input).await?;
    let t = now();
    let mut row = campaign::ActiveModel {
        id: Set(new_id()),
        status: Set(Status::Draft),
        approval_id: Set(None),
        job_id: Set(None),
        runs: Set(0),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        launched_by: Set(None),
        launched_at: Set(None),
        started_at: Set(None),
        completed_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    apply(&mut row, checked);
    let c = tx.create("campaign.created", row).await?;
    tx.commit().await?;
    Ok(c)
}

/// What a status is called in messages.
fn words(s: Status) -> &'static str {
    match s {
        Status::Draft => "a draft",
        Status::InApproval => "in approval",
        Status::Scheduled => "scheduled",
        Status::Running => "running",
        Status::Paused => "paused",
        Status::Completed => "completed",
        Status::Cancelled => "cancelled",
    }
}

/// Changes a draft. `CONFLICT` once it is launched.
pub async fn update(ctx: &TenantCtx, p: &Parley, id: CampaignId, input: CampaignInput) -> Result<Campaign> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let c = tx.lock::<campaign::Entity>(id).await?;
    if c.status != Status::Draft {
        return Err(Error::Conflict(format!("the campaign is {}; only a draft can be changed", words(c.status))));
    }
    let checked = check(&tx, input).await?;
    let c = tx
        .update::<campaign::Entity>("campaign.updated", id, |am| {
            apply(am, checked);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(c)
}

/// One campaign.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: CampaignId) -> Result<Campaign> {
    p.find::<campaign::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// The workspace's campaigns, newest first, of one status or all.
pub async fn list(ctx: &TenantCtx, p: &Parley, status: Option<Status>, args: PageArgs) -> Result<Page<Campaign>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    // A journey's email steps send through campaigns of their own, shown with the journey.
    let mut q = campaign::Entity::scoped(ctx).filter(campaign::Column::JourneyId.is_null());
    if let Some(s) = status {
        q = q.filter(campaign::Column::Status.eq(s));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

async fn set_status(
    tx: &TenantTx<'_>,
    c: &Campaign,
    status: Status,
    action: &str,
    more: impl FnOnce(&mut campaign::ActiveModel),
) -> Result<Campaign> {
    tx.update::<campaign::Entity>(action, c.id, |am| {
        am.status = Set(status);
        am.updated_at = Set(now());
        more(am);
        Ok(())
    })
    .await
}

/// Whether an owner of the workspace has proved their address: mail is only sent for
/// a workspace someone reachable answers for.
async fn owner_verified(tx: &TenantTx<'_>) -> Result<bool> {
    let owners: Vec<_> = membership::Entity::scoped(tx.ctx())
        .filter(membership::Column::Role.eq(Role::Owner))
        .all(tx)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    if owners.is_empty() {
        return Ok(false);
    }
    use sea_orm::EntityTrait;
    let verified = user::Entity::find()
        .filter(user::Column::Id.is_in(owners))
        .filter(user::Column::EmailVerifiedAt.is_not_null())
        .one(tx)
        .await?;
    Ok(verified.is_some())
}

/// Queues the job that sends `c` (at its scheduled time, or now) and marks it scheduled
/// (`resume`: running again, when it had started).
async fn start_in(tx: &TenantTx<'_>, p: &Parley, c: &Campaign, action: &str) -> Result<Campaign> {
    let runs = c.runs + 1;
    let at = c.schedule_at.filter(|t| *t > now());
    let mut job = NewJob::of(&RunCampaign { campaign_id: c.id }).key(format!("campaign:{}:run:{runs}", c.id));
    // A mail server down for hours must not make the campaign's job dead: it waits.
    job.max_attempts = Some(1_000);
    if let Some(at) = at {
        job = job.at(at);
    }
    let job_id = jobs::enqueue_in_returning(tx, p, tx.ctx(), job).await?;
    let status = if c.started_at.is_some() { Status::Running } else { Status::Scheduled };
    set_status(tx, c, status, action, |am| {
        am.runs = Set(runs);
        am.job_id = Set(Some(job_id));
    })
    .await
}

/// Launches a draft: into approval when a rule asks for one, else scheduled (sending
/// at its time, or now). `FORBIDDEN` until an owner of the workspace has verified
/// their email address.
pub async fn launch(ctx: &TenantCtx, p: &Parley, id: CampaignId) -> Result<Campaign> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let c = tx.lock::<campaign::Entity>(id).await?;
    if c.status != Status::Draft {
        return Err(Error::Conflict(format!("the campaign is {}; only a draft is launched", words(c.status))));
    }
    if !owner_verified(&tx).await? {
        return Err(Error::forbidden(
            "campaigns are sent only once an owner of this workspace has verified their email address: open the link in the verification email",
        ));
    }
    // The templates and domain are read again: they may have gone since the draft was saved.
    for v in variants_of(&c) {
        tx.find::<email_template::Entity>(v.template_id).await?;
    }
    tx.find::<sending_domain::Entity>(c.sending_domain_id).await?;
    let mut places = Vec::new();
    if let Some(project) = c.project_id {
        let project = tx.find::<project::Entity>(project).await?;
        places.push(tx.find::<program::Entity>(project.program_id).await?.id.into());
    }
    let requester = person_of(&tx).await?;
    let t = now();
    let subject = Subject {
        object_type: ApprovalObject::Campaign,
        object_id: c.id.into(),
        amount: None,
        summary: format!("Campaign '{}'", c.name),
        requester,
        places,
    };
    let launched = |am: &mut campaign::ActiveModel| {
        am.launched_by = Set(requester);
        am.launched_at = Set(Some(t));
    };
    let out = match requests::request_in(&tx, p, subject).await? {
        Some(a) => {
            set_status(&tx, &c, Status::InApproval, "campaign.submitted", |am| {
                launched(am);
                am.approval_id = Set(Some(a.id));
            })
            .await?
        }
        None => {
            let c = set_status(&tx, &c, Status::Draft, "campaign.launched", launched).await?;
            start_in(&tx, p, &c, "campaign.scheduled").await?
        }
    };
    tx.commit().await?;
    Ok(out)
}

/// What an approval's outcome does to the campaign it was about: approved, it is
/// scheduled; rejected or sent back, it is a draft again.
pub(crate) async fn decided_in(tx: &TenantTx<'_>, p: &Parley, id: CampaignId, outcome: Outcome) -> Result<()> {
    let c = tx.lock::<campaign::Entity>(id).await?;
    if c.status != Status::InApproval {
        return Ok(());
    }
    match outcome {
        Outcome::Approved => {
            start_in(tx, p, &c, "campaign.approved").await?;
        }
        Outcome::Rejected => {
            set_status(tx, &c, Status::Draft, "campaign.rejected", |_| {}).await?;
        }
        Outcome::Returned => {
            set_status(tx, &c, Status::Draft, "campaign.returned", |_| {}).await?;
        }
    }
    Ok(())
}

/// Pauses a scheduled or running campaign: the batch being sent finishes, no other
/// starts.
pub async fn pause(ctx: &TenantCtx, p: &Parley, id: CampaignId) -> Result<Campaign> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let c = tx.lock::<campaign::Entity>(id).await?;
    if !matches!(c.status, Status::Scheduled | Status::Running) {
        return Err(Error::Conflict(format!(
            "the campaign is {}; only a scheduled or running campaign is paused",
            words(c.status)
        )));
    }
    let c = set_status(&tx, &c, Status::Paused, "campaign.paused", |_| {}).await?;
    tx.commit().await?;
    Ok(c)
}

/// Resumes a paused campaign where it stopped.
pub async fn resume(ctx: &TenantCtx, p: &Parley, id: CampaignId) -> Result<Campaign> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let c = tx.lock::<campaign::Entity>(id).await?;
    if c.status != Status::Paused {
        return Err(Error::Conflict(format!("the campaign is {}; only a paused campaign resumes", words(c.status))));
    }
    let c = start_in(&tx, p, &c, "campaign.resumed").await?;
    tx.commit().await?;
    Ok(c)
}

/// Cancels a campaign for good: what was not sent never will be.
pub async fn cancel(ctx: &TenantCtx, p: &Parley, id: CampaignId) -> Result<Campaign> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageCampaigns)?;
    let c = tx.lock::<campaign::Entity>(id).await?;
    if matches!(c.status, Status::Completed | Status::Cancelled) {
        return Err(Error::Conflict(format!("the campaign is {} already", words(c.status))));
    }
    if let (Status::InApproval, Some(a)) = (c.status, c.approval_id) {
        requests::cancel_in(&tx, a).await?;
    }
    let c =
        set_status(&tx, &c, Status::Cancelled, "campaign.cancelled", |am| am.completed_at = Set(Some(now()))).await?;
    tx.commit().await?;
    Ok(c)
}

/// How far a campaign got: its contacts by where they stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Contacts of its audience chosen so far (all of them once sending started).
    pub targeted: i64,
    pub control_group: i64,
    pub suppressed: i64,
    /// Waiting to be sent (for their local time, or a retry).
    pub queued: i64,
    /// Handed over by a batch that has not reported (after a crash: the batch that was
    /// in flight).
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    /// Suppressed contacts by reason.
    pub suppressed_by: Vec<(String, i64)>,
}

#[derive(Debug, FromQueryResult)]
struct StatusCount {
    status: String,
    reason: Option<String>,
    n: i64,
}

/// The progress of campaign `id` now.
pub async fn progress(ctx: &TenantCtx, p: &Parley, id: CampaignId) -> Result<Progress> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    tx.find::<campaign::Entity>(id).await?;
    let q = Query::select()
        .column(campaign_send::Column::Status)
        .column(campaign_send::Column::Reason)
        .expr_as(Expr::col(campaign_send::Column::Id).count(), Alias::new("n"))
        .from(campaign_send::Entity)
        .and_where(Expr::col(campaign_send::Column::TenantId).eq(ctx.tenant_id()))
        .and_where(Expr::col(campaign_send::Column::CampaignId).eq(id))
        .group_by_col(campaign_send::Column::Status)
        .group_by_col(campaign_send::Column::Reason)
        .to_owned();
    let backend = tx.get_database_backend();
    let rows = StatusCount::find_by_statement(backend.build(&q)).all(&tx).await?;
    tx.commit().await?;
    let mut out = Progress::default();
    for r in rows {
        out.targeted += r.n;
        let status = serde_json::from_value::<SendStatus>(json!(r.status.to_uppercase())).ok();
        match status {
            Some(SendStatus::Control) => out.control_group += r.n,
            Some(SendStatus::Suppressed) => {
                out.suppressed += r.n;
                out.suppressed_by.push((r.reason.unwrap_or_default(), r.n));
            }
            Some(SendStatus::Queued) => out.queued += r.n,
            Some(SendStatus::Sending) => out.sending += r.n,
            Some(SendStatus::Sent) => out.sent += r.n,
            Some(SendStatus::Failed) => out.failed += r.n,
            None => {}
        }
    }
    out.suppressed_by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// The sends of a campaign (one per contact of its audience), oldest first, of one
/// status or all.
pub async fn sends(
    ctx: &TenantCtx,
    p: &Parley,
    id: CampaignId,
    status: Option<SendStatus>,
    args: PageArgs,
) -> Result<Page<Send>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    tx.find::<campaign::Entity>(id).await?;
    let mut q = campaign_send::Entity::scoped(ctx).filter(campaign_send::Column::CampaignId.eq(id));
    if let Some(s) = status {
        q = q.filter(campaign_send::Column::Status.eq(s));
    }
    let page = tx.page(q, Order::Oldest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One send.
pub async fn send(ctx: &TenantCtx, p: &Parley, id: crate::CampaignSendId) -> Result<Send> {
    p.find::<campaign_send::Entity>(ctx, Permission::ReadContacts, id).await
}
