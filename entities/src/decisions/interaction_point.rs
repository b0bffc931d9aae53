//! A point (zone) of a channel that asks for offers: a web slot, a call-center script
//! step, a kiosk screen, a till, an email block.

use sea_orm::entity::prelude::*;

use crate::ids::{InteractionPointId, OfferId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "interaction_points")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: InteractionPointId,
    pub name: String,
    /// The channel it belongs to (`WEB`).
    pub channel: String,
    /// The most offers one answer holds.
    pub max_offers: i32,
    /// Shown when no rule's offer is eligible.
    pub fallback_offer_id: Option<OfferId>,
    /// How long after a presentation a response still counts as its outcome.
    pub response_window_secs: i64,
    /// The share of decisions (in 1/10,000) that get a random eligible offer, to
    /// measure what the learning adds.
    pub holdout_basis_points: i32,
    /// The share of decisions (in 1/10,000) on which the learner explores.
    pub exploration_basis_points: i32,
    /// 1: each offer is learnt apart for each segment of the point's rules.
    pub learn_by_segment: i32,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
