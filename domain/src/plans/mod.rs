//! Plans, programs and projects (OPS-1), and cost centers: the places budget is held.
//!
//! A yearly plan holds programs, a program holds projects; each has an owner, dates, a
//! status, objectives and tags. A plan fixes the fiscal year, its currency and how the
//! year is split into periods, for itself and everything below it. Cost centers stand
//! beside the tree: each keeps its own currency and holds budget lines per fiscal year.

use chrono::{Datelike, NaiveDate};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};
use serde_json::json;

use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::{
    Audited, Error, Order, Parley, Permission, Result, TenantCtx, TenantTx, UserId, money, new_id, now, validate,
};
use entities::ids::{CostCenterId, PlanId, ProgramId, ProjectId};
use entities::ops::enums::{PeriodKind, WorkStatus};
use entities::{cost_center, membership, plan, program, project};

/// A yearly marketing plan.
pub type Plan = plan::Model;
/// A program of a plan.
pub type Program = program::Model;
/// A project of a program.
pub type Project = project::Model;
/// A cost center.
pub type CostCenter = cost_center::Model;

/// What plans, programs and projects share: who owns it, its aims and labels.
#[derive(Debug, Clone, Default)]
pub struct WorkFields {
    /// A member of the workspace.
    pub owner: Option<UserId>,
    pub objectives: Option<String>,
    pub tags: Option<Vec<String>>,
    pub status: Option<WorkStatus>,
}

/// Checked tags: trimmed, 1–40 characters each, at most 20, duplicates dropped.
fn tags(raw: &[String]) -> Result<serde_json::Value> {
    if raw.len() > 20 {
        return Err(Error::invalid("tags", "holds more than 20 tags"));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let t = validate::name(&format!("tags[{i}]"), t, 40)?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(json!(out))
}

fn objectives(raw: &str) -> Result<String> {
    let s = raw.trim();
    if s.chars().count() > 4_000 {
        return Err(Error::invalid("objectives", "is longer than 4,000 characters"));
    }
    Ok(s.to_owned())
}

/// `NotFound`-free check that `owner` is a member of the workspace.
async fn check_owner(tx: &TenantTx<'_>, owner: Option<UserId>) -> Result<()> {
    let Some(owner) = owner else { return Ok(()) };
    let member =
        membership::Entity::scoped(tx.ctx()).filter(membership::Column::UserId.eq(owner)).one(tx).await?.is_some();
    if member { Ok(()) } else { Err(Error::invalid("ownerId", "is not a member of this workspace")) }
}

fn check_dates(starts_on: Option<NaiveDate>, ends_on: Option<NaiveDate>) -> Result<()> {
    match (starts_on, ends_on) {
        (Some(s), Some(e)) if e < s => Err(Error::invalid("endsOn", "is before the start")),
        _ => Ok(()),
    }
}

fn check_year(field: &str, year: i32) -> Result<i32> {
    if (2000..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(Error::invalid(field, "must be a year from 2000 to 2100"))
    }
}

fn work_json(
    name: &str,
    status: WorkStatus,
    owner: Option<UserId>,
    objectives: &str,
    tags: &serde_json::Value,
) -> serde_json::Value {
    json!({ "name": name, "status": status, "owner": owner, "objectives": objectives, "tags": tags })
}

impl Audited for Plan {
    fn audit_json(&self) -> serde_json::Value {
        let mut v = work_json(&self.name, self.status, self.owner_id, &self.objectives, &self.tags);
        v["fiscalYear"] = json!(self.fiscal_year);
        v["currency"] = json!(self.currency);
        v["periodKind"] = json!(self.period_kind);
        v["startMonth"] = json!(self.start_month);
        v
    }
}

impl Audited for Program {
    fn audit_json(&self) -> serde_json::Value {
        let mut v = work_json(&self.name, self.status, self.owner_id, &self.objectives, &self.tags);
        v["plan"] = json!(self.plan_id);
        v["startsOn"] = json!(self.starts_on);
        v["endsOn"] = json!(self.ends_on);
        v
    }
}

impl Audited for Project {
    fn audit_json(&self) -> serde_json::Value {
        let mut v = work_json(&self.name, self.status, self.owner_id, &self.objectives, &self.tags);
        v["program"] = json!(self.program_id);
        v["startsOn"] = json!(self.starts_on);
        v["endsOn"] = json!(self.ends_on);
        v
    }
}

impl Audited for CostCenter {
    fn audit_json(&self) -> serde_json::Value {
        json!({ "name": self.name, "code": self.code, "currency": self.currency })
    }
}

/// A new plan.
#[derive(Debug, Clone)]
pub struct NewPlan {
    pub name: String,
    pub fiscal_year: i32,
    pub currency: String,
    pub period_kind: PeriodKind,
    /// The month (1–12) the fiscal year starts in; January when left out.
    pub start_month: Option<i32>,
    pub work: WorkFields,
}

/// Creates a plan for one fiscal year.
pub async fn create_plan(ctx: &TenantCtx, p: &Parley, new: NewPlan) -> Result<Plan> {
    let name = validate::name("name", &new.name, 200)?;
    let fiscal_year = check_year("fiscalYear", new.fiscal_year)?;
    let currency = money::currency("currencyCode", &new.currency)?;
    let start_month = new.start_month.unwrap_or(1);
    if !(1..=12).contains(&start_month) {
        return Err(Error::invalid("startMonth", "must be a month from 1 to 12"));
    }
    let tags = tags(new.work.tags.as_deref().unwrap_or_default())?;
    let objectives = objectives(new.work.objectives.as_deref().unwrap_or_default())?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    check_owner(&tx, new.work.owner).await?;
    let t = now();
    let row = plan::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        fiscal_year: Set(fiscal_year),
        currency: Set(currency),
        period_kind: Set(new.period_kind),
        start_month: Set(start_month),
        status: Set(new.work.status.unwrap_or(WorkStatus::Planned)),
        owner_id: Set(new.work.owner),
        objectives: Set(objectives),
        tags: Set(tags),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let plan = tx.create("plan.created", row).await?;
    tx.commit().await?;
    Ok(plan)
}

/// A new program of a plan.
#[derive(Debug, Clone)]
pub struct NewProgram {
    pub plan_id: PlanId,
    pub name: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub work: WorkFields,
}

/// Adds a program to a plan.
pub async fn create_program(ctx: &TenantCtx, p: &Parley, new: NewProgram) -> Result<Program> {
    let name = validate::name("name", &new.name, 200)?;
    check_dates(new.starts_on, new.ends_on)?;
    let tags = tags(new.work.tags.as_deref().unwrap_or_default())?;
    let objectives = objectives(new.work.objectives.as_deref().unwrap_or_default())?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let plan = tx.find::<plan::Entity>(new.plan_id).await?;
    check_owner(&tx, new.work.owner).await?;
    let t = now();
    let row = program::ActiveModel {
        id: Set(new_id()),
        plan_id: Set(plan.id),
        name: Set(name),
        status: Set(new.work.status.unwrap_or(WorkStatus::Planned)),
        owner_id: Set(new.work.owner),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        objectives: Set(objectives),
        tags: Set(tags),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let program = tx.create("program.created", row).await?;
    tx.commit().await?;
    Ok(program)
}

/// A new project of a program.
#[derive(Debug, Clone)]
pub struct NewProject {
    pub program_id: ProgramId,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub work: WorkFields,
}

/// Adds a project to a program.
pub async fn create_project(ctx: &TenantCtx, p: &Parley, new: NewProject) -> Result<Project> {
    let name = validate::name("name", &new.name, 200)?;
    check_dates(Some(new.starts_on), new.ends_on)?;
    check_year("startsOn", new.starts_on.year())?;
    let tags = tags(new.work.tags.as_deref().unwrap_or_default())?;
    let objectives = objectives(new.work.objectives.as_deref().unwrap_or_default())?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let program = tx.find::<program::Entity>(new.program_id).await?;
    check_owner(&tx, new.work.owner).await?;
    let t = now();
    let row = project::ActiveModel {
        id: Set(new_id()),
        plan_id: Set(program.plan_id),
        program_id: Set(program.id),
        name: Set(name),
        status: Set(new.work.status.unwrap_or(WorkStatus::Planned)),
        owner_id: Set(new.work.owner),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        objectives: Set(objectives),
        tags: Set(tags),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let project = tx.create("project.created", row).await?;
    tx.commit().await?;
    Ok(project)
}

/// Changes to a plan, program or project; what is left out stays.
#[derive(Debug, Clone, Default)]
pub struct WorkChanges {
    pub name: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub work: WorkFields,
}

/// The checked common part of [`WorkChanges`].
struct Checked {
    name: Option<String>,
    objectives: Option<String>,
    tags: Option<serde_json::Value>,
}

async fn check_changes(tx: &TenantTx<'_>, c: &WorkChanges) -> Result<Checked> {
    tx.require(Permission::PlanMarketing)?;
    check_owner(tx, c.work.owner).await?;
    Ok(Checked {
        name: c.name.as_deref().map(|n| validate::name("name", n, 200)).transpose()?,
        objectives: c.work.objectives.as_deref().map(objectives).transpose()?,
        tags: c.work.tags.as_deref().map(tags).transpose()?,
    })
}

/// Sets on `$am` whichever of the shared fields `$c` (checked `$k`) changes.
macro_rules! apply_work {
    ($am:ident, $c:expr, $k:expr) => {{
        if let Some(n) = $k.name.clone() {
            $am.name = Set(n);
        }
        if let Some(o) = $k.objectives.clone() {
            $am.objectives = Set(o);
        }
        if let Some(t) = $k.tags.clone() {
            $am.tags = Set(t);
        }
        if let Some(s) = $c.work.status {
            $am.status = Set(s);
        }
        if let Some(o) = $c.work.owner {
            $am.owner_id = Set(Some(o));
        }
    }};
}

/// Renames, re-dates, re-owns or moves the status of a plan (its year and currency stay).
pub async fn update_plan(ctx: &TenantCtx, p: &Parley, id: PlanId, c: WorkChanges) -> Result<Plan> {
    let tx = p.tenant_tx(ctx).await?;
    let k = check_changes(&tx, &c).await?;
    let plan = tx
        .update::<plan::Entity>("plan.updated", id, |am| {
            apply_work!(am, c, k);
            if am.is_changed() {
                am.updated_at = Set(now());
            }
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(plan)
}

/// Changes a program.
pub async fn update_program(ctx: &TenantCtx, p: &Parley, id: ProgramId, c: WorkChanges) -> Result<Program> {
    let tx = p.tenant_tx(ctx).await?;
    let k = check_changes(&tx, &c).await?;
    let found = tx.find::<program::Entity>(id).await?;
    check_dates(c.starts_on.or(found.starts_on), c.ends_on.or(found.ends_on))?;
    let program = tx
        .update::<program::Entity>("program.updated", id, |am| {
            apply_work!(am, c, k);
            if let Some(d) = c.starts_on {
                am.starts_on = Set(Some(d));
            }
            if let Some(d) = c.ends_on {
                am.ends_on = Set(Some(d));
            }
            if am.is_changed() {
                am.updated_at = Set(now());
            }
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(program)
}

/// Changes a project.
pub async fn update_project(ctx: &TenantCtx, p: &Parley, id: ProjectId, c: WorkChanges) -> Result<Project> {
    let tx = p.tenant_tx(ctx).await?;
    let k = check_changes(&tx, &c).await?;
    let found = tx.find::<project::Entity>(id).await?;
    check_dates(Some(c.starts_on.unwrap_or(found.starts_on)), c.ends_on.or(found.ends_on))?;
    let project = tx
        .update::<project::Entity>("project.updated", id, |am| {
            apply_work!(am, c, k);
            if let Some(d) = c.starts_on {
                am.starts_on = Set(d);
            }
            if let Some(d) = c.ends_on {
                am.ends_on = Set(Some(d));
            }
            if am.is_changed() {
                am.updated_at = Set(now());
            }
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(project)
}

/// Which plans, programs or projects a list shows.
#[derive(Debug, Clone, Default)]
pub struct WorkFilter {
    pub fiscal_year: Option<i32>,
    pub status: Option<WorkStatus>,
    pub plan_id: Option<PlanId>,
    pub program_id: Option<ProgramId>,
    pub owner: Option<UserId>,
    /// Holding this tag.
    pub tag: Option<String>,
    /// Running on this day or later (projects and programs: not ended before it).
    pub from: Option<NaiveDate>,
    /// Starting on this day or earlier.
    pub until: Option<NaiveDate>,
}

/// The workspace's plans, newest first.
pub async fn plans(ctx: &TenantCtx, p: &Parley, f: WorkFilter, args: PageArgs) -> Result<Page<Plan>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = plan::Entity::find();
    if let Some(y) = f.fiscal_year {
        q = q.filter(plan::Column::FiscalYear.eq(y));
    }
    if let Some(s) = f.status {
        q = q.filter(plan::Column::Status.eq(s));
    }
    if let Some(o) = f.owner {
        q = q.filter(plan::Column::OwnerId.eq(o));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(tagged(page, f.tag.as_deref(), |x: &Plan| &x.tags))
}

/// A plan's (or every plan's) programs, oldest first.
pub async fn programs(ctx: &TenantCtx, p: &Parley, f: WorkFilter, args: PageArgs) -> Result<Page<Program>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = program::Entity::find();
    if let Some(id) = f.plan_id {
        q = q.filter(program::Column::PlanId.eq(tx.find::<plan::Entity>(id).await?.id));
    }
    if let Some(s) = f.status {
        q = q.filter(program::Column::Status.eq(s));
    }
    if let Some(o) = f.owner {
        q = q.filter(program::Column::OwnerId.eq(o));
    }
    if let Some(d) = f.from {
        q = q.filter(Condition::any().add(program::Column::EndsOn.is_null()).add(program::Column::EndsOn.gte(d)));
    }
    if let Some(d) = f.until {
        q = q.filter(Condition::any().add(program::Column::StartsOn.is_null()).add(program::Column::StartsOn.lte(d)));
    }
    let page = tx.page(q, Order::Oldest, args).await?;
    tx.commit().await?;
    Ok(tagged(page, f.tag.as_deref(), |x: &Program| &x.tags))
}

/// Projects (of a plan, a program, or all), by start date within the page's ID order.
pub async fn projects(ctx: &TenantCtx, p: &Parley, f: WorkFilter, args: PageArgs) -> Result<Page<Project>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadWorkspace)?;
    let mut q = project::Entity::find();
    if let Some(id) = f.plan_id {
        q = q.filter(project::Column::PlanId.eq(tx.find::<plan::Entity>(id).await?.id));
    }
    if let Some(id) = f.program_id {
        q = q.filter(project::Column::ProgramId.eq(tx.find::<program::Entity>(id).await?.id));
    }
    if let Some(s) = f.status {
        q = q.filter(project::Column::Status.eq(s));
    }
    if let Some(o) = f.owner {
        q = q.filter(project::Column::OwnerId.eq(o));
    }
    if let Some(d) = f.from {
        q = q.filter(Condition::any().add(project::Column::EndsOn.is_null()).add(project::Column::EndsOn.gte(d)));
    }
    if let Some(d) = f.until {
        q = q.filter(project::Column::StartsOn.lte(d));
    }
    let page = tx.page(q, Order::Oldest, args).await?;
    tx.commit().await?;
    Ok(tagged(page, f.tag.as_deref(), |x: &Project| &x.tags))
}

/// Keeps the items holding `tag` (tags are a short JSON list, filtered after the read;
/// the page's total still counts every item).
fn tagged<T>(page: Page<T>, tag: Option<&str>, tags_of: impl Fn(&T) -> &serde_json::Value) -> Page<T> {
    match tag {
        None => page,
        Some(t) => page.filter_map(|x| {
            let has = tags_of(&x).as_array().is_some_and(|a| a.iter().any(|v| v.as_str() == Some(t)));
            has.then_some(x)
        }),
    }
}

/// One plan.
pub async fn get_plan(ctx: &TenantCtx, p: &Parley, id: PlanId) -> Result<Plan> {
    p.find::<plan::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// One program.
pub async fn get_program(ctx: &TenantCtx, p: &Parley, id: ProgramId) -> Result<Program> {
    p.find::<program::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// One project.
pub async fn get_project(ctx: &TenantCtx, p: &Parley, id: ProjectId) -> Result<Project> {
    p.find::<project::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// A new cost center.
#[derive(Debug, Clone)]
pub struct NewCostCenter {
    pub name: String,
    pub code: String,
    pub currency: String,
}

/// Adds a cost center; its code is unique in the workspace.
pub async fn create_cost_center(ctx: &TenantCtx, p: &Parley, new: NewCostCenter) -> Result<CostCenter> {
    let name = validate::name("name", &new.name, 200)?;
    let code = new.code.trim().to_ascii_uppercase();
    if code.is_empty() || code.len() > 16 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return Err(Error::invalid("code", "must be 1 to 16 letters, digits, '-' or '_'"));
    }
    let currency = money::currency("currencyCode", &new.currency)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::PlanMarketing)?;
    let taken = cost_center::Entity::scoped(ctx).filter(cost_center::Column::Code.eq(&code)).one(&tx).await?;
    if taken.is_some() {
        return Err(Error::invalid("code", format!("{code} is already the code of another cost center")));
    }
    let row = cost_center::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        code: Set(code),
        currency: Set(currency),
        created_at: Set(now()),
        ..Default::default()
    };
    let c = tx.create("cost_center.created", row).await?;
    tx.commit().await?;
    Ok(c)
}

/// The workspace's cost centers, by code.
pub async fn cost_centers(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<CostCenter>> {
    p.page::<cost_center::Entity>(ctx, Permission::ReadWorkspace, Order::Oldest, args).await
}

/// One cost center.
pub async fn get_cost_center(ctx: &TenantCtx, p: &Parley, id: CostCenterId) -> Result<CostCenter> {
    p.find::<cost_center::Entity>(ctx, Permission::ReadWorkspace, id).await
}

/// Something that holds budget: a plan, a program, a project or a cost center.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRef {
    Plan(PlanId),
    Program(ProgramId),
    Project(ProjectId),
    CostCenter(CostCenterId),
}

/// A budget holder read within the tenant, with where it sits.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) at: NodeRef,
    pub(crate) name: String,
    pub(crate) plan: Option<PlanId>,
    pub(crate) program: Option<ProgramId>,
    pub(crate) project: Option<ProjectId>,
    pub(crate) currency: String,
    /// The plan's fiscal year (none for a cost center, which holds budget every year).
    pub(crate) fiscal_year: Option<i32>,
    /// How the plan splits its year (a cost center keeps calendar months).
    pub(crate) start_month: i32,
    pub(crate) period_kind: PeriodKind,
}

impl NodeRef {
    /// The UUID inside.
    pub fn uuid(self) -> uuid::Uuid {
        match self {
            NodeRef::Plan(id) => id.into(),
            NodeRef::Program(id) => id.into(),
            NodeRef::Project(id) => id.into(),
            NodeRef::CostCenter(id) => id.into(),
        }
    }
}

/// Reads the holder `at` within the tenant (`NotFound` otherwise) with its plan.
pub(crate) async fn node(tx: &TenantTx<'_>, at: NodeRef) -> Result<Node> {
    let in_plan = |plan: &Plan, name: String, program, project| Node {
        at,
        name,
        plan: Some(plan.id),
        program,
        project,
        currency: plan.currency.clone(),
        fiscal_year: Some(plan.fiscal_year),
        start_month: plan.start_month,
        period_kind: plan.period_kind,
    };
    Ok(match at {
        NodeRef::Plan(id) => {
            let plan = tx.find::<plan::Entity>(id).await?;
            in_plan(&plan, plan.name.clone(), None, None)
        }
        NodeRef::Program(id) => {
            let program = tx.find::<program::Entity>(id).await?;
            let plan = tx.find::<plan::Entity>(program.plan_id).await?;
            in_plan(&plan, program.name, Some(program.id), None)
        }
        NodeRef::Project(id) => {
            let project = tx.find::<project::Entity>(id).await?;
            let plan = tx.find::<plan::Entity>(project.plan_id).await?;
            in_plan(&plan, project.name, Some(project.program_id), Some(project.id))
        }
        NodeRef::CostCenter(id) => {
            let c = tx.find::<cost_center::Entity>(id).await?;
            Node {
                at,
                name: c.name,
                plan: None,
                program: None,
                project: None,
                currency: c.currency,
                fiscal_year: None,
                start_month: 1,
                period_kind: PeriodKind::Month,
            }
        }
    })
}

impl Node {
    /// How `year` is split for this holder.
    pub(crate) fn calendar(&self, year: i32) -> crate::budgets::periods::Calendar {
        crate::budgets::periods::Calendar {
            year,
            start_month: u32::try_from(self.start_month).unwrap_or(1),
            kind: self.period_kind,
        }
    }

    /// Whether `other` sits strictly below this holder in the plan tree.
    pub(crate) fn holds(&self, other: &Node) -> bool {
        match self.at {
            NodeRef::Plan(id) => other.plan == Some(id) && other.at != self.at,
            NodeRef::Program(id) => other.program == Some(id) && other.project.is_some(),
            NodeRef::Project(_) | NodeRef::CostCenter(_) => false,
        }
    }
}
