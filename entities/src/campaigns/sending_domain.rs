//! A domain a workspace sends from, with the DKIM key that signs its mail.

use sea_orm::entity::prelude::*;

use crate::ids::{SendingDomainId, UserId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sending_domains")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: SendingDomainId,
    /// The domain, lower case (`news.example.com`).
    pub domain: String,
    /// The DKIM selector (`<selector>._domainkey.<domain>`).
    pub dkim_selector: String,
    /// The RSA private key (PKCS#1 PEM), sealed.
    pub dkim_private_key: String,
    /// The public key (base64 DER), as published in DNS.
    pub dkim_public_key: String,
    pub created_by: UserId,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
