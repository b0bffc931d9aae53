//! Approval rules, decisions and delegations.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use super::{Approval, ApprovalDecisionKind, ApprovalDelegation, ApprovalMode, ApprovalObjectType, ApprovalRule};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::identity::User;
use crate::graphql::money::MoneyInput;
use crate::graphql::node::id_of;
use crate::graphql::plans::{CostCenter, Program};
use crate::graphql::workspaces::Role;

/// A new approval rule.
#[derive(InputObject)]
pub struct CreateApprovalRuleInput {
    pub object_type: ApprovalObjectType,
    /// The rule applies from this amount up; always when left out.
    pub min_amount: Option<MoneyInput>,
    pub approver_role: Role,
    #[graphql(default_with = "ApprovalMode::Any")]
    pub mode: ApprovalMode,
    /// Hours the approvers have (1 to 2160); no deadline when left out.
    pub deadline_hours: Option<i32>,
    /// Only purchase orders and budget changes charging this program's budget.
    pub program_id: Option<ID>,
    /// Only purchase orders and budget changes charging this cost center's budget.
    pub cost_center_id: Option<ID>,
}

/// A decision on an approval request.
#[derive(InputObject)]
pub struct DecideApprovalInput {
    pub approval_id: ID,
    pub decision: ApprovalDecisionKind,
    /// Required to reject or to ask for changes.
    #[graphql(default)]
    pub comment: String,
}

/// Approvals handed to another member for a while.
#[derive(InputObject)]
pub struct DelegateApprovalsInput {
    pub to_user_id: ID,
    /// Now when left out.
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: DateTime<Utc>,
}

/// Approval writes.
#[derive(Default)]
pub struct ApprovalsMutation;

#[Object]
impl ApprovalsMutation {
    /// Adds an approval rule (owners and admins).
    async fn create_approval_rule(
        &self,
        ctx: &Context<'_>,
        input: CreateApprovalRuleInput,
    ) -> async_graphql::Result<ApprovalRule> {
        let new = domain::approvals::NewRule {
            object_type: input.object_type.into(),
            min_amount: input.min_amount.map(MoneyInput::pair),
            approver_role: input.approver_role.into(),
            mode: input.mode.into(),
            deadline_hours: input.deadline_hours,
            program: input.program_id.as_ref().map(|p| id_of::<Program>("programId", p)).transpose().gql(ctx)?,
            cost_center: input
                .cost_center_id
                .as_ref()
                .map(|c| id_of::<CostCenter>("costCenterId", c))
                .transpose()
                .gql(ctx)?,
        };
        let t = tenant(ctx).await?;
        Ok(ApprovalRule(domain::approvals::create_rule(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Removes an approval rule; requests already made keep their steps.
    async fn delete_approval_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApprovalRule> {
        let id = id_of::<ApprovalRule>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(ApprovalRule(domain::approvals::delete_rule(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Approves, rejects or asks for changes on the current step of a request. Nobody
    /// decides their own request (`FORBIDDEN`); a request decided already, expired, or
    /// whose approval would overspend a `FORBID` budget line answers `CONFLICT`.
    async fn decide_approval(&self, ctx: &Context<'_>, input: DecideApprovalInput) -> async_graphql::Result<Approval> {
        let id = id_of::<Approval>("approvalId", &input.approval_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let a = domain::approvals::requests::decide(t, parley(ctx)?, id, input.decision.into(), &input.comment)
            .await
            .gql(ctx)?;
        Ok(Approval(a))
    }

    /// Hands your approvals to another member for a while.
    async fn delegate_approvals(
        &self,
        ctx: &Context<'_>,
        input: DelegateApprovalsInput,
    ) -> async_graphql::Result<ApprovalDelegation> {
        let to = id_of::<User>("toUserId", &input.to_user_id).gql(ctx)?;
        let starts = input.starts_at.unwrap_or_else(Utc::now);
        let t = tenant(ctx).await?;
        Ok(ApprovalDelegation(domain::approvals::delegate(t, parley(ctx)?, to, starts, input.ends_at).await.gql(ctx)?))
    }

    /// Ends a delegation now.
    async fn end_approval_delegation(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApprovalDelegation> {
        let id = id_of::<ApprovalDelegation>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(ApprovalDelegation(domain::approvals::end_delegation(t, parley(ctx)?, id).await.gql(ctx)?))
    }
}
