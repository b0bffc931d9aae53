//! The closed sets of assets, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a version holds, read from its first bytes (never from its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum AssetKind {
    /// PNG, JPEG, GIF, WebP or SVG.
    #[sea_orm(string_value = "image")]
    Image,
    #[sea_orm(string_value = "pdf")]
    Pdf,
    /// An HTML email or page.
    #[sea_orm(string_value = "html")]
    Html,
}

/// Where a version stands in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(20))")]
pub enum AssetVersionState {
    /// Uploaded; nobody has been asked yet.
    #[sea_orm(string_value = "draft")]
    Draft,
    /// Waiting for its approvers.
    #[sea_orm(string_value = "in_review")]
    InReview,
    /// Approved: this version may be used.
    #[sea_orm(string_value = "approved")]
    Approved,
    /// Refused.
    #[sea_orm(string_value = "rejected")]
    Rejected,
    /// Sent back to its author (changes asked for, or the deadline passed).
    #[sea_orm(string_value = "changes_requested")]
    ChangesRequested,
}
