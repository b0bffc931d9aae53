//! Templates, starting workflows, and moving their tasks.

use async_graphql::{Context, ID, InputObject, Object};

use super::{TaskComment, Workflow, WorkflowTask, WorkflowTemplate};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::identity::User;
use crate::graphql::ids::global_id;
use crate::graphql::node::id_of;
use crate::graphql::plans::Project;
use crate::graphql::workspaces::Role;

/// One task of a new template.
#[derive(InputObject)]
pub struct TemplateTaskInput {
    /// Short and unique in the template; other tasks name it in `dependsOn`.
    pub key: String,
    pub name: String,
    /// Calendar days from its start to its due date (0–365).
    pub duration_days: i32,
    #[graphql(default)]
    pub depends_on: Vec<String>,
    pub role: Option<Role>,
    /// An approval step (completed by someone holding `role`, an approver by default).
    #[graphql(default)]
    pub approval: bool,
}

/// A new workflow template.
#[derive(InputObject)]
pub struct CreateWorkflowTemplateInput {
    pub name: String,
    #[graphql(default)]
    pub description: String,
    pub tasks: Vec<TemplateTaskInput>,
}

/// A template laid out for a project.
#[derive(InputObject)]
pub struct StartWorkflowInput {
    pub template_id: ID,
    pub project_id: ID,
}

/// Workflow writes.
#[derive(Default)]
pub struct WorkflowsMutation;

#[Object]
impl WorkflowsMutation {
    /// Saves a template; a dependency cycle is refused naming the task that closes it.
    async fn create_workflow_template(
        &self,
        ctx: &Context<'_>,
        input: CreateWorkflowTemplateInput,
    ) -> async_graphql::Result<WorkflowTemplate> {
        let tasks = input
            .tasks
            .into_iter()
            .map(|t| domain::workflows::TaskSpec {
                key: t.key,
                name: t.name,
                duration_days: t.duration_days,
                depends_on: t.depends_on,
                role: t.role.map(Into::into),
                approval: t.approval,
            })
            .collect();
        let t = tenant(ctx).await?;
        let template = domain::workflows::create_template(t, parley(ctx)?, &input.name, &input.description, tasks)
            .await
            .gql(ctx)?;
        Ok(WorkflowTemplate(template))
    }

    /// Lays a template's tasks out for a project, dated from the project's start.
    async fn start_workflow(&self, ctx: &Context<'_>, input: StartWorkflowInput) -> async_graphql::Result<Workflow> {
        let template = id_of::<WorkflowTemplate>("templateId", &input.template_id).gql(ctx)?;
        let project = id_of::<Project>("projectId", &input.project_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Workflow(domain::workflows::run::start(t, parley(ctx)?, template, project).await.gql(ctx)?))
    }

    /// Starts a task whose predecessors are done (`CONFLICT` naming them otherwise).
    async fn start_task(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<WorkflowTask> {
        let id = id_of::<WorkflowTask>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(WorkflowTask(domain::workflows::run::start_task(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Completes a task whose predecessors are done (`CONFLICT` naming them otherwise).
    async fn complete_task(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<WorkflowTask> {
        let id = id_of::<WorkflowTask>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(WorkflowTask(domain::workflows::run::complete_task(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Gives a task to a member, or to nobody with a null `assigneeId`.
    async fn assign_task(
        &self,
        ctx: &Context<'_>,
        id: ID,
        assignee_id: Option<ID>,
    ) -> async_graphql::Result<WorkflowTask> {
        let id = id_of::<WorkflowTask>("id", &id).gql(ctx)?;
        let to = assignee_id.map(|a| id_of::<User>("assigneeId", &a)).transpose().gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(WorkflowTask(domain::workflows::run::assign_task(t, parley(ctx)?, id, to).await.gql(ctx)?))
    }

    /// Comments on a task.
    async fn comment_on_task(&self, ctx: &Context<'_>, id: ID, body: String) -> async_graphql::Result<TaskComment> {
        let id = id_of::<WorkflowTask>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let c = domain::workflows::run::comment(t, parley(ctx)?, id, &body).await.gql(ctx)?;
        Ok(TaskComment {
            id: global_id("TaskComment", c.id.into()),
            author: c.author_label,
            body: c.body,
            created_at: c.created_at,
        })
    }
}
