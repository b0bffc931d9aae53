//! An email template: MJML and a plain-text part, personalised per contact.

use sea_orm::entity::prelude::*;

use crate::ids::{EmailTemplateId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_templates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: EmailTemplateId,
    pub name: String,
    /// The subject line (a template too).
    pub subject: String,
    /// The MJML source.
    pub mjml: String,
    /// The plain-text part (a template).
    pub text: String,
    /// The HTML the MJML renders to, still holding its personalisation tags.
    pub html: String,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
