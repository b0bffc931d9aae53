//! The GraphQL operations the UI runs, typed and checked against the published schema.
//!
//! Each area keeps its operations in a `.graphql` file beside its module (the same text
//! a developer can paste into GraphiQL), and `graphql_client`'s derive turns every
//! operation into variables and response types at compile time, checked against
//! `api/schema.graphql`: a renamed or removed field breaks the build, not a browser test.
//!
//! Why `graphql_client` rather than `cynic`: the operations stay plain GraphQL files,
//! the derive runs on the host (nothing of it reaches the wasm but serde types), and it
//! generates types only for what the operations select, where `cynic` generates the
//! whole schema module for both the server and the wasm build; on two cores that is
//! the cheaper compile, and its runtime crate needs only serde.

pub mod analytics;
pub mod api_keys;
pub mod approvals;
pub mod assets;
pub mod audit;
pub mod budget;
pub mod budget_periods;
pub mod calendar;
pub mod campaigns;
pub mod contacts;
pub mod decisions;
pub mod identity;
pub mod imports;
pub mod jobs;
pub mod journeys;
pub mod lead_setup;
pub mod leads;
pub mod optimization;
pub mod scores;
pub mod segments;
pub mod spend;
pub mod team;
pub mod tracking;
pub mod triggers;
pub mod workflows;
pub mod workspaces;

use serde::{Deserialize, Serialize};

/// The `DateTime` scalar: RFC 3339 text, shown as it comes (see [`short_time`]).
pub type DateTime = String;
/// The `Date` scalar: a calendar day, `YYYY-MM-DD`.
pub type Date = String;
/// The `JSON` scalar, for the few fields that carry free-form data.
pub type Json = serde_json::Value;

/// Declares one typed operation per name, each read from `$file` (relative to the
/// crate) and checked against the published schema. The schema's enums come from this
/// module (`extern_enums`) so every operation shares one `Role`, one `JobState`.
macro_rules! operations {
    ($file:tt: $($(#[$doc:meta])* $name:ident),+ $(,)?) => {
        // Makes cargo rebuild when an operation file changes (the derive reads it).
        const _: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/", $file));
        $(
            $(#[$doc])*
            #[derive(graphql_client::GraphQLQuery)]
            #[graphql(
                schema_path = "../api/schema.graphql",
                query_path = $file,
                response_derives = "Clone, Debug, PartialEq",
                variables_derives = "Clone, Debug",
                extern_enums("Role", "WorkspaceKind", "InvitationStatus", "JobState", "AttributeType", "Channel", "ConsentStatus", "ScoreEvery", "TriggerKind", "TriggerRuleStatus", "JourneyStatus", "EnrolmentStatus", "LeadStage", "LeadOutcome", "RoutingStrategy", "LeadVisibility")
            )]
            pub struct $name;
        )+
    };
}
pub(crate) use operations;

// Makes cargo rebuild when the schema changes (the derive reads it).
const _: &str = include_str!("../../../api/schema.graphql");

/// A member's or API key's role in a workspace, most powerful first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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
    /// A role this build of the UI does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl Role {
    /// Every role a person can be given, most powerful first.
    pub const ALL: [Role; 7] =
        [Role::Owner, Role::Admin, Role::Marketer, Role::Analyst, Role::Approver, Role::Sales, Role::Viewer];

    /// The schema's name for the role (`OWNER`), as form controls carry it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "OWNER",
            Role::Admin => "ADMIN",
            Role::Marketer => "MARKETER",
            Role::Analyst => "ANALYST",
            Role::Approver => "APPROVER",
            Role::Sales => "SALES",
            Role::Viewer => "VIEWER",
            Role::Unknown => "UNKNOWN",
        }
    }

    /// The role named `name` (`OWNER`), if it is one.
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// The role as a marketer reads it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Admin => "Admin",
            Role::Marketer => "Marketer",
            Role::Analyst => "Analyst",
            Role::Approver => "Approver",
            Role::Sales => "Sales",
            Role::Viewer => "Viewer",
            Role::Unknown => "Unknown role",
        }
    }

    /// Whether the role may see and run the workspace's operations pages (background jobs).
    pub fn is_admin(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

/// What a workspace is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum WorkspaceKind {
    /// A business running its own marketing.
    Business,
    /// An agency managing client workspaces.
    Agency,
    /// A client workspace managed by an agency.
    Client,
    /// A kind this build of the UI does not know yet.
    #[serde(other)]
    Unknown,
}

impl WorkspaceKind {
    /// The schema's name for the kind (`AGENCY`), as pages mark their elements with it.
    pub fn as_str(self) -> &'static str {
        match self {
            WorkspaceKind::Business => "BUSINESS",
            WorkspaceKind::Agency => "AGENCY",
            WorkspaceKind::Client => "CLIENT",
            WorkspaceKind::Unknown => "UNKNOWN",
        }
    }

    /// The kind named `name` (`AGENCY`), if it is one.
    pub fn parse(name: &str) -> Option<WorkspaceKind> {
        [WorkspaceKind::Business, WorkspaceKind::Agency, WorkspaceKind::Client].into_iter().find(|k| k.as_str() == name)
    }

    /// The kind as a marketer reads it.
    pub fn label(self) -> &'static str {
        match self {
            WorkspaceKind::Business => "Business",
            WorkspaceKind::Agency => "Agency",
            WorkspaceKind::Client => "Client",
            WorkspaceKind::Unknown => "Workspace",
        }
    }
}

/// Where an invitation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvitationStatus {
    /// Sent, not yet accepted.
    Pending,
    /// Accepted.
    Accepted,
    /// Revoked (or replaced by a newer invitation).
    Revoked,
    /// Past its expiry.
    Expired,
    /// A status this build of the UI does not know yet.
    #[serde(other)]
    Unknown,
}

impl InvitationStatus {
    /// The status as the team page shows it.
    pub fn label(self) -> &'static str {
        match self {
            InvitationStatus::Pending => "Pending",
            InvitationStatus::Accepted => "Accepted",
            InvitationStatus::Revoked => "Revoked",
            InvitationStatus::Expired => "Expired",
            InvitationStatus::Unknown => "Unknown",
        }
    }
}

/// Where a background job stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JobState {
    /// Waiting to run.
    Queued,
    /// Leased by a worker.
    Running,
    /// Finished.
    Done,
    /// Failed every attempt.
    Dead,
    /// A state this build of the UI does not know yet.
    #[serde(other)]
    Unknown,
}

impl JobState {
    /// The states the jobs page filters by.
    pub const ALL: [JobState; 4] = [JobState::Queued, JobState::Running, JobState::Done, JobState::Dead];

    /// The schema's name for the state (`DEAD`), as the filter control carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "QUEUED",
            JobState::Running => "RUNNING",
            JobState::Done => "DONE",
            JobState::Dead => "DEAD",
            JobState::Unknown => "UNKNOWN",
        }
    }

    /// The state named `name`, if it is one.
    pub fn parse(name: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The state as an operator reads it.
    pub fn label(self) -> &'static str {
        match self {
            JobState::Queued => "Queued",
            JobState::Running => "Running",
            JobState::Done => "Done",
            JobState::Dead => "Dead",
            JobState::Unknown => "Unknown",
        }
    }
}

/// Relay page info, the same for every connection a page reads.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct PageInfo {
    /// Whether another page follows.
    pub has_next_page: bool,
    /// The cursor to read the next page after.
    pub end_cursor: Option<String>,
}

/// Shortens an RFC 3339 timestamp to `YYYY-MM-DD HH:MM` (UTC) for tables.
pub fn short_time(ts: &str) -> String {
    let trimmed: String = ts.chars().take(16).collect();
    trimmed.replace('T', " ")
}

/// The object ID inside a global ID (base64url of `Type:id`, unpadded), as
/// explanations and other free-form JSON name objects; `None` if it is not one.
pub fn raw_id(global: &str) -> Option<String> {
    let mut bits: u32 = 0;
    let mut held = 0u32;
    let mut bytes = Vec::with_capacity(global.len() * 3 / 4);
    for c in global.trim().bytes() {
        let sextet = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        bits = ((bits << 6) | u32::from(sextet)) & 0xffff;
        held += 6;
        if held >= 8 {
            held -= 8;
            bytes.push(((bits >> held) & 0xff) as u8);
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    let (_, id) = text.split_once(':')?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// A base32 secret in groups of four, as people copy it into an app.
pub fn grouped_secret(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(" ")
}

/// Reads each named generated `PageInfo` type into the one [`PageInfo`] pages share.
macro_rules! page_info_from {
    ($($ty:ty),+ $(,)?) => {$(
        impl From<$ty> for $crate::ops::PageInfo {
            fn from(p: $ty) -> Self {
                Self { has_next_page: p.has_next_page, end_cursor: p.end_cursor }
            }
        }
    )+};
}
pub(crate) use page_info_from;

/// Reads each named generated connection type (`nodes`, `pageInfo`, `totalCount`) into
/// the [`crate::components::Chunk`] a paged list keeps, its nodes converted with `Into`.
macro_rules! connection_chunk {
    ($($conn:ty => $row:ty),+ $(,)?) => {$(
        impl From<$conn> for $crate::components::Chunk<$row> {
            fn from(c: $conn) -> Self {
                Self {
                    rows: c.nodes.into_iter().map(Into::into).collect(),
                    page: c.page_info.into(),
                    total: c.total_count,
                }
            }
        }
    )+};
}
pub(crate) use connection_chunk;

#[cfg(test)]
mod tests {
    #[test]
    fn a_global_id_holds_the_object_id() {
        // base64url("TreatmentRule:0190d2c4-5f6e-7a8b-9c0d-1e2f3a4b5c6d"), unpadded.
        let global = "VHJlYXRtZW50UnVsZTowMTkwZDJjNC01ZjZlLTdhOGItOWMwZC0xZTJmM2E0YjVjNmQ";
        assert_eq!(super::raw_id(global).as_deref(), Some("0190d2c4-5f6e-7a8b-9c0d-1e2f3a4b5c6d"));
        assert_eq!(super::raw_id("not base64!"), None);
        assert_eq!(super::raw_id("YWJj"), None);
    }

    use super::*;

    #[test]
    fn secrets_are_shown_in_groups_of_four() {
        assert_eq!(grouped_secret("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(grouped_secret(""), "");
    }

    #[test]
    fn only_owners_and_admins_see_jobs() {
        assert!(Role::Owner.is_admin() && Role::Admin.is_admin());
        assert_eq!(Role::ALL.iter().filter(|r| r.is_admin()).count(), 2);
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        for state in JobState::ALL {
            assert_eq!(JobState::parse(state.as_str()), Some(state));
        }
    }

    #[test]
    fn unknown_enum_values_from_a_newer_server_still_decode() {
        let role: Result<Role, _> = serde_json::from_str(r#""AUDITOR""#);
        assert_eq!(role.ok(), Some(Role::Unknown));
    }
}
