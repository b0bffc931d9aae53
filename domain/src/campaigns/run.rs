//! The `campaigns.run` job, domain side: the worker (`workers::campaigns`) drives it and
//! talks SMTP; everything it reads and writes goes through here.
//!
//! 1. **Choose**: the audience (contacts of any targeted segment, none of an excluded
//!    one) is read in contact order, a batch at a time. Each contact gets one send
//!    record, unique per campaign and contact: suppressed (no address, no consent, on
//!    the suppression list; the reason kept), held out as control (at random, by a
//!    hash of campaign and contact, among those who would have been sent to), or
//!    queued (at the contact's local time when the campaign says so). Each batch
//!    commits with the job's position.
//! 2. **Send**: queued sends are claimed a batch at a time (marked `sending`), handed to
//!    the mail server, and recorded (`sent`, retried later, or `failed`) with an
//!    `email_sent` event on each contact's timeline. A worker killed mid-batch leaves
//!    that batch `sending`; the next attempt sends it again, so every contact gets
//!    exactly one message except, at most, the batch that was in flight.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::domains::{self, DkimKey};
use super::links::{self, SendRef};
use super::policies;
use super::templates::{self, Compiled, contact_vars};
use super::{Campaign, segment_ids};
use crate::contacts::{Channel, ConsentStatus, consents_of};
use crate::db::TenantOwned;
use crate::jobs::{self, ClaimedJob, NewJob, Progress, RunCampaign};
use crate::{CampaignId, CampaignSendId, Contact, ContactId, Error, Parley, Result, TenantTx, new_id, now};
use entities::campaigns::enums::{CampaignStatus as Status, SendStatus};
use entities::{campaign, campaign_send, contact, contact_event, email_suppression, email_template, sending_domain};

/// Contacts chosen per batch.
const CHOOSE_BATCH: u64 = 1_000;
/// Hand-overs to the mail server before a send fails for good.
pub const MAX_ATTEMPTS: i32 = 5;

/// Where the job is: the last contact chosen (None: none yet).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Cursor {
    after: Option<ContactId>,
    chosen: bool,
}

/// What the next step should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Go on.
    More,
    /// This phase is over.
    Done,
    /// The campaign was paused or cancelled, or another run took over: stop quietly.
    Stop,
    /// Another worker holds the job now: stop at once.
    LeaseLost,
}

/// One message, ready for the mail server.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub send: CampaignSendId,
    pub to: String,
    pub subject: String,
    pub html: String,
    pub text: String,
    /// Without angle brackets.
    pub message_id: String,
    /// The envelope sender (VERP).
    pub return_path: String,
    pub unsubscribe_url: String,
}

/// What a batch's claim found.
#[derive(Debug)]
pub enum Claim {
    /// Messages to send now.
    Batch(Vec<Outgoing>),
    /// Nothing due now; the next is due then.
    Wait(DateTime<Utc>),
    /// Nothing left.
    Done,
    /// Paused, cancelled, or taken over.
    Stop,
}

/// How one message went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// The mail server accepted it.
    Sent,
    /// Refused for now (a 4xx answer): try again later.
    Retry(String),
    /// Refused for good (a 5xx answer, a bad address).
    Failed(String),
    /// Never handed over (the server could not be reached): not an attempt.
    Unsent(String),
}

/// What every message of a run shares.
pub struct Prepared {
    /// One per content variant, in the campaign's order.
    pub compiled: Vec<Compiled>,
    pub dkim: DkimKey,
    /// The From address and name.
    pub from_address: String,
    pub from_name: String,
    pub campaign_name: String,
}

/// A run of the job for one campaign.
pub struct Run<'a> {
    p: &'a Parley,
    worker: &'a str,
    job: &'a ClaimedJob,
    id: CampaignId,
    cursor: Cursor,
    progress: Progress,
    /// The last send claimed: the next claim reads on from it, rather than over the
    /// index entries of every send done already (a queue's dead rows, until vacuum).
    /// Sends put back in the queue behind it are found once the reading reaches the end.
    claimed_to: std::sync::Mutex<Option<CampaignSendId>>,
}

impl<'a> Run<'a> {
    /// The run `job` (holding `worker`'s lease) makes of campaign `id`.
    pub fn new(p: &'a Parley, worker: &'a str, job: &'a ClaimedJob, id: CampaignId) -> Result<Run<'a>> {
        let cursor = match job.cursor.as_deref() {
            Some(c) => serde_json::from_str(c).map_err(Error::internal)?,
            None => Cursor::default(),
        };
        let progress = job.progress.unwrap_or_default();
        Ok(Run { p, worker, job, id, cursor, progress, claimed_to: std::sync::Mutex::new(None) })
    }

    async fn tx(&self) -> Result<TenantTx<'a>> {
        self.p.tenant_tx(&self.job.ctx).await
    }

    /// The campaign, when this job is still the one that runs it.
    async fn current(&self, tx: &TenantTx<'_>) -> Result<Option<Campaign>> {
        let c = match tx.lock::<campaign::Entity>(self.id).await {
            Ok(c) => c,
            Err(Error::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok((c.status == Status::Running && c.job_id == Some(self.job.id)).then_some(c))
    }

    /// Starts the run: a scheduled campaign is running from now; a send left `sending`
    /// by a worker that died goes back to the queue. False when there is nothing to
    /// run (paused, cancelled, or another job runs it).
    pub async fn begin(&mut self) -> Result<bool> {
        let tx = self.tx().await?;
        let c = match tx.lock::<campaign::Entity>(self.id).await {
            Ok(c) => c,
            Err(Error::NotFound) => return Ok(false),
            Err(e) => return Err(e),
        };
        if c.job_id != Some(self.job.id) || !matches!(c.status, Status::Scheduled | Status::Running) {
            return Ok(false);
        }
        if c.status == Status::Scheduled {
            tx.update::<campaign::Entity>("campaign.started", c.id, |am| {
                am.status = Set(Status::Running);
                am.started_at = Set(Some(now()));
                am.updated_at = Set(now());
                Ok(())
            })
            .await?;
        }
        let stuck = campaign_send::Entity::update_many()
            .col_expr(campaign_send::Column::Status, Expr::value(SendStatus::Queued))
            .filter(campaign_send::Column::TenantId.eq(tx.tenant_id()))
            .filter(campaign_send::Column::CampaignId.eq(self.id))
            .filter(campaign_send::Column::Status.eq(SendStatus::Sending))
            .exec(&tx)
            .await?
            .rows_affected;
        if stuck > 0 {
            tracing::warn!(campaign = %self.id, stuck, "sends of a batch that was in flight are sent again");
        }
        if self.cursor.after.is_none() && !self.cursor.chosen {
            // A resumed campaign's new job starts after the contacts chosen already.
            let last = campaign_send::Entity::scoped(&self.job.ctx)
                .filter(campaign_send::Column::CampaignId.eq(self.id))
                .order_by_desc(campaign_send::Column::ContactId)
                .one(&tx)
                .await?;
            self.cursor.after = last.map(|s| s.contact_id);
        }
        if self.job.progress.is_none() {
            let total = campaign_send::Entity::scoped(&self.job.ctx)
                .filter(campaign_send::Column::CampaignId.eq(self.id))
                .count(&tx)
                .await?;
            let done = campaign_send::Entity::scoped(&self.job.ctx)
                .filter(campaign_send::Column::CampaignId.eq(self.id))
                .filter(campaign_send::Column::Status.is_not_in([SendStatus::Queued, SendStatus::Sending]))
                .count(&tx)
                .await?;
            self.progress = Progress { done: to_i64(done), total: Some(to_i64(total)) };
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn report(&self, tx: &TenantTx<'_>) -> Result<bool> {
        let cursor = serde_json::to_string(&self.cursor).map_err(Error::internal)?;
        jobs::report_in(tx, self.p, self.worker, self.job, self.progress, Some(&cursor)).await
    }

    /// Chooses the next batch of the audience.
    pub async fn choose(&mut self) -> Result<Step> {
        if self.cursor.chosen {
            return Ok(Step::Done);
        }
        let tx = self.tx().await?;
        let Some(c) = self.current(&tx).await? else { return Ok(Step::Stop) };
        let mut include = Condition::any();
        for s in segment_ids(&c.segment_ids) {
            include = include.add(crate::segments::condition_in(&tx, s).await?);
        }
        let mut exclude = Condition::any();
        for s in segment_ids(&c.exclude_segment_ids) {
            exclude = exclude.add(crate::segments::condition_in(&tx, s).await?);
        }
        let mut q = contact::Entity::scoped(&self.job.ctx)
            .filter(contact::Column::MergedInto.is_null())
            .filter(include)
            .filter(exclude.not());
        if let Some(after) = self.cursor.after {
            q = q.filter(contact::Column::Id.gt(after));
        }
        let batch = q.order_by_asc(contact::Column::Id).limit(CHOOSE_BATCH).all(&tx).await?;
        let ended = (batch.len() as u64) < CHOOSE_BATCH;
        let emails: Vec<String> = batch.iter().filter_map(|c| c.email.clone()).collect();
        let listed: HashMap<String, String> = if emails.is_empty() {
            HashMap::new()
        } else {
            email_suppression::Entity::scoped(&self.job.ctx)
                .filter(email_suppression::Column::Email.is_in(emails))
                .filter(email_suppression::Column::Reason.is_not_null())
                .all(&tx)
                .await?
                .into_iter()
                .map(|s| (s.email, s.reason.map(reason_name).unwrap_or_default()))
                .collect()
        };
        let domain = tx.find::<sending_domain::Entity>(c.sending_domain_id).await?.domain;
        let policy = policies::of_in(&tx).await?;
        let ids: Vec<ContactId> = batch.iter().map(|c| c.id).collect();
        let capped = policies::capped_in(&tx, policy.as_ref(), &ids).await?;
        let quiet = policies::quiet_of(policy.as_ref());
        let t = now();
        let window = c.local_time.as_deref().and_then(|l| NaiveTime::parse_from_str(l, "%H:%M").ok());
        let reference = c.schedule_at.filter(|s| *s > t).unwrap_or(t);
        let variants = super::variants_of(&c);
        let mut rows = Vec::with_capacity(batch.len());
        let (mut finished, mut added) = (0i64, 0i64);
        for ct in &batch {
            let id: CampaignSendId = new_id();
            let (status, reason) = choose_one(&c, ct, &listed, capped.contains(&ct.id));
            let mut not_before = match (status, window) {
                (SendStatus::Queued, Some(w)) => Some(local_send_time(ct.time_zone.as_deref(), w, reference)),
                _ => None,
            };
            if let (SendStatus::Queued, Some((start, end))) = (status, quiet) {
                let at = not_before.unwrap_or(reference);
                if let Some(until) = policies::quiet_until(ct.time_zone.as_deref(), start, end, at) {
                    not_before = Some(until);
                }
            }
            if status != SendStatus::Queued {
                finished += 1;
            }
            added += 1;
            let mut row = new_send(tx.tenant_id(), id, &c, ct, (status, reason), &domain, t);
            row.variant = Set(super::variant_for(c.id, ct.id, &variants));
            row.not_before = Set(not_before);
            rows.push(row);
        }
        crate::bulk::insert(&tx, rows).await?;
        self.cursor.after = batch.last().map(|c| c.id).or(self.cursor.after);
        self.cursor.chosen = ended;
        self.progress.done += finished;
        self.progress.total = Some(self.progress.total.unwrap_or(0) + added);
        if !self.report(&tx).await? {
            return Ok(Step::LeaseLost);
        }
        tx.commit().await?;
        if ended {
            // The sends of the whole audience were just written: without fresh
            // statistics PostgreSQL would plan each batch's update as a scan of them all.
            let tx = self.tx().await?;
            crate::db::refresh_statistics(&tx, "campaign_sends").await?;
            tx.commit().await?;
        }
        Ok(if ended { Step::Done } else { Step::More })
    }

    /// What every message shares: the template compiled, the signing key.
    pub async fn prepare(&self) -> Result<Prepared> {
        let tx = self.tx().await?;
        let c = tx.find::<campaign::Entity>(self.id).await?;
        let mut sources = Vec::new();
        for v in super::variants_of(&c) {
            sources.push(tx.find::<email_template::Entity>(v.template_id).await?);
        }
        let dkim = domains::key_in(&tx, self.p, c.sending_domain_id).await?;
        tx.commit().await?;
        let compiled =
            tokio::task::spawn_blocking(move || sources.iter().map(templates::compile).collect::<Result<Vec<_>>>())
                .await
                .map_err(Error::internal)??;
        Ok(Prepared { compiled, dkim, from_address: c.from_address, from_name: c.from_name, campaign_name: c.name })
    }

    /// Claims up to `limit` queued sends that are due, marks them `sending`, and
    /// renders their messages.
    pub async fn claim(&self, prepared: &std::sync::Arc<Prepared>, limit: u64) -> Result<Claim> {
        let tx = self.tx().await?;
        let Some(_) = self.current(&tx).await? else { return Ok(Claim::Stop) };
        let t = now();
        let of_campaign = || {
            campaign_send::Entity::scoped(&self.job.ctx)
                .filter(campaign_send::Column::CampaignId.eq(self.id))
                .filter(campaign_send::Column::Status.eq(SendStatus::Queued))
        };
        let due_from = |after: Option<CampaignSendId>| {
            let mut q = of_campaign().filter(
                Condition::any()
                    .add(campaign_send::Column::NotBefore.is_null())
                    .add(campaign_send::Column::NotBefore.lte(t)),
            );
            if let Some(after) = after {
                q = q.filter(campaign_send::Column::Id.gt(after));
            }
            q.order_by_asc(campaign_send::Column::Id).limit(limit).all(&tx)
        };
        let after = *self.claimed_to.lock().map_err(Error::internal)?;
        let mut due = due_from(after).await?;
        if due.is_empty() && after.is_some() {
            due = due_from(None).await?;
        }
        *self.claimed_to.lock().map_err(Error::internal)? = due.last().map(|s| s.id);
        if due.is_empty() {
            let next = of_campaign().order_by_asc(campaign_send::Column::NotBefore).one(&tx).await?;
            tx.commit().await?;
            return Ok(match next.and_then(|s| s.not_before) {
                Some(at) => Claim::Wait(at),
                None => Claim::Done,
            });
        }
        let ids: Vec<CampaignSendId> = due.iter().map(|s| s.id).collect();
        campaign_send::Entity::update_many()
            .col_expr(campaign_send::Column::Status, Expr::value(SendStatus::Sending))
            .col_expr(campaign_send::Column::Attempts, Expr::col(campaign_send::Column::Attempts).add(1))
            .filter(campaign_send::Column::TenantId.eq(tx.tenant_id()))
            .filter(campaign_send::Column::Id.is_in(ids))
            .exec(&tx)
            .await?;
        let contact_ids: Vec<ContactId> = due.iter().map(|s| s.contact_id).collect();
        let contacts: HashMap<ContactId, Contact> = contact::Entity::scoped(&self.job.ctx)
            .filter(contact::Column::Id.is_in(contact_ids))
            .all(&tx)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        tx.commit().await?;
        // Rendering is CPU work: on the blocking threads, beside the batch being sent.
        let (p, prepared, tenant) = (self.p.clone(), prepared.clone(), self.job.ctx.tenant_id());
        let out = tokio::task::spawn_blocking(move || render_all(&p, &prepared, tenant, due, &contacts))
            .await
            .map_err(Error::internal)??;
        Ok(Claim::Batch(out))
    }

    /// Records how a batch went, with an `email_sent` event per message accepted.
    pub async fn record(&mut self, results: Vec<(CampaignSendId, Delivery)>) -> Result<Step> {
        let tx = self.tx().await?;
        let t = now();
        let sent: Vec<CampaignSendId> =
            results.iter().filter(|(_, d)| *d == Delivery::Sent).map(|(id, _)| *id).collect();
        if !sent.is_empty() {
            campaign_send::Entity::update_many()
                .col_expr(campaign_send::Column::Status, Expr::value(SendStatus::Sent))
                .col_expr(campaign_send::Column::SentAt, Expr::value(Some(t)))
                .col_expr(campaign_send::Column::LastError, Expr::value(Option::<String>::None))
                .filter(campaign_send::Column::TenantId.eq(tx.tenant_id()))
                .filter(campaign_send::Column::Id.is_in(sent.clone()))
                .exec(&tx)
                .await?;
            let rows = campaign_send::Entity::scoped(&self.job.ctx)
                .filter(campaign_send::Column::Id.is_in(sent.clone()))
                .all(&tx)
                .await?;
            let events: Vec<contact_event::ActiveModel> = rows
                .iter()
                .map(|s| contact_event::ActiveModel {
                    tenant_id: Set(tx.tenant_id()),
                    id: Set(new_id()),
                    contact_id: Set(Some(s.contact_id)),
                    anonymous_id: Set(None),
                    kind: Set("email_sent".to_owned()),
                    properties: Set(json!({
                        "campaignId": s.campaign_id, "sendId": s.id, "messageId": s.message_id,
                        "channel": Channel::Email,
                    })),
                    occurred_at: Set(t),
                    received_at: Set(t),
                })
                .collect();
            crate::bulk::insert(&tx, events).await?;
            self.progress.done += to_i64(sent.len() as u64);
        }
        for (id, d) in &results {
            let (status, error, not_before, counts) = match d {
                Delivery::Sent => continue,
                Delivery::Unsent(e) => (SendStatus::Queued, e, None, false),
                Delivery::Failed(e) => (SendStatus::Failed, e, None, true),
                Delivery::Retry(e) => {
                    let s = tx.find::<campaign_send::Entity>(*id).await?;
                    if s.attempts >= MAX_ATTEMPTS {
                        (SendStatus::Failed, e, None, true)
                    } else {
                        let wait = Duration::seconds(60i64 << s.attempts.clamp(0, 10));
                        (SendStatus::Queued, e, Some(t + wait), false)
                    }
                }
            };
            let mut upd = campaign_send::Entity::update_many()
                .col_expr(campaign_send::Column::Status, Expr::value(status))
                .col_expr(
                    campaign_send::Column::LastError,
                    Expr::value(Some(error.chars().take(500).collect::<String>())),
                )
                .col_expr(campaign_send::Column::NotBefore, Expr::value(not_before));
            if status == SendStatus::Failed {
                upd = upd.col_expr(campaign_send::Column::Reason, Expr::value(Some("SMTP_REFUSED")));
            }
            if matches!(d, Delivery::Unsent(_)) {
                upd = upd.col_expr(campaign_send::Column::Attempts, Expr::col(campaign_send::Column::Attempts).sub(1));
            }
            upd.filter(campaign_send::Column::TenantId.eq(tx.tenant_id()))
                .filter(campaign_send::Column::Id.eq(*id))
                .exec(&tx)
                .await?;
            if counts {
                self.progress.done += 1;
            }
        }
        if !self.report(&tx).await? {
            return Ok(Step::LeaseLost);
        }
        tx.commit().await?;
        Ok(Step::More)
    }

    /// Nothing is due before `at`: a job of the same run picks the campaign up then.
    pub async fn wait_until(&self, at: DateTime<Utc>) -> Result<()> {
        let tx = self.tx().await?;
        let Some(c) = self.current(&tx).await? else { return Ok(()) };
        let job = NewJob::of(&RunCampaign { campaign_id: c.id })
            .key(format!("campaign:{}:run:{}:at:{}", c.id, c.runs, at.timestamp()))
            .at(at);
        let job = NewJob { max_attempts: Some(1_000), ..job };
        let job_id = jobs::enqueue_in_returning(&tx, self.p, &self.job.ctx, job).await?;
        campaign::Entity::update_many()
            .col_expr(campaign::Column::JobId, Expr::value(Some(job_id)))
            .filter(campaign::Column::TenantId.eq(tx.tenant_id()))
            .filter(campaign::Column::Id.eq(c.id))
            .exec(&tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every send is done: the campaign is completed (a journey's step's campaign goes
    /// on: its journey queues a job again when it has more to send).
    pub async fn finish(&self) -> Result<()> {
        let tx = self.tx().await?;
        let Some(c) = self.current(&tx).await? else { return Ok(()) };
        if c.journey_id.is_some() {
            // What its journey queued since the last claim goes to a new job; with nothing
            // left, no job runs it until the journey queues more.
            let left = campaign_send::Entity::scoped(&self.job.ctx)
                .filter(campaign_send::Column::CampaignId.eq(c.id))
                .filter(campaign_send::Column::Status.eq(SendStatus::Queued))
                .count(&tx)
                .await?;
            if left > 0 {
                crate::journeys::email::hand_over(&tx, self.p, c.id).await?;
            } else {
                campaign::Entity::update_many()
                    .col_expr(campaign::Column::JobId, Expr::value(Option::<crate::JobId>::None))
                    .filter(campaign::Column::TenantId.eq(tx.tenant_id()))
                    .filter(campaign::Column::Id.eq(c.id))
                    .exec(&tx)
                    .await?;
            }
            tx.commit().await?;
            return Ok(());
        }
        tx.update::<campaign::Entity>("campaign.completed", c.id, |am| {
            am.status = Set(Status::Completed);
            am.completed_at = Set(Some(now()));
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The messages of a claimed batch.
fn render_all(
    p: &Parley,
    prepared: &Prepared,
    tenant: crate::WorkspaceId,
    due: Vec<campaign_send::Model>,
    contacts: &HashMap<ContactId, Contact>,
) -> Result<Vec<Outgoing>> {
    let mut out = Vec::with_capacity(due.len());
    for s in due {
        let (Some(to), Some(ct)) = (s.email.clone(), contacts.get(&s.contact_id)) else { continue };
        let r = SendRef { tenant, send: s.id };
        let unsubscribe_url = links::unsubscribe_url(p, r);
        let vars = json!({
            "contact": contact_vars(ct),
            "campaign": { "name": prepared.campaign_name },
            "unsubscribe_url": unsubscribe_url,
        });
        let compiled = usize::try_from(s.variant).ok().and_then(|i| prepared.compiled.get(i));
        let Some(compiled) = compiled.or(prepared.compiled.first()) else { continue };
        let rendered = compiled.render(&vars)?;
        let html = links::tracked_html(p, r, &rendered.html, &unsubscribe_url);
        out.push(Outgoing {
            send: s.id,
            to,
            subject: rendered.subject,
            html,
            text: rendered.text,
            message_id: s.message_id.clone().unwrap_or_else(|| links::message_id(s.id, &prepared.dkim.domain)),
            return_path: links::return_path(p, r, &prepared.dkim.domain),
            unsubscribe_url,
        });
    }
    Ok(out)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(crate) fn reason_name(r: entities::campaigns::enums::SuppressionReason) -> String {
    serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// A new send `id` of campaign `c` to contact `ct`, in the state chosen for it (a queued
/// one with its Message-ID at `domain`), of the first variant, due at once.
pub(crate) fn new_send(
    tenant: crate::WorkspaceId,
    id: CampaignSendId,
    c: &Campaign,
    ct: &Contact,
    (status, reason): (SendStatus, Option<String>),
    domain: &str,
    t: DateTime<Utc>,
) -> campaign_send::ActiveModel {
    campaign_send::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(id),
        campaign_id: Set(c.id),
        contact_id: Set(ct.id),
        email: Set(ct.email.clone()),
        status: Set(status),
        reason: Set(reason),
        variant: Set(0),
        attempts: Set(0),
        not_before: Set(None),
        last_error: Set(None),
        message_id: Set((status == SendStatus::Queued).then(|| links::message_id(id, domain))),
        sent_at: Set(None),
        opened_at: Set(None),
        clicked_at: Set(None),
        opens: Set(0),
        clicks: Set(0),
        bounce: Set(None),
        bounced_at: Set(None),
        unsubscribed_at: Set(None),
        complained_at: Set(None),
        created_at: Set(t),
        enrolment_id: Set(None),
    }
}

/// Where one contact stands: suppressed (and why), held out, or queued.
pub(crate) fn choose_one(
    c: &Campaign,
    ct: &Contact,
    listed: &HashMap<String, String>,
    capped: bool,
) -> (SendStatus, Option<String>) {
    let Some(email) = ct.email.as_deref() else {
        return (SendStatus::Suppressed, Some("NO_EMAIL".into()));
    };
    match consents_of(ct).into_iter().find(|k| k.channel == Channel::Email).map(|k| k.status) {
        Some(ConsentStatus::Granted) => {}
        Some(ConsentStatus::Denied) => return (SendStatus::Suppressed, Some("CONSENT_DENIED".into())),
        Some(ConsentStatus::Pending) | None => return (SendStatus::Suppressed, Some("NO_CONSENT".into())),
    }
    if let Some(reason) = listed.get(email) {
        return (SendStatus::Suppressed, Some(reason.clone()));
    }
    if capped {
        return (SendStatus::Suppressed, Some("FREQUENCY_CAP".into()));
    }
    if in_control(c.id, ct.id, c.control_basis_points) {
        return (SendStatus::Control, None);
    }
    (SendStatus::Queued, None)
}

/// Whether contact `ct` is held out of campaign `c`: a uniform draw in 0..10,000 from a
/// hash of both IDs, below the control share. The same contact and campaign always
/// draw the same, so a repeated batch holds out the same contacts.
pub fn in_control(c: CampaignId, ct: ContactId, basis_points: i32) -> bool {
    use sha2::{Digest, Sha256};
    if basis_points <= 0 {
        return false;
    }
    let mut h = Sha256::new();
    h.update(uuid::Uuid::from(c).as_bytes());
    h.update(uuid::Uuid::from(ct).as_bytes());
    let d = h.finalize();
    let draw = u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]]) % 10_000;
    draw < u64::try_from(basis_points).unwrap_or(0)
}

/// When a contact in zone `tz` (UTC when unknown or unreadable) receives a campaign sent
/// at `local` o'clock: that time on the day `reference` falls on there, or the next day
/// when it has passed.
pub fn local_send_time(tz: Option<&str>, local: NaiveTime, reference: DateTime<Utc>) -> DateTime<Utc> {
    let zone: chrono_tz::Tz = tz.and_then(|z| z.parse().ok()).unwrap_or(chrono_tz::UTC);
    let day = reference.with_timezone(&zone).date_naive();
    for offset in 0..3 {
        let Some(d) = day.checked_add_days(chrono::Days::new(offset)) else { break };
        // A time skipped by a clock change is taken an hour later.
        let at = zone
            .from_local_datetime(&d.and_time(local))
            .earliest()
            .or_else(|| zone.from_local_datetime(&d.and_time(local + Duration::hours(1))).earliest());
        if let Some(at) = at.map(|a| a.with_timezone(&Utc))
            && at >= reference
        {
            return at;
        }
    }
    reference
}
