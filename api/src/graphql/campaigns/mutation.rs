//! Adding sending domains, writing templates and campaigns, launching, pausing,
//! resuming and cancelling campaigns, and keeping the suppression list.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use super::{Campaign, ContactPolicy, EmailSuppression, EmailTemplate, SendingDomain};
use crate::graphql::budgets::BudgetLine;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;
use crate::graphql::plans::Project;
use crate::graphql::segments::Segment;

/// A domain to send from.
#[derive(InputObject)]
pub struct AddSendingDomainInput {
    /// Like `news.example.com`.
    pub domain: String,
}

/// A template's content.
#[derive(InputObject)]
pub struct EmailTemplateInput {
    pub name: String,
    /// A template too (`Hello {{ contact.first_name | default("there") }}`).
    pub subject: String,
    /// The MJML source.
    pub mjml: String,
    /// The plain-text part; made from the HTML when empty.
    #[graphql(default)]
    pub text: String,
}

impl From<EmailTemplateInput> for domain::campaigns::templates::TemplateInput {
    fn from(i: EmailTemplateInput) -> Self {
        domain::campaigns::templates::TemplateInput { name: i.name, subject: i.subject, mjml: i.mjml, text: i.text }
    }
}

/// One content variant of an A/B split.
#[derive(InputObject)]
pub struct VariantInput {
    pub template_id: ID,
    /// Its share of the treated contacts, in percent.
    pub percent: f64,
}

/// A campaign's audience, content and schedule.
#[derive(InputObject)]
pub struct CampaignInput {
    pub name: String,
    /// Segments and lists whose contacts are targeted (at least one).
    pub segment_ids: Vec<ID>,
    /// Segments and lists whose contacts are left out.
    #[graphql(default)]
    pub exclude_segment_ids: Vec<ID>,
    /// The template (the first variant's, when `variants` splits the audience).
    pub template_id: Option<ID>,
    /// An A/B split: two or more templates with shares adding up to 100 percent.
    #[graphql(default)]
    pub variants: Vec<VariantInput>,
    pub sending_domain_id: ID,
    /// An address at the sending domain.
    pub from_address: String,
    #[graphql(default)]
    pub from_name: String,
    /// The share held out at random as a control group (0 to 50).
    #[graphql(default)]
    pub control_group_percent: f64,
    /// When sending starts (null: at launch, or once approved).
    pub schedule_at: Option<DateTime<Utc>>,
    /// `HH:MM`: each contact receives it at that time of day in their own zone.
    pub local_time: Option<String>,
    pub project_id: Option<ID>,
    pub budget_line_id: Option<ID>,
}

fn campaign_input(i: CampaignInput) -> domain::Result<domain::campaigns::CampaignInput> {
    let ids =
        |field: &str, ids: &[ID]| ids.iter().map(|s| id_of::<Segment>(field, s)).collect::<domain::Result<Vec<_>>>();
    Ok(domain::campaigns::CampaignInput {
        segments: ids("segmentIds", &i.segment_ids)?,
        exclude_segments: ids("excludeSegmentIds", &i.exclude_segment_ids)?,
        template: i.template_id.map(|t| id_of::<EmailTemplate>("templateId", &t)).transpose()?,
        variants: i
            .variants
            .iter()
            .map(|v| Ok((id_of::<EmailTemplate>("variants", &v.template_id)?, v.percent)))
            .collect::<domain::Result<Vec<_>>>()?,
        sending_domain: Some(id_of::<SendingDomain>("sendingDomainId", &i.sending_domain_id)?),
        project: i.project_id.map(|p| id_of::<Project>("projectId", &p)).transpose()?,
        budget_line: i.budget_line_id.map(|l| id_of::<BudgetLine>("budgetLineId", &l)).transpose()?,
        name: i.name,
        from_address: i.from_address,
        from_name: i.from_name,
        control_percent: i.control_group_percent,
        schedule_at: i.schedule_at,
        local_time: i.local_time,
    })
}

/// A contact policy: a cap is a maximum with its window, quiet hours a start with its
/// end; what is left out is off.
#[derive(InputObject)]
pub struct ContactPolicyInput {
    pub email_max: Option<i32>,
    pub email_window_days: Option<i32>,
    pub all_max: Option<i32>,
    pub all_window_days: Option<i32>,
    pub quiet_start: Option<String>,
    pub quiet_end: Option<String>,
    /// Most offers decided for one contact, at every point and on every channel
    /// together, within `offerWindowDays` (cross-channel fatigue).
    pub offer_max: Option<i32>,
    pub offer_window_days: Option<i32>,
}

/// A test send of a template.
#[derive(InputObject)]
pub struct SendTestEmailInput {
    pub template_id: ID,
    pub sending_domain_id: ID,
    /// An address at the sending domain.
    pub from_address: String,
    /// 1 to 10 addresses.
    pub to: Vec<String>,
    /// Whose data personalises it (an empty contact when left out).
    pub contact_id: Option<ID>,
}

/// An address to suppress by hand.
#[derive(InputObject)]
pub struct SuppressEmailInput {
    pub email: String,
    /// Why, for whoever reads the list later.
    #[graphql(default)]
    pub note: String,
}

/// Campaign writes.
#[derive(Default)]
pub struct CampaignsMutation;

#[Object]
impl CampaignsMutation {
    /// Adds a domain to send from: Parley makes its DKIM key pair, keeps the private key
    /// sealed, and answers the DNS record to publish.
    async fn add_sending_domain(
        &self,
        ctx: &Context<'_>,
        input: AddSendingDomainInput,
    ) -> async_graphql::Result<SendingDomain> {
        let t = tenant(ctx).await?;
        Ok(SendingDomain(domain::campaigns::domains::add(t, parley(ctx)?, &input.domain).await.gql(ctx)?))
    }

    /// Removes a sending domain no unfinished campaign sends from.
    async fn remove_sending_domain(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<SendingDomain> {
        let t = tenant(ctx).await?;
        let id = id_of::<SendingDomain>("id", &id).gql(ctx)?;
        Ok(SendingDomain(domain::campaigns::domains::remove(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Saves a template; one that does not parse or render is refused, naming the part.
    async fn create_email_template(
        &self,
        ctx: &Context<'_>,
        input: EmailTemplateInput,
    ) -> async_graphql::Result<EmailTemplate> {
        let t = tenant(ctx).await?;
        Ok(EmailTemplate(domain::campaigns::templates::create(t, parley(ctx)?, input.into()).await.gql(ctx)?))
    }

    /// Changes a template no launched campaign uses.
    async fn update_email_template(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: EmailTemplateInput,
    ) -> async_graphql::Result<EmailTemplate> {
        let t = tenant(ctx).await?;
        let id = id_of::<EmailTemplate>("id", &id).gql(ctx)?;
        Ok(EmailTemplate(domain::campaigns::templates::update(t, parley(ctx)?, id, input.into()).await.gql(ctx)?))
    }

    /// Deletes a template no campaign uses.
    async fn delete_email_template(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<EmailTemplate> {
        let t = tenant(ctx).await?;
        let id = id_of::<EmailTemplate>("id", &id).gql(ctx)?;
        Ok(EmailTemplate(domain::campaigns::templates::delete(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Sends a template to a few addresses (subject marked `[Test]`), signed for the
    /// sending domain and personalised for a contact; answers once it is queued.
    async fn send_test_email(&self, ctx: &Context<'_>, input: SendTestEmailInput) -> async_graphql::Result<bool> {
        let t = tenant(ctx).await?;
        let template = id_of::<EmailTemplate>("templateId", &input.template_id).gql(ctx)?;
        let domain = id_of::<SendingDomain>("sendingDomainId", &input.sending_domain_id).gql(ctx)?;
        let contact = input
            .contact_id
            .map(|c| id_of::<crate::graphql::contacts::Contact>("contactId", &c))
            .transpose()
            .gql(ctx)?;
        let p = parley(ctx)?;
        domain::campaigns::templates::send_test(t, p, template, domain, &input.from_address, &input.to, contact)
            .await
            .gql(ctx)?;
        Ok(true)
    }

    /// Saves a draft campaign.
    async fn create_campaign(&self, ctx: &Context<'_>, input: CampaignInput) -> async_graphql::Result<Campaign> {
        let t = tenant(ctx).await?;
        let input = campaign_input(input).gql(ctx)?;
        Ok(Campaign(domain::campaigns::create(t, parley(ctx)?, input).await.gql(ctx)?))
    }

    /// Changes a draft campaign.
    async fn update_campaign(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CampaignInput,
    ) -> async_graphql::Result<Campaign> {
        let t = tenant(ctx).await?;
        let id = id_of::<Campaign>("id", &id).gql(ctx)?;
        let input = campaign_input(input).gql(ctx)?;
        Ok(Campaign(domain::campaigns::update(t, parley(ctx)?, id, input).await.gql(ctx)?))
    }

    /// Launches a draft: into approval when a rule asks for one, else scheduled.
    /// `FORBIDDEN` until an owner has verified their email address.
    async fn launch_campaign(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Campaign> {
        let t = tenant(ctx).await?;
        let id = id_of::<Campaign>("id", &id).gql(ctx)?;
        Ok(Campaign(domain::campaigns::launch(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Pauses a scheduled or running campaign after the batch in flight.
    async fn pause_campaign(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Campaign> {
        let t = tenant(ctx).await?;
        let id = id_of::<Campaign>("id", &id).gql(ctx)?;
        Ok(Campaign(domain::campaigns::pause(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Resumes a paused campaign where it stopped.
    async fn resume_campaign(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Campaign> {
        let t = tenant(ctx).await?;
        let id = id_of::<Campaign>("id", &id).gql(ctx)?;
        Ok(Campaign(domain::campaigns::resume(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Cancels a campaign for good.
    async fn cancel_campaign(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Campaign> {
        let t = tenant(ctx).await?;
        let id = id_of::<Campaign>("id", &id).gql(ctx)?;
        Ok(Campaign(domain::campaigns::cancel(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Sets the workspace's contact policy (frequency caps, quiet hours).
    async fn set_contact_policy(
        &self,
        ctx: &Context<'_>,
        input: ContactPolicyInput,
    ) -> async_graphql::Result<ContactPolicy> {
        let t = tenant(ctx).await?;
        let input = domain::campaigns::policies::PolicyInput {
            email_max: input.email_max,
            email_window_days: input.email_window_days,
            all_max: input.all_max,
            all_window_days: input.all_window_days,
            quiet_start: input.quiet_start,
            quiet_end: input.quiet_end,
            offer_max: input.offer_max,
            offer_window_days: input.offer_window_days,
        };
        Ok(domain::campaigns::policies::set(t, parley(ctx)?, input).await.gql(ctx)?.into())
    }

    /// Puts an address on the suppression list by hand.
    async fn suppress_email(
        &self,
        ctx: &Context<'_>,
        input: SuppressEmailInput,
    ) -> async_graphql::Result<EmailSuppression> {
        let t = tenant(ctx).await?;
        let s = domain::campaigns::suppressions::add(t, parley(ctx)?, &input.email, &input.note).await;
        Ok(EmailSuppression(s.gql(ctx)?))
    }

    /// Takes an address off the suppression list.
    async fn unsuppress_email(&self, ctx: &Context<'_>, email: String) -> async_graphql::Result<EmailSuppression> {
        let t = tenant(ctx).await?;
        Ok(EmailSuppression(domain::campaigns::suppressions::remove(t, parley(ctx)?, &email).await.gql(ctx)?))
    }
}
