//! Typed operations of `team.graphql`.

use super::*;

super::operations!("src/ops/team.graphql":
    /// `Members` in `team.graphql`.
    Members,
    /// `Invitations` in `team.graphql`.
    Invitations,
    /// `InviteMember` in `team.graphql`.
    InviteMember,
    /// `RevokeInvitation` in `team.graphql`.
    RevokeInvitation,
    /// `ChangeMemberRole` in `team.graphql`.
    ChangeMemberRole,
    /// `RemoveMember` in `team.graphql`.
    RemoveMember,
);

/// A member of the current workspace.
pub type Member = members::MembersMembersNodes;
/// An invitation to the current workspace.
pub type Invitation = invitations::InvitationsInvitationsNodes;

super::page_info_from!(members::MembersMembersPageInfo, invitations::InvitationsInvitationsPageInfo);
super::connection_chunk!(members::MembersMembers => Member, invitations::InvitationsInvitations => Invitation);
