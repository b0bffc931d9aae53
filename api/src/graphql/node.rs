//! The registry of node types: one list that makes the `Node` interface, serves
//! `node(id:)` and names each type in its global IDs, so a type with a global ID cannot
//! be left out of `node(id:)`.

use async_graphql::{Context, ID, Interface, Object};
use domain::{Parley, TenantCtx, TypedId};
use uuid::Uuid;

use super::api_keys::ApiKey;
use super::approvals::{Approval, ApprovalDelegation, ApprovalRule};
use super::assets::{Asset, AssetComment, AssetVersion};
use super::audit::AuditEntry;
use super::budgets::{BudgetDraft, BudgetLine};
use super::campaigns::{Campaign, CampaignSend, EmailSuppression, EmailTemplate, SendingDomain};
use super::contacts::{Contact, ContactEvent, ContactField};
use super::context::{OrGql, parley, tenant};
use super::decisions::{InteractionPoint, Offer, OptimizationRun, TreatmentRule};
use super::identity::User;
use super::ids::{global_id, parse, parse_any};
use super::imports::{ContactExport, ContactImport, ImportRejection};
use super::jobs::Job;
use super::journeys::{Journey, JourneyEnrolment};
use super::leads::{Lead, LeadScoringModel, RoutingRule, SalesRep};
use super::plans::{CostCenter, Plan, Program, Project};
use super::scores::{PropensityModel, ScoreRun};
use super::segments::Segment;
use super::spend::{Invoice, PurchaseOrder, Vendor};
use super::team::{Invitation, Membership};
use super::tracking::TrackingKey;
use super::triggers::{TriggerFiring, TriggerRule};
use super::workflows::{Workflow, WorkflowTask, WorkflowTemplate};
use super::workspaces::Workspace;

/// A type listed in the registry below; only the registry implements it.
pub(crate) trait Registered {
    /// The type of its objects' IDs, which names the type in global IDs.
    type Id: TypedId;
    /// The GraphQL type name, which global IDs carry (the ID type's name).
    const TYPE_NAME: &'static str = <Self::Id as TypedId>::TYPE_NAME;
}

/// An object with a global ID. Requires [`Registered`], so an object that is not in the
/// registry cannot have one.
pub(crate) trait NodeObject: Registered {
    /// The object's own ID.
    fn node_id(&self) -> Self::Id;

    /// The object's global ID.
    fn global_id(&self) -> ID {
        global_id(Self::TYPE_NAME, self.node_id().uuid())
    }
}

/// Declares the GraphQL object for a domain model with an `id`: the wrapper type, its
/// global ID and one field per listed model field (converted with `Into`), plus any
/// hand-written resolvers after `extra`. The type must be in the registry below.
/// (A resolver with a `complexity` expression cannot go in `extra`: macro hygiene hides
/// the `child_complexity` that `#[Object]` binds from it. Such types are written out.)
///
/// ```ignore
/// node_object! {
///     /// A tag of the workspace.
///     Tag(domain::Tag) {
///         name: String,
///         /// Shown as the chip's colour.
///         colour: String,
///     }
///     extra {
///         async fn uses(&self) -> u64 { … }
///     }
/// }
/// ```
macro_rules! node_object {
    (
        $(#[$doc:meta])*
        $name:ident($model:ty) {
            $($(#[$fdoc:meta])* $field:ident: $ty:ty,)*
        }
        $(extra { $($extra:tt)* })?
    ) => {
        $(#[$doc])*
        pub struct $name(pub $model);

        impl $crate::graphql::node::NodeObject for $name {
            fn node_id(&self) -> Self::Id {
                self.0.id
            }
        }

        #[async_graphql::Object]
        impl $name {
            pub(crate) async fn id(&self) -> async_graphql::ID {
                $crate::graphql::node::NodeObject::global_id(self)
            }
            $(
                $(#[$fdoc])*
                async fn $field(&self) -> $ty {
                    self.0.$field.clone().into()
                }
            )*
            $($($extra)*)?
        }
    };
}
pub(crate) use node_object;

/// The ID inside a global ID of `T`, naming `field` when it is malformed.
pub(crate) fn id_of<T: Registered>(field: &str, id: &ID) -> domain::Result<T::Id> {
    parse(T::TYPE_NAME, field, id).map(T::Id::from)
}

/// Whether two names are the same, at compile time.
const fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// Lists every node type once: the type and its ID type, the domain function that
/// reads one object of it within the tenant, and how its value becomes the GraphQL
/// object. A type whose ID type carries another name does not compile.
macro_rules! node_registry {
    ($($ty:ident($id:ty) => $load:path, $wrap:expr;)*) => {
        /// Anything with a global ID.
        #[derive(Interface)]
        #[graphql(field(name = "id", ty = "ID"))]
        pub enum Node {
            $(
                #[doc = concat!("A ", stringify!($ty), ".")]
                $ty($ty),
            )*
        }

        /// Every node type's name, in registry order.
        pub const NODE_TYPES: &[&str] = &[$(stringify!($ty)),*];

        $(
            impl Registered for $ty {
                type Id = $id;
            }
            const _: () = assert!(
                same_name(<$id as TypedId>::TYPE_NAME, stringify!($ty)),
                concat!("the ID type of ", stringify!($ty), " names another type"),
            );
        )*

        /// Reads the object `id` of type `kind`; unknown types are not found.
        async fn load(t: &TenantCtx, p: &Parley, kind: &str, id: Uuid) -> domain::Result<Node> {
            match kind {
                $(stringify!($ty) => $load(t, p, <$id>::from(id)).await.map(|v| Node::$ty(($wrap)(v))),)*
                _ => Err(domain::Error::NotFound),
            }
        }
    };
}

node_registry! {
    User(domain::UserId) => domain::identity::accounts::get_user, User;
    Workspace(domain::WorkspaceId) => domain::workspaces::get, Workspace;
    Membership(domain::MembershipId) => domain::team::members::get, Membership::from;
    Invitation(domain::InvitationId) => domain::team::invitations::get, Invitation;
    ApiKey(domain::ApiKeyId) => domain::api_keys::get, ApiKey;
    AuditEntry(domain::AuditEntryId) => domain::audit::get, AuditEntry;
    Job(domain::JobId) => domain::jobs::get, Job;
    Contact(domain::ContactId) => domain::contacts::get, Contact;
    ContactEvent(domain::ContactEventId) => domain::contacts::timeline::get, ContactEvent;
    ContactField(domain::ContactFieldId) => domain::contacts::fields::get, ContactField;
    TrackingKey(domain::TrackingKeyId) => domain::tracking::get, TrackingKey;
    ContactImport(domain::ContactImportId) => domain::imports::get, |(i, e)| ContactImport(i, e);
    ImportRejection(domain::ImportRejectionId) => domain::imports::rejection, ImportRejection;
    ContactExport(domain::ContactExportId) => domain::exports::get, ContactExport;
    Segment(domain::SegmentId) => domain::segments::get, Segment;
    ScoreRun(domain::ScoreRunId) => domain::scores::get, ScoreRun;
    PropensityModel(domain::PropensityModelId) => domain::scores::propensity::get, PropensityModel;
    Plan(domain::PlanId) => domain::plans::get_plan, Plan;
    Program(domain::ProgramId) => domain::plans::get_program, Program;
    Project(domain::ProjectId) => domain::plans::get_project, Project;
    CostCenter(domain::CostCenterId) => domain::plans::get_cost_center, CostCenter;
    BudgetLine(domain::BudgetLineId) => domain::budgets::get_line, BudgetLine;
    BudgetDraft(domain::BudgetDraftId) => domain::budgets::drafts::get, BudgetDraft;
    Vendor(domain::VendorId) => domain::spend::get_vendor, Vendor;
    PurchaseOrder(domain::PurchaseOrderId) => domain::spend::orders::get, PurchaseOrder;
    Invoice(domain::InvoiceId) => domain::spend::invoices::get, Invoice;
    ApprovalRule(domain::ApprovalRuleId) => domain::approvals::get_rule, ApprovalRule;
    Approval(domain::ApprovalId) => domain::approvals::requests::get, Approval;
    ApprovalDelegation(domain::ApprovalDelegationId) => domain::approvals::get_delegation, ApprovalDelegation;
    WorkflowTemplate(domain::WorkflowTemplateId) => domain::workflows::get_template, WorkflowTemplate;
    Workflow(domain::WorkflowId) => domain::workflows::run::get, Workflow;
    WorkflowTask(domain::WorkflowTaskId) => domain::workflows::run::get_task, WorkflowTask;
    Asset(domain::AssetId) => domain::assets::get, Asset;
    AssetVersion(domain::AssetVersionId) => domain::assets::get_version, AssetVersion;
    AssetComment(domain::AssetCommentId) => domain::assets::get_comment, AssetComment;
    SendingDomain(domain::SendingDomainId) => domain::campaigns::domains::get, SendingDomain;
    EmailTemplate(domain::EmailTemplateId) => domain::campaigns::templates::get, EmailTemplate;
    Campaign(domain::CampaignId) => domain::campaigns::get, Campaign;
    CampaignSend(domain::CampaignSendId) => domain::campaigns::send, CampaignSend;
    EmailSuppression(domain::EmailSuppressionId) => domain::campaigns::suppressions::get, EmailSuppression;
    Offer(domain::OfferId) => domain::decisions::offers::get, Offer;
    InteractionPoint(domain::InteractionPointId) => domain::decisions::points::get, InteractionPoint;
    TreatmentRule(domain::TreatmentRuleId) => domain::decisions::rules::get, TreatmentRule;
    OptimizationRun(domain::OptimizationRunId) => domain::decisions::optimization::get, OptimizationRun;
    TriggerRule(domain::TriggerRuleId) => domain::triggers::get, TriggerRule;
    TriggerFiring(domain::TriggerFiringId) => domain::triggers::get_firing, TriggerFiring;
    Journey(domain::JourneyId) => domain::journeys::get, Journey;
    JourneyEnrolment(domain::JourneyEnrolmentId) => domain::journeys::get_enrolment, JourneyEnrolment;
    Lead(domain::LeadId) => domain::leads::get, Lead;
    LeadScoringModel(domain::LeadScoringModelId) => domain::leads::scoring::get, LeadScoringModel;
    RoutingRule(domain::RoutingRuleId) => domain::leads::routing::get_rule, RoutingRule;
    SalesRep(domain::SalesRepId) => domain::leads::routing::get_rep, SalesRep;
}

/// `node(id:)`, the read every node type shares.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID; another workspace's objects are not found.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let Some((kind, uuid)) = parse_any(&id) else {
            return Err(domain::Error::invalid("id", "is not a valid ID")).gql(ctx);
        };
        let t = tenant(ctx).await?;
        Ok(Some(load(t, parley(ctx)?, &kind, uuid).await.gql(ctx)?))
    }
}
