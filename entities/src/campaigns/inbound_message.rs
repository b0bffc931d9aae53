//! A raw message that came back to a workspace (a bounce, a feedback report, anything
//! else), kept with what was made of it.

use sea_orm::entity::prelude::*;

use super::enums::{InboundKind, InboundOutcome};
use crate::ids::{CampaignSendId, InboundMessageId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inbound_messages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: InboundMessageId,
    pub kind: InboundKind,
    pub outcome: InboundOutcome,
    pub send_id: Option<CampaignSendId>,
    /// The address the report is about (empty when none was found).
    pub recipient: String,
    /// What the report said (status code and diagnostic), or why it was ignored.
    pub detail: String,
    /// The message as received (its first 256 KiB).
    pub raw: String,
    pub received_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
