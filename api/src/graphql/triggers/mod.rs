//! Event detection (INS-7): trigger rules and their firings.

use async_graphql::{Context, Enum, ID, InputObject, Json, Object};
use chrono::{DateTime, Utc};

use crate::graphql::connection::{Conn, list};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::global_id;
use crate::graphql::node::{id_of, node_object};
use domain::triggers::{self, RuleStatus};

/// Whether a rule is watching.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TriggerRuleStatus {
    /// Watching events and changes.
    Active,
    /// Reading nothing; what happens meanwhile never fires it.
    Paused,
}

/// What a rule watches for.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum TriggerKind {
    /// An event happened (with property conditions).
    Event,
    /// An event not followed by another within a time (an abandoned cart).
    Sequence,
    /// An event's amount over (or under) a number.
    Threshold,
    /// Several events within a window.
    Count,
    /// A contact field changed.
    Attribute,
    /// A contact came into a segment.
    SegmentEntered,
    /// A contact left a segment.
    SegmentLeft,
}

fn kind_of(raw: &str) -> TriggerKind {
    match raw {
        "SEQUENCE" => TriggerKind::Sequence,
        "THRESHOLD" => TriggerKind::Threshold,
        "COUNT" => TriggerKind::Count,
        "ATTRIBUTE" => TriggerKind::Attribute,
        "SEGMENT_ENTERED" => TriggerKind::SegmentEntered,
        "SEGMENT_LEFT" => TriggerKind::SegmentLeft,
        _ => TriggerKind::Event,
    }
}

node_object! {
    /// A rule evaluated on the workspace's event stream and contact changes; when it
    /// holds for a contact, it fires.
    TriggerRule(domain::triggers::TriggerRule) {
        name: String,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    }
    extra {
        /// What it watches, as JSON (see `createTriggerRule`).
        async fn definition(&self) -> Json<serde_json::Value> {
            Json(self.0.definition.clone())
        }
        async fn kind(&self) -> TriggerKind {
            kind_of(&self.0.kind)
        }
        async fn status(&self) -> TriggerRuleStatus {
            match RuleStatus::of(&self.0) {
                RuleStatus::Active => TriggerRuleStatus::Active,
                RuleStatus::Paused => TriggerRuleStatus::Paused,
            }
        }
        /// How many times it fired.
        async fn firing_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
            let t = tenant(ctx).await?;
            let fired = triggers::count(t, parley(ctx)?, self.0.id, triggers::Tally::Fired).await.gql(ctx)?;
            Ok(fired as i64)
        }
        /// Contacts whose timer runs (a sequence rule waiting for its second event).
        async fn waiting_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
            let t = tenant(ctx).await?;
            let waiting = triggers::count(t, parley(ctx)?, self.0.id, triggers::Tally::Waiting).await.gql(ctx)?;
            Ok(waiting as i64)
        }
    }
}

node_object! {
    /// One firing of a rule for a contact.
    TriggerFiring(domain::triggers::Firing) {
        fired_at: DateTime<Utc>,
    }
    extra {
        async fn rule_id(&self) -> ID {
            global_id("TriggerRule", self.0.rule_id.into())
        }
        /// The contact it fired for.
        async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::graphql::contacts::Contact>> {
            let t = tenant(ctx).await?;
            match domain::contacts::get(t, parley(ctx)?, self.0.contact_id).await {
                Ok(c) => Ok(Some(crate::graphql::contacts::Contact(c))),
                Err(domain::Error::NotFound) => Ok(None),
                Err(e) => Err(e).gql(ctx),
            }
        }
        /// The IDs of the events that made it fire (none for a change of segment).
        async fn event_ids(&self) -> Vec<ID> {
            let ids: Vec<uuid::Uuid> = serde_json::from_value(self.0.events.clone()).unwrap_or_default();
            ids.into_iter().map(|e| global_id("ContactEvent", e)).collect()
        }
    }
}

/// A trigger rule as written.
#[derive(InputObject)]
pub struct TriggerRuleInput {
    /// Unique in the workspace; up to 200 characters.
    pub name: String,
    /// What to watch: `{"event": TYPE, "where": [{"property", "op", "value"}]}`,
    /// `{"sequence": {"first": TYPE, "notFollowedBy": TYPE, "within": "PT1H"}}`,
    /// `{"threshold": {"event": TYPE, "property": NAME, "op": "gt", "value": 500}}`,
    /// `{"count": {"event": TYPE, "atLeast": 3, "within": "PT10M"}}`,
    /// `{"attributeChanged": FIELD, "from": V, "to": V}`, `{"segmentEntered": ID}` or
    /// `{"segmentLeft": ID}`.
    pub definition: Json<serde_json::Value>,
}

fn input(i: TriggerRuleInput) -> triggers::RuleInput {
    triggers::RuleInput { name: i.name, definition: i.definition.0 }
}

#[derive(Default)]
pub struct TriggersQuery;

#[Object]
impl TriggersQuery {
    /// The workspace's trigger rules, oldest first.
    async fn trigger_rules(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<TriggerRule>> {
        list(ctx, first, after, triggers::list, TriggerRule).await
    }

    /// One trigger rule.
    async fn trigger_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<TriggerRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<TriggerRule>("id", &id).gql(ctx)?;
        Ok(TriggerRule(triggers::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// A rule's firings, newest first.
    async fn trigger_firings(
        &self,
        ctx: &Context<'_>,
        rule_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<TriggerFiring>> {
        let rule = id_of::<TriggerRule>("ruleId", &rule_id).gql(ctx)?;
        list(ctx, first, after, move |t, p, args| triggers::firings(t, p, rule, args), TriggerFiring).await
    }

    /// A contact's latest firings, of every rule, newest first (at most 100).
    async fn contact_firings(
        &self,
        ctx: &Context<'_>,
        contact_id: ID,
        #[graphql(default = 20)] first: i32,
    ) -> async_graphql::Result<Vec<TriggerFiring>> {
        let t = tenant(ctx).await?;
        let c = id_of::<crate::graphql::contacts::Contact>("contactId", &contact_id).gql(ctx)?;
        let all = triggers::of_contact(t, parley(ctx)?, c, first.max(0) as u64).await.gql(ctx)?;
        Ok(all.into_iter().map(TriggerFiring).collect())
    }
}

#[derive(Default)]
pub struct TriggersMutation;

#[Object]
impl TriggersMutation {
    /// Adds a trigger rule, active at once: what happens from now on may fire it.
    async fn create_trigger_rule(
        &self,
        ctx: &Context<'_>,
        input: TriggerRuleInput,
    ) -> async_graphql::Result<TriggerRule> {
        let t = tenant(ctx).await?;
        Ok(TriggerRule(triggers::create(t, parley(ctx)?, self::input(input)).await.gql(ctx)?))
    }

    /// Changes a rule's name or definition (a new definition starts afresh).
    async fn update_trigger_rule(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: TriggerRuleInput,
    ) -> async_graphql::Result<TriggerRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<TriggerRule>("id", &id).gql(ctx)?;
        Ok(TriggerRule(triggers::update(t, parley(ctx)?, id, self::input(input)).await.gql(ctx)?))
    }

    /// Pauses a rule: nothing fires it until it is resumed.
    async fn pause_trigger_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<TriggerRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<TriggerRule>("id", &id).gql(ctx)?;
        Ok(TriggerRule(triggers::set_status(t, parley(ctx)?, id, RuleStatus::Paused).await.gql(ctx)?))
    }

    /// Resumes a paused rule, from now on.
    async fn resume_trigger_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<TriggerRule> {
        let t = tenant(ctx).await?;
        let id = id_of::<TriggerRule>("id", &id).gql(ctx)?;
        Ok(TriggerRule(triggers::set_status(t, parley(ctx)?, id, RuleStatus::Active).await.gql(ctx)?))
    }

    /// Deletes a rule with its firings and timers (the contacts' timelines keep them).
    async fn delete_trigger_rule(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        let t = tenant(ctx).await?;
        let rid = id_of::<TriggerRule>("id", &id).gql(ctx)?;
        triggers::delete(t, parley(ctx)?, rid).await.gql(ctx)?;
        Ok(id)
    }
}
