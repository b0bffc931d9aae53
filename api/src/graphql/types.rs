//! GraphQL object types: thin wrappers over domain values.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, Enum, ID, Interface, Json, Object, OutputType, SimpleObject};
use chrono::{DateTime, Utc};

use super::context::{OrGql, parley, tenant};
use super::ids::global_id;

/// What a workspace is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::WorkspaceKind")]
pub enum WorkspaceKind {
    /// A business running its own marketing.
    Business,
    /// An agency managing client workspaces.
    Agency,
    /// A client workspace managed by an agency.
    Client,
}

/// A member's role in a workspace.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::Role")]
pub enum Role {
    /// Everything, including ownership.
    Owner,
    /// Everything but ownership.
    Admin,
    /// Runs marketing.
    Marketer,
    /// Reads results and the audit trail.
    Analyst,
    /// Approves budgets, campaigns and assets.
    Approver,
    /// Works leads.
    Sales,
    /// Reads only.
    Viewer,
}

/// Where an invitation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum InvitationStatus {
    /// Sent, not yet accepted.
    Pending,
    /// Accepted.
    Accepted,
    /// Revoked (or replaced by a newer invitation).
    Revoked,
    /// Not accepted in time.
    Expired,
}

/// Where a background job stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::JobState")]
pub enum JobState {
    /// Waiting to run.
    Queued,
    /// Leased by a worker.
    Running,
    /// Finished.
    Done,
    /// Out of attempts; retry by hand.
    Dead,
}

/// Total count beside a connection's edges.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Total {
    /// How many items the whole list has.
    pub total_count: u64,
}

/// A Relay connection with a total count.
pub type Conn<T> = Connection<String, T, Total, EmptyFields>;

/// Turns a domain page into a connection; cursors are item global IDs.
pub fn connection<T: OutputType, I>(
    page: domain::page::Page<I>,
    has_previous: bool,
    cursor: impl Fn(&I) -> ID,
    wrap: impl Fn(I) -> T,
) -> Conn<T> {
    let mut c = Connection::with_additional_fields(has_previous, page.has_next, Total { total_count: page.total });
    c.edges.extend(page.items.into_iter().map(|i| Edge::new(cursor(&i).0, wrap(i))));
    c
}

/// A person with a login.
pub struct User(pub domain::User);

#[Object]
impl User {
    async fn id(&self) -> ID {
        global_id("User", self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Whether the person confirmed their address.
    async fn email_verified(&self) -> bool {
        self.0.email_verified_at.is_some()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether log-in asks for a code from an authenticator app (only for the person
    /// themself; null for others).
    async fn two_factor_enabled(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        if super::context::user_id(ctx).await.ok() != Some(self.0.id) {
            return Ok(None);
        }
        Ok(Some(domain::two_factor::enabled(parley(ctx)?, self.0.id).await.gql(ctx)?))
    }
    /// Unused recovery codes (only for the person themself; null for others).
    async fn recovery_codes_left(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i32>> {
        if super::context::user_id(ctx).await.ok() != Some(self.0.id) {
            return Ok(None);
        }
        let left = domain::two_factor::recovery_codes_left(parley(ctx)?, self.0.id).await.gql(ctx)?;
        Ok(Some(i32::try_from(left).unwrap_or(i32::MAX)))
    }
    /// The person's workspaces and roles (only for the person themself).
    async fn memberships(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Membership>> {
        let me = super::context::user_id(ctx).await.ok();
        if me != Some(self.0.id) {
            return Ok(Vec::new());
        }
        let list = domain::accounts::memberships(parley(ctx)?, self.0.id).await.gql(ctx)?;
        Ok(list.into_iter().map(|(m, w)| Membership { m, user: Some(self.0.clone()), workspace: Some(w) }).collect())
    }
}

/// A workspace (tenant).
pub struct Workspace(pub domain::Workspace);

#[Object]
impl Workspace {
    async fn id(&self) -> ID {
        global_id("Workspace", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> WorkspaceKind {
        self.0.kind.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// An agency's client workspaces (empty for other kinds, and when read from
    /// anywhere but the agency itself).
    async fn clients(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Workspace>> {
        if self.0.kind != domain::WorkspaceKind::Agency {
            return Ok(Vec::new());
        }
        let t = tenant(ctx).await?;
        if t.tenant_id() != self.0.id {
            return Ok(Vec::new());
        }
        let list = domain::workspaces::clients(t, parley(ctx)?).await.gql(ctx)?;
        Ok(list.into_iter().map(Workspace).collect())
    }
}

/// A user's role in a workspace.
pub struct Membership {
    pub m: domain::Membership,
    pub user: Option<domain::User>,
    pub workspace: Option<domain::Workspace>,
}

#[Object]
impl Membership {
    async fn id(&self) -> ID {
        global_id("Membership", self.m.id)
    }
    async fn role(&self) -> Role {
        self.m.role.into()
    }
    /// Whether this is an agency's grant into its client.
    async fn via_agency(&self) -> bool {
        self.m.via_agency_id.is_some()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.m.created_at
    }
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        if let Some(u) = &self.user {
            return Ok(User(u.clone()));
        }
        let t = tenant(ctx).await?;
        Ok(User(domain::accounts::get_user(t, parley(ctx)?, self.m.user_id).await.gql(ctx)?))
    }
    async fn workspace(&self, ctx: &Context<'_>) -> async_graphql::Result<Workspace> {
        if let Some(w) = &self.workspace {
            return Ok(Workspace(w.clone()));
        }
        let t = tenant(ctx).await?;
        Ok(Workspace(domain::workspaces::get(t, parley(ctx)?, self.m.tenant_id).await.gql(ctx)?))
    }
}

/// An invitation to join a workspace.
pub struct Invitation(pub domain::Invitation);

#[Object]
impl Invitation {
    async fn id(&self) -> ID {
        global_id("Invitation", self.0.id)
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn status(&self) -> InvitationStatus {
        match domain::invitations::shown_status(&self.0) {
            "PENDING" => InvitationStatus::Pending,
            "ACCEPTED" => InvitationStatus::Accepted,
            "EXPIRED" => InvitationStatus::Expired,
            _ => InvitationStatus::Revoked,
        }
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
}

/// A workspace API key (its secret is shown only when created).
pub struct ApiKey(pub domain::ApiKey);

#[Object]
impl ApiKey {
    async fn id(&self) -> ID {
        global_id("ApiKey", self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The secret's first characters, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
}

/// One line of the audit trail.
pub struct AuditEntry(pub domain::AuditEntry);

#[Object]
impl AuditEntry {
    async fn id(&self) -> ID {
        global_id("AuditEntry", self.0.id)
    }
    /// What was done, e.g. `member.role_changed`.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// Who did it (an email, an API key's name, or Parley).
    async fn actor(&self) -> &str {
        &self.0.actor_label
    }
    /// `user`, `api_key` or `system`.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }
    async fn object_type(&self) -> &str {
        &self.0.object_type
    }
    /// The global ID of the object acted on.
    async fn object_id(&self) -> Option<ID> {
        self.0.object_id.map(|id| global_id(&self.0.object_type, id))
    }
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.clone().map(Json)
    }
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.clone().map(Json)
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A background job of the workspace.
pub struct Job(pub domain::Job);

#[Object]
impl Job {
    async fn id(&self) -> ID {
        global_id("Job", self.0.id)
    }
    async fn kind(&self) -> &str {
        &self.0.kind
    }
    async fn state(&self) -> JobState {
        self.0.state.into()
    }
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    async fn max_attempts(&self) -> i32 {
        self.0.max_attempts
    }
    async fn run_at(&self) -> DateTime<Utc> {
        self.0.run_at
    }
    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
    /// How far a long job got (null until its handler reports).
    async fn progress(&self) -> Option<JobProgress> {
        domain::jobs::Progress::of(&self.0).map(JobProgress)
    }
}

/// How far a long job got.
pub struct JobProgress(pub domain::jobs::Progress);

#[Object]
impl JobProgress {
    /// Items finished.
    async fn done(&self) -> i64 {
        self.0.done
    }
    /// Items in all, when known.
    async fn total(&self) -> Option<i64> {
        self.0.total
    }
    /// Percent finished (0 to 100), when the total is known.
    async fn percent(&self) -> Option<f64> {
        match self.0.total {
            Some(t) if t > 0 => Some((self.0.done as f64 * 100.0 / t as f64).clamp(0.0, 100.0)),
            Some(_) => Some(100.0),
            None => None,
        }
    }
}

/// Anything with a global ID.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    User(User),
    Workspace(Workspace),
    Membership(Membership),
    Invitation(Invitation),
    ApiKey(ApiKey),
    AuditEntry(AuditEntry),
    Job(Job),
}

/// Tokens of a new session, with its user and workspace.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Short-lived JWT for `Authorization: Bearer`. Null for the web client (requests
    /// with `X-Parley-CSRF`): its session lives in httpOnly cookies, so a script injected
    /// into the page has no token to steal.
    pub access_token: Option<String>,
    /// Single-use token for `refreshSession`. Null for the web client, for the same
    /// reason: the refresh cookie carries it.
    pub refresh_token: Option<String>,
    pub user: User,
    pub workspace: Workspace,
}

/// A new API key and its secret, shown this once.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    pub api_key: ApiKey,
    /// The secret; store it now, it cannot be shown again.
    pub secret: String,
}

/// The result of logging out.
#[derive(SimpleObject)]
pub struct LogOutPayload {
    /// Always true: the session family has ended (or never existed).
    pub logged_out: bool,
}

/// A new authenticator secret, to add to the app (by hand or as a QR code of the URI).
#[derive(SimpleObject)]
pub struct TwoFactorSetup {
    /// The shared secret in base32.
    pub secret: String,
    /// `otpauth://totp/…`, what authenticator apps scan.
    pub otpauth_uri: String,
}

/// One-time recovery codes for two-factor log-in, each usable once in place of a code.
#[derive(SimpleObject)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// The result of asking for a password reset.
#[derive(SimpleObject)]
pub struct RequestPasswordResetPayload {
    /// Always true: if the address has an account, an email is on its way.
    pub requested: bool,
}
