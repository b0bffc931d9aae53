//! Typed operations of `campaigns.graphql`.

use super::*;

super::operations!("src/ops/campaigns.graphql":
    /// `CampaignSetup` in `campaigns.graphql`.
    CampaignSetup,
    /// `Campaigns` in `campaigns.graphql`.
    Campaigns,
    /// `Campaign` in `campaigns.graphql`.
    Campaign,
    /// `CampaignProgress` in `campaigns.graphql`.
    CampaignProgress,
    /// `CampaignResults` in `campaigns.graphql`.
    CampaignResults,
    /// `CampaignSends` in `campaigns.graphql`.
    CampaignSends,
    /// `CreateCampaign` in `campaigns.graphql`.
    CreateCampaign,
    /// `LaunchCampaign` in `campaigns.graphql`.
    LaunchCampaign,
    /// `PauseCampaign` in `campaigns.graphql`.
    PauseCampaign,
    /// `ResumeCampaign` in `campaigns.graphql`.
    ResumeCampaign,
    /// `CancelCampaign` in `campaigns.graphql`.
    CancelCampaign,
    /// `EmailTemplates` in `campaigns.graphql`.
    EmailTemplates,
    /// `EmailTemplate` in `campaigns.graphql`.
    EmailTemplate,
    /// `PreviewEmailContent` in `campaigns.graphql`.
    PreviewEmailContent,
    /// `PreviewContacts` in `campaigns.graphql`.
    PreviewContacts,
    /// `CreateEmailTemplate` in `campaigns.graphql`.
    CreateEmailTemplate,
    /// `UpdateEmailTemplate` in `campaigns.graphql`.
    UpdateEmailTemplate,
    /// `DeleteEmailTemplate` in `campaigns.graphql`.
    DeleteEmailTemplate,
    /// `SendingDomains` in `campaigns.graphql`.
    SendingDomains,
    /// `AddSendingDomain` in `campaigns.graphql`.
    AddSendingDomain,
    /// `RemoveSendingDomain` in `campaigns.graphql`.
    RemoveSendingDomain,
    /// `EmailSuppressions` in `campaigns.graphql`.
    EmailSuppressions,
    /// `SuppressEmail` in `campaigns.graphql`.
    SuppressEmail,
    /// `UnsuppressEmail` in `campaigns.graphql`.
    UnsuppressEmail,
    /// `ContactPolicy` in `campaigns.graphql`.
    ContactPolicy,
    /// `SetContactPolicy` in `campaigns.graphql`.
    SetContactPolicy,
);

/// One campaign as the list shows it.
pub type CampaignRow = campaigns::CampaignsCampaignsNodes;
/// One campaign as its page shows it.
pub type CampaignDetail = campaign::CampaignCampaign;
/// Where a campaign stands now, as its page polls it.
pub type Progress = campaign_progress::CampaignProgressCampaign;
/// What a campaign caused, over one attribution window.
pub type Results = campaign_results::CampaignResultsCampaignResults;
/// What a campaign cost beside the revenue it caused.
pub type Roi = campaign_results::CampaignResultsCampaignRoi;
/// One arm of a campaign's comparison, as its results show it.
pub type Arm = campaign_results::ArmFigures;
/// The difference one metric shows between the arms.
pub type Lift = campaign_results::LiftFigures;
/// One content variant's results.
pub type VariantRow = campaign_results::CampaignResultsCampaignResultsVariants;
/// One contact's send of a campaign.
pub type SendRow = campaign_sends::CampaignSendsCampaignSendsNodes;
/// One template as the list shows it.
pub type TemplateRow = email_templates::EmailTemplatesEmailTemplatesNodes;
/// A message as one contact would receive it.
pub type Preview = preview_email_content::PreviewEmailContentPreviewEmailContent;
/// A contact the preview can be made for.
pub type PreviewContact = preview_contacts::PreviewContactsContactsNodes;
/// A sending domain with the DKIM record to publish.
pub type DomainRow = sending_domains::SendingDomainsSendingDomainsNodes;
/// How often contacts may be reached, and when not.
pub type PolicyDetail = contact_policy::ContactPolicyContactPolicy;
/// One address of the suppression list.
pub type SuppressionRow = email_suppressions::EmailSuppressionsEmailSuppressionsNodes;

super::page_info_from!(
    campaigns::CampaignsCampaignsPageInfo,
    email_templates::EmailTemplatesEmailTemplatesPageInfo,
    email_suppressions::EmailSuppressionsEmailSuppressionsPageInfo,
);
super::connection_chunk!(
    campaigns::CampaignsCampaigns => CampaignRow,
    email_templates::EmailTemplatesEmailTemplates => TemplateRow,
    email_suppressions::EmailSuppressionsEmailSuppressions => SuppressionRow,
);
