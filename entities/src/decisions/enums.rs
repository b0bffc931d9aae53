//! The closed sets of decisioning, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether an offer may still be chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum OfferStatus {
    /// In the catalogue: a candidate wherever a rule names it, within its validity.
    #[sea_orm(string_value = "active")]
    Active,
    /// Withdrawn for good: never chosen again, kept for the history that names it.
    #[sea_orm(string_value = "retired")]
    Retired,
    /// Waiting for the approval a rule asks for: not chosen until approved.
    #[sea_orm(string_value = "in_approval")]
    InApproval,
    /// Its approval was refused or sent back: not chosen; a change submits it again.
    #[sea_orm(string_value = "draft")]
    Draft,
}
