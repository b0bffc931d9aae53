//! Why an import rejected (part of) one row: the line of the file, the column and the
//! reason; an import's error report lists them in line order.

use sea_orm::entity::prelude::*;

use crate::ids::{ContactImportId, ImportRejectionId, WorkspaceId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_rejections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: WorkspaceId,
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: ImportRejectionId,
    pub import_id: ContactImportId,
    /// The line in the file where the row starts (the header is line 1).
    pub line: i64,
    /// The column's name in the file's header (empty for the row as a whole).
    pub column_name: String,
    pub reason: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
