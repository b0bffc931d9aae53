//! Lead scoring (EXE-8): a workspace's active model gives each open lead points for
//! profile fit (segment-language tests of the contact, each worth points) and for
//! behaviour (events, or a trigger rule's firings, each worth points that halve every
//! half-life). The score is fit plus behaviour as of now; the grade (A to D) is the
//! share of the best possible fit; crossing the MQL and SQL thresholds moves the stage.
//!
//! Behaviour decays by one factor for every term, so a lead keeps one number (its
//! behaviour as of `scored_at`) and an event adds to it without reading the past again.
//! Events are counted by event detection, once each, in the pass that reads them; a
//! lead captured later counts the events detection had read before.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};

use crate::db::TenantOwned;
use crate::page::{Page, PageArgs};
use crate::triggers::definition::{self as tdef, Condition};
use crate::{
    Audited, ContactId, Error, LeadScoringModelId, Order, Parley, Permission, Result, TenantCtx, TenantTx,
    TriggerRuleId, new_id, validate,
};
use entities::{contact, contact_event, lead, lead_scoring_model, trigger_firing};

/// A scoring model.
pub type ScoringModel = lead_scoring_model::Model;

impl Audited for ScoringModel {
    fn audit_json(&self) -> Value {
        json!({ "name": self.name, "rules": self.rules, "halfLifeSecs": self.half_life_secs,
                "mql": self.mql_threshold, "sql": self.sql_threshold, "status": self.status })
    }
}

/// Most fit or behaviour rules in a model.
pub const MAX_RULES: usize = 50;
/// Points one rule may give or take.
pub const MAX_POINTS: i64 = 1_000;
/// How far back a new lead's behaviour is read (or ten half-lives, if shorter).
pub const LOOKBACK_DAYS: i64 = 400;

/// A model as written.
#[derive(Debug, Clone)]
pub struct ModelInput {
    pub name: String,
    /// `{"fit": [{"when": RULE, "points": N, "reason": TEXT}], "behaviour": [{"event":
    /// TYPE, "where": [...], "points": N, "reason": TEXT} | {"rule": RULE_ID, "points": N,
    /// "capture": true}]}`.
    pub rules: Value,
    pub half_life_days: f64,
    pub mql_threshold: i32,
    pub sql_threshold: i32,
}

/// A fit rule: points when the contact matches.
#[derive(Debug, Clone)]
pub struct Fit {
    pub when: Value,
    pub points: i64,
    pub reason: String,
}

/// What behaviour earns points.
#[derive(Debug, Clone)]
pub enum On {
    /// An event of this type, with property conditions.
    Event { kind: String, conditions: Vec<Condition> },
    /// A firing of this trigger rule; with `capture`, a firing for a contact with no open
    /// lead makes one.
    Rule { rule: TriggerRuleId, capture: bool },
}

/// A behaviour rule.
#[derive(Debug, Clone)]
pub struct Behaviour {
    pub on: On,
    pub points: i64,
    pub reason: String,
}

/// A model's rules, checked.
#[derive(Debug, Clone)]
pub struct Rules {
    pub fit: Vec<Fit>,
    pub behaviour: Vec<Behaviour>,
}

impl Rules {
    /// The event types behaviour rules count.
    pub fn watches(&self) -> Vec<&str> {
        self.behaviour
            .iter()
            .filter_map(|b| match &b.on {
                On::Event { kind, .. } => Some(kind.as_str()),
                On::Rule { .. } => None,
            })
            .collect()
    }

    /// The best fit a contact can have.
    fn best_fit(&self) -> i64 {
        self.fit.iter().map(|f| f.points.max(0)).sum()
    }
}

fn bad(path: &str, message: impl Into<String>) -> Error {
    Error::invalid(path, message)
}

fn points(o: &serde_json::Map<String, Value>, path: &str) -> Result<i64> {
    let p = o
        .get("points")
        .and_then(Value::as_i64)
        .ok_or_else(|| bad(&format!("{path}.points"), "is required: a whole number"))?;
    if p == 0 || p.abs() > MAX_POINTS {
        return Err(bad(&format!("{path}.points"), format!("is between -{MAX_POINTS} and {MAX_POINTS}, not 0")));
    }
    Ok(p)
}

fn reason(o: &serde_json::Map<String, Value>, path: &str, default: String) -> Result<String> {
    match o.get("reason") {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(s)) => validate::name(&format!("{path}.reason"), s, 200),
        Some(_) => Err(bad(&format!("{path}.reason"), "is text")),
    }
}

/// Checks a model's rules (their form; the caller checks fit tests against the
/// workspace's fields and rule IDs against its rules). Errors name the part
/// (`rules.fit[1].points`).
pub fn parse(v: &Value) -> Result<Rules> {
    let root = "rules";
    let o = tdef::object(Some(v), root, "like {\"fit\": [...], \"behaviour\": [...]}")?;
    tdef::only(o, root, &["fit", "behaviour"])?;
    let list = |key: &str| -> Result<Vec<Value>> {
        match o.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) if a.len() <= MAX_RULES => Ok(a.clone()),
            Some(Value::Array(_)) => Err(bad(&format!("{root}.{key}"), format!("holds at most {MAX_RULES} rules"))),
            Some(_) => Err(bad(&format!("{root}.{key}"), "must be a list")),
        }
    };
    let mut fit = Vec::new();
    for (i, f) in list("fit")?.iter().enumerate() {
        let path = format!("{root}.fit[{i}]");
        let fo = tdef::object(Some(f), &path, "{\"when\": RULE, \"points\": N}")?;
        tdef::only(fo, &path, &["when", "points", "reason"])?;
        let when = fo.get("when").filter(|w| w.is_object()).cloned();
        let when = when
            .ok_or_else(|| bad(&format!("{path}.when"), "is required: a test of the contact, like a segment rule"))?;
        let points = points(fo, &path)?;
        let reason = reason(fo, &path, format!("Fit rule {}", i + 1))?;
        fit.push(Fit { when, points, reason });
    }
    let mut behaviour = Vec::new();
    for (i, b) in list("behaviour")?.iter().enumerate() {
        let path = format!("{root}.behaviour[{i}]");
        let bo = tdef::object(Some(b), &path, "{\"event\": TYPE, \"points\": N} or {\"rule\": ID, \"points\": N}")?;
        let points = points(bo, &path)?;
        let on = match (bo.get("event"), bo.get("rule")) {
            (Some(e), None) => {
                tdef::only(bo, &path, &["event", "where", "points", "reason"])?;
                let kind = tdef::event_type(Some(e), &format!("{path}.event"))?;
                let conditions = tdef::conditions(bo.get("where"), &format!("{path}.where"))?;
                On::Event { kind, conditions }
            }
            (None, Some(r)) => {
                tdef::only(bo, &path, &["rule", "capture", "points", "reason"])?;
                let rule = r
                    .as_str()
                    .and_then(validate::id_ref::<TriggerRuleId>)
                    .ok_or_else(|| bad(&format!("{path}.rule"), "is not a trigger rule's ID"))?;
                let capture = match bo.get("capture") {
                    None | Some(Value::Null) => false,
                    Some(Value::Bool(c)) => *c,
                    Some(_) => return Err(bad(&format!("{path}.capture"), "is true or false")),
                };
                On::Rule { rule, capture }
            }
            _ => return Err(bad(&path, "names either an \"event\" type or a trigger \"rule\"")),
        };
        let default = match &on {
            On::Event { kind, .. } => kind.clone(),
            On::Rule { .. } => "A trigger rule fired".to_owned(),
        };
        behaviour.push(Behaviour { on, points, reason: reason(bo, &path, default)? });
    }
    Ok(Rules { fit, behaviour })
}

/// The checked rules of a stored model.
pub fn rules_of(m: &ScoringModel) -> Result<Rules> {
    parse(&m.rules)
}

/// Checks `input` against the workspace: fit tests against its contact fields, rules
/// against its trigger rules.
async fn check(tx: &TenantTx<'_>, input: &ModelInput) -> Result<(String, Rules, i64)> {
    let name = validate::name("name", &input.name, 200)?;
    let rules = parse(&input.rules)?;
    for (i, f) in rules.fit.iter().enumerate() {
        crate::segments::rule_condition(tx, &f.when).await.map_err(|e| match e {
            Error::Invalid { field, message } => bad(&format!("rules.fit[{i}].when"), format!("{field}: {message}")),
            other => other,
        })?;
    }
    for (i, b) in rules.behaviour.iter().enumerate() {
        if let On::Rule { rule, .. } = b.on
            && tx.find::<entities::trigger_rule::Entity>(rule).await.is_err()
        {
            return Err(bad(&format!("rules.behaviour[{i}].rule"), "is not a trigger rule of this workspace"));
        }
    }
    let hl = input.half_life_days;
    if !hl.is_finite() || !(1.0 / 24.0..=3650.0).contains(&hl) {
        return Err(bad("halfLifeDays", "is between an hour (0.0417) and ten years (3650)"));
    }
    if input.mql_threshold < 1 || input.mql_threshold > 100_000 {
        return Err(bad("mqlThreshold", "is between 1 and 100000"));
    }
    if input.sql_threshold < input.mql_threshold || input.sql_threshold > 100_000 {
        return Err(bad("sqlThreshold", "is at least the MQL threshold, and at most 100000"));
    }
    Ok((name, rules, (hl * 86_400.0).round() as i64))
}

/// Adds a scoring model and makes it the active one (the one before is retired); open
/// leads are scored by it from their next change on.
pub async fn create(ctx: &TenantCtx, p: &Parley, input: ModelInput) -> Result<ScoringModel> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    let (name, _, half_life) = check(&tx, &input).await?;
    let taken = lead_scoring_model::Entity::scoped(ctx)
        .filter(lead_scoring_model::Column::Name.eq(name.as_str()))
        .one(&tx)
        .await?;
    if taken.is_some() {
        return Err(bad("name", "is taken by another scoring model"));
    }
    if let Some(old) = active_in(&tx).await? {
        tx.update::<lead_scoring_model::Entity>("lead_scoring_model.retired", old.id, |am| {
            am.status = Set("RETIRED".into());
            am.updated_at = Set(p.clock());
            Ok(())
        })
        .await?;
    }
    let t = p.clock();
    let row = lead_scoring_model::ActiveModel {
        id: Set(new_id()),
        name: Set(name),
        rules: Set(input.rules.clone()),
        half_life_secs: Set(half_life),
        mql_threshold: Set(input.mql_threshold),
        sql_threshold: Set(input.sql_threshold),
        status: Set("ACTIVE".into()),
        created_by: Set(ctx.actor().id().unwrap_or_default().into()),
        created_at: Set(t),
        updated_at: Set(t),
        ..Default::default()
    };
    let saved = tx.create("lead_scoring_model.created", row).await?;
    crate::triggers::nudge(&tx, p).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Changes a model's rules, half-life or thresholds (open leads take them from their
/// next change on).
pub async fn update(ctx: &TenantCtx, p: &Parley, id: LeadScoringModelId, input: ModelInput) -> Result<ScoringModel> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageLeads)?;
    tx.lock::<lead_scoring_model::Entity>(id).await?;
    let (name, _, half_life) = check(&tx, &input).await?;
    let taken = lead_scoring_model::Entity::scoped(ctx)
        .filter(lead_scoring_model::Column::Name.eq(name.as_str()))
        .filter(lead_scoring_model::Column::Id.ne(id))
        .one(&tx)
        .await?;
    if taken.is_some() {
        return Err(bad("name", "is taken by another scoring model"));
    }
    let saved = tx
        .update::<lead_scoring_model::Entity>("lead_scoring_model.updated", id, |am| {
            am.name = Set(name);
            am.rules = Set(input.rules.clone());
            am.half_life_secs = Set(half_life);
            am.mql_threshold = Set(input.mql_threshold);
            am.sql_threshold = Set(input.sql_threshold);
            am.updated_at = Set(p.clock());
            Ok(())
        })
        .await?;
    tx.commit().await?;
    Ok(saved)
}

/// One model.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: LeadScoringModelId) -> Result<ScoringModel> {
    p.find::<lead_scoring_model::Entity>(ctx, Permission::ReadLeads, id).await
}

/// The workspace's models, oldest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<ScoringModel>> {
    p.page::<lead_scoring_model::Entity>(ctx, Permission::ReadLeads, Order::Oldest, args).await
}

/// The model leads are scored by, if any.
pub(crate) async fn active_in(tx: &TenantTx<'_>) -> Result<Option<ScoringModel>> {
    Ok(lead_scoring_model::Entity::scoped(tx.ctx())
        .filter(lead_scoring_model::Column::Status.eq("ACTIVE"))
        .one(tx)
        .await?)
}

/// The active model with its rules, when it counts anything detection reads.
pub(crate) async fn watching(tx: &TenantTx<'_>) -> Result<Option<(ScoringModel, Rules)>> {
    let Some(m) = active_in(tx).await? else { return Ok(None) };
    let Ok(rules) = rules_of(&m) else { return Ok(None) };
    Ok((!rules.behaviour.is_empty()).then_some((m, rules)))
}

/// How much of a point earned at `at` is left at `now`.
pub fn decay(half_life_secs: i64, at: DateTime<Utc>, now: DateTime<Utc>) -> f64 {
    let age = (now - at).num_milliseconds().max(0) as f64 / 1000.0;
    0.5f64.powf(age / half_life_secs.max(1) as f64)
}

/// A lead's behaviour points as of `now`.
pub fn behaviour_now(l: &lead::Model, half_life_secs: i64, now: DateTime<Utc>) -> f64 {
    l.behaviour_milli as f64 / 1000.0 * decay(half_life_secs, l.scored_at, now)
}

/// A reason as stored: fit points, or behaviour thousandths (as of `scored_at`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Reason {
    /// `FIT` or `BEHAVIOUR`.
    pub kind: String,
    pub reason: String,
    /// Fit points, or behaviour thousandths as of the lead's `scored_at`.
    pub milli: i64,
    /// How many events or firings (behaviour).
    #[serde(default)]
    pub count: i64,
}

/// The stored reasons of a lead.
pub fn reasons_of(l: &lead::Model) -> Vec<Reason> {
    serde_json::from_value(l.reasons.clone()).unwrap_or_default()
}

/// A score worked out: what a lead row is to hold.
#[derive(Debug, Clone)]
pub(crate) struct Score {
    pub fit: i64,
    pub behaviour_milli: i64,
    pub grade: String,
    pub reasons: Vec<Reason>,
}

impl Score {
    pub(crate) fn total(&self) -> i64 {
        self.fit + (self.behaviour_milli as f64 / 1000.0).round() as i64
    }
}

/// The grade of `fit` out of the best fit `best` (A: three quarters or more).
fn grade(fit: i64, best: i64) -> String {
    if best <= 0 {
        return "A".into();
    }
    let share = fit as f64 / best as f64;
    match share {
        s if s >= 0.75 => "A",
        s if s >= 0.5 => "B",
        s if s >= 0.25 => "C",
        _ => "D",
    }
    .into()
}

/// Fit of each of `contacts` under `rules`: one read per fit rule.
pub(crate) async fn fit_of(
    tx: &TenantTx<'_>,
    rules: &Rules,
    contacts: &[ContactId],
) -> Result<HashMap<ContactId, (i64, Vec<Reason>)>> {
    let mut out: HashMap<ContactId, (i64, Vec<Reason>)> = HashMap::new();
    if contacts.is_empty() {
        return Ok(out);
    }
    for f in &rules.fit {
        let Ok(cond) = crate::segments::rule_condition(tx, &f.when).await else { continue };
        let hit: Vec<ContactId> = contact::Entity::scoped(tx.ctx())
            .filter(contact::Column::Id.is_in(contacts.to_vec()))
            .filter(cond)
            .select_only()
            .column(contact::Column::Id)
            .into_tuple()
            .all(tx)
            .await?;
        for c in hit {
            let e = out.entry(c).or_default();
            e.0 += f.points;
            e.1.push(Reason { kind: "FIT".into(), reason: f.reason.clone(), milli: f.points * 1000, count: 1 });
        }
    }
    Ok(out)
}

/// One counted behaviour: its rule's index, points as of `now`, how many.
type Counted = HashMap<usize, (f64, i64)>;

/// Points for events `(kind, properties, occurred_at)` under `rules`, as of `now`.
fn count_events<'e>(
    rules: &Rules,
    half_life: i64,
    events: impl Iterator<Item = (&'e str, &'e Value, DateTime<Utc>)>,
    now: DateTime<Utc>,
    into: &mut Counted,
) {
    for (kind, props, at) in events {
        for (i, b) in rules.behaviour.iter().enumerate() {
            if let On::Event { kind: k, conditions } = &b.on
                && k == kind
                && conditions.iter().all(|c| c.holds(props))
            {
                let e = into.entry(i).or_default();
                e.0 += b.points as f64 * decay(half_life, at, now);
                e.1 += 1;
            }
        }
    }
}

/// Folds `counted` (as of `now`) into `reasons` (as of `scored_at`), decayed to `now`:
/// the new behaviour thousandths and reasons.
fn fold(
    rules: &Rules,
    half_life: i64,
    old: &[Reason],
    scored_at: DateTime<Utc>,
    counted: &Counted,
    now: DateTime<Utc>,
) -> (i64, Vec<Reason>) {
    let d = decay(half_life, scored_at, now);
    let mut by_reason: Vec<Reason> = old
        .iter()
        .filter(|r| r.kind == "BEHAVIOUR")
        .map(|r| Reason { milli: (r.milli as f64 * d).round() as i64, ..r.clone() })
        .collect();
    let mut keys: Vec<&usize> = counted.keys().collect();
    keys.sort();
    for i in keys {
        let (pts, n) = counted[i];
        let why = &rules.behaviour[*i].reason;
        let milli = (pts * 1000.0).round() as i64;
        match by_reason.iter_mut().find(|r| &r.reason == why) {
            Some(r) => {
                r.milli += milli;
                r.count += n;
            }
            None => by_reason.push(Reason { kind: "BEHAVIOUR".into(), reason: why.clone(), milli, count: n }),
        }
    }
    by_reason.retain(|r| r.milli != 0);
    let total = by_reason.iter().map(|r| r.milli).sum();
    (total, by_reason)
}

/// The score of a new lead for `c`: fit now, and the behaviour detection had read
/// before (events up to its cursor, firings before now).
pub(crate) async fn initial(
    tx: &TenantTx<'_>,
    p: &Parley,
    m: &ScoringModel,
    rules: &Rules,
    c: ContactId,
    skip: &[crate::TriggerFiringId],
) -> Result<Score> {
    let now = p.clock();
    let fit = fit_of(tx, rules, &[c]).await?.remove(&c).unwrap_or_default();
    let mut counted = Counted::new();
    let lookback = now - Duration::seconds((m.half_life_secs * 10).min(LOOKBACK_DAYS * 86_400));
    let kinds = rules.watches();
    if !kinds.is_empty() {
        let cur = crate::triggers::detect::cursor(tx, p).await?;
        let mut q = contact_event::Entity::scoped(tx.ctx())
            .filter(contact_event::Column::ContactId.eq(c))
            .filter(contact_event::Column::Kind.is_in(kinds))
            .filter(contact_event::Column::OccurredAt.gte(lookback));
        if let Some(last) = cur.last_event_id {
            q = q.filter(contact_event::Column::Id.lte(last));
        }
        let evs: Vec<(String, Value, DateTime<Utc>)> = q
            .select_only()
            .column(contact_event::Column::Kind)
            .column(contact_event::Column::Properties)
            .column(contact_event::Column::OccurredAt)
            .into_tuple()
            .all(tx)
            .await?;
        count_events(rules, m.half_life_secs, evs.iter().map(|(k, v, t)| (k.as_str(), v, *t)), now, &mut counted);
    }
    let by_rule: Vec<(usize, TriggerRuleId, i64)> = rules
        .behaviour
        .iter()
        .enumerate()
        .filter_map(|(i, b)| match b.on {
            On::Rule { rule, .. } => Some((i, rule, b.points)),
            On::Event { .. } => None,
        })
        .collect();
    if !by_rule.is_empty() {
        let fired: Vec<(TriggerRuleId, DateTime<Utc>)> = trigger_firing::Entity::scoped(tx.ctx())
            .filter(trigger_firing::Column::ContactId.eq(c))
            .filter(trigger_firing::Column::RuleId.is_in(by_rule.iter().map(|r| r.1).collect::<Vec<_>>()))
            .filter(trigger_firing::Column::FiredAt.gte(lookback))
            .filter(trigger_firing::Column::FiredAt.lte(now))
            .filter(trigger_firing::Column::Id.is_not_in(skip.to_vec()))
            .select_only()
            .column(trigger_firing::Column::RuleId)
            .column(trigger_firing::Column::FiredAt)
            .into_tuple()
            .all(tx)
            .await?;
        for (rule, at) in fired {
            for (i, _, pts) in by_rule.iter().filter(|r| r.1 == rule) {
                let e = counted.entry(*i).or_default();
                e.0 += *pts as f64 * decay(m.half_life_secs, at, now);
                e.1 += 1;
            }
        }
    }
    let (behaviour_milli, mut reasons) = fold(rules, m.half_life_secs, &[], now, &counted, now);
    let mut all = fit.1;
    all.append(&mut reasons);
    Ok(Score { fit: fit.0, behaviour_milli, grade: grade(fit.0, rules.best_fit()), reasons: all })
}

/// One event detection read, as scoring needs it.
pub(crate) struct Seen<'e> {
    pub contact: ContactId,
    pub kind: &'e str,
    pub properties: &'e Value,
    pub occurred_at: DateTime<Utc>,
}

/// Adds what detection just read (events, and firings `(rule, contact)`) to the open
/// leads of their contacts, scores their fit afresh and moves their stages; answers
/// the leads whose stage moved.
pub(crate) async fn on_detected(
    tx: &TenantTx<'_>,
    p: &Parley,
    log: &super::Log,
    (m, rules): (&ScoringModel, &Rules),
    seen: &[Seen<'_>],
    fired: &[(TriggerRuleId, ContactId)],
) -> Result<u64> {
    let mut contacts: Vec<ContactId> = seen.iter().map(|s| s.contact).chain(fired.iter().map(|f| f.1)).collect();
    contacts.sort_unstable();
    contacts.dedup();
    if contacts.is_empty() {
        return Ok(0);
    }
    let now = p.clock();
    let mut moved = 0;
    for chunk in contacts.chunks(500) {
        let open: Vec<lead::Model> = lead::Entity::scoped(tx.ctx())
            .filter(lead::Column::Status.eq("OPEN"))
            .filter(lead::Column::ContactId.is_in(chunk.to_vec()))
            .all(tx)
            .await?;
        if open.is_empty() {
            continue;
        }
        let ids: Vec<ContactId> = open.iter().map(|l| l.contact_id).collect();
        let fits = fit_of(tx, rules, &ids).await?;
        let mine: HashSet<ContactId> = ids.iter().copied().collect();
        let mut by_contact: HashMap<ContactId, Counted> = HashMap::new();
        for s in seen.iter().filter(|s| mine.contains(&s.contact)) {
            let into = by_contact.entry(s.contact).or_default();
            count_events(rules, m.half_life_secs, std::iter::once((s.kind, s.properties, s.occurred_at)), now, into);
        }
        for (rule, c) in fired.iter().filter(|f| mine.contains(&f.1)) {
            for (i, b) in rules.behaviour.iter().enumerate() {
                if matches!(b.on, On::Rule { rule: r, .. } if r == *rule) {
                    let e = by_contact.entry(*c).or_default().entry(i).or_default();
                    e.0 += b.points as f64;
                    e.1 += 1;
                }
            }
        }
        for l in open {
            let counted = by_contact.remove(&l.contact_id).unwrap_or_default();
            let old = reasons_of(&l);
            let half_life = m.half_life_secs;
            let (behaviour_milli, mut reasons) = fold(rules, half_life, &old, l.scored_at, &counted, now);
            let (fit, mut fit_reasons) = fits.get(&l.contact_id).cloned().unwrap_or_default();
            fit_reasons.append(&mut reasons);
            let score = Score { fit, behaviour_milli, grade: grade(fit, rules.best_fit()), reasons: fit_reasons };
            if super::rescore(tx, p, log, &l, m, &score).await? {
                moved += 1;
            }
        }
    }
    Ok(moved)
}

/// Adds `points` for `reason` to an open lead's behaviour (a journey's lead step), and
/// moves its stage as the active model's thresholds say.
pub(crate) async fn bump(
    tx: &TenantTx<'_>,
    p: &Parley,
    log: &super::Log,
    l: &lead::Model,
    points: i64,
    reason: &str,
) -> Result<()> {
    let now = p.clock();
    let d = decay(l.half_life_secs, l.scored_at, now);
    let mut reasons: Vec<Reason> = reasons_of(l);
    for r in reasons.iter_mut().filter(|r| r.kind == "BEHAVIOUR") {
        r.milli = (r.milli as f64 * d).round() as i64;
    }
    match reasons.iter_mut().find(|r| r.kind == "BEHAVIOUR" && r.reason == reason) {
        Some(r) => {
            r.milli += points * 1000;
            r.count += 1;
        }
        None => {
            reasons.push(Reason { kind: "BEHAVIOUR".into(), reason: reason.to_owned(), milli: points * 1000, count: 1 })
        }
    }
    let behaviour_milli = reasons.iter().filter(|r| r.kind == "BEHAVIOUR").map(|r| r.milli).sum();
    let Some(m) = active_in(tx).await? else {
        let am = lead::ActiveModel {
            tenant_id: sea_orm::ActiveValue::Unchanged(l.tenant_id),
            id: sea_orm::ActiveValue::Unchanged(l.id),
            behaviour_milli: Set(behaviour_milli),
            scored_at: Set(now),
            reasons: Set(json!(reasons)),
            updated_at: Set(now),
            ..Default::default()
        };
        sea_orm::ActiveModelTrait::update(am, tx).await?;
        return Ok(());
    };
    let rules = rules_of(&m)?;
    let (fit, mut fit_reasons) = fit_of(tx, &rules, &[l.contact_id]).await?.remove(&l.contact_id).unwrap_or_default();
    let mut all = std::mem::take(&mut fit_reasons);
    all.extend(reasons.into_iter().filter(|r| r.kind == "BEHAVIOUR"));
    let score = Score { fit, behaviour_milli, grade: grade(fit, rules.best_fit()), reasons: all };
    super::rescore(tx, p, log, l, &m, &score).await?;
    Ok(())
}

/// The stage a score reaches under `m` (None: below MQL).
pub(crate) fn stage_of(m: &ScoringModel, total: i64) -> Option<&'static str> {
    if total >= m.sql_threshold as i64 {
        Some("SQL")
    } else if total >= m.mql_threshold as i64 {
        Some("MQL")
    } else {
        None
    }
}

/// Rules of the active model that capture a lead when they fire, with their points.
pub(crate) fn captures(rules: &Rules) -> Vec<TriggerRuleId> {
    rules
        .behaviour
        .iter()
        .filter_map(|b| match b.on {
            On::Rule { rule, capture: true } => Some(rule),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_checked_part_by_part() {
        let e = parse(&json!({ "fit": [{ "when": {}, "points": 0 }] })).unwrap_err();
        assert!(e.to_string().starts_with("rules.fit[0].points"), "{e}");
        let e = parse(&json!({ "behaviour": [{ "event": "", "points": 3 }] })).unwrap_err();
        assert!(e.to_string().starts_with("rules.behaviour[0].event"), "{e}");
        let e = parse(&json!({ "behaviour": [{ "points": 3 }] })).unwrap_err();
        assert!(e.to_string().starts_with("rules.behaviour[0]"), "{e}");
        let e = parse(&json!({ "fits": [] })).unwrap_err();
        assert!(e.to_string().starts_with("rules.fits"), "{e}");
        let ok = parse(&json!({ "behaviour": [{ "event": "page_view", "where": [{ "property": "path", "op": "eq", "value": "/pricing" }], "points": 5 }] })).unwrap();
        assert_eq!(ok.watches(), vec!["page_view"]);
    }

    #[test]
    fn behaviour_halves_every_half_life() {
        let t0 = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        let day = 86_400;
        assert!((decay(day, t0, t0 + Duration::days(1)) - 0.5).abs() < 1e-9);
        assert!((decay(day, t0, t0 + Duration::days(3)) - 0.125).abs() < 1e-9);
        assert_eq!(decay(day, t0, t0), 1.0);
        let rules = parse(&json!({ "behaviour": [{ "event": "visit", "points": 10, "reason": "Visits" }] })).unwrap();
        let props = json!({});
        let mut c = Counted::new();
        count_events(
            &rules,
            day,
            [("visit", &props, t0), ("visit", &props, t0 + Duration::days(1))].into_iter(),
            t0 + Duration::days(1),
            &mut c,
        );
        // 10 halved once, plus 10 fresh.
        assert!((c[&0].0 - 15.0).abs() < 1e-9);
        let (milli, reasons) = fold(&rules, day, &[], t0, &c, t0 + Duration::days(1));
        assert_eq!(milli, 15_000);
        assert_eq!(reasons[0].count, 2);
        // A day later, the stored 15 decay to 7.5 and a new event adds 10.
        let mut c2 = Counted::new();
        count_events(
            &rules,
            day,
            [("visit", &props, t0 + Duration::days(2))].into_iter(),
            t0 + Duration::days(2),
            &mut c2,
        );
        let (milli, reasons) = fold(&rules, day, &reasons, t0 + Duration::days(1), &c2, t0 + Duration::days(2));
        assert_eq!(milli, 17_500);
        assert_eq!(reasons[0].count, 3);
    }

    #[test]
    fn grades_are_shares_of_the_best_fit() {
        assert_eq!(grade(30, 40), "A");
        assert_eq!(grade(20, 40), "B");
        assert_eq!(grade(10, 40), "C");
        assert_eq!(grade(0, 40), "D");
        assert_eq!(grade(0, 0), "A");
    }
}
