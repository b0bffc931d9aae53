//! Read operations.

use async_graphql::{Context, ID, Object};

use super::context::{OrGql, parley, tenant, user_id};
use super::ids::{parse, parse_any};
use super::types::*;
use domain::page::PageArgs;

/// Root of all reads.
#[derive(Default)]
pub struct QueryRoot;

fn page_args(
    ctx: &Context<'_>,
    type_name: &str,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<PageArgs> {
    let after = match after {
        Some(a) => Some(parse(type_name, "after", &ID(a)).gql(ctx)?),
        None => None,
    };
    PageArgs::new(first, after).gql(ctx)
}

#[Object]
impl QueryRoot {
    /// The person logged in.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let uid = user_id(ctx).await?;
        Ok(User(domain::accounts::account(parley(ctx)?, uid).await.gql(ctx)?))
    }

    /// The workspace this request acts in (`X-Parley-Workspace`, else the session's).
    async fn workspace(&self, ctx: &Context<'_>) -> async_graphql::Result<Workspace> {
        let t = tenant(ctx).await?;
        Ok(Workspace(domain::workspaces::current(t, parley(ctx)?).await.gql(ctx)?))
    }

    /// The role this request holds in the current workspace.
    async fn my_role(&self, ctx: &Context<'_>) -> async_graphql::Result<Role> {
        Ok(tenant(ctx).await?.role().into())
    }

    /// Members of the current workspace.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Membership>> {
        let args = page_args(ctx, "Membership", first, after.clone())?;
        let t = tenant(ctx).await?;
        let page = domain::members::list(t, parley(ctx)?, args).await.gql(ctx)?;
        Ok(connection(
            page,
            after.is_some(),
            |(m, _)| super::ids::global_id("Membership", m.id),
            |(m, u)| Membership { m, user: Some(u), workspace: None },
        ))
    }

    /// Invitations of the current workspace, newest first.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn invitations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Invitation>> {
        let args = page_args(ctx, "Invitation", first, after.clone())?;
        let t = tenant(ctx).await?;
        let page = domain::invitations::list(t, parley(ctx)?, args).await.gql(ctx)?;
        Ok(connection(page, after.is_some(), |i| super::ids::global_id("Invitation", i.id), Invitation))
    }

    /// API keys of the current workspace.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn api_keys(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ApiKey>> {
        let args = page_args(ctx, "ApiKey", first, after.clone())?;
        let t = tenant(ctx).await?;
        let page = domain::api_keys::list(t, parley(ctx)?, args).await.gql(ctx)?;
        Ok(connection(page, after.is_some(), |k| super::ids::global_id("ApiKey", k.id), ApiKey))
    }

    /// The audit trail of the current workspace, newest first.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<AuditEntry>> {
        let args = page_args(ctx, "AuditEntry", first, after.clone())?;
        let t = tenant(ctx).await?;
        let page = domain::audit::list(t, parley(ctx)?, args).await.gql(ctx)?;
        Ok(connection(page, after.is_some(), |e| super::ids::global_id("AuditEntry", e.id), AuditEntry))
    }

    /// Background jobs of the current workspace, newest first (admins).
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn jobs(
        &self,
        ctx: &Context<'_>,
        state: Option<JobState>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Job>> {
        let args = page_args(ctx, "Job", first, after.clone())?;
        let t = tenant(ctx).await?;
        let page = domain::jobs::list(t, parley(ctx)?, state.map(Into::into), args).await.gql(ctx)?;
        Ok(connection(page, after.is_some(), |j| super::ids::global_id("Job", j.id), Job))
    }

    /// Any object by its global ID; another workspace's objects are not found.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let Some((kind, uuid)) = parse_any(&id) else {
            return Err(domain::Error::invalid("id", "is not a valid ID")).gql(ctx);
        };
        let t = tenant(ctx).await?;
        let p = parley(ctx)?;
        let found = match kind.as_str() {
            "User" => domain::accounts::get_user(t, p, uuid).await.map(|u| Node::User(User(u))),
            "Workspace" => domain::workspaces::get(t, p, uuid).await.map(|w| Node::Workspace(Workspace(w))),
            "Membership" => domain::members::get(t, p, uuid)
                .await
                .map(|m| Node::Membership(Membership { m, user: None, workspace: None })),
            "Invitation" => domain::invitations::get(t, p, uuid).await.map(|i| Node::Invitation(Invitation(i))),
            "ApiKey" => domain::api_keys::get(t, p, uuid).await.map(|k| Node::ApiKey(ApiKey(k))),
            "AuditEntry" => domain::audit::get(t, p, uuid).await.map(|e| Node::AuditEntry(AuditEntry(e))),
            "Job" => domain::jobs::get(t, p, uuid).await.map(|j| Node::Job(Job(j))),
            _ => Err(domain::Error::NotFound),
        };
        match found {
            Ok(n) => Ok(Some(n)),
            Err(e) => Err(e).gql(ctx),
        }
    }
}
