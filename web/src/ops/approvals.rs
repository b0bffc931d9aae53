//! Typed operations of `approvals.graphql`.

use super::*;

super::operations!("src/ops/approvals.graphql":
    /// `Approvals` in `approvals.graphql`.
    Approvals,
    /// `DecideApproval` in `approvals.graphql`.
    DecideApproval,
    /// `ApprovalRules` in `approvals.graphql`.
    ApprovalRules,
    /// `CreateApprovalRule` in `approvals.graphql`.
    CreateApprovalRule,
    /// `DeleteApprovalRule` in `approvals.graphql`.
    DeleteApprovalRule,
);

/// A pending approval request in the inbox.
pub type Approval = approvals::ApprovalsApprovalsNodes;

super::page_info_from!(approvals::ApprovalsApprovalsPageInfo);
super::connection_chunk!(approvals::ApprovalsApprovals => Approval);
