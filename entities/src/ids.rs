//! One ID type per object, so an ID of one kind cannot be passed where another kind
//! belongs. Each carries the name its object goes by in global IDs (`TYPE_NAME`).
//!
//! They are stored as plain UUIDs and serialize as one, so tables, job payloads and
//! audit lines look the same as with bare UUIDs.
//!
//! ```compile_fail
//! use entities::ids::{InvitationId, MembershipId};
//! fn revoke_invitation(_: InvitationId) {}
//! // A membership's ID is not an invitation's.
//! revoke_invitation(MembershipId::from_uuid(uuid::Uuid::nil()));
//! ```
//!
//! ```
//! use entities::ids::{InvitationId, TypedId};
//! fn revoke_invitation(id: InvitationId) -> &'static str { InvitationId::TYPE_NAME }
//! assert_eq!(revoke_invitation(InvitationId::from_uuid(uuid::Uuid::nil())), "Invitation");
//! ```

use sea_orm::entity::prelude::*;

/// An object's ID.
pub trait TypedId: Copy + Eq + std::hash::Hash + Send + Sync + From<Uuid> + Into<Uuid> + 'static {
    /// The object's name in global IDs (and in the API's schema).
    const TYPE_NAME: &'static str;

    /// The UUID inside.
    fn uuid(self) -> Uuid {
        self.into()
    }
}

macro_rules! typed_ids {
    ($($(#[$doc:meta])* $name:ident => $type_name:literal;)*) => {$(
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, DeriveValueType, serde::Serialize,
            serde::Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl TypedId for $name {
            const TYPE_NAME: &'static str = $type_name;
        }

        impl $name {
            /// The ID holding `u` (usable in constants).
            pub const fn from_uuid(u: Uuid) -> Self {
                $name(u)
            }
        }

        impl From<Uuid> for $name {
            fn from(u: Uuid) -> Self {
                $name(u)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        // Keys are UUIDs, never numbers read back from an insert.
        impl sea_orm::TryFromU64 for $name {
            fn try_from_u64(_: u64) -> Result<Self, DbErr> {
                Err(DbErr::ConvertFromU64(stringify!($name)))
            }
        }
    )*};
}

typed_ids! {
    /// A user account.
    UserId => "User";
    /// A workspace (tenant).
    WorkspaceId => "Workspace";
    /// A membership of a user in a workspace.
    MembershipId => "Membership";
    /// An invitation.
    InvitationId => "Invitation";
    /// An API key.
    ApiKeyId => "ApiKey";
    /// A line of the audit trail.
    AuditEntryId => "AuditEntry";
    /// A background job.
    JobId => "Job";
    /// A customer or prospect of a workspace.
    ContactId => "Contact";
    /// A custom attribute defined for a workspace's contacts.
    ContactFieldId => "ContactField";
    /// One event in a contact's history.
    ContactEventId => "ContactEvent";
    /// A workspace's publishable tracking key.
    TrackingKeyId => "TrackingKey";
    /// A tracked visitor who identified as a contact.
    VisitorId => "Visitor";
    /// A file kept for a workspace (an upload or an export).
    StoredFileId => "StoredFile";
    /// One chunk of a stored file.
    FileChunkId => "FileChunk";
    /// An import of contacts from a file.
    ContactImportId => "ContactImport";
    /// A row an import rejected.
    ImportRejectionId => "ImportRejection";
    /// An export of contacts to a file.
    ContactExportId => "ContactExport";
    /// A saved segment: a rule over contacts, or a static list of them.
    SegmentId => "Segment";
    /// One contact's place on a static list.
    SegmentMemberId => "SegmentMember";
    /// A run of the job that scores contacts (RFM, lifetime value) and products (affinity).
    ScoreRunId => "ScoreRun";
    /// A response-propensity model of a workspace.
    PropensityModelId => "PropensityModel";
    /// Two products bought by the same customers.
    ProductAffinityId => "ProductAffinity";
    /// A workspace's schedule of score runs.
    ScoreScheduleId => "ScoreSchedule";
    /// A yearly marketing plan.
    PlanId => "Plan";
    /// A program of a plan.
    ProgramId => "Program";
    /// A project of a program.
    ProjectId => "Project";
    /// A cost center.
    CostCenterId => "CostCenter";
    /// A vendor.
    VendorId => "Vendor";
    /// A budget line.
    BudgetLineId => "BudgetLine";
    /// A purchase order.
    PurchaseOrderId => "PurchaseOrder";
    /// One line of a purchase order.
    PurchaseOrderLineId => "PurchaseOrderLine";
    /// A vendor's invoice.
    InvoiceId => "Invoice";
    /// The part of an invoice charged to one purchase order line.
    InvoiceChargeId => "InvoiceCharge";
    /// A rule saying which objects need whose approval.
    ApprovalRuleId => "ApprovalRule";
    /// A request for approval.
    ApprovalId => "Approval";
    /// One decision on an approval.
    ApprovalDecisionId => "ApprovalDecision";
    /// A delegation of approvals.
    ApprovalDelegationId => "ApprovalDelegation";
    /// A standard workflow of tasks.
    WorkflowTemplateId => "WorkflowTemplate";
    /// A workflow template laid out for one project.
    WorkflowId => "Workflow";
    /// One task of a workflow.
    WorkflowTaskId => "WorkflowTask";
    /// A comment on a workflow task.
    TaskCommentId => "TaskComment";
    /// A what-if reallocation of budget between lines.
    BudgetDraftId => "BudgetDraft";
    /// A piece of creative under review.
    AssetId => "Asset";
    /// One version of an asset.
    AssetVersionId => "AssetVersion";
    /// A comment on an asset version.
    AssetCommentId => "AssetComment";
    /// A domain a workspace sends email from.
    SendingDomainId => "SendingDomain";
    /// An email template.
    EmailTemplateId => "EmailTemplate";
    /// An email campaign.
    CampaignId => "Campaign";
    /// One contact in one campaign.
    CampaignSendId => "CampaignSend";
    /// An address on a workspace's suppression list.
    EmailSuppressionId => "EmailSuppression";
    /// A message that came back (a bounce, a feedback report).
    InboundMessageId => "InboundMessage";
    /// A workspace's contact policy (frequency caps, quiet hours).
    ContactPolicyId => "ContactPolicy";
    /// An offer of the catalogue.
    OfferId => "Offer";
    /// One version of an offer.
    OfferVersionId => "OfferVersion";
    /// A point (zone) of a channel that asks for offers.
    InteractionPointId => "InteractionPoint";
    /// Which offers are candidates at a point, for whom.
    TreatmentRuleId => "TreatmentRule";
    /// One decision of the decision engine.
    DecisionId => "Decision";
    /// A response to an offer a decision showed.
    OfferResponseId => "OfferResponse";
    /// What has been learnt of an offer at a point.
    OfferStatId => "OfferStat";
    /// A run of the contact optimizer over uploaded proposals.
    OptimizationRunId => "OptimizationRun";
    /// A rule that watches the event stream and fires for a contact.
    TriggerRuleId => "TriggerRule";
    /// One firing of a trigger rule for a contact.
    TriggerFiringId => "TriggerFiring";
    /// A trigger rule's durable timer for one contact.
    TriggerTimerId => "TriggerTimer";
    /// Where event detection stands in a workspace.
    TriggerCursorId => "TriggerCursor";
    /// A contact in a trigger rule's segment, as last seen.
    TriggerMemberId => "TriggerMember";
    /// A journey: steps contacts go through.
    JourneyId => "Journey";
    /// A published version of a journey.
    JourneyVersionId => "JourneyVersion";
    /// One contact's way through a journey.
    JourneyEnrolmentId => "JourneyEnrolment";
    /// One step an enrolment entered.
    JourneyVisitId => "JourneyVisit";
    /// When a workspace's journeys last ran.
    JourneyRunId => "JourneyRun";
    /// A contact in a sales process.
    LeadId => "Lead";
    /// One change to a lead.
    LeadActivityId => "LeadActivity";
    /// How a workspace scores leads.
    LeadScoringModelId => "LeadScoringModel";
    /// Where lead changes are posted.
    LeadWebhookId => "LeadWebhook";
    /// A rule that gives leads to reps.
    RoutingRuleId => "RoutingRule";
    /// A member who takes leads.
    SalesRepId => "SalesRep";
    /// When a workspace's lead routing last ran.
    LeadRunId => "LeadRun";
}
