//! Parley's product rules. Every use case is a function taking a [`TenantCtx`] first
//! (or, before a tenant is known, the [`Parley`] handle and checked input), and every
//! query goes through tenant-scoped helpers.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod analytics;
pub mod api_keys;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod bench;
pub mod budgets;
pub mod campaigns;
pub mod contacts;
mod core;
pub mod crypto;
pub mod decisions;
pub mod exports;
pub mod files;
pub mod identity;
pub mod imports;
pub mod jobs;
pub mod journeys;
pub mod leads;
pub mod mail;
pub mod money;
pub mod plans;
pub mod scores;
pub mod segments;
pub mod settings;
pub mod spend;
pub mod team;
pub mod tracking;
pub mod triggers;
pub mod validate;
pub mod workflows;
pub mod workspaces;

pub(crate) use self::core::bulk;
pub(crate) use self::core::ctx;
pub use self::core::{db, page, sealed};
pub(crate) use identity::{proof, throttle};

use std::sync::Arc;

pub use self::core::ctx::{Actor, Permission, Role, TenantCtx, UserCtx, role_allows};
pub use self::core::error::{Error, Result};
pub(crate) use self::core::tx::{Audited, Order, TenantTx};
pub use db::{Db, DbConfig};
pub use entities::assets::enums::{AssetKind, AssetVersionState};
pub use entities::campaigns::enums::{CampaignStatus, InboundKind, InboundOutcome, SendStatus, SuppressionReason};
pub use entities::enums::{
    AttributeKind, InvitationStatus, JobState, ModelStatus, ScoreEvery, SegmentKind, TransferStatus, WorkspaceKind,
};
pub use entities::ids::{
    ApiKeyId, AuditEntryId, ContactEventId, ContactExportId, ContactFieldId, ContactId, ContactImportId,
    ImportRejectionId, InvitationId, JobId, MembershipId, ProductAffinityId, PropensityModelId, ScoreRunId,
    ScoreScheduleId, SegmentId, StoredFileId, TrackingKeyId, TypedId, UserId, WorkspaceId,
};
pub use entities::ids::{
    ApprovalDecisionId, ApprovalDelegationId, ApprovalId, ApprovalRuleId, AssetCommentId, AssetId, AssetVersionId,
    BudgetDraftId, BudgetLineId, CostCenterId, InvoiceId, PlanId, ProgramId, ProjectId, PurchaseOrderId,
    PurchaseOrderLineId, TaskCommentId, VendorId, WorkflowId, WorkflowTaskId, WorkflowTemplateId,
};
pub use entities::ids::{
    CampaignId, CampaignSendId, EmailSuppressionId, EmailTemplateId, InboundMessageId, SendingDomainId,
};
pub use entities::ids::{
    DecisionId, InteractionPointId, OfferId, OfferResponseId, OfferStatId, OfferVersionId, OptimizationRunId,
    TreatmentRuleId,
};
pub use entities::ids::{JourneyEnrolmentId, JourneyId, TriggerFiringId, TriggerRuleId};
pub use entities::ids::{LeadActivityId, LeadId, LeadScoringModelId, LeadWebhookId, RoutingRuleId, SalesRepId};
pub use entities::ops::enums::{
    ApprovalMode, ApprovalObject, ApprovalState, BudgetDraftStatus, BudgetNodeKind, Decision, Overspend, PeriodKind,
    PurchaseOrderStatus, TaskStatus, WorkStatus,
};
pub use settings::{Secret, Settings};

/// A user account (never carries the password hash out of the domain).
pub type User = entities::user::Model;
/// A workspace (tenant).
pub type Workspace = entities::workspace::Model;
/// A membership of a user in a workspace.
pub type Membership = entities::membership::Model;
/// An invitation.
pub type Invitation = entities::invitation::Model;
/// An API key (without its secret).
pub type ApiKey = entities::api_key::Model;
/// One line of the audit trail.
pub type AuditEntry = entities::audit_entry::Model;
/// A background job.
pub type Job = entities::job::Model;
/// A customer or prospect of a workspace.
pub type Contact = entities::contact::Model;
/// One event in a contact's history.
pub type ContactEvent = entities::contact_event::Model;
/// A custom field of a workspace's contacts.
pub type ContactField = entities::attribute_definition::Model;
/// A saved segment of a workspace's contacts (a rule, or a static list).
pub type Segment = entities::segment::Model;

/// Handle on everything the rules need: the database and the settings.
#[derive(Clone, Debug)]
pub struct Parley {
    db: Db,
    settings: Arc<Settings>,
    clock_skew: chrono::Duration,
    node: Arc<self::core::node::Node>,
}

impl Parley {
    /// Builds the handle.
    pub fn new(db: Db, settings: Settings) -> Self {
        Parley {
            db,
            settings: Arc::new(settings),
            clock_skew: chrono::Duration::zero(),
            node: Arc::new(Default::default()),
        }
    }
    /// The same handle with its clock `skew` off the machine's: plays a worker whose
    /// clock is wrong, to show that what the database decides does not depend on it.
    pub fn with_clock_skew(&self, skew: chrono::Duration) -> Parley {
        Parley { clock_skew: skew, ..self.clone() }
    }
    /// This process's idea of the time (the machine's clock plus any skew).
    pub(crate) fn clock(&self) -> chrono::DateTime<chrono::Utc> {
        let t = now();
        t.checked_add_signed(self.clock_skew).unwrap_or(t)
    }
    /// The database.
    pub fn db(&self) -> &Db {
        &self.db
    }
    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
    /// What this node keeps in memory.
    pub(crate) fn node(&self) -> &self::core::node::Node {
        &self.node
    }
    /// Makes this node's cached reads stale: called by every writer of what they hold.
    pub(crate) fn changed(&self) {
        self.node.changed()
    }
    /// Writes what this node holds in memory and has not written yet (the learner's
    /// counts); a server calls it when it stops.
    pub async fn flush(&self) -> Result<()> {
        decisions::live::flush(self).await
    }
}

/// The current time (one place, so the rules read `now()`).
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

/// A `chrono` duration from a std one (saturating).
pub(crate) fn dur(d: std::time::Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

/// A new time-ordered ID, of whichever ID type the place it goes to wants.
pub(crate) fn new_id<T: From<uuid::Uuid>>() -> T {
    uuid::Uuid::now_v7().into()
}
