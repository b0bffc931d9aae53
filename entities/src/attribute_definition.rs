//! A custom attribute a workspace defines for its contacts, with its type.

use sea_orm::entity::prelude::*;

use crate::enums::AttributeKind;
use crate::ids::{ContactFieldId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attribute_definitions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ContactFieldId,
    /// The key values are stored under (`loyalty_tier`), unique in the workspace.
    pub key: String,
    pub label: String,
    pub kind: AttributeKind,
    /// The allowed values of an `ENUM` attribute (a JSON array of strings).
    pub options: Json,
    /// The currency of a `MONEY` attribute.
    pub currency: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
