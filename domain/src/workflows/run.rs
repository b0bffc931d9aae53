//! Workflows laid out for projects: their tasks, assignment, starting and completing in
//! dependency order, and comments.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde_json::json;

use super::{check_tasks, schedule, tasks_of};
use crate::approvals::role_of;
use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{Audited, Error, Order, Parley, Permission, Result, Role, TenantCtx, TenantTx, UserId, new_id, now};
use entities::ids::{ProjectId, WorkflowId, WorkflowTaskId, WorkflowTemplateId};
use entities::ops::enums::{TaskStatus, WorkStatus};
use entities::{project, task_comment, workflow, workflow_task, workflow_template};

/// A workflow of a project.
pub type Workflow = workflow::Model;
/// One task of a workflow.
pub type Task = workflow_task::Model;
/// A comment on a task.
pub type Comment = task_comment::Model;

impl Audited for Workflow {
    fn audit_json(&self) -> serde_json::Value {
        json!({ "name": self.name, "project": self.project_id, "template": self.template_id, "status": self.status, "startsOn": self.starts_on })
    }
}

impl Audited for Task {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "name": self.name, "workflow": self.workflow_id, "status": self.status, "assignee": self.assignee_id,
            "startsOn": self.starts_on, "dueOn": self.due_on,
        })
    }
}

impl Audited for Comment {
    fn audit_json(&self) -> serde_json::Value {
        json!({ "task": self.task_id, "body": self.body })
    }
}

/// The IDs a task waits for.
pub fn waits_for(t: &Task) -> Vec<WorkflowTaskId> {
    serde_json::from_value(t.depends_on.clone()).unwrap_or_default()
}

/// Lays a template's tasks out for a project, dated from the project's start.
pub async fn start(ctx: &TenantCtx, p: &Parley, template: WorkflowTemplateId, project: ProjectId) -> Result<Workflow> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let template = tx.find::<workflow_template::Entity>(template).await?;
    let project = tx.find::<project::Entity>(project).await?;
    let specs = check_tasks(tasks_of(&template))?;
    let dates = schedule(&specs, project.starts_on);
    let t = now();
    let row = workflow::ActiveModel {
        id: Set(new_id()),
        template_id: Set(template.id),
        project_id: Set(project.id),
        name: Set(format!("{} · {}", template.name, project.name)),
        status: Set(WorkStatus::Active),
        starts_on: Set(project.starts_on),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let wf = tx.create("workflow.started", row).await?;
    let ids: Vec<WorkflowTaskId> = specs.iter().map(|_| new_id()).collect();
    for (i, (spec, (starts_on, due_on))) in specs.iter().zip(dates).enumerate() {
        let deps: Vec<WorkflowTaskId> =
            spec.depends_on.iter().filter_map(|d| specs.iter().position(|s| &s.key == d).map(|j| ids[j])).collect();
        workflow_task::ActiveModel {
            tenant_id: Set(ctx.tenant_id()),
            id: Set(ids[i]),
            workflow_id: Set(wf.id),
            key: Set(spec.key.clone()),
            name: Set(spec.name.clone()),
            position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
            role: Set(spec.role.or(spec.approval.then_some(Role::Approver))),
            approval: Set(spec.approval),
            assignee_id: Set(None),
            status: Set(if deps.is_empty() { TaskStatus::Ready } else { TaskStatus::Waiting }),
            depends_on: Set(json!(deps)),
            starts_on: Set(starts_on),
            due_on: Set(due_on),
            completed_at: Set(None),
            completed_by: Set(None),
            reminded_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
        }
        .insert(&tx)
        .await?;
    }
    super::reminders::schedule_in(&tx, p, &wf, p.clock()).await?;
    tx.commit().await?;
    Ok(wf)
}

async fn tasks_in(tx: &TenantTx<'_>, workflow: WorkflowId) -> Result<Vec<Task>> {
    Ok(workflow_task::Entity::scoped(tx.ctx())
        .filter(workflow_task::Column::WorkflowId.eq(workflow))
        .order_by_asc(workflow_task::Column::Position)
        .all(tx)
        .await?)
}

/// `CONFLICT` naming the predecessors of `task` that are not done.
fn require_predecessors(task: &Task, all: &[Task]) -> Result<()> {
    let open: Vec<&str> = waits_for(task)
        .iter()
        .filter_map(|id| all.iter().find(|t| t.id == *id))
        .filter(|t| t.status != TaskStatus::Done)
        .map(|t| t.name.as_str())
        .collect();
    if open.is_empty() {
        Ok(())
    } else {
        Err(Error::Conflict(format!("'{}' waits for: {}", task.name, open.join(", "))))
    }
}

/// Whether the actor may work on `task`: its assignee, anyone who plans; for an
/// approval step, only someone holding its role (or an owner or admin).
fn may_work(tx: &TenantTx<'_>, task: &Task) -> Result<()> {
    let role = tx.role();
    if task.approval {
        let needed = task.role.unwrap_or(Role::Approver);
        return if role == needed || matches!(role, Role::Owner | Role::Admin) {
            Ok(())
        } else {
            let role = format!("{needed:?}").to_lowercase();
            Err(Error::forbidden(format!("'{}' is an approval step for the {role} role", task.name)))
        };
    }
    if tx.ctx().user_id().is_some_and(|u| task.assignee_id == Some(u)) {
        return Ok(());
    }
    tx.require(Permission::PlanMarketing)
}

/// Starts a task whose predecessors are done.
pub async fn start_task(ctx: &TenantCtx, p: &Parley, id: WorkflowTaskId) -> Result<Task> {
    let tx = p.tenant_tx(ctx).await?;
    let task = tx.find::<workflow_task::Entity>(id).await?;
    may_work(&tx, &task)?;
    let all = tasks_in(&tx, task.workflow_id).await?;
    require_predecessors(&task, &all)?;
    if task.status != TaskStatus::Ready {
        let status = format!("{:?}", task.status).to_lowercase();
        return Err(Error::Conflict(format!("'{}' is {status}, not ready to start", task.name)));
    }
    let task = tx
        .update::<workflow_task::Entity>("task.started", id, |am| {
            am.status = Set(TaskStatus::InProgress);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(task)
}

/// Completes a task whose predecessors are done; the tasks waiting only for it become
/// ready, and the workflow is done with its last task.
pub async fn complete_task(ctx: &TenantCtx, p: &Parley, id: WorkflowTaskId) -> Result<Task> {
    let tx = p.tenant_tx(ctx).await?;
    let task = tx.find::<workflow_task::Entity>(id).await?;
    may_work(&tx, &task)?;
    let all = tasks_in(&tx, task.workflow_id).await?;
    require_predecessors(&task, &all)?;
    if task.status == TaskStatus::Done {
        return Err(Error::Conflict(format!("'{}' is already done", task.name)));
    }
    let t = now();
    let done = tx
        .update::<workflow_task::Entity>("task.completed", id, |am| {
            am.status = Set(TaskStatus::Done);
            am.completed_at = Set(Some(t));
            am.completed_by = Set(ctx.actor().id());
            am.updated_at = Set(t);
            Ok(())
        })
        .await?;
    let is_done = |tid: &WorkflowTaskId| *tid == id || all.iter().any(|o| o.id == *tid && o.status == TaskStatus::Done);
    for next in all.iter().filter(|o| o.status == TaskStatus::Waiting && waits_for(o).contains(&id)) {
        if waits_for(next).iter().all(is_done) {
            let mut am: workflow_task::ActiveModel = next.clone().into();
            am.status = Set(TaskStatus::Ready);
            am.updated_at = Set(t);
            am.update(&tx).await?;
        }
    }
    if all.iter().all(|o| o.id == id || o.status == TaskStatus::Done) {
        tx.update::<workflow::Entity>("workflow.completed", task.workflow_id, |am| {
            am.status = Set(WorkStatus::Done);
            am.updated_at = Set(t);
            Ok(())
        })
        .await?;
    }
    tx.commit().await?;
    Ok(done)
}

/// Gives a task to a member (or to nobody).
pub async fn assign_task(ctx: &TenantCtx, p: &Parley, id: WorkflowTaskId, to: Option<UserId>) -> Result<Task> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    if let Some(u) = to
        && role_of(&tx, u).await?.is_none()
    {
        return Err(Error::invalid("assigneeId", "is not a member of this workspace"));
    }
    let task = tx
        .update::<workflow_task::Entity>("task.assigned", id, |am| {
            am.assignee_id = Set(to);
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(task)
}

/// Adds a comment to a task (anyone who may read the workspace but a viewer).
pub async fn comment(ctx: &TenantCtx, p: &Parley, id: WorkflowTaskId, body: &str) -> Result<Comment> {
    let body = body.trim().to_owned();
    if body.is_empty() {
        return Err(Error::invalid("body", "is required"));
    }
    if body.chars().count() > 4_000 {
        return Err(Error::invalid("body", "is longer than 4,000 characters"));
    }
    let tx = p.tenant_tx(ctx).await?;
    if tx.role() == Role::Viewer {
        return Err(Error::forbidden("viewers only see"));
    }
    let task = tx.find::<workflow_task::Entity>(id).await?;
    let row = task_comment::ActiveModel {
        id: Set(new_id()),
        task_id: Set(task.id),
        author: Set(ctx.actor().id().unwrap_or_default()),
        author_label: Set(ctx.actor().label()),
        body: Set(body),
        created_at: Set(now()),
        ..Default::default()
    };
    let c = tx.create("task.commented", row).await?;
    tx.commit().await?;
    Ok(c)
}

/// Workflows (of one project when given), newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, project: Option<ProjectId>, args: PageArgs) -> Result<Page<Workflow>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = <workflow::Entity as sea_orm::EntityTrait>::find();
    if let Some(id) = project {
        q = q.filter(workflow::Column::ProjectId.eq(tx.find::<project::Entity>(id).await?.id));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One workflow.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: WorkflowId) -> Result<Workflow> {
    p.find::<workflow::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// A workflow's tasks in template order.
pub async fn tasks(ctx: &TenantCtx, p: &Parley, id: WorkflowId) -> Result<Vec<Task>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let wf = tx.find::<workflow::Entity>(id).await?;
    let out = tasks_in(&tx, wf.id).await?;
    tx.commit().await?;
    Ok(out)
}

/// One task.
pub async fn get_task(ctx: &TenantCtx, p: &Parley, id: WorkflowTaskId) -> Result<Task> {
    p.find::<workflow_task::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// A task's comments, oldest first.
pub async fn comments(ctx: &TenantCtx, p: &Parley, id: WorkflowTaskId) -> Result<Vec<Comment>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let task = tx.find::<workflow_task::Entity>(id).await?;
    let out = task_comment::Entity::scoped(ctx)
        .filter(task_comment::Column::TaskId.eq(task.id))
        .order_by_asc(task_comment::Column::Id)
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}
