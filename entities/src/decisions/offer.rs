//! An offer of the catalogue, as its latest version has it.

use sea_orm::entity::prelude::*;

use super::enums::OfferStatus;
use crate::ids::{ApprovalId, OfferId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "offers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: OfferId,
    /// Unique in the workspace, upper case (`SPRING-10`).
    pub code: String,
    pub name: String,
    pub status: OfferStatus,
    /// The current version (1 when made; each change adds one).
    pub version: i32,
    /// The channels it may be shown on (`["WEB", "EMAIL"]`).
    pub channels: Json,
    pub valid_from: Option<DateTimeUtc>,
    pub valid_to: Option<DateTimeUtc>,
    /// ISO 4217 code of the value and the cost.
    pub currency: String,
    /// What one acceptance is worth, in minor units.
    pub value_minor: i64,
    /// What one presentation costs, in minor units.
    pub cost_minor: i64,
    /// `[{title, body, imageUrl, link}]`.
    pub creatives: Json,
    /// The marketer's own attributes (a JSON object).
    pub attributes: Json,
    /// Most presentations to one contact within `max_per_contact_days` (None: no limit).
    pub max_per_contact: Option<i32>,
    pub max_per_contact_days: Option<i32>,
    /// Most presentations in all, at every point (None: no limit).
    pub capacity: Option<i64>,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub retired_at: Option<DateTimeUtc>,
    /// The approval request of its latest version, when a rule asked for one.
    pub approval_id: Option<ApprovalId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
