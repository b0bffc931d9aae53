//! Reminders and escalation: while a workflow runs, one durable job a day looks at its
//! open tasks. A task due by tomorrow gets one reminder to its assignee; a task past its
//! due date gets one escalation, to its assignee and the project's owner. Each task
//! remembers when it was last told about (`reminded_at`), marked once its emails are
//! sent ([`sent`]): a look that fails before then sends again (at least once, never
//! lost), and a later look sends nothing twice. The time is the worker's clock
//! (`Parley::clock`).

use chrono::{DateTime, Duration, NaiveTime, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter};

use crate::db::TenantOwned;
use crate::jobs::{self, NewJob, WorkflowReminders};
use crate::mail::{self, Email};
use crate::{Parley, Result, TenantCtx, TenantTx, UserId, WorkflowTaskId};
use entities::ops::enums::{TaskStatus, WorkStatus};
use entities::{project, user, workflow, workflow_task};

/// The hour (UTC) of the daily look.
const HOUR: u32 = 8;

/// The first daily look after `t`.
fn next_look(t: DateTime<Utc>) -> DateTime<Utc> {
    let today = t.date_naive().and_time(NaiveTime::from_hms_opt(HOUR, 0, 0).unwrap_or_default()).and_utc();
    if today > t { today } else { today + Duration::days(1) }
}

/// Queues the next look at workflow `wf` after `t` (idempotent per day).
pub(crate) async fn schedule_in(tx: &TenantTx<'_>, p: &Parley, wf: &workflow::Model, t: DateTime<Utc>) -> Result<()> {
    let at = next_look(t);
    let due = at.timestamp();
    let job = NewJob::of(&WorkflowReminders { workflow_id: wf.id, due })
        .at(at)
        .key(format!("workflow-reminders:{}:{due}", wf.id));
    jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    Ok(())
}

async fn person(tx: &TenantTx<'_>, id: UserId) -> Result<Option<user::Model>> {
    // People are global; only members of this workspace are written to.
    if crate::approvals::role_of(tx, id).await?.is_none() {
        return Ok(None);
    }
    Ok(<user::Entity as sea_orm::EntityTrait>::find_by_id(id).one(tx).await?)
}

/// What one look found: the emails to send and the tasks they are about.
#[derive(Debug, Default)]
pub struct Look {
    pub emails: Vec<Email>,
    pub tasks: Vec<WorkflowTaskId>,
    /// Whether the workflow still runs (the next look is queued by [`sent`]).
    pub running: bool,
}

/// One daily look (by the job's context): what to send. A look for a workflow finished
/// or gone finds nothing.
pub async fn look(ctx: &TenantCtx, p: &Parley, job: &WorkflowReminders) -> Result<Look> {
    let tx = p.tenant_tx(ctx).await?;
    let Some(wf) = workflow::Entity::scoped(ctx).filter(workflow::Column::Id.eq(job.workflow_id)).one(&tx).await?
    else {
        tx.commit().await?;
        return Ok(Look::default());
    };
    if wf.status != WorkStatus::Active {
        tx.commit().await?;
        return Ok(Look::default());
    }
    let project = tx.find::<project::Entity>(wf.project_id).await?;
    let now = p.clock();
    let today = now.date_naive();
    // The workflows page, where the task and its project are.
    let link = format!("{}/app/workflows", p.settings().public_url);
    let open = workflow_task::Entity::scoped(ctx)
        .filter(workflow_task::Column::WorkflowId.eq(wf.id))
        .filter(workflow_task::Column::Status.ne(TaskStatus::Done))
        .all(&tx)
        .await?;
    let mut out = Look { running: true, ..Look::default() };
    for task in open {
        let Some(assignee) = task.assignee_id else { continue };
        let last = task.reminded_at.map(|r| r.date_naive());
        let overdue = task.due_on < today && last.is_none_or(|l| l <= task.due_on);
        let soon = !overdue && task.due_on <= today + Duration::days(1) && last.is_none();
        if !overdue && !soon {
            continue;
        }
        let Some(who) = person(&tx, assignee).await? else { continue };
        let due = task.due_on.format("%Y-%m-%d").to_string();
        if overdue {
            out.emails.push(mail::task_overdue(
                &who.email,
                &who.name,
                &task.name,
                &project.name,
                &due,
                &who.name,
                &link,
            ));
            if let Some(owner) = project.owner_id.filter(|o| *o != assignee)
                && let Some(o) = person(&tx, owner).await?
            {
                out.emails.push(mail::task_overdue(
                    &o.email,
                    &o.name,
                    &task.name,
                    &project.name,
                    &due,
                    &who.name,
                    &link,
                ));
            }
        } else {
            out.emails.push(mail::task_reminder(&who.email, &who.name, &task.name, &project.name, &due, &link));
        }
        out.tasks.push(task.id);
    }
    tx.commit().await?;
    Ok(out)
}

/// After a look's emails went out: marks its tasks as told about now and queues the
/// next look while the workflow runs.
pub async fn sent(ctx: &TenantCtx, p: &Parley, job: &WorkflowReminders, look: &Look) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let now = p.clock();
    for id in &look.tasks {
        let task = tx.find::<workflow_task::Entity>(*id).await?;
        let mut am: workflow_task::ActiveModel = task.into();
        am.reminded_at = Set(Some(now));
        am.update(&tx).await?;
    }
    if look.running
        && let Some(wf) =
            workflow::Entity::scoped(ctx).filter(workflow::Column::Id.eq(job.workflow_id)).one(&tx).await?
    {
        schedule_in(&tx, p, &wf, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_look_is_the_next_eight_oclock() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().to_utc();
        assert_eq!(next_look(t("2027-03-01T07:59:00Z")), t("2027-03-01T08:00:00Z"));
        assert_eq!(next_look(t("2027-03-01T08:00:00Z")), t("2027-03-02T08:00:00Z"));
        assert_eq!(next_look(t("2027-03-01T23:00:00Z")), t("2027-03-02T08:00:00Z"));
    }
}
