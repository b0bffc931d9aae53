//! Approval requests: raised for an object by the rules that apply to it, decided step
//! by step, and what their outcome does to the object.

use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{delegators_of, person_of, role_of};
use crate::audit::Change;
use crate::db::TenantOwned;
use crate::jobs::{self, ApprovalDeadline, NewJob};
use crate::money::Money;
use crate::page::{Page, PageArgs};
use crate::{Audited, Error, Order, Parley, Permission, Result, Role, TenantCtx, TenantTx, UserId, new_id, now};
use entities::ids::{ApprovalId, ApprovalRuleId};
use entities::ops::enums::{ApprovalMode, ApprovalObject, ApprovalState, Decision};
use entities::{approval, approval_decision, approval_rule, membership};

/// A request for approval.
pub type Approval = approval::Model;
/// One decision on a request.
pub type ApprovalDecision = approval_decision::Model;

impl Audited for Approval {
    fn audit_json(&self) -> serde_json::Value {
        json!({
            "objectType": self.object_type, "object": self.object_id, "state": self.state, "step": self.step,
            "summary": self.summary, "deadlineAt": self.deadline_at,
        })
    }
}

/// One step of a request: a rule's role and mode, and for `ALL` the people asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub rule: ApprovalRuleId,
    pub role: Role,
    pub mode: ApprovalMode,
    /// The members asked (`ALL`); empty for `ANY`, where anyone holding the role may.
    pub approvers: Vec<UserId>,
}

/// The steps of a request, as stored.
pub fn steps(a: &Approval) -> Vec<Step> {
    serde_json::from_value(a.steps.clone()).unwrap_or_default()
}

/// What an approval is about.
#[derive(Debug, Clone)]
pub(crate) struct Subject {
    pub(crate) object_type: ApprovalObject,
    pub(crate) object_id: uuid::Uuid,
    pub(crate) amount: Option<Money>,
    pub(crate) summary: String,
    pub(crate) requester: Option<UserId>,
    /// The programs and cost centers whose budget it charges (for rules limited to one).
    pub(crate) places: Vec<uuid::Uuid>,
}

/// How a request ended, for its object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    Approved,
    Rejected,
    /// Changes requested, or the deadline passed: back to its author.
    Returned,
}

fn applies(rule: &approval_rule::Model, amount: Option<&Money>, places: &[uuid::Uuid]) -> bool {
    let within = |place: Option<uuid::Uuid>| place.is_none_or(|p| places.contains(&p));
    if !within(rule.program_id.map(Into::into)) || !within(rule.cost_center_id.map(Into::into)) {
        return false;
    }
    match (rule.min_amount, rule.currency.as_deref(), amount) {
        (None, _, _) => true,
        (Some(min), Some(cur), Some(a)) if a.currency == cur => a.minor >= min,
        // A threshold in another currency cannot be compared: ask.
        (Some(_), _, Some(_)) => true,
        (Some(_), _, None) => false,
    }
}

/// Raises the request `subject` needs under the tenant's rules; `None` when no rule
/// applies. `CONFLICT` when a step would have nobody to decide it. A request with a
/// deadline queues the durable job that expires it then.
pub(crate) async fn request_in(tx: &TenantTx<'_>, p: &Parley, subject: Subject) -> Result<Option<Approval>> {
    let rules = approval_rule::Entity::scoped(tx.ctx())
        .filter(approval_rule::Column::ObjectType.eq(subject.object_type))
        .order_by_asc(approval_rule::Column::Id)
        .all(tx)
        .await?;
    let applying: Vec<_> = rules.into_iter().filter(|r| applies(r, subject.amount.as_ref(), &subject.places)).collect();
    if applying.is_empty() {
        return Ok(None);
    }
    let mut steps = Vec::with_capacity(applying.len());
    for r in &applying {
        let approvers = match r.mode {
            ApprovalMode::Any => Vec::new(),
            ApprovalMode::All => {
                let people: Vec<UserId> = membership::Entity::scoped(tx.ctx())
                    .filter(membership::Column::Role.eq(r.approver_role))
                    .order_by_asc(membership::Column::Id)
                    .all(tx)
                    .await?
                    .into_iter()
                    .map(|m| m.user_id)
                    .filter(|u| Some(*u) != subject.requester)
                    .collect();
                if people.is_empty() {
                    return Err(Error::Conflict(format!(
                        "an approval rule asks every {:?} to approve, and no member but the requester holds that role",
                        r.approver_role
                    )
                    .to_lowercase()));
                }
                people
            }
        };
        steps.push(Step { rule: r.id, role: r.approver_role, mode: r.mode, approvers });
    }
    let t = now();
    let deadline =
        applying.iter().filter_map(|r| r.deadline_hours).min().map(|h| t + chrono::Duration::hours(i64::from(h)));
    let row = approval::ActiveModel {
        id: Set(new_id()),
        object_type: Set(subject.object_type),
        object_id: Set(subject.object_id),
        state: Set(ApprovalState::Pending),
        requested_by: Set(tx.ctx().actor().id().unwrap_or_default()),
        requester: Set(subject.requester),
        amount: Set(subject.amount.as_ref().map(|m| m.minor)),
        currency: Set(subject.amount.map(|m| m.currency)),
        summary: Set(subject.summary),
        steps: Set(serde_json::to_value(&steps).map_err(Error::internal)?),
        step: Set(0),
        deadline_at: Set(deadline),
        created_at: Set(t),
        decided_at: Set(None),
        ..Default::default()
    };
    let a = tx.create("approval.requested", row).await?;
    if let Some(at) = a.deadline_at {
        let job = NewJob::of(&ApprovalDeadline { approval_id: a.id }).at(at).key(format!("approval-deadline:{}", a.id));
        jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    }
    Ok(Some(a))
}

/// Expires request `id` once its deadline has passed by this process's clock, sending
/// its object back to its author; `false` when it was decided or withdrawn first.
/// `CONFLICT` (the job tries again later) when the deadline is not reached yet.
pub async fn expire_if_due(ctx: &TenantCtx, p: &Parley, id: ApprovalId) -> Result<bool> {
    let tx = p.tenant_tx(ctx).await?;
    let a = match lock(&tx, id).await {
        Ok(a) => a,
        Err(Error::NotFound) => return Ok(false),
        Err(e) => return Err(e),
    };
    if a.state != ApprovalState::Pending {
        return Ok(false);
    }
    match a.deadline_at {
        Some(d) if d <= p.clock() => {
            let a = end(&tx, a, ApprovalState::Expired, "approval.expired").await?;
            settle(&tx, p, &a, Outcome::Returned).await?;
            tx.commit().await?;
            Ok(true)
        }
        Some(d) => Err(Error::Conflict(format!("the request's deadline ({d}) is not reached yet"))),
        None => Ok(false),
    }
}

async fn lock(tx: &TenantTx<'_>, id: ApprovalId) -> Result<Approval> {
    tx.lock::<approval::Entity>(id).await
}

/// Ends a pending request because its object was withdrawn.
pub(crate) async fn cancel_in(tx: &TenantTx<'_>, id: ApprovalId) -> Result<()> {
    let a = lock(tx, id).await?;
    if a.state == ApprovalState::Pending {
        end(tx, a, ApprovalState::Cancelled, "approval.cancelled").await?;
    }
    Ok(())
}

async fn end(tx: &TenantTx<'_>, a: Approval, state: ApprovalState, action: &str) -> Result<Approval> {
    tx.update::<approval::Entity>(action, a.id, |am| {
        am.state = Set(state);
        am.decided_at = Set(Some(now()));
        Ok(())
    })
    .await
}

/// What the outcome does to the object.
async fn settle(tx: &TenantTx<'_>, p: &Parley, a: &Approval, outcome: Outcome) -> Result<()> {
    match a.object_type {
        ApprovalObject::PurchaseOrder => crate::spend::orders::decided_in(tx, a.object_id.into(), outcome).await,
        ApprovalObject::BudgetChange => crate::budgets::drafts::decided_in(tx, a.object_id.into(), outcome).await,
        ApprovalObject::AssetVersion => crate::assets::decided_in(tx, a.object_id.into(), outcome).await,
        ApprovalObject::Campaign => crate::campaigns::decided_in(tx, p, a.object_id.into(), outcome).await,
        ApprovalObject::Offer => crate::decisions::offers::decided_in(tx, p, a.object_id.into(), outcome).await,
    }
}

/// Who the acting person decides for on the current step: themselves (`None`) or a
/// member who handed them their approvals (`Some`). `FORBIDDEN` when neither may,
/// `CONFLICT` when they already decided it.
async fn standing(tx: &TenantTx<'_>, a: &Approval, person: UserId) -> Result<Option<UserId>> {
    if a.requester == Some(person) {
        return Err(Error::forbidden("nobody decides their own request"));
    }
    let all = steps(a);
    let step = all
        .get(usize::try_from(a.step).unwrap_or(usize::MAX))
        .ok_or_else(|| Error::internal("a request past its steps"))?;
    let decided: Vec<UserId> = approval_decision::Entity::scoped(tx.ctx())
        .filter(approval_decision::Column::ApprovalId.eq(a.id))
        .filter(approval_decision::Column::Step.eq(a.step))
        .all(tx)
        .await?
        .into_iter()
        .map(|d| d.on_behalf_of.unwrap_or(UserId::from(d.decided_by)))
        .collect();
    let may = |role: Option<Role>, who: UserId| match step.mode {
        ApprovalMode::All => step.approvers.contains(&who),
        ApprovalMode::Any => role.is_some_and(|r| r == step.role || matches!(r, Role::Owner | Role::Admin)),
    };
    if may(Some(tx.role()), person) {
        if decided.contains(&person) {
            return Err(Error::Conflict("you have already decided this step".into()));
        }
        return Ok(None);
    }
    for from in delegators_of(tx, person).await? {
        if a.requester == Some(from) || decided.contains(&from) {
            continue;
        }
        if may(role_of(tx, from).await?, from) {
            return Ok(Some(from));
        }
    }
    Err(Error::forbidden(format!(
        "this step needs {} and you are not asked",
        match step.mode {
            ApprovalMode::All => "every one of its named approvers".to_owned(),
            ApprovalMode::Any => format!("one {:?}", step.role).to_lowercase(),
        }
    )))
}

/// Whether the acting person may decide `a` now.
pub async fn can_decide(ctx: &TenantCtx, p: &Parley, a: &Approval) -> Result<bool> {
    if a.state != ApprovalState::Pending {
        return Ok(false);
    }
    let tx = p.tenant_tx(ctx).await?;
    let Some(person) = person_of(&tx).await? else { return Ok(false) };
    let may = standing(&tx, a, person).await.is_ok();
    tx.commit().await?;
    Ok(may)
}

/// Decides the current step of a pending request. An approval that completes the last
/// step approves the object (a purchase order's budget is checked then: `CONFLICT`, and
/// nothing recorded, when it would overspend); a rejection or a request for changes
/// ends the request. Past its deadline the request expires instead (`CONFLICT`).
pub async fn decide(
    ctx: &TenantCtx,
    p: &Parley,
    id: ApprovalId,
    decision: Decision,
    comment: &str,
) -> Result<Approval> {
    let comment = comment.trim().to_owned();
    if comment.chars().count() > 4_000 {
        return Err(Error::invalid("comment", "is longer than 4,000 characters"));
    }
    if decision != Decision::Approve && comment.is_empty() {
        return Err(Error::invalid("comment", "is required to reject or to ask for changes: say why"));
    }
    let tx = p.tenant_tx(ctx).await?;
    let a = lock(&tx, id).await?;
    if a.state != ApprovalState::Pending {
        return Err(Error::Conflict(format!("the request is already {:?}", a.state).to_lowercase()));
    }
    // The deadline is read against this process's clock (`Parley::clock`).
    if a.deadline_at.is_some_and(|d| d <= p.clock()) {
        let a = end(&tx, a, ApprovalState::Expired, "approval.expired").await?;
        settle(&tx, p, &a, Outcome::Returned).await?;
        tx.commit().await?;
        return Err(Error::Conflict(
            "the request expired before it was decided; its author may submit it again".into(),
        ));
    }
    let person = person_of(&tx).await?.ok_or_else(|| Error::forbidden("only a person or their API key decides"))?;
    let on_behalf = standing(&tx, &a, person).await?;
    let t = now();
    approval_decision::ActiveModel {
        tenant_id: Set(ctx.tenant_id()),
        id: Set(new_id()),
        approval_id: Set(a.id),
        step: Set(a.step),
        decided_by: Set(person.into()),
        on_behalf_of: Set(on_behalf),
        actor_label: Set(ctx.actor().label()),
        decision: Set(decision),
        comment: Set(comment.clone()),
        created_at: Set(t),
    }
    .insert(&tx)
    .await?;
    let who = on_behalf.unwrap_or(person);
    let all = steps(&a);
    let step = &all[usize::try_from(a.step).unwrap_or(0)];
    let (state, next_step, outcome) = match decision {
        Decision::Reject => (ApprovalState::Rejected, a.step, Some(Outcome::Rejected)),
        Decision::RequestChanges => (ApprovalState::ChangesRequested, a.step, Some(Outcome::Returned)),
        Decision::Approve => {
            let complete = match step.mode {
                ApprovalMode::Any => true,
                ApprovalMode::All => {
                    let approved: Vec<UserId> = approval_decision::Entity::scoped(ctx)
                        .filter(approval_decision::Column::ApprovalId.eq(a.id))
                        .filter(approval_decision::Column::Step.eq(a.step))
                        .filter(approval_decision::Column::Decision.eq(Decision::Approve))
                        .all(&tx)
                        .await?
                        .into_iter()
                        .map(|d| d.on_behalf_of.unwrap_or(UserId::from(d.decided_by)))
                        .collect();
                    step.approvers.iter().all(|u| approved.contains(u))
                }
            };
            let last = usize::try_from(a.step + 1).unwrap_or(usize::MAX) >= all.len();
            match (complete, last) {
                (true, true) => (ApprovalState::Approved, a.step, Some(Outcome::Approved)),
                (true, false) => (ApprovalState::Pending, a.step + 1, None),
                (false, _) => (ApprovalState::Pending, a.step, None),
            }
        }
    };
    let before = a.audit_json();
    let mut am: approval::ActiveModel = a.clone().into();
    am.state = Set(state);
    am.step = Set(next_step);
    if state != ApprovalState::Pending {
        am.decided_at = Set(Some(t));
    }
    let a = am.update(&tx).await?;
    let detail =
        json!({ "decision": decision, "comment": comment, "step": step_number(before["step"].as_i64()), "for": who });
    let mut after = a.audit_json();
    after["decision"] = detail;
    tx.record(Change::new("approval.decided", a.id).before(before).after(after)).await?;
    if let Some(o) = outcome {
        settle(&tx, p, &a, o).await?;
    }
    tx.commit().await?;
    Ok(a)
}

fn step_number(step: Option<i64>) -> i64 {
    step.unwrap_or(0) + 1
}

/// Requests, newest first; `state` narrows them (`PENDING` is the inbox's list).
pub async fn list(ctx: &TenantCtx, p: &Parley, state: Option<ApprovalState>, args: PageArgs) -> Result<Page<Approval>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = <approval::Entity as sea_orm::EntityTrait>::find();
    if let Some(s) = state {
        q = q.filter(approval::Column::State.eq(s));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One request.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: ApprovalId) -> Result<Approval> {
    p.find::<approval::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// The decisions on a request, oldest first.
pub async fn decisions(ctx: &TenantCtx, p: &Parley, id: ApprovalId) -> Result<Vec<ApprovalDecision>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let a = tx.find::<approval::Entity>(id).await?;
    let out = approval_decision::Entity::scoped(ctx)
        .filter(approval_decision::Column::ApprovalId.eq(a.id))
        .order_by_asc(approval_decision::Column::Id)
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(out)
}
