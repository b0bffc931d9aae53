//! A rule that gives leads matching its condition to its reps, by a strategy, with
//! capacity limits and a first-touch SLA.

use sea_orm::entity::prelude::*;

use crate::ids::{RoutingRuleId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "routing_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: RoutingRuleId,
    pub name: String,
    /// Lower first.
    pub priority: i32,
    /// Which leads, in the segment rule language over the contact (`{}`: every lead).
    pub condition: Json,
    /// `ROUND_ROBIN`, `WEIGHTED` or `TERRITORY`.
    pub strategy: String,
    /// The reps (user IDs), in turn order.
    pub rep_ids: Json,
    /// For `TERRITORY`: the contact field whose value picks the rep.
    pub territory_attribute: Option<String>,
    /// For `TERRITORY`: `{"<user id>": ["DE", "AT"]}`.
    pub territories: Json,
    /// The most open leads a rep holds under it (None: the rep's own limit only).
    pub capacity: Option<i32>,
    /// Minutes to first touch, else escalate and reassign.
    pub sla_minutes: Option<i32>,
    /// The manager told of a missed SLA (and given the lead when no rep is left).
    pub escalate_to: Option<UserId>,
    /// `ACTIVE` or `PAUSED`.
    pub status: String,
    /// Round-robin position.
    pub turn: i64,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
