//! Typed operations of `team.graphql`.

use super::*;

super::operations!("src/ops/team.graphql":
    /// `Team` in `team.graphql`.
    Team,
    /// `InviteMember` in `team.graphql`.
    InviteMember,
    /// `RevokeInvitation` in `team.graphql`.
    RevokeInvitation,
    /// `ChangeMemberRole` in `team.graphql`.
    ChangeMemberRole,
    /// `RemoveMember` in `team.graphql`.
    RemoveMember,
);

/// The team page's answer: members and invitations.
pub type TeamData = team::ResponseData;
/// A member of the current workspace.
pub type Member = team::TeamMembersNodes;
/// An invitation to the current workspace.
pub type Invitation = team::TeamInvitationsNodes;

super::page_info_from!(team::TeamMembersPageInfo, team::TeamInvitationsPageInfo);
