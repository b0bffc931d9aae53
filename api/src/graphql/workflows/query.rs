//! Reading workflow templates and workflows.

use async_graphql::{Context, ID, Object};

use super::{Workflow, WorkflowTemplate};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;
use crate::graphql::plans::Project;

/// Workflow reads.
#[derive(Default)]
pub struct WorkflowsQuery;

#[Object]
impl WorkflowsQuery {
    /// The workflow templates, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn workflow_templates(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<WorkflowTemplate>> {
        list(ctx, first, after, domain::workflows::templates, WorkflowTemplate).await
    }

    /// Workflows, newest first (of one project when given).
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn workflows(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Workflow>> {
        let project = project_id.map(|p| id_of::<Project>("projectId", &p)).transpose().gql(ctx)?;
        list(ctx, first, after, move |t, p, args| domain::workflows::run::list(t, p, project, args), Workflow).await
    }

    /// One workflow.
    async fn workflow(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Workflow> {
        let id = id_of::<Workflow>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Workflow(domain::workflows::run::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
