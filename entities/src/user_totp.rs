//! A user's TOTP authenticator (RFC 6238): pending until confirmed with a first code.

use sea_orm::entity::prelude::*;

use crate::ids::UserId;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "user_totps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: UserId,
    /// The shared secret, base32 (authenticator apps need it back, so it is not hashed).
    pub secret: String,
    pub created_at: DateTimeUtc,
    /// Set once the user proved their app works; log-in asks for codes from then on.
    pub enabled_at: Option<DateTimeUtc>,
    /// The last 30-second step a code was accepted for (a code works once).
    pub last_step: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
