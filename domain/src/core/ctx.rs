//! `TenantCtx`: who acts, in which workspace, with which role.
//!
//! Its fields are private and its constructor is `pub(crate)`: only authentication
//! (`auth::tenant_ctx`) and the job runtime (`jobs::claim`) build one, so resolvers and
//! handlers can use a context but never forge one.

use uuid::Uuid;

pub use entities::enums::Role;
use entities::ids::{ApiKeyId, TrackingKeyId, UserId, WorkspaceId};

/// Who performs an action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    /// A person logged in with a token.
    User { id: UserId, email: String },
    /// A workspace API key.
    ApiKey { id: ApiKeyId, name: String },
    /// Parley itself (recurring maintenance).
    System,
    /// The tracking snippet or event endpoint, with a workspace's publishable key.
    TrackingKey { id: TrackingKeyId },
}

impl Actor {
    /// Short kind for the audit trail.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User { .. } => "user",
            Actor::ApiKey { .. } => "api_key",
            Actor::System => "system",
            Actor::TrackingKey { .. } => "tracking_key",
        }
    }
    /// The actor's ID, if it has one.
    pub fn id(&self) -> Option<Uuid> {
        match self {
            Actor::User { id, .. } => Some((*id).into()),
            Actor::ApiKey { id, .. } => Some((*id).into()),
            Actor::System => None,
            Actor::TrackingKey { id } => Some((*id).into()),
        }
    }
    /// How the audit trail names the actor.
    pub fn label(&self) -> String {
        match self {
            Actor::User { email, .. } => email.clone(),
            Actor::ApiKey { name, .. } => format!("API key \"{name}\""),
            Actor::System => "Parley".to_owned(),
            Actor::TrackingKey { .. } => "Tracking".to_owned(),
        }
    }
}

/// Things a role may do; checked here so every surface obeys the same rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Read the workspace and its members.
    ReadWorkspace,
    /// Invite, change roles, remove members.
    ManageMembers,
    /// Create and revoke API keys.
    ManageApiKeys,
    /// Create client workspaces and grant access to them (agency).
    ManageClients,
    /// Read the audit trail.
    ReadAudit,
    /// Inspect and retry background jobs.
    ManageJobs,
    /// Read contacts, their history and the workspace's contact fields.
    ReadContacts,
    /// Add, change, tag and merge contacts and record their consent.
    EditContacts,
    /// Define the workspace's custom contact fields.
    ManageContactFields,
    /// Erase a contact and everything held about them (privacy requests).
    EraseContacts,
    /// Issue and rotate the workspace's publishable tracking key.
    ManageTracking,
    /// Export every contact to a file.
    ExportContacts,
    /// Save, change and delete segments and the members of static lists.
    ManageSegments,
    /// Run the scoring of customers and define, train and delete propensity models.
    ManageScores,
    /// Write plans, programs, projects, cost centers, budget lines, purchase orders and
    /// invoices (marketing operations).
    PlanMarketing,
    /// Define the rules that say which objects need whose approval.
    ManageApprovalRules,
    /// Decide approval requests (the rule of each request says whose role it needs).
    DecideApprovals,
    /// Add and remove the domains the workspace sends email from (their DKIM keys).
    ManageSendingDomains,
    /// Write email templates and campaigns, launch, pause, resume and cancel them, and
    /// keep the suppression list.
    ManageCampaigns,
    /// Write the offer catalogue, interaction points, treatment rules and how the
    /// decisions learn.
    ManageOffers,
    /// Read leads (a member with the Sales role: those their rep profile lets them see).
    ReadLeads,
    /// Capture leads and record their outcomes.
    WorkLeads,
    /// Define lead scoring, sales reps, routing rules and the CRM webhook, and assign
    /// leads by hand.
    ManageLeads,
}

/// Whether `role` holds `permission`.
pub fn role_allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    match permission {
        ReadWorkspace => true,
        ManageMembers | ManageApiKeys | ManageClients | ManageJobs => {
            matches!(role, Role::Owner | Role::Admin)
        }
        ReadAudit => matches!(role, Role::Owner | Role::Admin | Role::Analyst),
        ReadContacts => true,
        EditContacts | ManageSegments => matches!(role, Role::Owner | Role::Admin | Role::Marketer | Role::Sales),
        ManageContactFields => matches!(role, Role::Owner | Role::Admin | Role::Marketer),
        EraseContacts => matches!(role, Role::Owner | Role::Admin),
        ManageTracking => matches!(role, Role::Owner | Role::Admin | Role::Marketer),
        ExportContacts | ManageScores => matches!(role, Role::Owner | Role::Admin | Role::Marketer | Role::Analyst),
        PlanMarketing => matches!(role, Role::Owner | Role::Admin | Role::Marketer),
        ManageApprovalRules => matches!(role, Role::Owner | Role::Admin),
        DecideApprovals => matches!(role, Role::Owner | Role::Admin | Role::Approver),
        ManageSendingDomains => matches!(role, Role::Owner | Role::Admin),
        ManageCampaigns | ManageOffers => matches!(role, Role::Owner | Role::Admin | Role::Marketer),
        ReadLeads => true,
        WorkLeads => matches!(role, Role::Owner | Role::Admin | Role::Marketer | Role::Sales),
        ManageLeads => matches!(role, Role::Owner | Role::Admin),
    }
}

/// Rank used to stop anyone granting more than they hold.
pub fn role_rank(role: Role) -> u8 {
    match role {
        Role::Owner => 6,
        Role::Admin => 5,
        Role::Marketer | Role::Approver | Role::Sales => 3,
        Role::Analyst => 2,
        Role::Viewer => 1,
    }
}

/// The tenant a use case runs in, and who acts with which role.
///
/// A person's context starts as a *claim* (a verified token naming a workspace): the
/// membership behind it is read by the first tenant transaction, in the statement that
/// scopes it (`Parley::tenant_tx`), so a request pays no extra round trip for it. Until
/// then [`TenantCtx::require`] and [`TenantCtx::role`] refuse, and no tenant data can be
/// read: every tenant read goes through such a transaction, and one for a workspace the
/// person is not a member of fails with `NotFound` before anything is read.
#[derive(Debug, Clone)]
pub struct TenantCtx {
    tenant_id: WorkspaceId,
    actor: Actor,
    role: std::sync::OnceLock<Role>,
}

impl TenantCtx {
    pub(crate) fn new(tenant_id: WorkspaceId, actor: Actor, role: Role) -> Self {
        TenantCtx { tenant_id, actor, role: std::sync::OnceLock::from(role) }
    }
    /// A person's claim to act in `tenant_id`, checked by the first tenant transaction.
    pub(crate) fn claimed(tenant_id: WorkspaceId, actor: Actor) -> Self {
        TenantCtx { tenant_id, actor, role: std::sync::OnceLock::new() }
    }
    /// The role read from the membership, if it was read yet.
    pub(crate) fn known_role(&self) -> Option<Role> {
        self.role.get().copied()
    }
    /// Records the role the membership holds (the first transaction read it).
    pub(crate) fn confirm(&self, role: Role) {
        let _ = self.role.set(role);
    }
    /// The workspace (tenant) acted in.
    pub fn tenant_id(&self) -> WorkspaceId {
        self.tenant_id
    }
    /// Who acts.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
    /// The actor's role in this workspace, once known (after the first tenant
    /// transaction; `identity::auth::role` reads it when none is needed).
    pub fn role(&self) -> crate::Result<Role> {
        self.known_role().ok_or_else(|| crate::Error::internal("the role is read by the first tenant transaction"))
    }
    /// The user acting, if a person acts.
    pub fn user_id(&self) -> Option<UserId> {
        match &self.actor {
            Actor::User { id, .. } => Some(*id),
            _ => None,
        }
    }
    /// `Forbidden` unless the role holds `permission` (call it on a transaction's
    /// context: [`crate::TenantTx::require`]).
    pub fn require(&self, permission: Permission) -> crate::Result<()> {
        let role = self.role()?;
        if role_allows(role, permission) {
            Ok(())
        } else {
            Err(crate::Error::forbidden(format!("your role ({role:?}) does not allow this ({permission:?})")))
        }
    }
}

/// A signed-in person acting on their own account (not in a workspace). Like
/// [`TenantCtx`], only authentication builds one, so an account use case cannot be
/// pointed at someone else's account by passing an ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCtx {
    id: UserId,
    email: String,
}

impl UserCtx {
    pub(crate) fn new(id: UserId, email: String) -> Self {
        UserCtx { id, email }
    }
    /// The account.
    pub fn id(&self) -> UserId {
        self.id
    }
    /// The email the session was issued for.
    pub fn email(&self) -> &str {
        &self.email
    }
}
