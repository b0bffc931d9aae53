//! Scores on a schedule: a workspace's scores refresh every day or every week without
//! anyone pressing the button.
//!
//! The schedule keeps when the next run is due, and one job waits for that time (in
//! the job table, so a restart loses nothing). When it runs it starts a score run
//! (unless one is already waiting or running), moves the time on by one period (past
//! every period missed while no worker ran: one catch-up run, not a burst) and queues
//! the job for the new time. A job whose time the schedule no longer holds (changed,
//! turned off, or handled by an earlier attempt of the same job) does nothing, so a
//! change never has to find and remove the job it replaces.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use super::ScoreRun;
use crate::db::TenantOwned;
use crate::jobs::{self, NewJob, ScheduledScores};
use crate::{Audited, Error, Parley, Permission, Result, ScoreEvery, TenantCtx, TenantTx, new_id, now};
use entities::score_schedule;

/// A workspace's schedule of score runs.
pub type ScoreSchedule = score_schedule::Model;

impl Audited for ScoreSchedule {
    fn audit_json(&self) -> Value {
        json!({ "every": self.every, "nextRunAt": self.next_run_at })
    }
}

/// The time between two runs.
pub fn period(every: ScoreEvery) -> chrono::Duration {
    match every {
        ScoreEvery::Daily => chrono::Duration::days(1),
        ScoreEvery::Weekly => chrono::Duration::days(7),
    }
}

/// `t` to the whole second (the due time a job carries).
fn whole_second(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The workspace's schedule, if it has one.
pub async fn get(ctx: &TenantCtx, p: &Parley) -> Result<Option<ScoreSchedule>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let found = score_schedule::Entity::scoped(ctx).one(&tx).await?;
    tx.commit().await?;
    Ok(found)
}

/// Sets how often the workspace's scores refresh on their own (`None`: by hand only).
/// A new or changed schedule runs first one period from now; the same one again keeps
/// its time.
pub async fn set(ctx: &TenantCtx, p: &Parley, every: Option<ScoreEvery>) -> Result<Option<ScoreSchedule>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageScores)?;
    let found = score_schedule::Entity::scoped(ctx).one(&tx).await?;
    let set = match (found, every) {
        (None, None) => None,
        (Some(s), None) => {
            tx.delete::<score_schedule::Entity>("score_schedule.removed", s).await?;
            None
        }
        (Some(s), Some(every)) if s.every == every => Some(s),
        (found, Some(every)) => {
            let next = whole_second(p.clock() + period(every));
            let s = match found {
                Some(s) => {
                    tx.update::<score_schedule::Entity>("score_schedule.changed", s.id, |am| {
                        am.every = Set(every);
                        am.next_run_at = Set(next);
                        am.updated_at = Set(now());
                        Ok(())
                    })
                    .await?
                }
                None => {
                    let row = score_schedule::ActiveModel {
                        id: Set(new_id()),
                        every: Set(every),
                        next_run_at: Set(next),
                        created_at: Set(now()),
                        updated_at: Set(now()),
                        ..Default::default()
                    };
                    tx.create("score_schedule.created", row).await?
                }
            };
            queue(&tx, p, &s).await?;
            Some(s)
        }
    };
    tx.commit().await?;
    Ok(set)
}

/// Queues the job that waits for `s`'s next run.
async fn queue(tx: &TenantTx<'_>, p: &Parley, s: &ScoreSchedule) -> Result<()> {
    let due = s.next_run_at.timestamp();
    let job = NewJob::of(&ScheduledScores { schedule_id: s.id, due })
        .at(s.next_run_at)
        .key(format!("scores-schedule:{}:{due}", s.id));
    jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    Ok(())
}

/// Runs the schedule's job for `job.due` (by the job's context): starts the score run
/// unless one is in progress, and queues the next. Answers the run started, if any.
pub async fn run_due(ctx: &TenantCtx, p: &Parley, job: &ScheduledScores) -> Result<Option<ScoreRun>> {
    let tx = p.tenant_tx(ctx).await?;
    let found =
        score_schedule::Entity::scoped(ctx).filter(score_schedule::Column::Id.eq(job.schedule_id)).one(&tx).await?;
    let Some(s) = found.filter(|s| s.next_run_at.timestamp() == job.due) else {
        // Turned off, changed, or this time already handled.
        tx.commit().await?;
        return Ok(None);
    };
    let run = match super::start(&tx, p).await {
        Ok(run) => Some(run),
        Err(Error::Conflict(_)) => None,
        Err(e) => return Err(e),
    };
    let (t, step) = (p.clock(), period(s.every));
    let mut next = s.next_run_at + step;
    while next <= t {
        next += step;
    }
    let next = whole_second(next);
    score_schedule::Entity::update_many()
        .col_expr(score_schedule::Column::NextRunAt, next.into())
        .col_expr(score_schedule::Column::UpdatedAt, now().into())
        .filter(score_schedule::Column::TenantId.eq(ctx.tenant_id()))
        .filter(score_schedule::Column::Id.eq(s.id))
        .exec(&tx)
        .await?;
    queue(&tx, p, &ScoreSchedule { next_run_at: next, ..s }).await?;
    tx.commit().await?;
    Ok(run)
}
