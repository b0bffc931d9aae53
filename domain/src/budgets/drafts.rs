//! What-if reallocation: a draft of moves between budget lines, shown with its effect
//! on every line and holder it touches before anything moves; applied in one
//! transaction (after approval where a budget-change rule asks for it), or not at all.
//!
//! A move of `x` from line `A` to line `B` takes `x` off `A` and adds it to `B`. When
//! `B` was carved from `A` it only grows (allocating more of `A`); when `A` was carved
//! from `B` it only shrinks (handing `x` back). Growing a carved line allocates more of
//! its parent, shrinking it hands some back. No move may take a line's available
//! amount below zero, or further below it; whatever its policy, a line never gives
//! away what is allocated, committed or spent from it.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::figures::{self, LineFigures, lock_lines};
use super::periods::rescaled;
use super::{BudgetLine, holder_of};
use crate::approvals::person_of;
use crate::approvals::requests::{self, Outcome, Subject};
use crate::money::{Money, checked_sum};
use crate::page::{Page, PageArgs};
use crate::plans::{NodeRef, node};
use crate::{Audited, Error, Order, Parley, Permission, Result, TenantCtx, TenantTx, new_id, now, validate};
use entities::budget_draft;
use entities::budget_line;
use entities::ids::{BudgetDraftId, BudgetLineId};
use entities::ops::enums::{ApprovalObject, BudgetDraftStatus as Status};

/// A what-if reallocation.
pub type BudgetDraft = budget_draft::Model;

/// The most moves one draft holds.
pub const MAX_MOVES: usize = 50;

impl Audited for BudgetDraft {
    fn audit_json(&self) -> serde_json::Value {
        json!({"name": self.name, "status": self.status, "moves": self.moves, "currency": self.currency})
    }
}

/// One move of a draft, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Move {
    pub from: BudgetLineId,
    pub to: BudgetLineId,
    /// Minor units of the draft's currency.
    pub amount: i64,
}

/// A move as a client sends it.
#[derive(Debug, Clone)]
pub struct NewMove {
    pub from: BudgetLineId,
    pub to: BudgetLineId,
    /// Major units as a decimal string, and the currency code.
    pub amount: (String, String),
}

/// The moves of a draft.
pub fn moves(d: &BudgetDraft) -> Vec<Move> {
    serde_json::from_value(d.moves.clone()).unwrap_or_default()
}

/// A line before and after a draft.
#[derive(Debug, Clone)]
pub struct LineEffect {
    pub line: BudgetLine,
    pub amount_after: i64,
    pub allocated_after: i64,
    pub figures: LineFigures,
}

impl LineEffect {
    pub fn available_before(&self) -> i64 {
        self.figures.available(self.line.amount)
    }
    pub fn available_after(&self) -> i64 {
        LineFigures { allocated: self.allocated_after, ..self.figures }.available(self.amount_after)
    }
}

/// A holder before and after a draft, for the line's fiscal year.
#[derive(Debug, Clone)]
pub struct NodeEffect {
    pub node: NodeRef,
    pub name: String,
    pub fiscal_year: i32,
    pub currency: String,
    pub before: figures::Totals,
    pub after: figures::Totals,
}

/// What a draft would do: to each line and holder it touches, and what stands in its
/// way (nothing moves while anything does).
#[derive(Debug, Clone)]
pub struct Effect {
    pub lines: Vec<LineEffect>,
    pub nodes: Vec<NodeEffect>,
    pub problems: Vec<String>,
}

/// Checks the moves a client sent against the tenant's lines: each moves a positive
/// amount between two different lines of one fiscal year, all in one currency.
async fn read_moves(tx: &TenantTx<'_>, given: &[NewMove]) -> Result<(Vec<Move>, String)> {
    if given.is_empty() {
        return Err(Error::invalid("moves", "needs at least one move"));
    }
    if given.len() > MAX_MOVES {
        return Err(Error::invalid("moves", format!("holds more than {MAX_MOVES} moves")));
    }
    let mut out = Vec::with_capacity(given.len());
    let mut currency: Option<String> = None;
    for (i, m) in given.iter().enumerate() {
        let field = format!("moves[{i}]");
        let amount = Money::positive(&format!("{field}.amount"), &m.amount.0, &m.amount.1)?;
        if m.from == m.to {
            return Err(Error::invalid(&format!("{field}.toBudgetLineId"), "is the line the move comes from"));
        }
        let from = tx.find::<budget_line::Entity>(m.from).await?;
        let to = tx.find::<budget_line::Entity>(m.to).await?;
        amount.require_currency(&format!("{field}.amount"), &from.currency, &format!("line '{}'", from.name))?;
        amount.require_currency(&format!("{field}.amount"), &to.currency, &format!("line '{}'", to.name))?;
        if from.fiscal_year != to.fiscal_year {
            return Err(Error::invalid(
                &format!("{field}.toBudgetLineId"),
                format!("is a line for {}; budget moves within one fiscal year ({})", to.fiscal_year, from.fiscal_year),
            ));
        }
        // A draft holds one currency: its total and the approval threshold never sum two.
        let first = currency.get_or_insert_with(|| from.currency.clone());
        amount.require_currency(&format!("{field}.amount"), first, "this draft")?;
        out.push(Move { from: m.from, to: m.to, amount: amount.minor });
    }
    Ok((out, currency.unwrap_or_default()))
}

/// How each line's amount changes under `moves`.
fn amount_deltas(moves: &[Move], lines: &BTreeMap<BudgetLineId, BudgetLine>) -> BTreeMap<BudgetLineId, i64> {
    let mut d: BTreeMap<BudgetLineId, i64> = BTreeMap::new();
    for m in moves {
        let parent = |id: BudgetLineId| lines.get(&id).and_then(|l| l.parent_id);
        let carved_from_source = parent(m.to) == Some(m.from);
        let handed_back = parent(m.from) == Some(m.to);
        if !carved_from_source {
            *d.entry(m.from).or_default() -= m.amount;
        }
        if !handed_back {
            *d.entry(m.to).or_default() += m.amount;
        }
    }
    d
}

/// What `moves` would do, read under the current figures.
async fn simulate(tx: &TenantTx<'_>, moves: &[Move]) -> Result<Effect> {
    let mut lines: BTreeMap<BudgetLineId, BudgetLine> = BTreeMap::new();
    for m in moves {
        for id in [m.from, m.to] {
            if let Entry::Vacant(e) = lines.entry(id) {
                e.insert(tx.find::<budget_line::Entity>(id).await?);
            }
        }
    }
    let deltas = amount_deltas(moves, &lines);
    // A carved line that grows or shrinks allocates more or less of its parent.
    let mut allocated: BTreeMap<BudgetLineId, i64> = BTreeMap::new();
    for (id, delta) in &deltas {
        if let Some(parent) = lines.get(id).and_then(|l| l.parent_id) {
            *allocated.entry(parent).or_default() += delta;
        }
    }
    for parent in allocated.keys() {
        if let Entry::Vacant(e) = lines.entry(*parent) {
            e.insert(tx.find::<budget_line::Entity>(*parent).await?);
        }
    }
    let ids: Vec<BudgetLineId> = lines.keys().copied().collect();
    let figs = figures::of_lines(tx, &ids).await?;
    let mut effects = Vec::new();
    let mut problems = Vec::new();
    for (id, line) in lines {
        let f = figs.iter().find(|(i, _)| *i == id).map(|(_, f)| *f).unwrap_or_default();
        let e = LineEffect {
            amount_after: line.amount.saturating_add(deltas.get(&id).copied().unwrap_or(0)),
            allocated_after: f.allocated.saturating_add(allocated.get(&id).copied().unwrap_or(0)),
            figures: f,
            line,
        };
        let (before, after) = (e.available_before(), e.available_after());
        if e.amount_after < 0 || (after < 0 && after < before) {
            let used = e.allocated_after.saturating_add(f.committed).saturating_add(f.actual);
            problems.push(format!(
                "line '{}' would be {} with {} allocated, committed or spent from it",
                e.line.name,
                Money::of(e.amount_after, &e.line.currency),
                Money::of(used, &e.line.currency)
            ));
        }
        effects.push(e);
    }
    // The holders whose own lines change, before and after.
    let mut holders: Vec<(NodeRef, i32)> = Vec::new();
    for e in &effects {
        let h = (holder_of(&e.line), e.line.fiscal_year);
        if (e.amount_after != e.line.amount || e.allocated_after != e.figures.allocated) && !holders.contains(&h) {
            holders.push(h);
        }
    }
    let mut nodes = Vec::with_capacity(holders.len());
    for (at, year) in holders {
        let n = node(tx, at).await?;
        let before = figures::of_node(tx, at, year).await?;
        let mut after = before;
        for e in effects.iter().filter(|e| holder_of(&e.line) == at && e.line.fiscal_year == year) {
            after.budgeted += e.amount_after - e.line.amount;
            after.allocated += e.allocated_after - e.figures.allocated;
        }
        nodes.push(NodeEffect { node: at, name: n.name, fiscal_year: year, currency: n.currency, before, after });
    }
    Ok(Effect { lines: effects, nodes, problems })
}

/// Writes a draft of moves; nothing moves until it is applied.
pub async fn create(ctx: &TenantCtx, p: &Parley, name: &str, given: Vec<NewMove>) -> Result<BudgetDraft> {
    let name = validate::name("name", name, 200)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let (moves, currency) = read_moves(&tx, &given).await?;
    checked_sum("moves", moves.iter().map(|m| m.amount))?;
    let t = now();
    let row = budget_draft::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        status: Set(Status::Draft),
        moves: Set(json!(moves)),
        currency: Set(currency),
        created_by: Set(ctx.actor().id().unwrap_or_default()),
        requester: Set(person_of(&tx).await?),
        approval_id: Set(None),
        applied_at: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let draft = tx.create("budget_draft.created", row).await?;
    tx.commit().await?;
    Ok(draft)
}

fn refuse(d: &BudgetDraft, what: &str) -> Error {
    Error::Conflict(format!("the budget draft is {:?}; it cannot be {what}", d.status).to_lowercase())
}

/// Renames a draft or replaces its moves, while it is a draft.
pub async fn update(
    ctx: &TenantCtx,
    p: &Parley,
    id: BudgetDraftId,
    name: Option<String>,
    given: Option<Vec<NewMove>>,
) -> Result<BudgetDraft> {
    let name = name.map(|n| validate::name("name", &n, 200)).transpose()?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let d = tx.lock::<budget_draft::Entity>(id).await?;
    if d.status != Status::Draft {
        return Err(refuse(&d, "changed"));
    }
    let moves = match given {
        Some(g) => Some(read_moves(&tx, &g).await?),
        None => None,
    };
    let d = tx
        .update::<budget_draft::Entity>("budget_draft.updated", id, |am| {
            if let Some(n) = name {
                am.name = Set(n);
            }
            if let Some((m, cur)) = moves {
                am.moves = Set(json!(m));
                am.currency = Set(cur);
            }
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(d)
}

async fn set_status(
    tx: &TenantTx<'_>,
    id: BudgetDraftId,
    status: Status,
    action: &str,
    stamp: impl FnOnce(&mut budget_draft::ActiveModel),
) -> Result<BudgetDraft> {
    tx.update::<budget_draft::Entity>(action, id, |am| {
        am.status = Set(status);
        am.updated_at = Set(now());
        stamp(am);
        Ok(())
    })
    .await
}

/// Sets a draft aside (a submitted one withdraws its approval request).
pub async fn discard(ctx: &TenantCtx, p: &Parley, id: BudgetDraftId) -> Result<BudgetDraft> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let d = tx.lock::<budget_draft::Entity>(id).await?;
    if !matches!(d.status, Status::Draft | Status::Submitted) {
        return Err(refuse(&d, "discarded"));
    }
    if let Some(a) = d.approval_id {
        requests::cancel_in(&tx, a).await?;
    }
    let d = set_status(&tx, id, Status::Discarded, "budget_draft.discarded", |_| {}).await?;
    tx.commit().await?;
    Ok(d)
}

/// Makes the moves, every line locked and checked again; `CONFLICT` naming what stands
/// in the way, and nothing moved, otherwise.
async fn apply_in(tx: &TenantTx<'_>, d: &BudgetDraft) -> Result<BudgetDraft> {
    let moves = moves(d);
    let mut ids: Vec<BudgetLineId> = moves.iter().flat_map(|m| [m.from, m.to]).collect();
    for id in ids.clone() {
        if let Some(parent) = tx.find::<budget_line::Entity>(id).await?.parent_id {
            ids.push(parent);
        }
    }
    lock_lines(tx, &ids).await?;
    let effect = simulate(tx, &moves).await?;
    if !effect.problems.is_empty() {
        return Err(Error::Conflict(format!("the budget draft cannot be applied: {}", effect.problems.join("; "))));
    }
    for e in effect.lines.iter().filter(|e| e.amount_after != e.line.amount) {
        let phasing = rescaled(e.line.phasing.as_ref(), e.line.amount, e.amount_after);
        tx.update::<budget_line::Entity>("budget_line.reallocated", e.line.id, |am| {
            am.amount = Set(e.amount_after);
            if phasing.is_some() {
                am.phasing = Set(phasing);
            }
            am.updated_at = Set(now());
            Ok(())
        })
        .await?;
    }
    set_status(tx, d.id, Status::Applied, "budget_draft.applied", |am| am.applied_at = Set(Some(now()))).await
}

/// Applies a draft: at once where no budget-change rule applies to the amount it moves,
/// else `SUBMITTED` with an approval request, applied when approved.
pub async fn apply(ctx: &TenantCtx, p: &Parley, id: BudgetDraftId) -> Result<BudgetDraft> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let d = tx.lock::<budget_draft::Entity>(id).await?;
    if d.status != Status::Draft {
        return Err(refuse(&d, "applied"));
    }
    let total = checked_sum("moves", moves(&d).iter().map(|m| m.amount))?;
    let subject = Subject {
        object_type: ApprovalObject::BudgetChange,
        object_id: d.id.into(),
        amount: Some(Money::of(total, &d.currency)),
        summary: format!("Budget change '{}': {} moved", d.name, Money::of(total, &d.currency)),
        requester: d.requester,
        places: {
            let lines: Vec<BudgetLineId> = moves(&d).iter().flat_map(|m| [m.from, m.to]).collect();
            super::places_of(&tx, &lines).await?
        },
    };
    let out = match requests::request_in(&tx, p, subject).await? {
        None => apply_in(&tx, &d).await?,
        Some(a) => {
            // Its effect is checked now too, so nobody is asked to approve what cannot be done.
            let effect = simulate(&tx, &moves(&d)).await?;
            if !effect.problems.is_empty() {
                return Err(Error::Conflict(format!(
                    "the budget draft cannot be applied: {}",
                    effect.problems.join("; ")
                )));
            }
            set_status(&tx, d.id, Status::Submitted, "budget_draft.submitted", |am| am.approval_id = Set(Some(a.id)))
                .await?
        }
    };
    tx.commit().await?;
    Ok(out)
}

/// What an approval's outcome does to its draft.
pub(crate) async fn decided_in(tx: &TenantTx<'_>, id: BudgetDraftId, outcome: Outcome) -> Result<()> {
    let d = tx.lock::<budget_draft::Entity>(id).await?;
    if d.status != Status::Submitted {
        return Ok(());
    }
    match outcome {
        Outcome::Approved => {
            apply_in(tx, &d).await?;
        }
        Outcome::Rejected => {
            set_status(tx, id, Status::Rejected, "budget_draft.rejected", |_| {}).await?;
        }
        Outcome::Returned => {
            set_status(tx, id, Status::Draft, "budget_draft.returned", |am| am.approval_id = Set(None)).await?;
        }
    }
    Ok(())
}

/// What a draft would do now (for an applied one: what it would do again).
pub async fn effect(ctx: &TenantCtx, p: &Parley, id: BudgetDraftId) -> Result<Effect> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let d = tx.find::<budget_draft::Entity>(id).await?;
    let e = simulate(&tx, &moves(&d)).await?;
    tx.commit().await?;
    Ok(e)
}

/// What moves a client is considering would do, without writing a draft.
pub async fn preview(ctx: &TenantCtx, p: &Parley, given: Vec<NewMove>) -> Result<Effect> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let (moves, _) = read_moves(&tx, &given).await?;
    let e = simulate(&tx, &moves).await?;
    tx.commit().await?;
    Ok(e)
}

/// Drafts, newest first, in one status or all.
pub async fn list(ctx: &TenantCtx, p: &Parley, status: Option<Status>, args: PageArgs) -> Result<Page<BudgetDraft>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = <budget_draft::Entity as sea_orm::EntityTrait>::find();
    if let Some(s) = status {
        q = q.filter(budget_draft::Column::Status.eq(s));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// One draft.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: BudgetDraftId) -> Result<BudgetDraft> {
    p.find::<budget_draft::Entity>(ctx, Permission::ReadWorkspace, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: u128, parent: Option<u128>) -> (BudgetLineId, BudgetLine) {
        let id = BudgetLineId::from(uuid::Uuid::from_u128(id));
        let t = chrono::Utc::now();
        let l = budget_line::Model {
            tenant_id: uuid::Uuid::nil().into(),
            id,
            node_kind: entities::ops::enums::BudgetNodeKind::Plan,
            node_id: uuid::Uuid::nil(),
            plan_id: None,
            program_id: None,
            project_id: None,
            cost_center_id: None,
            fiscal_year: 2027,
            name: String::new(),
            currency: "EUR".into(),
            amount: 0,
            overspend: entities::ops::enums::Overspend::Forbid,
            parent_id: parent.map(|p| BudgetLineId::from(uuid::Uuid::from_u128(p))),
            phasing: None,
            forecast: None,
            created_at: t,
            updated_at: t,
        };
        (id, l)
    }

    #[test]
    fn moves_between_siblings_to_a_child_and_back_to_a_parent() {
        let lines: BTreeMap<_, _> =
            [line(1, None), line(2, Some(1)), line(3, Some(1)), line(4, None)].into_iter().collect();
        let id = |n: u128| BudgetLineId::from(uuid::Uuid::from_u128(n));
        let mv = |from, to, amount| Move { from: id(from), to: id(to), amount };
        // Between siblings: one shrinks, the other grows.
        assert_eq!(amount_deltas(&[mv(2, 3, 10)], &lines), [(id(2), -10), (id(3), 10)].into_iter().collect());
        // Into a line carved from the source: only the child grows (its parent allocates more).
        assert_eq!(amount_deltas(&[mv(1, 2, 10)], &lines), [(id(2), 10)].into_iter().collect());
        // Back to the parent: only the child shrinks.
        assert_eq!(amount_deltas(&[mv(3, 1, 5)], &lines), [(id(3), -5)].into_iter().collect());
        // Between unrelated lines, summed over moves.
        assert_eq!(amount_deltas(&[mv(4, 1, 7), mv(1, 4, 2)], &lines), [(id(1), 5), (id(4), -5)].into_iter().collect());
    }
}
