//! Lead routing (EXE-8): sales reps (team, weight, capacity, working hours, away,
//! manager) and routing rules (a condition on the contact, a strategy, reps, capacity, a
//! first-touch SLA and a manager to escalate to), run by background workers. A run
//! gives out the leads waiting for a rep (the first rule by priority whose condition
//! matches and that has a rep free), escalates leads whose first-touch deadline passed
//! (the manager is told, another rep gets the lead), and hands on the open leads of
//! reps who are away or left the workspace. Deadlines are rows, and the next run is a
//! job queued for the earliest one, so they hold through restarts.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, NaiveTime, Timelike, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use serde_json::{Map, Value, json};

use super::{Lead, Log};
use crate::db::TenantOwned;
use crate::jobs::{LeadEscalation, NewJob, RouteLeads};
use crate::page::{Page, PageArgs};
use crate::{
    Actor, Audited, ContactId, Error, Order, Parley, Permission, Result, Role, RoutingRuleId, TenantCtx, TenantTx,
    UserId, WorkspaceId, new_id, validate,
};
use entities::{contact, lead, lead_run, membership, routing_rule, sales_rep};

/// A sales rep's profile.
pub type Rep = sales_rep::Model;
/// A routing rule.
pub type RoutingRule = routing_rule::Model;

impl Audited for Rep {
    fn audit_json(&self) -> Value {
        json!({ "user": self.user_id, "team": self.team, "weight": self.weight, "capacity": self.capacity,
                "hours": self.hours, "away": self.away_since.is_some(), "manager": self.manager_id, "sees": self.sees })
    }
}

impl Audited for RoutingRule {
    fn audit_json(&self) -> Value {
        json!({ "name": self.name, "priority": self.priority, "condition": self.condition, "strategy": self.strategy,
                "reps": self.rep_ids, "territoryAttribute": self.territory_attribute, "territories": self.territories,
                "capacity": self.capacity, "slaMinutes": self.sla_minutes, "escalateTo": self.escalate_to,
                "status": self.status })
    }
}

/// Leads one run reads at a time.
pub const BATCH: u64 = 500;
/// How soon a lead no rep could take is tried again.
pub const RETRY_SECS: i64 = 300;
/// Slot of the run jobs' keys.
const SLOT_MS: i64 = 250;

/// How a rule picks among its reps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// In turn.
    RoundRobin,
    /// Shares by the reps' weights.
    Weighted,
    /// By the contact field's value, the reps whose territory holds it (in turn).
    Territory,
}

impl Strategy {
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "ROUND_ROBIN",
            Strategy::Weighted => "WEIGHTED",
            Strategy::Territory => "TERRITORY",
        }
    }

    pub fn of(raw: &str) -> Strategy {
        match raw {
            "WEIGHTED" => Strategy::Weighted,
            "TERRITORY" => Strategy::Territory,
            _ => Strategy::RoundRobin,
        }
    }
}

fn bad(field: &str, message: impl Into<String>) -> Error {
    Error::invalid(field, message)
}

/// Queues a run at `at`, rounded up to a quarter second still to come (a job whose time
/// has not come cannot have run, so the request is never lost to one finishing).
pub(crate) async fn queue(tx: &TenantTx<'_>, p: &Parley, at: DateTime<Utc>) -> Result<()> {
    let slot = at.timestamp_millis().div_euclid(SLOT_MS) + 1;
    let at = DateTime::<Utc>::from_timestamp_millis(slot * SLOT_MS).unwrap_or(at);
    let job = NewJob::of(&RouteLeads { slot }).key(format!("leads.route:{slot}")).at(at);
    crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    Ok(())
}

/// Requests a run as soon as what `tx` writes may be read. Keyed by when the last run
/// started: every request until the next run starts is one job, and the first one
/// after it a new one.
pub(crate) async fn nudge(tx: &TenantTx<'_>, p: &Parley) -> Result<()> {
    let last: Option<DateTime<Utc>> = lead_run::Entity::scoped(tx.ctx())
        .select_only()
        .column(lead_run::Column::StartedAt)
        .into_tuple()
        .one(tx)
        .await?;
    let after = last.map_or(0, |t| t.timestamp_micros());
    let job = NewJob::of(&RouteLeads { slot: after }).key(format!("leads.nudge:{after}")).at(p.clock());
    crate::jobs::enqueue_in(tx, p, tx.ctx(), job).await?;
    Ok(())
}

/// Marks that a run starts now (in a transaction of its own, so requests from now on
/// queue a new run).
async fn mark_started(p: &Parley, ctx: &TenantCtx) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let row = lead_run::ActiveModel { tenant_id: Set(tx.tenant_id()), id: Set(new_id()), started_at: Set(p.clock()) };
    let on = OnConflict::column(lead_run::Column::TenantId).update_column(lead_run::Column::StartedAt).to_owned();
    lead_run::Entity::insert(row).on_conflict(on).exec_without_returning(&tx).await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------
// Reps

/// A rep's profile as written.
#[derive(Debug, Clone)]
pub struct RepInput {
    pub user: UserId,
    pub team: Option<String>,
    pub weight: i32,
    pub capacity: Option<i32>,
    /// `{"zone", "days": [1..7 (Monday 1)], "from": "09:00", "to": "17:00"}`.
    pub hours: Option<Value>,
    pub away: bool,
    pub manager: Option<UserId>,
    /// `OWN`, `TEAM` or `ALL`.
    pub sees: String,
}

/// Working hours, checked.
#[derive(Debug, Clone)]
struct Hours {
    zone: chrono_tz::Tz,
    days: Vec<u32>,
    from: NaiveTime,
    to: NaiveTime,
}

fn hours(v: &Value) -> Result<Hours> {
    let path = "hours";
    let o = v.as_object().ok_or_else(|| bad(path, "must be {\"zone\", \"days\", \"from\", \"to\"}"))?;
    crate::triggers::definition::only(o, path, &["zone", "days", "from", "to"])?;
    let zone: chrono_tz::Tz = o
        .get("zone")
        .and_then(Value::as_str)
        .and_then(|z| z.parse().ok())
        .ok_or_else(|| bad("hours.zone", "is a time zone name, like Europe/Paris"))?;
    let days: Vec<u32> = match o.get("days") {
        None => vec![1, 2, 3, 4, 5],
        Some(Value::Array(d)) => d
            .iter()
            .map(|x| x.as_u64().filter(|n| (1..=7).contains(n)).map(|n| n as u32))
            .collect::<Option<Vec<u32>>>()
            .filter(|d| !d.is_empty())
            .ok_or_else(|| bad("hours.days", "lists days 1 (Monday) to 7 (Sunday)"))?,
        Some(_) => return Err(bad("hours.days", "lists days 1 (Monday) to 7 (Sunday)")),
    };
    let time = |k: &str| -> Result<NaiveTime> {
        o.get(k)
            .and_then(Value::as_str)
            .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
            .ok_or_else(|| bad(&format!("hours.{k}"), "is a time of day like 09:00"))
    };
    let (from, to) = (time("from")?, time("to")?);
    if to <= from {
        return Err(bad("hours.to", "is after from"));
    }
    Ok(Hours { zone, days, from, to })
}

impl Hours {
    fn open_at(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.zone);
        let t = NaiveTime::from_hms_opt(local.hour(), local.minute(), local.second()).unwrap_or_default();
        self.days.contains(&local.weekday().number_from_monday()) && t >= self.from && t < self.to
    }
}

/// Whether `r` takes leads at `now` (present and within working hours).
fn on_duty(r: &Rep, now: DateTime<Utc>) -> bool {
    r.away_since.is_none() && r.hours.as_ref().and_then(|h| hours(h).ok()).is_none_or(|h| h.open_at(now))
}

async fn member(tx: &TenantTx<'_>, user: UserId) -> Result<bool> {
    Ok(membership::Entity::scoped(tx.ctx()).filter(membership::Column::UserId.eq(user)).one(tx).await?.is_some())
}

/// Makes a member a rep, or changes their profile.
pub async fn set_rep(ctx: &TenantCtx, p: &Parley, input: RepInput) -> Result<Rep> {
    let team = match input.team.as_deref().map(str::trim) {
        Some("") | None => None,
        Some(t) => Some(validate::name("team", t, 100)?),
    };
    if !(1..=100).contains(&input.weight) {
        return Err(bad("weight", "is between 1 and 100"));
    }
    if input.capacity.is_some_and(|c| !(0..=100_000).contains(&c)) {
        return Err(bad("capacity", "is between 0 and 100000"));
    }
    if let Some(h) = &input.hours {
        hours(h)?;
    }
    if !["OWN", "TEAM", "ALL"].contains(&input.sees.as_str()) {
        return Err(bad("sees", "is OWN, TEAM or ALL"));
    }
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    if !member(&tx, input.user).await? {
        return Err(bad("userId", "is not a member of this workspace"));
    }
    if let Some(m) = input.manager
        && (m == input.user || !member(&tx, m).await?)
    {
        return Err(bad("managerId", "is another member of this workspace"));
    }
    let now = p.clock();
    let before = sales_rep::Entity::scoped(ctx).filter(sales_rep::Column::UserId.eq(input.user)).one(&tx).await?;
    let away_since = match (&before, input.away) {
        (Some(b), true) => b.away_since.or(Some(now)),
        (None, true) => Some(now),
        (_, false) => None,
    };
    let saved = match before {
        Some(b) => {
            tx.update::<sales_rep::Entity>("sales_rep.updated", b.id, |am| {
                am.team = Set(team.clone());
                am.weight = Set(input.weight);
                am.capacity = Set(input.capacity);
                am.hours = Set(input.hours.clone());
                am.away_since = Set(away_since);
                am.manager_id = Set(input.manager);
                am.sees = Set(input.sees.clone());
                am.updated_at = Set(now);
                Ok(())
            })
            .await?
        }
        None => {
            let row = sales_rep::ActiveModel {
                id: Set(new_id()),
                user_id: Set(input.user),
                team: Set(team),
                weight: Set(input.weight),
                capacity: Set(input.capacity),
                hours: Set(input.hours.clone()),
                away_since: Set(away_since),
                manager_id: Set(input.manager),
                sees: Set(input.sees.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            };
            tx.create("sales_rep.created", row).await?
        }
    };
    // Leads that waited for a rep may find one now; an away rep's are handed on.
    reroute_waiting(&tx, p).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Marks a rep away (their open leads go to others) or back: a rep may do it for
/// themselves.
pub async fn set_away(ctx: &TenantCtx, p: &Parley, user: UserId, away: bool) -> Result<Rep> {
    let tx = p.tenant_tx(ctx).await?;
    if ctx.user_id() == Some(user) {
        tx.require(Permission::WorkLeads)?;
    } else {
        tx.require(Permission::ManageLeads)?;
    }
    let r = sales_rep::Entity::scoped(ctx).filter(sales_rep::Column::UserId.eq(user)).one(&tx).await?;
    let r = r.ok_or(Error::NotFound)?;
    let now = p.clock();
    let saved = tx
        .update::<sales_rep::Entity>(if away { "sales_rep.away" } else { "sales_rep.back" }, r.id, |am| {
            am.away_since = Set(if away { r.away_since.or(Some(now)) } else { None });
            am.updated_at = Set(now);
            Ok(())
        })
        .await?;
    reroute_waiting(&tx, p).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Stops a member taking leads; the open leads they hold go to others.
pub async fn remove_rep(ctx: &TenantCtx, p: &Parley, user: UserId) -> Result<Rep> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    let r = sales_rep::Entity::scoped(ctx).filter(sales_rep::Column::UserId.eq(user)).one(&tx).await?;
    let r = r.ok_or(Error::NotFound)?;
    let gone = tx.delete::<sales_rep::Entity>("sales_rep.removed", r).await?;
    hand_on(&tx, p, user, "the rep stopped taking leads").await?;
    tx.commit().await?;
    Ok(gone)
}

/// The open leads `user` holds go back to routing (they left, or stopped taking leads).
pub(crate) async fn hand_on(tx: &TenantTx<'_>, p: &Parley, user: UserId, why: &str) -> Result<()> {
    let now = p.clock();
    let q = lead::Entity::update_many()
        .col_expr(lead::Column::RouteAt, sea_orm::sea_query::Expr::value(now))
        .col_expr(lead::Column::Waiting, sea_orm::sea_query::Expr::value(why))
        .filter(lead::Column::TenantId.eq(tx.tenant_id()))
        .filter(lead::Column::OwnerId.eq(user))
        .filter(lead::Column::Status.eq("OPEN"));
    if q.exec(tx).await?.rows_affected > 0 {
        nudge(tx, p).await?;
    }
    Ok(())
}

/// A member left the workspace: their rep profile goes and their open leads go to
/// others.
pub(crate) async fn member_left(tx: &TenantTx<'_>, p: &Parley, user: UserId) -> Result<()> {
    sales_rep::Entity::delete_many()
        .filter(sales_rep::Column::TenantId.eq(tx.tenant_id()))
        .filter(sales_rep::Column::UserId.eq(user))
        .exec(tx)
        .await?;
    hand_on(tx, p, user, "the rep left the workspace").await
}

/// The workspace's reps, oldest first.
pub async fn reps(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<Rep>> {
    p.page::<sales_rep::Entity>(ctx, Permission::ReadLeads, Order::Oldest, args).await
}

/// One rep's profile.
pub async fn get_rep(ctx: &TenantCtx, p: &Parley, id: crate::SalesRepId) -> Result<Rep> {
    p.find::<sales_rep::Entity>(ctx, Permission::ReadLeads, id).await
}

/// Open leads `user` holds.
pub async fn held_by(ctx: &TenantCtx, p: &Parley, user: UserId) -> Result<u64> {
    use sea_orm::PaginatorTrait;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadLeads)?;
    let n = lead::Entity::scoped(ctx)
        .filter(lead::Column::OwnerId.eq(user))
        .filter(lead::Column::Status.eq("OPEN"))
        .count(&tx)
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// Open leads each rep holds.
pub async fn held(ctx: &TenantCtx, p: &Parley) -> Result<HashMap<UserId, u64>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadLeads)?;
    let counts = open_counts(&tx).await?;
    tx.commit().await?;
    Ok(counts.into_iter().map(|(u, n)| (u, n as u64)).collect())
}

// ---------------------------------------------------------------------------------
// Rules

/// A routing rule as written.
#[derive(Debug, Clone)]
pub struct RuleInput {
    pub name: String,
    pub priority: i32,
    /// The segment rule language over the contact; `{}` or null: every lead.
    pub condition: Value,
    pub strategy: Strategy,
    pub reps: Vec<UserId>,
    pub territory_attribute: Option<String>,
    /// `{"<rep's user ID>": ["DE", "AT"]}`.
    pub territories: Option<Value>,
    pub capacity: Option<i32>,
    pub sla_minutes: Option<i32>,
    pub escalate_to: Option<UserId>,
}

fn any_lead(condition: &Value) -> bool {
    condition.is_null() || condition.as_object().is_some_and(Map::is_empty)
}

/// The checked parts of a rule: condition, reps as stored, territories as stored.
async fn check(tx: &TenantTx<'_>, input: &RuleInput) -> Result<(String, Value, Value, Value)> {
    let name = validate::name("name", &input.name, 200)?;
    if !(0..=10_000).contains(&input.priority) {
        return Err(bad("priority", "is between 0 and 10000 (lower first)"));
    }
    let condition = if any_lead(&input.condition) { json!({}) } else { input.condition.clone() };
    if !any_lead(&condition) {
        crate::segments::rule_condition(tx, &condition).await.map_err(|e| match e {
            Error::Invalid { field, message } => bad(&format!("condition.{field}"), message),
            other => other,
        })?;
    }
    if input.reps.is_empty() || input.reps.len() > 200 {
        return Err(bad("repIds", "names 1 to 200 members"));
    }
    let mut seen = HashSet::new();
    for (i, r) in input.reps.iter().enumerate() {
        if !seen.insert(*r) {
            return Err(bad(&format!("repIds[{i}]"), "is named twice"));
        }
        if !member(tx, *r).await? {
            return Err(bad(&format!("repIds[{i}]"), "is not a member of this workspace"));
        }
    }
    if input.capacity.is_some_and(|c| !(1..=100_000).contains(&c)) {
        return Err(bad("capacity", "is between 1 and 100000"));
    }
    if input.sla_minutes.is_some_and(|m| !(1..=525_600).contains(&m)) {
        return Err(bad("slaMinutes", "is between 1 and 525600 (a year)"));
    }
    if let Some(m) = input.escalate_to
        && !member(tx, m).await?
    {
        return Err(bad("escalateToId", "is not a member of this workspace"));
    }
    let mut territories = Map::new();
    if input.strategy == Strategy::Territory {
        let attr = input.territory_attribute.as_deref().map(str::trim).unwrap_or_default();
        if attr.is_empty() {
            return Err(bad(
                "territoryAttribute",
                "is required for TERRITORY: the contact field whose value picks the rep",
            ));
        }
        let given = input.territories.as_ref().and_then(Value::as_object);
        let given =
            given.ok_or_else(|| bad("territories", "is required for TERRITORY: {\"<rep ID>\": [\"DE\", …]}"))?;
        for (k, v) in given {
            let path = format!("territories.{k}");
            let Some(user) = validate::id_ref::<UserId>(k).or_else(|| k.parse::<uuid::Uuid>().ok().map(UserId::from))
            else {
                return Err(bad(&path, "is not a rep's ID"));
            };
            if !input.reps.contains(&user) {
                return Err(bad(&path, "is not one of the rule's reps"));
            }
            let vals: Option<Vec<String>> = v.as_array().map(|a| {
                a.iter().filter_map(|x| x.as_str().map(|s| s.trim().to_lowercase())).filter(|s| !s.is_empty()).collect()
            });
            let vals =
                vals.filter(|l| !l.is_empty() && l.len() <= 500).ok_or_else(|| bad(&path, "lists 1 to 500 values"))?;
            territories.insert(uuid::Uuid::from(user).to_string(), json!(vals));
        }
        if territories.is_empty() {
            return Err(bad("territories", "gives at least one rep a territory"));
        }
    } else if input.territory_attribute.is_some() || input.territories.as_ref().is_some_and(|t| !t.is_null()) {
        return Err(bad("territories", "are for the TERRITORY strategy only"));
    }
    let reps: Vec<String> = input.reps.iter().map(|u| uuid::Uuid::from(*u).to_string()).collect();
    Ok((name, condition, json!(reps), Value::Object(territories)))
}

async fn name_free(tx: &TenantTx<'_>, name: &str, other: Option<RoutingRuleId>) -> Result<()> {
    let mut q = routing_rule::Entity::scoped(tx.ctx()).filter(routing_rule::Column::Name.eq(name));
    if let Some(id) = other {
        q = q.filter(routing_rule::Column::Id.ne(id));
    }
    if q.one(tx).await?.is_some() {
        return Err(bad("name", "is taken by another routing rule"));
    }
    Ok(())
}

/// Adds a routing rule; leads waiting for one are routed at once.
pub async fn create_rule(ctx: &TenantCtx, p: &Parley, input: RuleInput) -> Result<RoutingRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    let (name, condition, reps, territories) = check(&tx, &input).await?;
    name_free(&tx, &name, None).await?;
    ensure_reps(&tx, p, &input.reps).await?;
    let t = p.clock();
    let row = routing_rule::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        priority: Set(input.priority),
        condition: Set(condition),
        strategy: Set(input.strategy.as_str().into()),
        rep_ids: Set(reps),
        territory_attribute: Set(input.territory_attribute.as_deref().map(|a| a.trim().to_owned())),
        territories: Set(territories),
        capacity: Set(input.capacity),
        sla_minutes: Set(input.sla_minutes),
        escalate_to: Set(input.escalate_to),
        status: Set("ACTIVE".into()),
        turn: Set(0),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let saved = tx.create("routing_rule.created", row).await?;
    reroute_waiting(&tx, p).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Changes a rule (leads it gave out stay with their reps).
pub async fn update_rule(ctx: &TenantCtx, p: &Parley, id: RoutingRuleId, input: RuleInput) -> Result<RoutingRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    tx.lock::<routing_rule::Entity>(id).await?;
    let (name, condition, reps, territories) = check(&tx, &input).await?;
    name_free(&tx, &name, Some(id)).await?;
    ensure_reps(&tx, p, &input.reps).await?;
    let saved = tx
        .update::<routing_rule::Entity>("routing_rule.updated", id, |am| {
            am.name = Set(name);
            am.priority = Set(input.priority);
            am.condition = Set(condition);
            am.strategy = Set(input.strategy.as_str().into());
            am.rep_ids = Set(reps);
            am.territory_attribute = Set(input.territory_attribute.as_deref().map(|a| a.trim().to_owned()));
            am.territories = Set(territories);
            am.capacity = Set(input.capacity);
            am.sla_minutes = Set(input.sla_minutes);
            am.escalate_to = Set(input.escalate_to);
            am.updated_at = Set(p.clock());
            Ok(())
        })
        .await?;
    reroute_waiting(&tx, p).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Deletes a rule (leads it gave out stay with their reps).
pub async fn delete_rule(ctx: &TenantCtx, p: &Parley, id: RoutingRuleId) -> Result<RoutingRule> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    let r = tx.lock::<routing_rule::Entity>(id).await?;
    let gone = tx.delete::<routing_rule::Entity>("routing_rule.deleted", r).await?;
    tx.commit().await?;
    Ok(gone)
}

/// One rule.
pub async fn get_rule(ctx: &TenantCtx, p: &Parley, id: RoutingRuleId) -> Result<RoutingRule> {
    p.find::<routing_rule::Entity>(ctx, Permission::ReadLeads, id).await
}

/// The workspace's rules, in the order they are tried.
pub async fn rules(ctx: &TenantCtx, p: &Parley) -> Result<Vec<RoutingRule>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadLeads)?;
    let all = active_rules(&tx).await?;
    tx.commit().await?;
    Ok(all)
}

async fn active_rules(tx: &TenantTx<'_>) -> Result<Vec<RoutingRule>> {
    Ok(routing_rule::Entity::scoped(tx.ctx())
        .order_by_asc(routing_rule::Column::Priority)
        .order_by_asc(routing_rule::Column::Id)
        .all(tx)
        .await?)
}

/// The reps a rule names, as user IDs.
pub fn reps_of(r: &RoutingRule) -> Vec<UserId> {
    let raw: Vec<uuid::Uuid> = serde_json::from_value(r.rep_ids.clone()).unwrap_or_default();
    raw.into_iter().map(UserId::from).collect()
}

/// A rep profile with nothing set: weight 1, no team, limit or hours, present, seeing
/// their own leads.
pub(crate) fn plain_rep(tenant: WorkspaceId, user: UserId, now: DateTime<Utc>) -> sales_rep::ActiveModel {
    sales_rep::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(new_id()),
        user_id: Set(user),
        team: Set(None),
        weight: Set(1),
        capacity: Set(None),
        hours: Set(None),
        away_since: Set(None),
        manager_id: Set(None),
        sees: Set("OWN".into()),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Members a rule names who have no rep profile get a plain one.
async fn ensure_reps(tx: &TenantTx<'_>, p: &Parley, users: &[UserId]) -> Result<()> {
    let now = p.clock();
    for u in users {
        let row = plain_rep(tx.tenant_id(), *u, now);
        let on = OnConflict::columns([sales_rep::Column::TenantId, sales_rep::Column::UserId]).do_nothing().to_owned();
        sales_rep::Entity::insert(row).on_conflict(on).exec_without_returning(tx).await?;
    }
    Ok(())
}

/// Leads waiting for a rep (or a rule) are looked at again now.
pub(crate) async fn reroute_waiting(tx: &TenantTx<'_>, p: &Parley) -> Result<()> {
    let now = p.clock();
    lead::Entity::update_many()
        .col_expr(lead::Column::RouteAt, sea_orm::sea_query::Expr::value(now))
        .filter(lead::Column::TenantId.eq(tx.tenant_id()))
        .filter(lead::Column::Status.eq("OPEN"))
        .filter(lead::Column::Waiting.is_not_null())
        .exec(tx)
        .await?;
    nudge(tx, p).await
}

// ---------------------------------------------------------------------------------
// Runs

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct RunReport {
    /// Leads given to a rep (first time or again).
    pub routed: u64,
    /// Leads whose first-touch deadline passed.
    pub escalated: u64,
    /// Leads no rep could take (yet).
    pub waiting: u64,
    /// More were due than the run took.
    pub more: bool,
}

/// Open leads held per member.
async fn open_counts(tx: &TenantTx<'_>) -> Result<HashMap<UserId, i64>> {
    let rows: Vec<(UserId, i64)> = lead::Entity::scoped(tx.ctx())
        .filter(lead::Column::Status.eq("OPEN"))
        .filter(lead::Column::OwnerId.is_not_null())
        .select_only()
        .column(lead::Column::OwnerId)
        .column_as(lead::Column::Id.count(), "n")
        .group_by(lead::Column::OwnerId)
        .into_tuple()
        .all(tx)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Per rule and rep: open leads held, and leads ever given (read only when a weighted
/// rule needs them: the open ones are the few).
async fn rule_counts(tx: &TenantTx<'_>, ever: bool) -> Result<HashMap<(RoutingRuleId, UserId), (i64, i64)>> {
    let mut q = lead::Entity::scoped(tx.ctx());
    if !ever {
        q = q.filter(lead::Column::Status.eq("OPEN"));
    }
    let rows: Vec<(RoutingRuleId, UserId, String, i64)> = q
        .filter(lead::Column::RuleId.is_not_null())
        .filter(lead::Column::OwnerId.is_not_null())
        .select_only()
        .column(lead::Column::RuleId)
        .column(lead::Column::OwnerId)
        .column(lead::Column::Status)
        .column_as(lead::Column::Id.count(), "n")
        .group_by(lead::Column::RuleId)
        .group_by(lead::Column::OwnerId)
        .group_by(lead::Column::Status)
        .into_tuple()
        .all(tx)
        .await?;
    let mut out: HashMap<(RoutingRuleId, UserId), (i64, i64)> = HashMap::new();
    for (r, u, status, n) in rows {
        let e = out.entry((r, u)).or_default();
        if status == "OPEN" {
            e.0 += n;
        }
        e.1 += n;
    }
    Ok(out)
}

/// One run's view of the workspace: reps, rules, and what each rep holds.
struct Board {
    reps: HashMap<UserId, Rep>,
    members: HashSet<UserId>,
    rules: Vec<(RoutingRule, Vec<UserId>)>,
    held: HashMap<UserId, i64>,
    by_rule: HashMap<(RoutingRuleId, UserId), (i64, i64)>,
    turns: HashMap<RoutingRuleId, i64>,
    now: DateTime<Utc>,
}

impl Board {
    async fn read(tx: &TenantTx<'_>, now: DateTime<Utc>) -> Result<Board> {
        let reps: HashMap<UserId, Rep> =
            sales_rep::Entity::scoped(tx.ctx()).all(tx).await?.into_iter().map(|r| (r.user_id, r)).collect();
        let members: HashSet<UserId> = membership::Entity::scoped(tx.ctx())
            .select_only()
            .column(membership::Column::UserId)
            .into_tuple::<UserId>()
            .all(tx)
            .await?
            .into_iter()
            .collect();
        let rules: Vec<(RoutingRule, Vec<UserId>)> = active_rules(tx)
            .await?
            .into_iter()
            .filter(|r| r.status == "ACTIVE")
            .map(|r| {
                let reps = reps_of(&r);
                (r, reps)
            })
            .collect();
        let turns = rules.iter().map(|(r, _)| (r.id, r.turn)).collect();
        let weighted = rules.iter().any(|(r, _)| Strategy::of(&r.strategy) == Strategy::Weighted);
        Ok(Board {
            reps,
            members,
            rules,
            held: open_counts(tx).await?,
            by_rule: rule_counts(tx, weighted).await?,
            turns,
            now,
        })
    }

    /// Whether `u` may take one more lead under `rule`.
    fn free(&self, rule: &RoutingRule, u: UserId, not: Option<UserId>) -> bool {
        if Some(u) == not || !self.members.contains(&u) {
            return false;
        }
        let Some(rep) = self.reps.get(&u) else { return false };
        if !on_duty(rep, self.now) {
            return false;
        }
        let held = self.held.get(&u).copied().unwrap_or(0);
        if rep.capacity.is_some_and(|c| held >= c as i64) {
            return false;
        }
        let under = self.by_rule.get(&(rule.id, u)).map_or(0, |c| c.0);
        rule.capacity.is_none_or(|c| under < c as i64)
    }

    /// The rep `rule` gives the lead of `contact` to, if one is free.
    fn pick(&mut self, i: usize, territory: Option<&str>, not: Option<UserId>) -> Option<UserId> {
        let (rule, reps) = &self.rules[i];
        let n = reps.len() as i64;
        if n == 0 {
            return None;
        }
        let turn = self.turns.get(&rule.id).copied().unwrap_or(0);
        let chosen = match Strategy::of(&rule.strategy) {
            Strategy::RoundRobin | Strategy::Territory => {
                let covers = |u: &UserId| -> bool {
                    if Strategy::of(&rule.strategy) != Strategy::Territory {
                        return true;
                    }
                    let Some(v) = territory else { return false };
                    rule.territories
                        .get(uuid::Uuid::from(*u).to_string())
                        .and_then(Value::as_array)
                        .is_some_and(|l| l.iter().any(|x| x.as_str() == Some(v)))
                };
                (0..n)
                    .map(|k| (turn + k).rem_euclid(n) as usize)
                    .find(|k| covers(&reps[*k]) && self.free(rule, reps[*k], not))
            }
            Strategy::Weighted => {
                // The rep furthest below their share of what the rule gave out.
                let mut best: Option<(f64, usize)> = None;
                for (k, &u) in reps.iter().enumerate() {
                    if !self.free(rule, u, not) {
                        continue;
                    }
                    let given = self.by_rule.get(&(rule.id, u)).map_or(0, |c| c.1) as f64;
                    let w = self.reps.get(&u).map_or(1, |r| r.weight.max(1)) as f64;
                    let load = (given + 1.0) / w;
                    if best.is_none_or(|(b, _)| load < b) {
                        best = Some((load, k));
                    }
                }
                best.map(|b| b.1)
            }
        }?;
        let u = reps[chosen];
        let rid = rule.id;
        self.turns.insert(rid, chosen as i64 + 1);
        *self.held.entry(u).or_default() += 1;
        let c = self.by_rule.entry((rid, u)).or_default();
        c.0 += 1;
        c.1 += 1;
        Some(u)
    }

    /// Whether `u` may keep their leads (a member, not away).
    fn keeps(&self, u: UserId) -> bool {
        self.members.contains(&u) && self.reps.get(&u).is_none_or(|r| r.away_since.is_none())
    }
}

/// Serialises a workspace's runs on PostgreSQL (capacity counts are read, then
/// spent); SQLite's one writer does so already.
async fn serialise(tx: &TenantTx<'_>, tenant: WorkspaceId) -> Result<()> {
    if tx.get_database_backend() != sea_orm::DbBackend::Postgres {
        return Ok(());
    }
    let u = uuid::Uuid::from(tenant).as_u64_pair();
    let key = (u.0 ^ u.1 ^ 0x6c65_6164_735f_7274) as i64;
    let sql = "SELECT pg_advisory_xact_lock($1)::text AS locked";
    tx.query_one_raw(Statement::from_sql_and_values(sea_orm::DbBackend::Postgres, sql, [key.into()])).await?;
    Ok(())
}

/// Runs until nothing is due (or `budget` has passed), then queues the next run at the
/// next deadline.
pub async fn run(p: &Parley, tenant: WorkspaceId, budget: std::time::Duration) -> Result<RunReport> {
    let ctx = TenantCtx::new(tenant, Actor::System, Role::Admin);
    let started = std::time::Instant::now();
    let mut report = RunReport::default();
    mark_started(p, &ctx).await?;
    loop {
        let tx = p.tenant_tx(&ctx).await?;
        serialise(&tx, tenant).await?;
        let now = p.clock();
        let more = step(&tx, p, now, &mut report).await?;
        if !more || started.elapsed() >= budget {
            report.more = more;
            let next = next_deadline(&tx).await?;
            if more {
                queue(&tx, p, now).await?;
            } else if let Some(at) = next {
                queue(&tx, p, at.max(now)).await?;
            }
            tx.commit().await?;
            return Ok(report);
        }
        tx.commit().await?;
    }
}

/// The earliest moment a run has work: a lead to route or a deadline.
async fn next_deadline(tx: &TenantTx<'_>) -> Result<Option<DateTime<Utc>>> {
    let min = |col: lead::Column| {
        lead::Entity::scoped(tx.ctx())
            .filter(lead::Column::Status.eq("OPEN"))
            .filter(col.is_not_null())
            .select_only()
            .column_as(col.min(), "next")
            .into_tuple::<Option<DateTime<Utc>>>()
            .one(tx)
    };
    let a = min(lead::Column::RouteAt).await?.flatten();
    let b = min(lead::Column::SlaDueAt).await?.flatten();
    Ok(a.into_iter().chain(b).min())
}

/// One batch: hands on leads of reps away or gone, escalates missed deadlines, routes
/// leads due. Answers whether more are due.
async fn step(tx: &TenantTx<'_>, p: &Parley, now: DateTime<Utc>, report: &mut RunReport) -> Result<bool> {
    let ctx = tx.ctx();
    let mut board = Board::read(tx, now).await?;
    let log = Log::new(tx).await?;
    // Reps away or gone: their open leads are routed again.
    let owners: Vec<UserId> = lead::Entity::scoped(ctx)
        .filter(lead::Column::Status.eq("OPEN"))
        .filter(lead::Column::OwnerId.is_not_null())
        .filter(lead::Column::RouteAt.is_null())
        .select_only()
        .column(lead::Column::OwnerId)
        .distinct()
        .into_tuple()
        .all(tx)
        .await?;
    for u in owners.into_iter().filter(|u| !board.keeps(*u)) {
        let why = if board.members.contains(&u) { "the rep is away" } else { "the rep left the workspace" };
        lead::Entity::update_many()
            .col_expr(lead::Column::RouteAt, sea_orm::sea_query::Expr::value(now))
            .col_expr(lead::Column::Waiting, sea_orm::sea_query::Expr::value(why))
            .filter(lead::Column::TenantId.eq(tx.tenant_id()))
            .filter(lead::Column::OwnerId.eq(u))
            .filter(lead::Column::Status.eq("OPEN"))
            .exec(tx)
            .await?;
    }
    // First touches missed.
    let late = lead::Entity::scoped(ctx)
        .filter(lead::Column::Status.eq("OPEN"))
        .filter(lead::Column::SlaDueAt.lte(now))
        .filter(lead::Column::TouchedAt.is_null())
        .order_by_asc(lead::Column::SlaDueAt)
        .limit(BATCH)
        .all(tx)
        .await?;
    let more_late = late.len() as u64 == BATCH;
    for l in late {
        let rule = l.rule_id.and_then(|r| board.rules.iter().find(|(x, _)| x.id == r)).map(|(r, _)| r);
        let detail = json!({ "owner": l.owner_id, "due": l.sla_due_at, "rule": l.rule_id,
                             "manager": rule.and_then(|r| r.escalate_to) });
        let a = log.add(tx, p, l.id, "ESCALATED", detail).await?;
        if rule.and_then(|r| r.escalate_to).is_some() {
            let job = NewJob::of(&LeadEscalation { activity_id: a }).key(format!("leads.escalate:{a}"));
            crate::jobs::enqueue_in(tx, p, ctx, job).await?;
        }
        let am = lead::ActiveModel {
            tenant_id: sea_orm::ActiveValue::Unchanged(l.tenant_id),
            id: sea_orm::ActiveValue::Unchanged(l.id),
            escalations: Set(l.escalations + 1),
            sla_due_at: Set(None),
            route_at: Set(Some(now)),
            waiting: Set(Some("first touch missed".into())),
            updated_at: Set(now),
            ..Default::default()
        };
        sea_orm::ActiveModelTrait::update(am, tx).await?;
        report.escalated += 1;
    }
    // Leads due for routing.
    let mut q = lead::Entity::scoped(ctx)
        .filter(lead::Column::Status.eq("OPEN"))
        .filter(lead::Column::RouteAt.lte(now))
        .order_by_asc(lead::Column::RouteAt)
        .order_by_asc(lead::Column::Id)
        .limit(BATCH);
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        q = q.lock_with_behavior(sea_orm::sea_query::LockType::Update, sea_orm::sea_query::LockBehavior::SkipLocked);
    }
    let due = q.all(tx).await?;
    let more_due = due.len() as u64 == BATCH;
    route(tx, p, &mut board, &log, due, report).await?;
    for (rule, _) in &board.rules {
        let turn = board.turns.get(&rule.id).copied().unwrap_or(rule.turn);
        if turn != rule.turn {
            let am = routing_rule::ActiveModel {
                tenant_id: sea_orm::ActiveValue::Unchanged(rule.tenant_id),
                id: sea_orm::ActiveValue::Unchanged(rule.id),
                turn: Set(turn),
                ..Default::default()
            };
            sea_orm::ActiveModelTrait::update(am, tx).await?;
        }
    }
    Ok(more_late || more_due)
}

/// Routes `due`: each to the first rule (by priority) whose condition holds and that
/// has a rep free; a lead being handed on never goes back to its owner.
async fn route(
    tx: &TenantTx<'_>,
    p: &Parley,
    board: &mut Board,
    log: &Log,
    due: Vec<Lead>,
    report: &mut RunReport,
) -> Result<()> {
    if due.is_empty() {
        return Ok(());
    }
    let now = board.now;
    let contacts: Vec<ContactId> = due.iter().map(|l| l.contact_id).collect();
    // Which rules hold for which contacts: one read per rule with a condition.
    let mut holds: Vec<Option<HashSet<ContactId>>> = Vec::new();
    for (r, _) in &board.rules {
        if any_lead(&r.condition) {
            holds.push(None);
            continue;
        }
        let set: HashSet<ContactId> = match crate::segments::rule_condition(tx, &r.condition).await {
            Ok(cond) => contact::Entity::scoped(tx.ctx())
                .filter(contact::Column::Id.is_in(contacts.clone()))
                .filter(cond)
                .select_only()
                .column(contact::Column::Id)
                .into_tuple::<ContactId>()
                .all(tx)
                .await?
                .into_iter()
                .collect(),
            Err(_) => HashSet::new(),
        };
        holds.push(Some(set));
    }
    let territory_attrs: Vec<&str> = board.rules.iter().filter_map(|(r, _)| r.territory_attribute.as_deref()).collect();
    let attrs: HashMap<ContactId, Value> = if territory_attrs.is_empty() {
        HashMap::new()
    } else {
        contact::Entity::scoped(tx.ctx())
            .filter(contact::Column::Id.is_in(contacts.clone()))
            .select_only()
            .column(contact::Column::Id)
            .column(contact::Column::Attributes)
            .into_tuple::<(ContactId, Value)>()
            .all(tx)
            .await?
            .into_iter()
            .collect()
    };
    let mut activity = Vec::new();
    for l in due {
        let handing_on = l.owner_id.filter(|u| !board.keeps(*u) || l.waiting.as_deref() == Some("first touch missed"));
        let not = l.owner_id;
        let mut matched: Option<usize> = None;
        let mut chosen: Option<(usize, UserId)> = None;
        for (i, held) in holds.iter().enumerate() {
            if held.as_ref().is_some_and(|s| !s.contains(&l.contact_id)) {
                continue;
            }
            matched.get_or_insert(i);
            let territory = board.rules[i].0.territory_attribute.as_deref().and_then(|a| {
                attrs.get(&l.contact_id).and_then(|v| v.get(a)).and_then(|v| match v {
                    Value::String(s) => Some(s.trim().to_lowercase()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
            });
            if let Some(u) = board.pick(i, territory.as_deref(), not) {
                chosen = Some((i, u));
                break;
            }
        }
        let mut am = lead::ActiveModel {
            tenant_id: sea_orm::ActiveValue::Unchanged(l.tenant_id),
            id: sea_orm::ActiveValue::Unchanged(l.id),
            updated_at: Set(now),
            ..Default::default()
        };
        match chosen {
            Some((i, u)) => {
                let rule = &board.rules[i].0;
                am.owner_id = Set(Some(u));
                am.rule_id = Set(Some(rule.id));
                am.team = Set(board.reps.get(&u).and_then(|r| r.team.clone()));
                am.assigned_at = Set(Some(now));
                let sla = rule.sla_minutes.filter(|_| l.touched_at.is_none());
                am.sla_due_at = Set(sla.map(|m| now + Duration::minutes(m as i64)));
                am.route_at = Set(None);
                am.waiting = Set(None);
                let kind = if l.owner_id.is_some() { "REASSIGNED" } else { "ASSIGNED" };
                let detail = json!({ "from": l.owner_id, "to": u, "rule": validate::global_ref(rule.id),
                                     "strategy": rule.strategy, "why": l.waiting });
                activity.push(log.row(tx, p, l.id, kind, detail).1);
                report.routed += 1;
            }
            None => {
                // A missed deadline with no other rep: the manager takes it; an owner who
                // may keep it keeps it; else it waits.
                let manager = matched.and_then(|i| board.rules[i].0.escalate_to).filter(|m| board.members.contains(m));
                if let (Some(_), Some(m)) = (handing_on, manager)
                    && Some(m) != l.owner_id
                {
                    am.owner_id = Set(Some(m));
                    am.assigned_at = Set(Some(now));
                    am.sla_due_at = Set(None);
                    am.route_at = Set(None);
                    am.waiting = Set(None);
                    *board.held.entry(m).or_default() += 1;
                    let detail =
                        json!({ "from": l.owner_id, "to": m, "why": "no other rep is free: the manager takes it" });
                    activity.push(log.row(tx, p, l.id, "REASSIGNED", detail).1);
                    report.routed += 1;
                } else if let Some(u) = l.owner_id.filter(|u| board.keeps(*u)) {
                    let _ = u;
                    am.route_at = Set(None);
                    am.waiting = Set(None);
                } else {
                    let why = if matched.is_none() {
                        "no routing rule matches"
                    } else {
                        "every rep is away, at capacity or off hours"
                    };
                    if l.owner_id.is_some() {
                        am.owner_id = Set(None);
                        am.sla_due_at = Set(None);
                        let detail = json!({ "from": l.owner_id, "why": l.waiting, "waiting": why });
                        activity.push(log.row(tx, p, l.id, "UNASSIGNED", detail).1);
                    }
                    am.waiting = Set(Some(why.into()));
                    // No rule: it waits for one (a new rule routes it); no rep: tried again.
                    am.route_at = Set(matched.map(|_| now + Duration::seconds(RETRY_SECS)));
                    report.waiting += 1;
                }
            }
        }
        sea_orm::ActiveModelTrait::update(am, tx).await?;
    }
    log.write(tx, p, activity).await?;
    Ok(())
}

/// The email telling a rule's manager that a lead's first touch was missed.
pub async fn prepare_escalation(
    ctx: &TenantCtx,
    p: &Parley,
    job: &LeadEscalation,
) -> Result<Option<crate::mail::Email>> {
    let tx = p.tenant_tx(ctx).await?;
    let Some(a) = entities::lead_activity::Entity::scoped(ctx)
        .filter(entities::lead_activity::Column::Id.eq(job.activity_id))
        .one(&tx)
        .await?
    else {
        return Ok(None);
    };
    let manager: Option<UserId> = a.detail.get("manager").and_then(|m| serde_json::from_value(m.clone()).ok());
    let owner: Option<UserId> = a.detail.get("owner").and_then(|m| serde_json::from_value(m.clone()).ok());
    let due = a.detail.get("due").and_then(Value::as_str).unwrap_or_default().to_owned();
    let l = tx.find::<lead::Entity>(a.lead_id).await?;
    let c = contact::Entity::scoped(ctx).filter(contact::Column::Id.eq(l.contact_id)).one(&tx).await?;
    let Some(m) = manager else { return Ok(None) };
    let still = member(&tx, m).await?;
    tx.commit().await?;
    if !still {
        return Ok(None);
    }
    let u = crate::identity::accounts::user_by_id(p, m).await?;
    let owner = match owner {
        Some(o) => {
            crate::identity::accounts::user_by_id(p, o).await.map(|o| o.email).unwrap_or_else(|_| "a rep".into())
        }
        None => "a rep".into(),
    };
    let who = c.and_then(|c| c.email.or(c.first_name)).unwrap_or_else(|| "A contact".into());
    let link = format!("{}/app/leads/{}", p.settings().public_url, validate::global_ref(l.id));
    let name = if u.name.is_empty() { "there" } else { &u.name };
    Ok(Some(crate::mail::lead_escalation(&u.email, name, &who, &owner, &due, &link)))
}
