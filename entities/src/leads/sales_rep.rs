//! A workspace member who takes leads: team, weight, capacity, working hours, whether
//! away, manager, and which leads they see.

use sea_orm::entity::prelude::*;

use crate::ids::{SalesRepId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sales_reps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SalesRepId,
    pub user_id: UserId,
    pub team: Option<String>,
    /// Share of a weighted rule's leads (1–100).
    pub weight: i32,
    /// The most open leads they hold (None: no limit).
    pub capacity: Option<i32>,
    /// `{"zone": "Europe/Berlin", "days": [1, 2, 3, 4, 5], "from": "09:00", "to": "17:00"}`
    /// (None: always).
    pub hours: Option<Json>,
    /// Since when they are away (their open leads go to others).
    pub away_since: Option<DateTimeUtc>,
    pub manager_id: Option<UserId>,
    /// Which leads a member with the Sales role sees: `OWN`, `TEAM` or `ALL`.
    pub sees: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
