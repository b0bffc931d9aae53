//! The GraphQL operations the UI runs, and the shapes of their answers.
//!
//! Plain query strings against the published schema (`api/schema.graphql`): the UI can
//! do nothing a developer with an API key could not. Input objects are written inline
//! (`input: { name: $name }`) so the operations only name the input types the published
//! contract names (`SignUpInput`, `LogInInput`).

use serde::Deserialize;

/// Roles a member or API key can hold, most powerful first.
pub const ROLES: [&str; 7] = ["OWNER", "ADMIN", "MARKETER", "ANALYST", "APPROVER", "SALES", "VIEWER"];

/// A role as a marketer reads it.
pub fn role_label(role: &str) -> &'static str {
    match role {
        "OWNER" => "Owner",
        "ADMIN" => "Admin",
        "MARKETER" => "Marketer",
        "ANALYST" => "Analyst",
        "APPROVER" => "Approver",
        "SALES" => "Sales",
        "VIEWER" => "Viewer",
        _ => "Unknown role",
    }
}

/// A workspace kind as a marketer reads it.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "BUSINESS" => "Business",
        "AGENCY" => "Agency",
        "CLIENT" => "Client",
        _ => "Workspace",
    }
}

/// Shortens an RFC 3339 timestamp to `YYYY-MM-DD HH:MM` (UTC) for tables.
pub fn short_time(ts: &str) -> String {
    let trimmed: String = ts.chars().take(16).collect();
    trimmed.replace('T', " ")
}

/// A workspace as lists and the switcher show it.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct WorkspaceRef {
    pub id: String,
    pub name: String,
    pub kind: String,
}

/// The current workspace with its client workspaces (agencies only).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct CurrentWorkspace {
    pub id: String,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub clients: Vec<WorkspaceRef>,
}

/// One of the signed-in user's memberships.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct MyMembership {
    pub id: String,
    pub role: String,
    pub via_agency: bool,
    pub workspace: WorkspaceRef,
}

/// The signed-in user.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: String,
    pub email: String,
    pub name: String,
    pub email_verified: bool,
    pub memberships: Vec<MyMembership>,
}

/// What the app frame needs: who is signed in and where they are working.
pub const FRAME: &str = r#"query Frame {
  me { id email name emailVerified memberships { id role viaAgency workspace { id name kind } } }
  workspace { id name kind clients { id name kind } }
  myRole
}"#;

/// Answer to [`FRAME`].
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Frame {
    pub me: Me,
    pub workspace: CurrentWorkspace,
    /// The caller's role in the current workspace (also for agency staff in a client).
    pub my_role: String,
}

/// Whether a role may see and run the workspace's operations pages (background jobs).
pub fn is_admin_role(role: &str) -> bool {
    matches!(role, "OWNER" | "ADMIN")
}

/// The part of an `AuthPayload` the UI keeps: the workspace to work in.
#[derive(Clone, Debug, Deserialize)]
pub struct AuthPayload {
    pub workspace: WorkspaceRef,
}

pub const SIGN_UP: &str = r#"mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { workspace { id name kind } }
}"#;

/// Answer to [`SIGN_UP`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignUpData {
    pub sign_up: AuthPayload,
}

pub const LOG_IN: &str = r#"mutation LogIn($input: LogInInput!) {
  logIn(input: $input) { workspace { id name kind } }
}"#;

/// Answer to [`LOG_IN`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogInData {
    pub log_in: AuthPayload,
}

pub const LOG_OUT: &str = "mutation LogOut { logOut { loggedOut } }";

pub const VERIFY_EMAIL: &str = r#"mutation VerifyEmail($token: String!) {
  verifyEmail(token: $token) { id email emailVerified }
}"#;

/// Answer to [`VERIFY_EMAIL`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyEmailData {
    pub verify_email: VerifiedUser,
}

/// The user whose address was just verified.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifiedUser {
    pub email: String,
    pub email_verified: bool,
}

pub const REQUEST_PASSWORD_RESET: &str = r#"mutation RequestPasswordReset($email: String!) {
  requestPasswordReset(email: $email) { requested }
}"#;

/// Answer to [`REQUEST_PASSWORD_RESET`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestPasswordResetData {
    pub request_password_reset: PasswordResetRequested,
}

/// Always `requested: true`, whether or not the address has an account.
#[derive(Clone, Debug, Deserialize)]
pub struct PasswordResetRequested {
    pub requested: bool,
}

pub const RESET_PASSWORD: &str = r#"mutation ResetPassword($input: ResetPasswordInput!) {
  resetPassword(input: $input) { id email }
}"#;

/// Answer to [`RESET_PASSWORD`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetPasswordData {
    pub reset_password: ResetUser,
}

/// The account whose password was just reset.
#[derive(Clone, Debug, Deserialize)]
pub struct ResetUser {
    pub id: String,
    pub email: String,
}

pub const ACCEPT_INVITATION: &str = r#"mutation AcceptInvitation($token: String!, $password: String!, $name: String!, $totpCode: String) {
  acceptInvitation(input: { token: $token, password: $password, name: $name, totpCode: $totpCode }) { workspace { id name kind } }
}"#;

/// Answer to [`ACCEPT_INVITATION`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AcceptInvitationData {
    pub accept_invitation: AuthPayload,
}

pub const CREATE_CLIENT: &str = r#"mutation CreateClient($name: String!) {
  createClientWorkspace(input: { name: $name }) { id name kind }
}"#;

/// Answer to [`CREATE_CLIENT`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateClientData {
    pub create_client_workspace: WorkspaceRef,
}

/// Relay page info.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// A Relay connection, read through its `nodes`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Connection<T> {
    pub nodes: Vec<T>,
    #[serde(default)]
    pub page_info: PageInfo,
    #[serde(default)]
    pub total_count: Option<i64>,
}

/// A person as the team page shows them.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
}

/// A member of the current workspace.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub id: String,
    pub role: String,
    pub via_agency: bool,
    pub created_at: String,
    pub user: Person,
}

/// An invitation to the current workspace.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub role: String,
    pub status: String,
    pub created_at: String,
    pub expires_at: String,
}

pub const TEAM: &str = r#"query Team {
  members(first: 100) { nodes { id role viaAgency createdAt user { id name email } } totalCount pageInfo { hasNextPage endCursor } }
  invitations(first: 100) { nodes { id email role status createdAt expiresAt } totalCount pageInfo { hasNextPage endCursor } }
}"#;

/// Answer to [`TEAM`].
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Team {
    pub members: Connection<Member>,
    pub invitations: Connection<Invitation>,
}

pub const INVITE_MEMBER: &str = r#"mutation Invite($email: String!, $role: Role!) {
  inviteMember(input: { email: $email, role: $role }) { id email role status }
}"#;

pub const REVOKE_INVITATION: &str =
    r#"mutation RevokeInvitation($id: ID!) { revokeInvitation(id: $id) { id status } }"#;

pub const CHANGE_MEMBER_ROLE: &str = r#"mutation ChangeRole($membershipId: ID!, $role: Role!) {
  changeMemberRole(input: { membershipId: $membershipId, role: $role }) { id role }
}"#;

pub const REMOVE_MEMBER: &str = r#"mutation RemoveMember($id: ID!) { removeMember(id: $id) { id } }"#;

/// An API key of the current workspace (never its secret).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub prefix: String,
    pub role: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

pub const API_KEYS: &str = r#"query ApiKeys {
  apiKeys(first: 100) { nodes { id name prefix role createdAt lastUsedAt revokedAt } totalCount pageInfo { hasNextPage endCursor } }
}"#;

/// Answer to [`API_KEYS`].
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeys {
    pub api_keys: Connection<ApiKey>,
}

pub const CREATE_API_KEY: &str = r#"mutation CreateApiKey($name: String!, $role: Role!) {
  createApiKey(input: { name: $name, role: $role }) { secret apiKey { id name prefix role createdAt lastUsedAt revokedAt } }
}"#;

/// Answer to [`CREATE_API_KEY`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateApiKeyData {
    pub create_api_key: CreatedApiKey,
}

/// A freshly made key with the secret shown this once.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    pub secret: String,
    pub api_key: ApiKey,
}

pub const REVOKE_API_KEY: &str = r#"mutation RevokeApiKey($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }"#;

/// One line of the audit log.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: String,
    pub action: String,
    pub actor: String,
    pub object_type: String,
    pub object_id: Option<String>,
    pub created_at: String,
}

pub const AUDIT_LOG: &str = r#"query AuditLog($after: String) {
  auditLog(first: 25, after: $after) { nodes { id action actor objectType objectId createdAt } totalCount pageInfo { hasNextPage endCursor } }
}"#;

/// Answer to [`AUDIT_LOG`].
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AuditLog {
    pub audit_log: Connection<AuditEntry>,
}

pub const DASHBOARD: &str = r#"query Dashboard {
  members(first: 1) { totalCount }
  invitations(first: 100) { nodes { status } }
  apiKeys(first: 100) { nodes { revokedAt } }
}"#;

/// Answer to [`DASHBOARD`].
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub members: Counted,
    pub invitations: Connection<StatusOnly>,
    pub api_keys: Connection<RevokedOnly>,
}

/// A connection read only for its total.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Counted {
    pub total_count: Option<i64>,
}

/// An invitation read only for its status.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct StatusOnly {
    pub status: String,
}

/// An API key read only for whether it is revoked.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RevokedOnly {
    pub revoked_at: Option<String>,
}

pub const UPDATE_PROFILE: &str = r#"mutation UpdateProfile($name: String!) {
  updateProfile(input: { name: $name }) { id name }
}"#;

pub const CHANGE_PASSWORD: &str = r#"mutation ChangePassword($currentPassword: String!, $newPassword: String!) {
  changePassword(input: { currentPassword: $currentPassword, newPassword: $newPassword }) { id }
}"#;

pub const CHANGE_EMAIL: &str = r#"mutation ChangeEmail($newEmail: String!, $currentPassword: String!) {
  changeEmail(input: { newEmail: $newEmail, currentPassword: $currentPassword }) { id email emailVerified }
}"#;

pub const RESEND_VERIFICATION: &str =
    "mutation ResendVerification { resendVerificationEmail { id email emailVerified } }";

/// Job states for the jobs page filter: `(value, label)`; the empty value means all.
pub const JOB_STATES: [(&str, &str); 5] =
    [("", "All"), ("QUEUED", "Queued"), ("RUNNING", "Running"), ("DONE", "Done"), ("DEAD", "Dead")];

/// A job state as an operator reads it.
pub fn job_state_label(state: &str) -> &'static str {
    match state {
        "QUEUED" => "Queued",
        "RUNNING" => "Running",
        "DONE" => "Done",
        "DEAD" => "Dead",
        _ => "Unknown",
    }
}

/// A background job of the current workspace.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, Hash)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: String,
    pub last_error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
    /// How far a long job got (absent until its handler reports).
    #[serde(default)]
    pub progress: Option<JobProgress>,
}

/// How far a long job got: `done` of `total` items.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, Hash)]
pub struct JobProgress {
    pub done: i64,
    pub total: Option<i64>,
}

impl JobProgress {
    /// Percent finished (0 to 100), when the total is known.
    pub fn percent(&self) -> Option<i64> {
        match self.total {
            Some(t) if t > 0 => Some((self.done.saturating_mul(100) / t).clamp(0, 100)),
            Some(_) => Some(100),
            None => None,
        }
    }
}

pub const JOBS: &str = r#"query Jobs($state: JobState, $after: String) {
  jobs(state: $state, first: 25, after: $after) {
    nodes { id kind state attempts maxAttempts runAt lastError createdAt finishedAt progress { done total } }
    totalCount pageInfo { hasNextPage endCursor }
  }
}"#;

/// Answer to [`JOBS`].
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Jobs {
    pub jobs: Connection<Job>,
}

pub const RETRY_JOB: &str = r#"mutation RetryJob($id: ID!) {
  retryJob(id: $id) { id kind state attempts maxAttempts runAt lastError createdAt finishedAt progress { done total } }
}"#;

/// Answer to [`RETRY_JOB`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryJobData {
    pub retry_job: Job,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gql::decode;

    #[test]
    fn a_jobs_page_decodes() {
        let body = r#"{"data":{"jobs":{"nodes":[{"id":"Sm9iOjE=","kind":"email.send","state":"DEAD","attempts":5,
            "maxAttempts":5,"runAt":"2025-01-02T03:04:05Z","lastError":"smtp: refused","createdAt":"2025-01-02T03:00:00Z",
            "finishedAt":null}],"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":"YWJj"}}}}"#;
        let jobs: Result<Jobs, _> = decode(body);
        let Ok(jobs) = jobs else { unreachable!("{jobs:?}") };
        assert_eq!(jobs.jobs.nodes.len(), 1);
        let job = &jobs.jobs.nodes[0];
        assert_eq!((job.state.as_str(), job.attempts, job.max_attempts), ("DEAD", 5, 5));
        assert_eq!(job.last_error.as_deref(), Some("smtp: refused"));
        assert_eq!(jobs.jobs.page_info.end_cursor.as_deref(), Some("YWJj"));
        assert_eq!(job.progress, None);
    }

    #[test]
    fn a_long_jobs_progress_decodes_and_reads_as_a_percent() {
        let body = r#"{"data":{"jobs":{"nodes":[{"id":"Sm9iOjE=","kind":"debug.count","state":"RUNNING","attempts":1,
            "maxAttempts":5,"runAt":"2025-01-02T03:04:05Z","lastError":null,"createdAt":"2025-01-02T03:00:00Z",
            "finishedAt":null,"progress":{"done":3,"total":12}}],"totalCount":1,"pageInfo":{"hasNextPage":false,"endCursor":null}}}}"#;
        let jobs: Result<Jobs, _> = decode(body);
        let Ok(jobs) = jobs else { unreachable!("{jobs:?}") };
        let progress = jobs.jobs.nodes[0].progress.clone();
        assert_eq!(progress.as_ref().and_then(JobProgress::percent), Some(25));
        assert_eq!(JobProgress { done: 5, total: None }.percent(), None);
    }

    #[test]
    fn only_owners_and_admins_see_jobs() {
        assert!(is_admin_role("OWNER") && is_admin_role("ADMIN"));
        assert!(ROLES.iter().filter(|r| is_admin_role(r)).count() == 2);
        for (value, label) in JOB_STATES.iter().filter(|(v, _)| !v.is_empty()) {
            assert_eq!(job_state_label(value), *label);
        }
    }
}

pub const TWO_FACTOR_STATUS: &str = "query TwoFactorStatus { me { twoFactorEnabled recoveryCodesLeft } }";

/// Answer to [`TWO_FACTOR_STATUS`].
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct TwoFactorStatusData {
    pub me: TwoFactorStatus,
}

/// Whether log-in asks for an authenticator code, and how many recovery codes are left.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorStatus {
    pub two_factor_enabled: Option<bool>,
    pub recovery_codes_left: Option<i64>,
}

pub const START_TWO_FACTOR: &str =
    "mutation StartTwoFactor($password: String!) { startTwoFactorSetup(password: $password) { secret otpauthUri } }";

/// Answer to [`START_TWO_FACTOR`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartTwoFactorData {
    pub start_two_factor_setup: TwoFactorSetup,
}

/// A new authenticator secret.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct TwoFactorSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

pub const CONFIRM_TWO_FACTOR: &str =
    "mutation ConfirmTwoFactor($code: String!) { confirmTwoFactorSetup(code: $code) { recoveryCodes } }";

/// Answer to [`CONFIRM_TWO_FACTOR`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmTwoFactorData {
    pub confirm_two_factor_setup: RecoveryCodes,
}

/// Recovery codes, shown once.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

pub const REGENERATE_RECOVERY_CODES: &str = "mutation RegenerateRecoveryCodes($password: String!, $code: String!) { regenerateRecoveryCodes(password: $password, code: $code) { recoveryCodes } }";

/// Answer to [`REGENERATE_RECOVERY_CODES`].
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegenerateRecoveryCodesData {
    pub regenerate_recovery_codes: RecoveryCodes,
}

pub const DISABLE_TWO_FACTOR: &str =
    "mutation DisableTwoFactor($password: String!) { disableTwoFactor(password: $password) { id } }";

/// A base32 secret in groups of four, as people copy it into an app.
pub fn grouped_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod two_factor_tests {
    use super::*;

    #[test]
    fn secrets_are_shown_in_groups_of_four() {
        assert_eq!(grouped_secret("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(grouped_secret(""), "");
    }
}
