//! Templates, workflows, tasks and comments.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::date::Date;
use crate::graphql::ids::global_id;
use crate::graphql::node::{NodeObject, node_object};
use crate::graphql::plans::WorkStatus;
use crate::graphql::workspaces::Role;

/// Where a workflow task stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::TaskStatus")]
pub enum TaskStatus {
    /// Its predecessors are not all done.
    Waiting,
    /// It may start.
    Ready,
    InProgress,
    Done,
}

/// One task of a template.
#[derive(SimpleObject)]
pub struct TemplateTask {
    pub key: String,
    pub name: String,
    pub duration_days: i32,
    pub depends_on: Vec<String>,
    pub role: Option<Role>,
    pub approval: bool,
}

node_object! {
    /// A standard workflow: tasks with durations, dependencies, roles and approval steps.
    WorkflowTemplate(domain::workflows::WorkflowTemplate) {
        name: String,
        description: String,
        created_at: DateTime<Utc>,
    }
    extra {
        async fn tasks(&self) -> Vec<TemplateTask> {
            domain::workflows::tasks_of(&self.0)
                .into_iter()
                .map(|t| TemplateTask {
                    key: t.key,
                    name: t.name,
                    duration_days: t.duration_days,
                    depends_on: t.depends_on,
                    role: t.role.map(Into::into),
                    approval: t.approval,
                })
                .collect()
        }
    }
}

/// A template's tasks laid out for one project, dated from its start.
pub struct Workflow(pub domain::workflows::run::Workflow);

impl NodeObject for Workflow {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl Workflow {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn status(&self) -> WorkStatus {
        self.0.status.into()
    }
    async fn project_id(&self) -> ID {
        global_id("Project", self.0.project_id.into())
    }
    async fn template_id(&self) -> ID {
        global_id("WorkflowTemplate", self.0.template_id.into())
    }
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    /// The tasks in template order (a board groups them by status, a timeline by dates).
    async fn tasks(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<WorkflowTask>> {
        let t = tenant(ctx).await?;
        let all = domain::workflows::run::tasks(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
        Ok(all.into_iter().map(WorkflowTask).collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A comment on a task.
#[derive(SimpleObject)]
pub struct TaskComment {
    pub id: ID,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// One task of a workflow.
pub struct WorkflowTask(pub domain::workflows::run::Task);

impl NodeObject for WorkflowTask {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl WorkflowTask {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn status(&self) -> TaskStatus {
        self.0.status.into()
    }
    async fn role(&self) -> Option<Role> {
        self.0.role.map(Into::into)
    }
    /// An approval step: completed by someone holding its role.
    async fn approval(&self) -> bool {
        self.0.approval
    }
    async fn assignee_id(&self) -> Option<ID> {
        self.0.assignee_id.map(|u| global_id("User", u.into()))
    }
    /// The tasks it waits for.
    async fn depends_on(&self) -> Vec<ID> {
        domain::workflows::run::waits_for(&self.0).into_iter().map(|t| global_id("WorkflowTask", t.into())).collect()
    }
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }
    async fn due_on(&self) -> Date {
        Date(self.0.due_on)
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    async fn comments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaskComment>> {
        let t = tenant(ctx).await?;
        let all = domain::workflows::run::comments(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
        Ok(all
            .into_iter()
            .map(|c| TaskComment {
                id: global_id("TaskComment", c.id.into()),
                author: c.author_label,
                body: c.body,
                created_at: c.created_at,
            })
            .collect())
    }
}
