//! An address of a workspace that bounced, complained or unsubscribed: suppressed once
//! `reason` is set; soft bounces are counted toward the threshold before that.

use sea_orm::entity::prelude::*;

use super::enums::SuppressionReason;
use crate::ids::{CampaignSendId, EmailSuppressionId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_suppressions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: EmailSuppressionId,
    /// The address, lower case.
    pub email: String,
    /// Why it is suppressed (None: not suppressed, soft bounces counted).
    pub reason: Option<SuppressionReason>,
    pub soft_bounces: i32,
    /// What the last report said.
    pub detail: String,
    /// The send the last report was about.
    pub send_id: Option<CampaignSendId>,
    pub suppressed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
