//! Sending domains, templates, campaigns, sends and suppressions.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::global_id;
use crate::graphql::money::Money;
use crate::graphql::node::{NodeObject, node_object};

/// Where a campaign stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::CampaignStatus")]
pub enum CampaignStatus {
    /// Being built; nothing is sent.
    Draft,
    /// Launched, waiting for its approvers.
    InApproval,
    /// Approved (or needing no approval), waiting for its time.
    Scheduled,
    /// Choosing its audience and sending.
    Running,
    /// Stopped by a person; resumes where it stopped.
    Paused,
    /// Every targeted contact was sent to (or failed for good).
    Completed,
    /// Stopped for good.
    Cancelled,
}

/// Where one contact stands in one campaign.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::SendStatus")]
pub enum SendStatus {
    /// To be sent (at its contact's local time, or after a retry's wait).
    Queued,
    /// Handed to the mail server by a batch that has not reported yet.
    Sending,
    Sent,
    Failed,
    /// Held out at random, to measure what the campaign caused.
    Control,
    /// Not sent, for its `reason`.
    Suppressed,
}

/// Why an address is suppressed.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::SuppressionReason")]
pub enum SuppressionReason {
    HardBounce,
    /// Temporary failures reached the threshold.
    SoftBounces,
    /// Reported as spam.
    Complaint,
    Unsubscribed,
    /// Put on the list by a person.
    Manual,
}

node_object! {
    /// A domain the workspace sends from. Publish its DKIM record in DNS.
    SendingDomain(domain::campaigns::domains::SendingDomain) {
        domain: String,
        /// The DKIM selector.
        dkim_selector: String,
        created_at: DateTime<Utc>,
    }
    extra {
        /// Where the DKIM TXT record goes (`<selector>._domainkey.<domain>`).
        async fn dkim_record_name(&self) -> String {
            domain::campaigns::domains::record_name(&self.0)
        }
        /// The DKIM TXT record (`v=DKIM1; k=rsa; p=…`).
        async fn dkim_record_value(&self) -> String {
            domain::campaigns::domains::record_value(&self.0)
        }
    }
}

node_object! {
    /// An email template: MJML and a text part, personalised per contact with
    /// `{{ contact.<attribute> }}` (and minijinja's filters, like `default`).
    EmailTemplate(domain::campaigns::templates::EmailTemplate) {
        name: String,
        subject: String,
        mjml: String,
        /// The text part as written (empty: made from the HTML).
        text: String,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        /// The HTML the MJML renders to, tags not yet filled in.
        async fn html(&self) -> &str {
            &self.0.html
        }
    }
}

/// How often contacts may be reached, and when not (applied when a campaign chooses its
/// audience).
#[derive(SimpleObject, Default)]
pub struct ContactPolicy {
    /// Most emails per contact within `emailWindowDays` (null: no cap).
    pub email_max: Option<i32>,
    pub email_window_days: Option<i32>,
    /// Most messages on any channel per contact within `allWindowDays`.
    pub all_max: Option<i32>,
    pub all_window_days: Option<i32>,
    /// `HH:MM` in each contact's zone: nothing is sent from then…
    pub quiet_start: Option<String>,
    /// …until then (the next day when it is earlier).
    pub quiet_end: Option<String>,
    /// Most offers decided for one contact, everywhere together, within
    /// `offerWindowDays` (null: no cap).
    pub offer_max: Option<i32>,
    pub offer_window_days: Option<i32>,
}

impl From<domain::campaigns::policies::ContactPolicy> for ContactPolicy {
    fn from(p: domain::campaigns::policies::ContactPolicy) -> Self {
        ContactPolicy {
            email_max: p.email_max,
            email_window_days: p.email_window_days,
            all_max: p.all_max,
            all_window_days: p.all_window_days,
            offer_max: p.offer_max,
            offer_window_days: p.offer_window_days,
            quiet_start: p.quiet_start,
            quiet_end: p.quiet_end,
        }
    }
}

/// A message as one contact would receive it.
#[derive(SimpleObject)]
pub struct EmailPreview {
    pub subject: String,
    pub html: String,
    pub text: String,
}

impl From<domain::campaigns::templates::Rendered> for EmailPreview {
    fn from(r: domain::campaigns::templates::Rendered) -> Self {
        EmailPreview { subject: r.subject, html: r.html, text: r.text }
    }
}

/// Suppressed contacts of one reason.
#[derive(SimpleObject)]
pub struct SuppressedCount {
    /// `NO_EMAIL`, `NO_CONSENT`, `CONSENT_DENIED`, or a suppression list reason
    /// (`HARD_BOUNCE`, `UNSUBSCRIBED`, …).
    pub reason: String,
    pub count: i64,
}

/// How far a campaign got.
#[derive(SimpleObject)]
pub struct CampaignProgress {
    /// Contacts of its audience chosen so far (all of them once sending started).
    pub targeted: i64,
    /// Held out at random.
    pub control_group: i64,
    /// Not sent (see `suppressedBy`).
    pub suppressed: i64,
    /// Waiting (for their local time, or a retry).
    pub queued: i64,
    /// Handed over by a batch that has not reported yet.
    pub sending: i64,
    pub sent: i64,
    pub failed: i64,
    pub suppressed_by: Vec<SuppressedCount>,
}

impl From<domain::campaigns::Progress> for CampaignProgress {
    fn from(p: domain::campaigns::Progress) -> Self {
        CampaignProgress {
            targeted: p.targeted,
            control_group: p.control_group,
            suppressed: p.suppressed,
            queued: p.queued,
            sending: p.sending,
            sent: p.sent,
            failed: p.failed,
            suppressed_by: p
                .suppressed_by
                .into_iter()
                .map(|(reason, count)| SuppressedCount { reason, count })
                .collect(),
        }
    }
}

/// One arm of a campaign's comparison: its treated contacts, or its control group.
#[derive(SimpleObject)]
pub struct CampaignArm {
    pub contacts: i64,
    pub opened: i64,
    pub clicked: i64,
    /// Contacts who bought within the attribution window.
    pub converted: i64,
    pub open_rate: f64,
    pub click_rate: f64,
    pub conversion_rate: f64,
    /// Their purchases, in the results' currency.
    pub revenue: Option<Money>,
}

/// The difference one metric shows between treated and control.
#[derive(SimpleObject)]
pub struct Lift {
    pub treated: f64,
    pub control: f64,
    /// Treated minus control.
    pub absolute: f64,
    /// The absolute lift over the control's value (null when the control's is 0).
    pub relative: Option<f64>,
    /// The 95% confidence interval of the absolute lift.
    pub low: f64,
    pub high: f64,
    /// Two-sided p-value of "no difference".
    pub p_value: Option<f64>,
    /// p < 0.05.
    pub significant: bool,
}

impl From<domain::campaigns::results::Lift> for Lift {
    fn from(l: domain::campaigns::results::Lift) -> Self {
        Lift {
            treated: l.treated,
            control: l.control,
            absolute: l.absolute,
            relative: l.relative,
            low: l.low,
            high: l.high,
            p_value: l.p_value,
            significant: l.significant,
        }
    }
}

/// One content variant of a split, and what it caused beside the control group.
#[derive(SimpleObject)]
pub struct VariantResults {
    /// Its place among the campaign's variants, from 0.
    pub variant: i32,
    pub treated: CampaignArm,
    pub conversion: Lift,
    pub revenue_per_contact: Lift,
}

/// A content variant of a campaign.
#[derive(SimpleObject)]
pub struct CampaignVariant {
    pub template_id: ID,
    /// Its share of the treated contacts.
    pub percent: f64,
}

/// What a campaign caused: treated contacts beside the control group.
#[derive(SimpleObject)]
pub struct CampaignResults {
    /// Each variant (one without a split).
    pub variants: Vec<VariantResults>,
    pub treated: CampaignArm,
    pub control: CampaignArm,
    /// Days after being chosen in which a purchase counts.
    pub attribution_days: i64,
    /// The currency revenue is counted in.
    pub currency: Option<String>,
    /// Conversion rate lift.
    pub conversion: Lift,
    /// Revenue per contact lift, in minor units of the currency.
    pub revenue_per_contact: Lift,
    /// Conversions the campaign caused (lift × treated contacts).
    pub incremental_conversions: f64,
    /// Revenue the campaign caused.
    pub incremental_revenue: Option<Money>,
}

fn arm(a: &domain::campaigns::results::Arm, currency: Option<&str>) -> CampaignArm {
    CampaignArm {
        contacts: a.contacts,
        opened: a.opened,
        clicked: a.clicked,
        converted: a.converted,
        open_rate: a.open_rate(),
        click_rate: a.click_rate(),
        conversion_rate: a.conversion_rate(),
        revenue: currency.map(|c| Money::of(a.revenue, c)),
    }
}

impl From<domain::campaigns::results::Results> for CampaignResults {
    fn from(r: domain::campaigns::results::Results) -> Self {
        let cur = r.currency.as_deref();
        CampaignResults {
            variants: r
                .variants
                .iter()
                .map(|v| VariantResults {
                    variant: v.variant,
                    treated: arm(&v.arm, cur),
                    conversion: v.conversion.clone().into(),
                    revenue_per_contact: v.revenue_per_contact.clone().into(),
                })
                .collect(),
            treated: arm(&r.treated, cur),
            control: arm(&r.control, cur),
            attribution_days: r.window_days,
            incremental_revenue: cur.map(|c| Money::of(r.incremental_revenue, c)),
            currency: r.currency.clone(),
            conversion: r.conversion.into(),
            revenue_per_contact: r.revenue_per_contact.into(),
            incremental_conversions: r.incremental_conversions,
        }
    }
}

/// What was spent on campaigns in one currency.
#[derive(SimpleObject)]
pub struct CampaignCost {
    /// Approved, issued and closed purchase orders raised for them.
    pub committed: Money,
    /// What those orders' invoices charged.
    pub invoiced: Money,
    /// The cost that counts: invoiced once invoices exist, else committed.
    pub counted: Money,
}

/// Cost beside the revenue campaigns caused (treated above control, 7-day window).
#[derive(SimpleObject)]
pub struct CampaignRoi {
    /// Campaigns counted.
    pub campaigns: i64,
    pub costs: Vec<CampaignCost>,
    /// Revenue caused, per currency.
    pub revenue: Vec<Money>,
    /// (revenue − cost) / cost, when both are in one currency and something was spent.
    pub roi: Option<f64>,
    pub currency: Option<String>,
}

impl From<domain::campaigns::roi::Roi> for CampaignRoi {
    fn from(r: domain::campaigns::roi::Roi) -> Self {
        CampaignRoi {
            campaigns: r.campaigns,
            costs: r
                .costs
                .iter()
                .map(|c| CampaignCost {
                    committed: Money::of(c.committed, &c.currency),
                    invoiced: Money::of(c.invoiced, &c.currency),
                    counted: Money::of(c.counted(), &c.currency),
                })
                .collect(),
            revenue: r.revenue.iter().map(|(cur, n)| Money::of(*n, cur)).collect(),
            roi: r.roi,
            currency: r.currency,
        }
    }
}

/// An email campaign.
pub struct Campaign(pub domain::campaigns::Campaign);

impl NodeObject for Campaign {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

fn segment_ids(stored: &serde_json::Value) -> Vec<ID> {
    domain::campaigns::segment_ids(stored).into_iter().map(|s| global_id("Segment", s.into())).collect()
}

#[Object]
impl Campaign {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn status(&self) -> CampaignStatus {
        self.0.status.into()
    }
    /// The segments and lists targeted.
    async fn segment_ids(&self) -> Vec<ID> {
        segment_ids(&self.0.segment_ids)
    }
    /// The segments and lists left out.
    async fn exclude_segment_ids(&self) -> Vec<ID> {
        segment_ids(&self.0.exclude_segment_ids)
    }
    async fn template_id(&self) -> ID {
        global_id("EmailTemplate", self.0.template_id.into())
    }
    /// Its content variants and their shares (one of 100% without a split).
    async fn variants(&self) -> Vec<CampaignVariant> {
        domain::campaigns::variants_of(&self.0)
            .into_iter()
            .map(|v| CampaignVariant {
                template_id: global_id("EmailTemplate", v.template_id.into()),
                percent: f64::from(v.basis_points) / 100.0,
            })
            .collect()
    }
    async fn template(&self, ctx: &Context<'_>) -> async_graphql::Result<EmailTemplate> {
        let t = tenant(ctx).await?;
        Ok(EmailTemplate(domain::campaigns::templates::get(t, parley(ctx)?, self.0.template_id).await.gql(ctx)?))
    }
    async fn sending_domain_id(&self) -> ID {
        global_id("SendingDomain", self.0.sending_domain_id.into())
    }
    async fn from_address(&self) -> &str {
        &self.0.from_address
    }
    /// The name in `From` (may be empty).
    #[graphql(name = "fromName")]
    async fn sender_name(&self) -> &str {
        &self.0.from_name
    }
    /// The share held out as a control group, in percent.
    async fn control_group_percent(&self) -> f64 {
        f64::from(self.0.control_basis_points) / 100.0
    }
    /// When sending starts (null: at launch, or once approved).
    async fn schedule_at(&self) -> Option<DateTime<Utc>> {
        self.0.schedule_at
    }
    /// `HH:MM`: each contact receives it at that time in their own zone.
    async fn local_time(&self) -> Option<&str> {
        self.0.local_time.as_deref()
    }
    async fn project_id(&self) -> Option<ID> {
        self.0.project_id.map(|p| global_id("Project", p.into()))
    }
    async fn budget_line_id(&self) -> Option<ID> {
        self.0.budget_line_id.map(|p| global_id("BudgetLine", p.into()))
    }
    /// The approval request of its launch, when a rule asked for one.
    async fn approval_id(&self) -> Option<ID> {
        self.0.approval_id.map(|a| global_id("Approval", a.into()))
    }
    /// The job sending it now (or last).
    async fn job_id(&self) -> Option<ID> {
        self.0.job_id.map(|j| global_id("Job", j.into()))
    }
    async fn launched_at(&self) -> Option<DateTime<Utc>> {
        self.0.launched_at
    }
    async fn started_at(&self) -> Option<DateTime<Utc>> {
        self.0.started_at
    }
    async fn completed_at(&self) -> Option<DateTime<Utc>> {
        self.0.completed_at
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Its contacts by where they stand, now.
    async fn progress(&self, ctx: &Context<'_>) -> async_graphql::Result<CampaignProgress> {
        let t = tenant(ctx).await?;
        Ok(domain::campaigns::progress(t, parley(ctx)?, self.0.id).await.gql(ctx)?.into())
    }
    /// What it caused: opens, clicks, conversions and revenue of its treated contacts
    /// beside its control group, with lifts, confidence intervals and significance.
    async fn results(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 7)] attribution_days: i64,
    ) -> async_graphql::Result<CampaignResults> {
        let t = tenant(ctx).await?;
        Ok(domain::campaigns::results::of(t, parley(ctx)?, self.0.id, attribution_days).await.gql(ctx)?.into())
    }
    /// What it cost (the purchase orders raised for it) beside the revenue it caused.
    async fn roi(&self, ctx: &Context<'_>) -> async_graphql::Result<CampaignRoi> {
        let t = tenant(ctx).await?;
        let scope = domain::campaigns::roi::Scope::Campaign(self.0.id);
        Ok(domain::campaigns::roi::of(t, parley(ctx)?, scope).await.gql(ctx)?.into())
    }
    /// One record per contact of its audience, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn sends(
        &self,
        ctx: &Context<'_>,
        status: Option<SendStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<CampaignSend>> {
        let id = self.0.id;
        let status = status.map(Into::into);
        list(ctx, first, after, move |t, p, args| domain::campaigns::sends(t, p, id, status, args), CampaignSend).await
    }
}

node_object! {
    /// One contact in one campaign: held out, suppressed (and why), or sent, and what
    /// they did with it.
    CampaignSend(domain::campaigns::Send) {
        /// The address sent to.
        email: Option<String>,
        status: SendStatus,
        /// Why it was suppressed, or why it failed.
        reason: Option<String>,
        /// Which content variant it gets, from 0 (the control group's: the one it would
        /// have had).
        variant: i32,
        /// Hand-overs to the mail server (more than one: retried, or the batch was in
        /// flight when a worker stopped).
        attempts: i32,
        /// Not sent before then (local time, or a retry's wait).
        not_before: Option<DateTime<Utc>>,
        last_error: Option<String>,
        message_id: Option<String>,
        sent_at: Option<DateTime<Utc>>,
        opened_at: Option<DateTime<Utc>>,
        clicked_at: Option<DateTime<Utc>>,
        opens: i32,
        clicks: i32,
        /// `hard` or `soft`.
        bounce: Option<String>,
        bounced_at: Option<DateTime<Utc>>,
        unsubscribed_at: Option<DateTime<Utc>>,
        complained_at: Option<DateTime<Utc>>,
    }
    extra {
        async fn campaign_id(&self) -> ID {
            global_id("Campaign", self.0.campaign_id.into())
        }
        async fn contact_id(&self) -> ID {
            global_id("Contact", self.0.contact_id.into())
        }
    }
}

node_object! {
    /// An address the workspace does not send to (or whose soft bounces are counted).
    EmailSuppression(domain::campaigns::suppressions::Suppression) {
        email: String,
        /// Temporary failures counted toward the threshold.
        soft_bounces: i32,
        /// What the last report said.
        detail: String,
        suppressed_at: Option<DateTime<Utc>>,
        updated_at: DateTime<Utc>,
    }
    extra {
        /// Why it is suppressed (null: not suppressed; soft bounces counted).
        async fn reason(&self) -> Option<SuppressionReason> {
            self.0.reason.map(Into::into)
        }
    }
}
