//! A workspace's customer or prospect: identities, names, custom attributes, consent
//! per channel and tags. A contact merged into another keeps its row as a pointer
//! (`merged_into`), so links to it still lead somewhere.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ContactId,
    /// Lower-cased address, unique in the workspace.
    pub email: Option<String>,
    /// E.164 number, unique in the workspace.
    pub phone: Option<String>,
    /// The contact's ID in another system, unique in the workspace.
    pub external_id: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// IANA time zone name.
    pub time_zone: Option<String>,
    /// Custom attribute values by attribute key (a JSON object).
    pub attributes: Json,
    /// Sorted, de-duplicated tags (a JSON array of strings).
    pub tags: Json,
    /// Consent by channel: `{"EMAIL": {"status", "source", "recordedAt"}}`.
    pub consents: Json,
    pub merged_into: Option<ContactId>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
