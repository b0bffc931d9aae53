//! Approval rules, requests with their steps and decisions, and delegations.

use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::global_id;
use crate::graphql::money::Money;
use crate::graphql::node::{NodeObject, node_object};
use crate::graphql::workspaces::Role;

/// What kind of object an approval is about.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::ApprovalObject")]
pub enum ApprovalObjectType {
    PurchaseOrder,
    BudgetChange,
    Campaign,
    AssetVersion,
    Offer,
}

impl ApprovalObjectType {
    fn type_name(self) -> &'static str {
        match self {
            ApprovalObjectType::PurchaseOrder => "PurchaseOrder",
            ApprovalObjectType::BudgetChange => "BudgetDraft",
            ApprovalObjectType::Campaign => "Campaign",
            ApprovalObjectType::AssetVersion => "AssetVersion",
            ApprovalObjectType::Offer => "Offer",
        }
    }
}

/// Whether every approver of a step must approve, or any one.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::ApprovalMode")]
pub enum ApprovalMode {
    All,
    Any,
}

/// Where an approval request stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::ApprovalState")]
pub enum ApprovalState {
    Pending,
    Approved,
    Rejected,
    ChangesRequested,
    Expired,
    Cancelled,
}

/// One approver's answer.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::Decision")]
pub enum ApprovalDecisionKind {
    Approve,
    Reject,
    RequestChanges,
}

node_object! {
    /// A rule saying which objects need whose approval.
    ApprovalRule(domain::approvals::ApprovalRule) {
        deadline_hours: Option<i32>,
        created_at: DateTime<Utc>,
    }
    extra {
        async fn object_type(&self) -> ApprovalObjectType {
            self.0.object_type.into()
        }
        /// The rule applies only to objects charging this program's budget.
        async fn program_id(&self) -> Option<ID> {
            self.0.program_id.map(|p| global_id("Program", p.into()))
        }
        /// The rule applies only to objects charging this cost center's budget.
        async fn cost_center_id(&self) -> Option<ID> {
            self.0.cost_center_id.map(|c| global_id("CostCenter", c.into()))
        }
        /// The rule applies from this amount up; always when null.
        async fn min_amount(&self) -> Option<Money> {
            self.0.min_amount.zip(self.0.currency.as_deref()).map(|(m, c)| Money::of(m, c))
        }
        async fn approver_role(&self) -> Role {
            self.0.approver_role.into()
        }
        async fn mode(&self) -> ApprovalMode {
            self.0.mode.into()
        }
    }
}

/// One step of a request.
#[derive(SimpleObject)]
pub struct ApprovalStep {
    pub role: Role,
    pub mode: ApprovalMode,
    /// For `ALL`: the user IDs of the members asked.
    pub approver_ids: Vec<ID>,
}

/// One decision on a request.
#[derive(SimpleObject)]
pub struct ApprovalDecision {
    pub id: ID,
    /// 1 for the first step.
    pub step: i32,
    pub decision: ApprovalDecisionKind,
    pub comment: String,
    /// Who decided, for people reading it.
    pub decided_by: String,
    pub decided_by_user_id: ID,
    /// The member they stood in for, under a delegation.
    pub on_behalf_of_user_id: Option<ID>,
    pub created_at: DateTime<Utc>,
}

/// A request for approval of one object.
pub struct Approval(pub domain::approvals::requests::Approval);

impl NodeObject for Approval {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl Approval {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn object_type(&self) -> ApprovalObjectType {
        self.0.object_type.into()
    }
    /// The global ID of the object (a `PurchaseOrder`'s for purchase orders).
    async fn object_id(&self) -> ID {
        global_id(ApprovalObjectType::from(self.0.object_type).type_name(), self.0.object_id)
    }
    async fn state(&self) -> ApprovalState {
        self.0.state.into()
    }
    /// What it is about, in words.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
    async fn amount(&self) -> Option<Money> {
        self.0.amount.zip(self.0.currency.as_deref()).map(|(m, c)| Money::of(m, c))
    }
    /// The person who asked.
    async fn requester_id(&self) -> Option<ID> {
        self.0.requester.map(|u| global_id("User", u.into()))
    }
    async fn steps(&self) -> Vec<ApprovalStep> {
        domain::approvals::requests::steps(&self.0)
            .into_iter()
            .map(|s| ApprovalStep {
                role: s.role.into(),
                mode: s.mode.into(),
                approver_ids: s.approvers.into_iter().map(|u| global_id("User", u.into())).collect(),
            })
            .collect()
    }
    /// The step being decided, 1 for the first.
    async fn current_step(&self) -> i32 {
        self.0.step + 1
    }
    async fn deadline_at(&self) -> Option<DateTime<Utc>> {
        self.0.deadline_at
    }
    /// Whether the one asking may decide it now.
    async fn can_decide(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let t = tenant(ctx).await?;
        domain::approvals::requests::can_decide(t, parley(ctx)?, &self.0).await.gql(ctx)
    }
    /// The decisions so far, oldest first.
    async fn decisions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ApprovalDecision>> {
        let t = tenant(ctx).await?;
        let all = domain::approvals::requests::decisions(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
        Ok(all
            .into_iter()
            .map(|d| ApprovalDecision {
                id: global_id("ApprovalDecision", d.id.into()),
                step: d.step + 1,
                decision: d.decision.into(),
                comment: d.comment,
                decided_by: d.actor_label,
                decided_by_user_id: global_id("User", d.decided_by),
                on_behalf_of_user_id: d.on_behalf_of.map(|u| global_id("User", u.into())),
                created_at: d.created_at,
            })
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
}

node_object! {
    /// A person's approvals handed to another member for a while.
    ApprovalDelegation(domain::approvals::Delegation) {
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        created_at: DateTime<Utc>,
    }
    extra {
        async fn from_user_id(&self) -> ID {
            global_id("User", self.0.from_user.into())
        }
        async fn to_user_id(&self) -> ID {
            global_id("User", self.0.to_user.into())
        }
    }
}
