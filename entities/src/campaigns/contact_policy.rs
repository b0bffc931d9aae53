//! A workspace's contact policy (DEC-8): how often a contact may be reached, on email and
//! on all channels together, over rolling windows, and the hours nothing is sent in the
//! contact's own time zone. One row per workspace at most.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactPolicyId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_policies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ContactPolicyId,
    /// Most emails per contact within `email_window_days` (None: no cap).
    pub email_max: Option<i32>,
    pub email_window_days: Option<i32>,
    /// Most messages on any channel per contact within `all_window_days`.
    pub all_max: Option<i32>,
    pub all_window_days: Option<i32>,
    /// `HH:MM` in the contact's zone: quiet from then…
    pub quiet_start: Option<String>,
    /// …until then (may be the next day).
    pub quiet_end: Option<String>,
    /// Most offers shown to one contact, at every point and on every channel together,
    /// within `offer_window_days` (None: no cap).
    pub offer_max: Option<i32>,
    pub offer_window_days: Option<i32>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
