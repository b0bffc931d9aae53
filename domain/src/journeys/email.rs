//! A journey's email steps. Each sends through a campaign of its own (made when the
//! journey is published, updated when a later version changes the step), so a journey's
//! mail is the campaigns' mail: the same consent, suppressions, frequency caps and quiet
//! hours decide whether it goes, the same job renders, signs and delivers it, and opens,
//! clicks, bounces and unsubscribes come back to it and to the contact's timeline. Such a
//! campaign is running as long as the journey exists, is never completed, and is not
//! listed among the workspace's campaigns.
//!
//! The step writes the contact's send in the transaction that moves the contact on,
//! once per enrolment (unique), so a run killed and run again never sends twice.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use super::definition::{Action, Definition};
use super::{Enrolment, Journey};
use crate::campaigns::{Campaign, Variant, policies, run as sending, suppressions};
use crate::db::TenantOwned;
use crate::jobs::{NewJob, RunCampaign};
use crate::{CampaignId, JourneyId, Parley, Result, TenantTx, new_id};
use entities::campaigns::enums::{CampaignStatus, SendStatus};
use entities::enums::JobState;
use entities::{campaign, campaign_send, contact, job, sending_domain};

/// Makes or updates the campaign of each email step of `d`, published for `j`.
pub(crate) async fn prepare(tx: &TenantTx<'_>, p: &Parley, j: &Journey, d: &Definition) -> Result<()> {
    let t = p.clock();
    for s in &d.steps {
        let Action::Email { template, domain, from, from_name } = &s.action else { continue };
        let variants = json!([Variant { template_id: *template, basis_points: 10_000 }]);
        let name: String = format!("{} · {}", j.name, s.id).chars().take(200).collect();
        let found = campaign::Entity::scoped(tx.ctx())
            .filter(campaign::Column::JourneyId.eq(j.id))
            .filter(campaign::Column::JourneyStep.eq(s.id.as_str()))
            .one(tx)
            .await?;
        match found {
            Some(c) => {
                let (template, domain, from, from_name) = (*template, *domain, from.clone(), from_name.clone());
                tx.update::<campaign::Entity>("campaign.updated", c.id, move |am| {
                    am.name = Set(name);
                    am.template_id = Set(template);
                    am.variants = Set(variants);
                    am.sending_domain_id = Set(domain);
                    am.from_address = Set(from);
                    am.from_name = Set(from_name);
                    am.updated_at = Set(t);
                    Ok(())
                })
                .await?;
            }
            None => {
                let me = tx.ctx().actor().id().unwrap_or_default();
                let row = campaign::ActiveModel {
                    id: Set(new_id()),
                    name: Set(name),
                    status: Set(CampaignStatus::Running),
                    template_id: Set(*template),
                    variants: Set(variants),
                    sending_domain_id: Set(*domain),
                    from_address: Set(from.clone()),
                    from_name: Set(from_name.clone()),
                    segment_ids: Set(json!([])),
                    exclude_segment_ids: Set(json!([])),
                    control_basis_points: Set(0),
                    schedule_at: Set(None),
                    local_time: Set(None),
                    project_id: Set(None),
                    budget_line_id: Set(None),
                    approval_id: Set(None),
                    job_id: Set(None),
                    runs: Set(1),
                    created_by: Set(me.into()),
                    launched_by: Set(Some(me.into())),
                    launched_at: Set(Some(t)),
                    started_at: Set(Some(t)),
                    completed_at: Set(None),
                    created_at: Set(t),
                    updated_at: Set(t),
                    journey_id: Set(Some(j.id)),
                    journey_step: Set(Some(s.id.clone())),
                    ..Default::default()
                };
                tx.create("campaign.created", row).await?;
            }
        }
    }
    Ok(())
}

/// What one batch of moves reads and sends: the steps' campaigns (with their sending
/// domains), the workspace's policy, and the campaigns given new sends.
#[derive(Default)]
pub(crate) struct Mail {
    campaigns: HashMap<(JourneyId, String), Option<(Campaign, String)>>,
    policy: Option<Option<crate::campaigns::policies::ContactPolicy>>,
    queued: HashSet<CampaignId>,
}

impl Mail {
    /// Writes contact `c`'s send of step `step` of enrolment `e` (queued, or suppressed
    /// and why), once per enrolment; answers what the step did, in words.
    pub(crate) async fn send(
        &mut self,
        tx: &TenantTx<'_>,
        e: &Enrolment,
        c: &contact::Model,
        step: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let key = (e.journey_id, step.to_owned());
        if !self.campaigns.contains_key(&key) {
            let found = campaign::Entity::scoped(tx.ctx())
                .filter(campaign::Column::JourneyId.eq(e.journey_id))
                .filter(campaign::Column::JourneyStep.eq(step))
                .one(tx)
                .await?;
            let found = match found {
                Some(camp) => {
                    let domain = tx.find::<sending_domain::Entity>(camp.sending_domain_id).await?.domain;
                    Some((camp, domain))
                }
                None => None,
            };
            self.campaigns.insert(key.clone(), found);
        }
        let Some(Some((camp, domain))) = self.campaigns.get(&key) else {
            return Ok("not sent: the step has no email".into());
        };
        if camp.status != CampaignStatus::Running {
            return Ok("not sent: the step's email is stopped".into());
        }
        let listed: HashMap<String, String> = match c.email.as_deref() {
            Some(address) => suppressions::find_in(tx, address)
                .await?
                .and_then(|s| Some((s.email, sending::reason_name(s.reason?))))
                .into_iter()
                .collect(),
            None => HashMap::new(),
        };
        if self.policy.is_none() {
            self.policy = Some(policies::of_in(tx).await?);
        }
        let policy = self.policy.as_ref().and_then(Option::as_ref);
        let capped = policies::capped_in(tx, policy, &[c.id]).await?.contains(&c.id);
        let (status, reason) = sending::choose_one(camp, c, &listed, capped);
        let not_before = match (status, policies::quiet_of(policy)) {
            (SendStatus::Queued, Some((start, end))) => policies::quiet_until(c.time_zone.as_deref(), start, end, now),
            _ => None,
        };
        let id: crate::CampaignSendId = new_id();
        let mut row = sending::new_send(tx.tenant_id(), id, camp, c, (status, reason.clone()), domain, now);
        row.not_before = Set(not_before);
        row.enrolment_id = Set(Some(e.id));
        let once = OnConflict::columns([
            campaign_send::Column::TenantId,
            campaign_send::Column::EnrolmentId,
            campaign_send::Column::CampaignId,
        ])
        .do_nothing()
        .to_owned();
        if campaign_send::Entity::insert(row).on_conflict(once).exec_without_returning(tx).await? == 0 {
            return Ok("sent for this entry already".into());
        }
        Ok(match status {
            SendStatus::Queued => {
                self.queued.insert(camp.id);
                match not_before {
                    Some(at) => format!("email queued for {} UTC (quiet hours)", at.format("%Y-%m-%d %H:%M")),
                    None => "email queued".into(),
                }
            }
            _ => format!("not sent: {}", reason.unwrap_or_else(|| "held out".into())),
        })
    }

    /// Makes sure a job sends what this batch queued: one already queued to run now
    /// will; one running will too, or hand over when it finishes; otherwise a new one.
    pub(crate) async fn kick(self, tx: &TenantTx<'_>, p: &Parley) -> Result<()> {
        for id in self.queued {
            let c = tx.lock::<campaign::Entity>(id).await?;
            let soon = p.clock() + Duration::seconds(1);
            let busy = match c.job_id {
                None => false,
                Some(j) => {
                    job::Entity::scoped(tx.ctx())
                        .filter(job::Column::Id.eq(j))
                        .filter(
                            sea_orm::Condition::any().add(job::Column::State.eq(JobState::Running)).add(
                                sea_orm::Condition::all()
                                    .add(job::Column::State.eq(JobState::Queued))
                                    .add(job::Column::RunAt.lte(soon)),
                            ),
                        )
                        .count(tx)
                        .await?
                        > 0
                }
            };
            if !busy {
                hand_over(tx, p, id).await?;
            }
        }
        Ok(())
    }
}

/// Queues a new job for campaign `id` and makes it the one that runs it.
pub(crate) async fn hand_over(tx: &TenantTx<'_>, p: &Parley, id: CampaignId) -> Result<()> {
    let job = NewJob::of(&RunCampaign { campaign_id: id })
        .key(format!("campaign:{id}:journey:{}", uuid::Uuid::now_v7()))
        .at(p.clock());
    let job = NewJob { max_attempts: Some(1_000), ..job };
    let job_id = crate::jobs::enqueue_in_returning(tx, p, tx.ctx(), job).await?;
    campaign::Entity::update_many()
        .col_expr(campaign::Column::JobId, Expr::value(Some(job_id)))
        .filter(campaign::Column::TenantId.eq(tx.tenant_id()))
        .filter(campaign::Column::Id.eq(id))
        .exec(tx)
        .await?;
    Ok(())
}
