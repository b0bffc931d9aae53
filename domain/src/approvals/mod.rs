//! Approvals (OPS-5): rules that say which objects need whose approval, the requests
//! they raise, decisions, and delegation while someone is away.
//!
//! Every rule of an object's type whose threshold the object's amount reaches becomes
//! one *step* of its request, in the order the rules were made; steps are decided one
//! after the other. A step's `mode` is `ANY` (one approval from anyone holding its
//! role, or an owner or admin) or `ALL` (every member holding its role when the request
//! was made, its requester aside). Nobody decides their own request, an API key's
//! maker counting as the key. A rejection or a request for changes ends the request at
//! once. A request past its deadline expires and its object goes back to its author.

pub mod requests;

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde_json::json;

use crate::db::TenantOwned;
use crate::money::Money;
use crate::page::{Page, PageArgs};
use crate::{Actor, Audited, Error, Order, Parley, Permission, Result, Role, TenantCtx, TenantTx, UserId, new_id, now};
use entities::ids::{ApprovalDelegationId, ApprovalRuleId, CostCenterId, ProgramId};
use entities::ops::enums::{ApprovalMode, ApprovalObject};
use entities::{api_key, approval_delegation, approval_rule, membership};

/// A rule saying which objects need whose approval.
pub type ApprovalRule = approval_rule::Model;
/// A person's approvals handed to another for a while.
pub type Delegation = approval_delegation::Model;

impl Audited for ApprovalRule {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "objectType": self.object_type, "approverRole": self.approver_role, "mode": self.mode,
            "minAmount": self.min_amount.zip(self.currency.as_deref()).map(|(m, c)| Money::of(m, c).major()),
            "currency": self.currency, "deadlineHours": self.deadline_hours,
            "program": self.program_id, "costCenter": self.cost_center_id,
        })
    }
}

impl Audited for Delegation {
    fn audit_json(&self) -> serde_json::Value {
        json!({ "from": self.from_user, "to": self.to_user, "startsAt": self.starts_at, "endsAt": self.ends_at })
    }
}

/// The person behind the acting context: the user, or the person who made the API key
/// (following keys made by keys). `None` for Parley itself.
pub(crate) async fn person_of(tx: &TenantTx<'_>) -> Result<Option<UserId>> {
    let mut key = match tx.ctx().actor() {
        Actor::User { id, .. } => return Ok(Some(*id)),
        Actor::ApiKey { id, .. } => *id,
        Actor::System | Actor::TrackingKey { .. } => return Ok(None),
    };
    for _ in 0..16 {
        let Some(k) = api_key::Entity::scoped(tx.ctx()).filter(api_key::Column::Id.eq(key)).one(tx).await? else {
            return Ok(None);
        };
        let maker = api_key::Entity::scoped(tx.ctx()).filter(api_key::Column::Id.eq(k.created_by)).one(tx).await?;
        match maker {
            Some(parent) => key = parent.id,
            None => return Ok(Some(UserId::from(k.created_by))),
        }
    }
    Ok(None)
}

/// A new approval rule.
#[derive(Debug, Clone)]
pub struct NewRule {
    pub object_type: ApprovalObject,
    /// The rule applies from this amount up; always when left out.
    pub min_amount: Option<(String, String)>,
    pub approver_role: Role,
    pub mode: ApprovalMode,
    /// Hours the approvers have (1 to 2,160); no deadline when left out.
    pub deadline_hours: Option<i32>,
    /// Only objects charging budget of this program.
    pub program: Option<ProgramId>,
    /// Only objects charging budget of this cost center.
    pub cost_center: Option<CostCenterId>,
}

/// Adds a rule. Requests already made keep the steps they were given.
pub async fn create_rule(ctx: &TenantCtx, p: &Parley, new: NewRule) -> Result<ApprovalRule> {
    let min = new.min_amount.as_ref().map(|(a, c)| Money::parse("minAmount", a, c)).transpose()?;
    if min.as_ref().is_some_and(|m| m.minor < 0) {
        return Err(Error::invalid("minAmount.amount", "must not be negative"));
    }
    if matches!(new.approver_role, Role::Viewer) {
        return Err(Error::invalid("approverRole", "a viewer cannot decide anything"));
    }
    if new.deadline_hours.is_some_and(|h| !(1..=2_160).contains(&h)) {
        return Err(Error::invalid("deadlineHours", "must be from 1 to 2160 (90 days)"));
    }
    // Asset versions and campaigns belong to a program through their project.
    if new.program.is_some()
        && !matches!(
            new.object_type,
            ApprovalObject::PurchaseOrder
                | ApprovalObject::BudgetChange
                | ApprovalObject::AssetVersion
                | ApprovalObject::Campaign
        )
    {
        return Err(Error::invalid(
            "programId",
            "only purchase orders, budget changes, asset versions and campaigns belong to a program",
        ));
    }
    if new.cost_center.is_some()
        && !matches!(new.object_type, ApprovalObject::PurchaseOrder | ApprovalObject::BudgetChange)
    {
        return Err(Error::invalid(
            "costCenterId",
            "only purchase orders and budget changes charge a cost center's budget",
        ));
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageApprovalRules)?;
    if let Some(id) = new.program {
        tx.find::<entities::program::Entity>(id).await?;
    }
    if let Some(id) = new.cost_center {
        tx.find::<entities::cost_center::Entity>(id).await?;
    }
    let row = approval_rule::ActiveModel {
        id: Set(new_id()),
        object_type: Set(new.object_type),
        min_amount: Set(min.as_ref().map(|m| m.minor)),
        currency: Set(min.map(|m| m.currency)),
        approver_role: Set(new.approver_role),
        mode: Set(new.mode),
        deadline_hours: Set(new.deadline_hours),
        program_id: Set(new.program),
        cost_center_id: Set(new.cost_center),
        created_at: Set(now()),
        ..Default::default()
    };
    let rule = tx.create("approval_rule.created", row).await?;
    tx.commit().await?;
    Ok(rule)
}

/// Removes a rule (requests already made keep their steps).
pub async fn delete_rule(ctx: &TenantCtx, p: &Parley, id: ApprovalRuleId) -> Result<ApprovalRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageApprovalRules)?;
    let found = tx.find::<approval_rule::Entity>(id).await?;
    let gone = tx.delete::<approval_rule::Entity>("approval_rule.deleted", found).await?;
    tx.commit().await?;
    Ok(gone)
}

/// The rules, in the order their steps are decided.
pub async fn rules(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<ApprovalRule>> {
    p.page::<approval_rule::Entity>(ctx, Permission::ReadWorkspace, Order::Oldest, args).await
}

/// One rule.
pub async fn get_rule(ctx: &TenantCtx, p: &Parley, id: ApprovalRuleId) -> Result<ApprovalRule> {
    p.find::<approval_rule::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// The member's role, if `user` is a member of the tenant.
pub(crate) async fn role_of(tx: &TenantTx<'_>, user: UserId) -> Result<Option<Role>> {
    Ok(membership::Entity::scoped(tx.ctx()).filter(membership::Column::UserId.eq(user)).one(tx).await?.map(|m| m.role))
}

/// Hands the acting person's approvals to `to` (another member) from `starts_at` until
/// `ends_at`: meanwhile `to` may decide in their place, each decision saying so.
pub async fn delegate(
    ctx: &TenantCtx,
    p: &Parley,
    to: UserId,
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: chrono::DateTime<chrono::Utc>,
) -> Result<Delegation> {
    if ends_at <= starts_at {
        return Err(Error::invalid("endsAt", "must be after the start"));
    }
    if ends_at - starts_at > chrono::Duration::days(366) {
        return Err(Error::invalid("endsAt", "must be within a year of the start"));
    }
    let tx = p.tenant_tx(ctx).await?;
    let Actor::User { id: me, .. } = ctx.actor() else {
        return Err(Error::forbidden("only a person can hand over their approvals"));
    };
    if *me == to {
        return Err(Error::invalid("toUserId", "is yourself"));
    }
    if role_of(&tx, to).await?.is_none() {
        return Err(Error::invalid("toUserId", "is not a member of this workspace"));
    }
    let row = approval_delegation::ActiveModel {
        id: Set(new_id()),
        from_user: Set(*me),
        to_user: Set(to),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        created_at: Set(now()),
        ..Default::default()
    };
    let d = tx.create("approval_delegation.created", row).await?;
    tx.commit().await?;
    Ok(d)
}

/// Ends a delegation now (its maker, or an owner or admin).
pub async fn end_delegation(ctx: &TenantCtx, p: &Parley, id: ApprovalDelegationId) -> Result<Delegation> {
    let tx = p.tenant_tx(ctx).await?;
    let found = tx.find::<approval_delegation::Entity>(id).await?;
    let mine = ctx.user_id() == Some(found.from_user);
    if !mine && !matches!(tx.role(), Role::Owner | Role::Admin) {
        return Err(Error::forbidden("only its maker, an owner or an admin can end a delegation"));
    }
    let t = now();
    let d = tx
        .update::<approval_delegation::Entity>("approval_delegation.ended", id, |am| {
            if found.ends_at > t {
                am.ends_at = Set(t.max(found.starts_at));
            }
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(d)
}

/// The workspace's delegations, newest first.
pub async fn delegations(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<Delegation>> {
    p.page::<approval_delegation::Entity>(ctx, Permission::ReadWorkspace, Order::Newest, args).await
}

/// One delegation.
pub async fn get_delegation(ctx: &TenantCtx, p: &Parley, id: ApprovalDelegationId) -> Result<Delegation> {
    p.find::<approval_delegation::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// The people who have handed their approvals to `to` right now.
pub(crate) async fn delegators_of(tx: &TenantTx<'_>, to: UserId) -> Result<Vec<UserId>> {
    let t = now();
    Ok(approval_delegation::Entity::scoped(tx.ctx())
        .filter(approval_delegation::Column::ToUser.eq(to))
        .filter(approval_delegation::Column::StartsAt.lte(t))
        .filter(approval_delegation::Column::EndsAt.gt(t))
        .all(tx)
        .await?
        .into_iter()
        .map(|d| d.from_user)
        .collect())
}
