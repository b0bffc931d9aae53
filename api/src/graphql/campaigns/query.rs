//! Reading sending domains, templates, campaigns and the suppression list.

use async_graphql::{Context, ID, Object};

use super::mutation::EmailTemplateInput;
use super::{
    Campaign, CampaignRoi, CampaignStatus, ContactPolicy, EmailPreview, EmailSuppression, EmailTemplate, SendingDomain,
};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::contacts::Contact;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Campaign reads (a send: `node(id:)`).
#[derive(Default)]
pub struct CampaignsQuery;

#[Object]
impl CampaignsQuery {
    /// The domains the workspace sends from, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn sending_domains(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<SendingDomain>> {
        list(ctx, first, after, domain::campaigns::domains::list, SendingDomain).await
    }

    /// Email templates, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn email_templates(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<EmailTemplate>> {
        list(ctx, first, after, domain::campaigns::templates::list, EmailTemplate).await
    }

    /// One template.
    async fn email_template(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<EmailTemplate> {
        let t = tenant(ctx).await?;
        let id = id_of::<EmailTemplate>("id", &id).gql(ctx)?;
        Ok(EmailTemplate(domain::campaigns::templates::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// A saved template as a contact would receive it (an empty contact when none is
    /// given).
    async fn preview_email(
        &self,
        ctx: &Context<'_>,
        template_id: ID,
        contact_id: Option<ID>,
    ) -> async_graphql::Result<EmailPreview> {
        let t = tenant(ctx).await?;
        let id = id_of::<EmailTemplate>("templateId", &template_id).gql(ctx)?;
        let contact = contact_id.map(|c| id_of::<Contact>("contactId", &c)).transpose().gql(ctx)?;
        Ok(domain::campaigns::templates::preview(t, parley(ctx)?, id, contact).await.gql(ctx)?.into())
    }

    /// Unsaved template content as a contact would receive it (the editor's live
    /// preview); the same errors as saving it.
    async fn preview_email_content(
        &self,
        ctx: &Context<'_>,
        input: EmailTemplateInput,
        contact_id: Option<ID>,
    ) -> async_graphql::Result<EmailPreview> {
        let t = tenant(ctx).await?;
        let contact = contact_id.map(|c| id_of::<Contact>("contactId", &c)).transpose().gql(ctx)?;
        let out = domain::campaigns::templates::preview_input(t, parley(ctx)?, input.into(), contact).await;
        Ok(out.gql(ctx)?.into())
    }

    /// Campaigns, newest first, of one status or all.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        status: Option<CampaignStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Campaign>> {
        let status = status.map(Into::into);
        list(ctx, first, after, move |t, p, args| domain::campaigns::list(t, p, status, args), Campaign).await
    }

    /// One campaign.
    async fn campaign(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Campaign> {
        let t = tenant(ctx).await?;
        let id = id_of::<Campaign>("id", &id).gql(ctx)?;
        Ok(Campaign(domain::campaigns::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The campaigns of a project, or of a program's projects: their cost beside the
    /// revenue they caused (give one of the two).
    async fn campaign_roi(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        program_id: Option<ID>,
    ) -> async_graphql::Result<CampaignRoi> {
        use domain::campaigns::roi::Scope;
        let scope = match (project_id, program_id) {
            (Some(p), None) => Scope::Project(id_of::<crate::graphql::plans::Project>("projectId", &p).gql(ctx)?),
            (None, Some(p)) => Scope::Program(id_of::<crate::graphql::plans::Program>("programId", &p).gql(ctx)?),
            _ => return Err(domain::Error::invalid("projectId", "give a projectId or a programId")).gql(ctx),
        };
        let t = tenant(ctx).await?;
        Ok(domain::campaigns::roi::of(t, parley(ctx)?, scope).await.gql(ctx)?.into())
    }

    /// The workspace's contact policy (all fields null: none).
    async fn contact_policy(&self, ctx: &Context<'_>) -> async_graphql::Result<ContactPolicy> {
        let t = tenant(ctx).await?;
        let p = domain::campaigns::policies::get(t, parley(ctx)?).await.gql(ctx)?;
        Ok(p.map(Into::into).unwrap_or_default())
    }

    /// The suppressed addresses, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn email_suppressions(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<EmailSuppression>> {
        list(ctx, first, after, domain::campaigns::suppressions::list, EmailSuppression).await
    }
}
