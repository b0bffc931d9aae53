//! Where a workspace's lead changes are posted (its CRM), and the secret that signs them.

use sea_orm::entity::prelude::*;

use crate::ids::{LeadWebhookId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lead_webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: LeadWebhookId,
    pub url: String,
    /// The signing secret, sealed.
    pub secret_sealed: String,
    /// `ACTIVE` or `PAUSED`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
