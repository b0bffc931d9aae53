//! One contact in one campaign: held out, suppressed (and why), or sent, and what they
//! did with it. Unique per `(tenant_id, campaign_id, contact_id)`: a contact is never
//! targeted twice by one campaign.

use sea_orm::entity::prelude::*;

use super::enums::SendStatus;
use crate::ids::{CampaignId, CampaignSendId, ContactId, JourneyEnrolmentId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_sends")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: CampaignSendId,
    pub campaign_id: CampaignId,
    pub contact_id: ContactId,
    /// The address sent to (as it was when chosen).
    pub email: Option<String>,
    pub status: SendStatus,
    /// Why it was suppressed, or why it failed.
    pub reason: Option<String>,
    /// Which content variant it gets (0 for the first; also kept for the control group,
    /// which would have had it).
    pub variant: i32,
    /// Hand-overs to the mail server so far.
    pub attempts: i32,
    /// Not sent before this time (the contact's local time window, or a retry's backoff).
    pub not_before: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub opened_at: Option<DateTimeUtc>,
    pub clicked_at: Option<DateTimeUtc>,
    pub opens: i32,
    pub clicks: i32,
    /// `hard` or `soft`, once a bounce came back.
    pub bounce: Option<String>,
    pub bounced_at: Option<DateTimeUtc>,
    pub unsubscribed_at: Option<DateTimeUtc>,
    pub complained_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The journey enrolment it was sent for (a journey's email step), None for a
    /// campaign's own audience.
    pub enrolment_id: Option<JourneyEnrolmentId>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
