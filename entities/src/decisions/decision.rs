//! One decision: who asked where, with what context, how it chose and what it showed.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, DecisionId, InteractionPointId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "decisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: DecisionId,
    pub point_id: InteractionPointId,
    pub contact_id: Option<ContactId>,
    pub anonymous_id: Option<String>,
    /// The request's context (a JSON object).
    pub context: Json,
    /// `LEARNED`, `EXPLORE`, `HOLDOUT` or `FALLBACK`.
    pub mode: String,
    /// `[{offerId, version, rank, score}]`, best first.
    pub offers: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
