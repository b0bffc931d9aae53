//! Leads (EXE-8): leads with their scores and reasons, scoring models, sales reps,
//! routing rules, outcomes and the CRM webhook.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::connection::{Conn, list};
use crate::graphql::contacts::Contact;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::identity::User;
use crate::graphql::ids::global_id;
use crate::graphql::money::{Money, MoneyInput};
use crate::graphql::node::{id_of, node_object};
use domain::leads::{self, routing, scoring, webhook};

/// Where a lead is in the sales process.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum LeadStage {
    /// Captured, below the MQL threshold.
    New,
    /// Marketing-qualified: routed to sales.
    Mql,
    /// Sales-qualified by score.
    Sql,
    /// A rep reached out.
    Contacted,
    /// A rep qualified it.
    Qualified,
    /// Won (closed).
    Won,
    /// Lost (closed).
    Lost,
}

fn stage_of(raw: &str) -> LeadStage {
    match raw {
        "MQL" => LeadStage::Mql,
        "SQL" => LeadStage::Sql,
        "CONTACTED" => LeadStage::Contacted,
        "QUALIFIED" => LeadStage::Qualified,
        "WON" => LeadStage::Won,
        "LOST" => LeadStage::Lost,
        _ => LeadStage::New,
    }
}

fn stage_str(s: LeadStage) -> &'static str {
    match s {
        LeadStage::New => "NEW",
        LeadStage::Mql => "MQL",
        LeadStage::Sql => "SQL",
        LeadStage::Contacted => "CONTACTED",
        LeadStage::Qualified => "QUALIFIED",
        LeadStage::Won => "WON",
        LeadStage::Lost => "LOST",
    }
}

/// An outcome a rep records.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum LeadOutcome {
    /// Reached out (stops the first-touch deadline).
    Contacted,
    /// Qualified the lead.
    Qualified,
    /// Won, with revenue (closes it).
    Won,
    /// Lost, with a reason (closes it).
    Lost,
}

/// How a routing rule picks among its reps.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum RoutingStrategy {
    /// In turn.
    RoundRobin,
    /// Shares by the reps' weights.
    Weighted,
    /// By a contact field's value, to the reps whose territory holds it.
    Territory,
}

fn strategy_of(s: routing::Strategy) -> RoutingStrategy {
    match s {
        routing::Strategy::RoundRobin => RoutingStrategy::RoundRobin,
        routing::Strategy::Weighted => RoutingStrategy::Weighted,
        routing::Strategy::Territory => RoutingStrategy::Territory,
    }
}

/// Which leads a Sales member sees.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum LeadVisibility {
    /// The leads they hold.
    Own,
    /// Their team's.
    Team,
    /// Every lead.
    All,
}

/// Why a lead scores what it does.
#[derive(SimpleObject)]
pub struct LeadReason {
    /// `FIT` or `BEHAVIOUR`.
    pub kind: String,
    pub reason: String,
    /// Points as of now (behaviour decays).
    pub points: f64,
    /// How many events or firings earned them.
    pub count: i64,
}

/// One change to a lead.
#[derive(SimpleObject)]
pub struct LeadActivity {
    pub id: ID,
    /// `CAPTURED`, `STAGE`, `ASSIGNED`, `REASSIGNED`, `UNASSIGNED`, `ESCALATED` or `OUTCOME`.
    pub kind: String,
    pub detail: Json<serde_json::Value>,
    /// Who made it.
    pub actor: String,
    pub at: DateTime<Utc>,
    /// Its webhook delivery: `NONE`, `PENDING`, `DELIVERED` or `FAILED`.
    pub delivery: String,
    pub attempts: i32,
    pub delivery_error: Option<String>,
}

async fn user(ctx: &Context<'_>, id: Option<domain::UserId>) -> async_graphql::Result<Option<User>> {
    let Some(id) = id else { return Ok(None) };
    let t = tenant(ctx).await?;
    match domain::identity::accounts::get_user(t, parley(ctx)?, id).await {
        Ok(u) => Ok(Some(User(u))),
        Err(domain::Error::NotFound) => Ok(None),
        Err(e) => Err(e).gql(ctx),
    }
}

node_object! {
    /// A contact in a sales process.
    Lead(domain::leads::Lead) {
        grade: String,
        escalations: i32,
        waiting: Option<String>,
        lost_reason: Option<String>,
        sla_due_at: Option<DateTime<Utc>>,
        assigned_at: Option<DateTime<Utc>>,
        touched_at: Option<DateTime<Utc>>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
        closed_at: Option<DateTime<Utc>>,
    }
    extra {
        async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Contact>> {
            let t = tenant(ctx).await?;
            match domain::contacts::get(t, parley(ctx)?, self.0.contact_id).await {
                Ok(c) => Ok(Some(Contact(c))),
                Err(domain::Error::NotFound) => Ok(None),
                Err(e) => Err(e).gql(ctx),
            }
        }
        /// Fit plus behaviour, as of now.
        async fn score(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
            Ok(leads::score(parley(ctx)?, &self.0))
        }
        /// Points for profile fit.
        async fn fit_score(&self) -> i32 {
            self.0.fit
        }
        /// Points for behaviour, as of now.
        async fn behaviour_score(&self, ctx: &Context<'_>) -> async_graphql::Result<f64> {
            Ok(leads::behaviour(parley(ctx)?, &self.0))
        }
        /// Why it scores what it does, a line each, the weightiest first ("+30 On the
        /// pro plan", "+19.6 Visited pricing (2×)"); `scoreReasons` has them as fields.
        async fn reasons(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
            Ok(leads::reasons(parley(ctx)?, &self.0)
                .into_iter()
                .map(|r| {
                    let times = if r.count > 1 { format!(" ({}×)", r.count) } else { String::new() };
                    format!("{:+} {}{times}", r.points, r.reason)
                })
                .collect())
        }
        /// Why it scores what it does, the weightiest first.
        async fn score_reasons(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LeadReason>> {
            Ok(leads::reasons(parley(ctx)?, &self.0)
                .into_iter()
                .map(|r| LeadReason { kind: r.kind, reason: r.reason, points: r.points, count: r.count })
                .collect())
        }
        async fn stage(&self) -> LeadStage {
            stage_of(&self.0.stage)
        }
        /// Open, or closed (won or lost).
        async fn open(&self) -> bool {
            self.0.status == "OPEN"
        }
        /// `FORM`, `API`, `TRIGGER`, `JOURNEY` or `MANUAL`.
        async fn source(&self) -> &str {
            &self.0.source
        }
        /// The form, trigger rule or journey it came from.
        async fn source_ref(&self) -> Option<&str> {
            self.0.source_ref.as_deref()
        }
        /// The rep who holds it.
        async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
            user(ctx, self.0.owner_id).await
        }
        /// The team it was given to.
        async fn team(&self) -> Option<&str> {
            self.0.team.as_deref()
        }
        /// Whether its first-touch deadline passed.
        async fn overdue(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
            Ok(leads::overdue(parley(ctx)?, &self.0))
        }
        /// The routing rule that gave it out.
        async fn routing_rule(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<RoutingRule>> {
            let Some(id) = self.0.rule_id else { return Ok(None) };
            let t = tenant(ctx).await?;
            match routing::get_rule(t, parley(ctx)?, id).await {
                Ok(r) => Ok(Some(RoutingRule(r))),
                Err(domain::Error::NotFound) => Ok(None),
                Err(e) => Err(e).gql(ctx),
            }
        }
        /// The last outcome recorded (None before any).
        async fn outcome(&self) -> Option<LeadOutcome> {
            match self.0.outcome.as_str() {
                "CONTACTED" => Some(LeadOutcome::Contacted),
                "QUALIFIED" => Some(LeadOutcome::Qualified),
                "WON" => Some(LeadOutcome::Won),
                "LOST" => Some(LeadOutcome::Lost),
                _ => None,
            }
        }
        /// What it was won for.
        async fn revenue(&self) -> Option<Money> {
            Some(Money::of(self.0.revenue_minor?, self.0.currency.as_deref()?))
        }
        /// Its history, oldest first.
        async fn activities(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<LeadActivity>> {
            let t = tenant(ctx).await?;
            let all = leads::activities(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
            Ok(all
                .into_iter()
                .map(|a| LeadActivity {
                    id: global_id("LeadActivity", a.id.into()),
                    kind: a.kind,
                    detail: Json(a.detail),
                    actor: a.actor,
                    at: a.at,
                    delivery: a.delivery,
                    attempts: a.attempts,
                    delivery_error: a.delivery_error,
                })
                .collect())
        }
    }
}

node_object! {
    /// How the workspace scores leads.
    LeadScoringModel(domain::leads::scoring::ScoringModel) {
        name: String,
        mql_threshold: i32,
        sql_threshold: i32,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        /// `{"fit": [...], "behaviour": [...]}` as written.
        async fn rules(&self) -> Json<serde_json::Value> {
            Json(self.0.rules.clone())
        }
        async fn half_life_days(&self) -> f64 {
            self.0.half_life_secs as f64 / 86_400.0
        }
        /// Whether leads are scored by it (one model at a time).
        async fn active(&self) -> bool {
            self.0.status == "ACTIVE"
        }
    }
}

node_object! {
    /// A rule that gives leads to reps.
    RoutingRule(domain::leads::routing::RoutingRule) {
        name: String,
        priority: i32,
        capacity: Option<i32>,
        sla_minutes: Option<i32>,
        territory_attribute: Option<String>,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        /// Which leads, in the segment rule language (`{}`: every lead).
        async fn condition(&self) -> Json<serde_json::Value> {
            Json(self.0.condition.clone())
        }
        async fn strategy(&self) -> RoutingStrategy {
            strategy_of(routing::Strategy::of(&self.0.strategy))
        }
        /// The reps' user IDs, in turn order.
        async fn rep_ids(&self) -> Vec<ID> {
            routing::reps_of(&self.0).into_iter().map(|u| global_id("User", u.into())).collect()
        }
        /// The reps, in turn order.
        async fn reps(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<User>> {
            let mut out = Vec::new();
            for u in routing::reps_of(&self.0) {
                if let Some(u) = user(ctx, Some(u)).await? {
                    out.push(u);
                }
            }
            Ok(out)
        }
        /// For TERRITORY: `{"<user ID>": ["de", "at"]}` (values compared without case).
        async fn territories(&self) -> Json<serde_json::Value> {
            Json(self.0.territories.clone())
        }
        /// Who is told of a missed first touch.
        async fn escalate_to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
            user(ctx, self.0.escalate_to).await
        }
    }
}

node_object! {
    /// A member who takes leads.
    SalesRep(domain::leads::routing::Rep) {
        weight: i32,
        capacity: Option<i32>,
        away_since: Option<DateTime<Utc>>,
        updated_at: DateTime<Utc>,
    }
    extra {
        async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
            user(ctx, Some(self.0.user_id)).await
        }
        async fn user_id(&self) -> ID {
            global_id("User", self.0.user_id.into())
        }
        async fn team(&self) -> Option<&str> {
            self.0.team.as_deref()
        }
        /// `{"zone", "days", "from", "to"}` (None: always).
        async fn hours(&self) -> Option<Json<serde_json::Value>> {
            self.0.hours.clone().map(Json)
        }
        async fn away(&self) -> bool {
            self.0.away_since.is_some()
        }
        async fn manager(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
            user(ctx, self.0.manager_id).await
        }
        async fn sees(&self) -> LeadVisibility {
            match self.0.sees.as_str() {
                "ALL" => LeadVisibility::All,
                "TEAM" => LeadVisibility::Team,
                _ => LeadVisibility::Own,
            }
        }
        /// Open leads they hold.
        async fn open_leads(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
            let t = tenant(ctx).await?;
            Ok(routing::held_by(t, parley(ctx)?, self.0.user_id).await.gql(ctx)? as i64)
        }
    }
}

/// Where lead changes are posted.
#[derive(SimpleObject)]
pub struct LeadWebhook {
    pub url: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhook::Webhook> for LeadWebhook {
    fn from(h: webhook::Webhook) -> Self {
        LeadWebhook { url: h.url, active: h.status == "ACTIVE", created_at: h.created_at, updated_at: h.updated_at }
    }
}

/// A webhook just set, with its signing secret (shown this once).
#[derive(SimpleObject)]
pub struct LeadWebhookSecret {
    pub webhook: LeadWebhook,
    /// Verify `Parley-Signature: t=…,v1=…` as HMAC-SHA256 of `"{t}.{body}"` under it.
    pub secret: String,
}

/// Leads counted for the sales page.
#[derive(SimpleObject)]
pub struct LeadCounts {
    pub open: i64,
    pub mine: i64,
    pub due: i64,
    pub overdue: i64,
    pub unassigned: i64,
}

/// A scoring model as written.
#[derive(InputObject)]
pub struct LeadScoringModelInput {
    pub name: String,
    /// `{"fit": [{"when": RULE, "points": N, "reason": TEXT}], "behaviour": [{"event":
    /// TYPE, "where": [{"property", "op", "value"}], "points": N, "reason": TEXT} |
    /// {"rule": TRIGGER_RULE_ID, "points": N, "capture": true}]}`; `when` is the segment
    /// rule language over the contact.
    pub rules: Json<serde_json::Value>,
    /// Behaviour points halve every this many days.
    pub half_life_days: f64,
    /// Score from which a lead is marketing-qualified (and routed to sales).
    pub mql_threshold: i32,
    /// Score from which it is sales-qualified.
    pub sql_threshold: i32,
}

impl From<LeadScoringModelInput> for scoring::ModelInput {
    fn from(i: LeadScoringModelInput) -> Self {
        scoring::ModelInput {
            name: i.name,
            rules: i.rules.0,
            half_life_days: i.half_life_days,
            mql_threshold: i.mql_threshold,
            sql_threshold: i.sql_threshold,
        }
    }
}

/// A routing rule as written.
#[derive(InputObject)]
pub struct RoutingRuleInput {
    pub name: String,
    /// Lower is tried first.
    pub priority: i32,
    /// Which leads, in the segment rule language over the contact (`{}`: every lead).
    pub condition: Json<serde_json::Value>,
    pub strategy: RoutingStrategy,
    /// Members who take its leads, in turn order.
    pub rep_ids: Vec<ID>,
    /// The most open leads a rep holds under it.
    pub capacity: Option<i32>,
    /// Minutes to first touch; past it the lead is escalated and given to another rep.
    pub sla_minutes: Option<i32>,
    /// The manager told of a missed first touch (and given the lead if no rep is free).
    pub escalate_to_id: Option<ID>,
    /// For TERRITORY: the contact field whose value picks the rep.
    pub territory_attribute: Option<String>,
    /// For TERRITORY: `{"<rep ID>": ["DE", "AT"]}`.
    pub territories: Option<Json<serde_json::Value>>,
}

fn rule_input(i: RoutingRuleInput) -> domain::Result<routing::RuleInput> {
    let reps = i
        .rep_ids
        .iter()
        .enumerate()
        .map(|(n, r)| id_of::<User>(&format!("repIds[{n}]"), r))
        .collect::<domain::Result<Vec<_>>>()?;
    let escalate_to = i.escalate_to_id.as_ref().map(|e| id_of::<User>("escalateToId", e)).transpose()?;
    // Territories may name reps by global ID; they are stored by user ID.
    let territories = match i.territories.map(|t| t.0) {
        Some(serde_json::Value::Object(m)) => {
            let mut out = serde_json::Map::new();
            for (k, v) in m {
                let user = id_of::<User>(&format!("territories.{k}"), &ID(k.clone()))?;
                out.insert(domain::validate::global_ref(user), v);
            }
            Some(serde_json::Value::Object(out))
        }
        other => other,
    };
    let strategy = match i.strategy {
        RoutingStrategy::RoundRobin => routing::Strategy::RoundRobin,
        RoutingStrategy::Weighted => routing::Strategy::Weighted,
        RoutingStrategy::Territory => routing::Strategy::Territory,
    };
    Ok(routing::RuleInput {
        name: i.name,
        priority: i.priority,
        condition: i.condition.0,
        strategy,
        reps,
        territory_attribute: i.territory_attribute,
        territories,
        capacity: i.capacity,
        sla_minutes: i.sla_minutes,
        escalate_to,
    })
}

/// A rep's profile as written.
#[derive(InputObject)]
pub struct SalesRepInput {
    pub user_id: ID,
    pub team: Option<String>,
    /// Share of a weighted rule's leads (1–100).
    #[graphql(default = 1)]
    pub weight: i32,
    /// The most open leads they hold.
    pub capacity: Option<i32>,
    /// `{"zone": "Europe/Berlin", "days": [1,2,3,4,5], "from": "09:00", "to": "17:00"}`.
    pub hours: Option<Json<serde_json::Value>>,
    #[graphql(default = false)]
    pub away: bool,
    pub manager_id: Option<ID>,
    /// Which leads they see with the Sales role.
    #[graphql(default_with = "LeadVisibility::Own")]
    pub sees: LeadVisibility,
}

/// A lead to capture: a contact's ID, or its email and fields.
#[derive(InputObject)]
pub struct CaptureLeadInput {
    pub contact_id: Option<ID>,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Custom field values.
    pub attributes: Option<Json<serde_json::Value>>,
    /// What it came through (a form's name, an event).
    pub source: Option<String>,
}

/// An outcome as a rep records it.
#[derive(InputObject)]
pub struct LeadOutcomeInput {
    pub lead_id: ID,
    pub outcome: LeadOutcome,
    /// Required with WON.
    pub revenue: Option<MoneyInput>,
    /// Required with LOST; a note otherwise.
    pub reason: Option<String>,
}

#[derive(Default)]
pub struct LeadsQuery;

#[Object]
impl LeadsQuery {
    /// The leads you may see, newest first.
    #[allow(clippy::too_many_arguments)]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default)] stages: Vec<LeadStage>,
        open: Option<bool>,
        owner_id: Option<ID>,
        mine: Option<bool>,
        due: Option<bool>,
        overdue: Option<bool>,
        unassigned: Option<bool>,
        contact_id: Option<ID>,
    ) -> async_graphql::Result<Conn<Lead>> {
        let owner = owner_id.as_ref().map(|o| id_of::<User>("ownerId", o)).transpose().gql(ctx)?;
        let contact = contact_id.as_ref().map(|c| id_of::<Contact>("contactId", c)).transpose().gql(ctx)?;
        let f = leads::Filter {
            stages: stages.into_iter().map(|s| stage_str(s).to_owned()).collect(),
            open,
            owner,
            mine: mine.unwrap_or(false),
            due: due.unwrap_or(false),
            overdue: overdue.unwrap_or(false),
            unassigned: unassigned.unwrap_or(false),
            contact,
        };
        list(ctx, first, after, move |t, p, args| leads::list(t, p, f, args), Lead).await
    }

    /// One lead (not found when you may not see it).
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Lead> {
        let t = tenant(ctx).await?;
        let id = id_of::<Lead>("id", &id).gql(ctx)?;
        Ok(Lead(leads::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Open leads you may see, counted: yours, due, overdue, waiting for a rep.
    async fn lead_counts(&self, ctx: &Context<'_>) -> async_graphql::Result<LeadCounts> {
        let t = tenant(ctx).await?;
        let c = leads::counts(t, parley(ctx)?).await.gql(ctx)?;
        Ok(LeadCounts {
            open: c.open as i64,
            mine: c.mine as i64,
            due: c.due as i64,
            overdue: c.overdue as i64,
            unassigned: c.unassigned as i64,
        })
    }

    /// The workspace's scoring models, oldest first (one is active).
    async fn lead_scoring_models(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<LeadScoringModel>> {
        list(ctx, first, after, scoring::list, LeadScoringModel).await
    }

    async fn lead_scoring_model(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<LeadScoringModel> {
        let t = tenant(ctx).await?;
        let id = id_of::<LeadScoringModel>("id", &id).gql(ctx)?;
        Ok(LeadScoringModel(scoring::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The routing rules, in the order they are tried.
    async fn routing_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RoutingRule>> {
        let t = tenant(ctx).await?;
        Ok(routing::rules(t, parley(ctx)?).await.gql(ctx)?.into_iter().map(RoutingRule).collect())
    }

    async fn routing_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<RoutingRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<RoutingRule>("id", &id).gql(ctx)?;
        Ok(RoutingRule(routing::get_rule(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The members who take leads, oldest first.
    async fn sales_reps(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<SalesRep>> {
        list(ctx, first, after, routing::reps, SalesRep).await
    }

    /// Where lead changes are posted (owners and admins).
    async fn lead_webhook(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<LeadWebhook>> {
        let t = tenant(ctx).await?;
        Ok(webhook::get(t, parley(ctx)?).await.gql(ctx)?.map(LeadWebhook::from))
    }
}

#[derive(Default)]
pub struct LeadsMutation;

#[Object]
impl LeadsMutation {
    /// Adds a scoring model and makes it the one leads are scored by.
    async fn create_lead_scoring_model(
        &self,
        ctx: &Context<'_>,
        input: LeadScoringModelInput,
    ) -> async_graphql::Result<LeadScoringModel> {
        let t = tenant(ctx).await?;
        Ok(LeadScoringModel(scoring::create(t, parley(ctx)?, input.into()).await.gql(ctx)?))
    }

    /// Changes a scoring model (open leads take it from their next change on).
    async fn update_lead_scoring_model(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: LeadScoringModelInput,
    ) -> async_graphql::Result<LeadScoringModel> {
        let t = tenant(ctx).await?;
        let id = id_of::<LeadScoringModel>("id", &id).gql(ctx)?;
        Ok(LeadScoringModel(scoring::update(t, parley(ctx)?, id, input.into()).await.gql(ctx)?))
    }

    /// Adds a routing rule; leads waiting for one are routed at once.
    async fn create_routing_rule(
        &self,
        ctx: &Context<'_>,
        input: RoutingRuleInput,
    ) -> async_graphql::Result<RoutingRule> {
        let t = tenant(ctx).await?;
        let input = rule_input(input).gql(ctx)?;
        Ok(RoutingRule(routing::create_rule(t, parley(ctx)?, input).await.gql(ctx)?))
    }

    async fn update_routing_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: RoutingRuleInput,
    ) -> async_graphql::Result<RoutingRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<RoutingRule>("id", &id).gql(ctx)?;
        let input = rule_input(input).gql(ctx)?;
        Ok(RoutingRule(routing::update_rule(t, parley(ctx)?, id, input).await.gql(ctx)?))
    }

    /// Deletes a routing rule (its leads stay with their reps).
    async fn delete_routing_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<RoutingRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<RoutingRule>("id", &id).gql(ctx)?;
        Ok(RoutingRule(routing::delete_rule(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Makes a member a sales rep, or changes their profile.
    async fn set_sales_rep(&self, ctx: &Context<'_>, input: SalesRepInput) -> async_graphql::Result<SalesRep> {
        let t = tenant(ctx).await?;
        let user = id_of::<User>("userId", &input.user_id).gql(ctx)?;
        let manager = input.manager_id.as_ref().map(|m| id_of::<User>("managerId", m)).transpose().gql(ctx)?;
        let sees = match input.sees {
            LeadVisibility::Own => "OWN",
            LeadVisibility::Team => "TEAM",
            LeadVisibility::All => "ALL",
        };
        let rep = routing::RepInput {
            user,
            team: input.team,
            weight: input.weight,
            capacity: input.capacity,
            hours: input.hours.map(|h| h.0),
            away: input.away,
            manager,
            sees: sees.into(),
        };
        Ok(SalesRep(routing::set_rep(t, parley(ctx)?, rep).await.gql(ctx)?))
    }

    /// Marks a rep away (their open leads go to others) or back; reps may mark
    /// themselves.
    async fn set_sales_rep_away(&self, ctx: &Context<'_>, user_id: ID, away: bool) -> async_graphql::Result<SalesRep> {
        let t = tenant(ctx).await?;
        let user = id_of::<User>("userId", &user_id).gql(ctx)?;
        Ok(SalesRep(routing::set_away(t, parley(ctx)?, user, away).await.gql(ctx)?))
    }

    /// Stops a member taking leads; their open leads go to others.
    async fn remove_sales_rep(&self, ctx: &Context<'_>, user_id: ID) -> async_graphql::Result<SalesRep> {
        let t = tenant(ctx).await?;
        let user = id_of::<User>("userId", &user_id).gql(ctx)?;
        Ok(SalesRep(routing::remove_rep(t, parley(ctx)?, user).await.gql(ctx)?))
    }

    /// Captures a contact as a lead (its open lead, if it has one), scored at once.
    async fn capture_lead(&self, ctx: &Context<'_>, input: CaptureLeadInput) -> async_graphql::Result<Lead> {
        let t = tenant(ctx).await?;
        let contact = input.contact_id.as_ref().map(|c| id_of::<Contact>("contactId", c)).transpose().gql(ctx)?;
        let has_fields = input.email.is_some() || input.first_name.is_some() || input.last_name.is_some();
        let changes = (contact.is_none() || has_fields).then(|| {
            let set = |v: Option<String>| v.map_or(domain::contacts::Edit::Keep, domain::contacts::Edit::Set);
            domain::contacts::ContactChanges {
                email: set(input.email),
                first_name: set(input.first_name),
                last_name: set(input.last_name),
                attributes: input.attributes.and_then(|a| a.0.as_object().cloned()).unwrap_or_default(),
                ..Default::default()
            }
        });
        let capture = leads::CaptureInput { contact, changes, note: input.source };
        let (l, _) = leads::capture(t, parley(ctx)?, capture, leads::Source::Api).await.gql(ctx)?;
        Ok(Lead(l))
    }

    /// Gives a lead to a member by hand.
    async fn assign_lead(&self, ctx: &Context<'_>, lead_id: ID, owner_id: ID) -> async_graphql::Result<Lead> {
        let t = tenant(ctx).await?;
        let id = id_of::<Lead>("leadId", &lead_id).gql(ctx)?;
        let owner = id_of::<User>("ownerId", &owner_id).gql(ctx)?;
        Ok(Lead(leads::assign(t, parley(ctx)?, id, owner).await.gql(ctx)?))
    }

    /// Records an outcome: the first touches the lead, WON and LOST close it.
    async fn record_lead_outcome(&self, ctx: &Context<'_>, input: LeadOutcomeInput) -> async_graphql::Result<Lead> {
        let t = tenant(ctx).await?;
        let lead = id_of::<Lead>("leadId", &input.lead_id).gql(ctx)?;
        let outcome = match input.outcome {
            LeadOutcome::Contacted => leads::Outcome::Contacted,
            LeadOutcome::Qualified => leads::Outcome::Qualified,
            LeadOutcome::Won => leads::Outcome::Won,
            LeadOutcome::Lost => leads::Outcome::Lost,
        };
        let o =
            leads::OutcomeInput { lead, outcome, revenue: input.revenue.map(MoneyInput::pair), reason: input.reason };
        Ok(Lead(leads::record_outcome(t, parley(ctx)?, o).await.gql(ctx)?))
    }

    /// Points lead changes at a URL (your CRM), with a new signing secret shown once.
    async fn set_lead_webhook(&self, ctx: &Context<'_>, url: String) -> async_graphql::Result<LeadWebhookSecret> {
        let t = tenant(ctx).await?;
        let (h, secret) = webhook::set(t, parley(ctx)?, &url).await.gql(ctx)?;
        Ok(LeadWebhookSecret { webhook: h.into(), secret })
    }

    /// Stops posting lead changes.
    async fn delete_lead_webhook(&self, ctx: &Context<'_>) -> async_graphql::Result<LeadWebhook> {
        let t = tenant(ctx).await?;
        Ok(webhook::remove(t, parley(ctx)?).await.gql(ctx)?.into())
    }
}
