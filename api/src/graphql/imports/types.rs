//! Imports, their rejected rows, and exports.

use async_graphql::{Context, Enum, ID, InputObject, Object};
use chrono::{DateTime, Utc};

use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::contacts::{AttributeType, ConsentInput};
use crate::graphql::context::parley;
use crate::graphql::node::{NodeObject, node_object};

/// Where an import or an export stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::TransferStatus")]
pub enum TransferStatus {
    /// Waiting for a worker.
    Queued,
    /// A worker is on it: the counters move.
    Running,
    /// Finished: every row is accounted for.
    Completed,
    /// Stopped for good; what was committed stays.
    Failed,
}

/// Which identity matches a row to a contact.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::imports::IdentityKind")]
pub enum IdentityKind {
    Email,
    Phone,
    ExternalId,
}

/// A column of the file and the contact attribute it fills.
#[derive(InputObject)]
pub struct ImportColumn {
    /// The column's name in the file's header.
    pub column: String,
    /// A contact field's key (defined with `type` when it does not exist yet), or one of
    /// the contact's own fields: `email`, `phone`, `externalId`, `firstName`,
    /// `lastName`, `timeZone`, `tags`.
    pub attribute: String,
    /// The field's type.
    #[graphql(name = "type")]
    pub kind: AttributeType,
}

/// How to read an import file.
#[derive(InputObject)]
pub struct ContactImportOptions {
    /// The column holding the identity rows are matched on.
    pub identity_column: String,
    pub identity_kind: IdentityKind,
    /// The other columns to import (columns not listed are ignored).
    pub columns: Vec<ImportColumn>,
    /// Consent recorded for every imported row, with the import as its source.
    pub consents: Option<Vec<ConsentInput>>,
    /// One character; `,` when left out (`\t` for tabs).
    pub delimiter: Option<String>,
}

impl From<ContactImportOptions> for domain::imports::ImportOptions {
    fn from(o: ContactImportOptions) -> Self {
        domain::imports::ImportOptions {
            identity_column: o.identity_column,
            identity_kind: o.identity_kind.into(),
            columns: o
                .columns
                .into_iter()
                .map(|c| domain::imports::ImportColumn {
                    column: c.column,
                    attribute: c.attribute,
                    kind: c.kind.into(),
                })
                .collect(),
            consents: o.consents.unwrap_or_default().into_iter().map(|c| (c.channel.into(), c.status.into())).collect(),
            delimiter: o.delimiter,
        }
    }
}

/// An import of contacts from a CSV file.
pub struct ContactImport(pub domain::imports::ContactImport, pub Option<String>);

impl NodeObject for ContactImport {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

/// Where a file of the workspace is downloaded (with the same credentials as the API).
pub(crate) fn file_url(ctx: &Context<'_>, path: &str) -> async_graphql::Result<String> {
    Ok(format!("{}/files/{path}", parley(ctx)?.settings().public_url))
}

#[Object]
impl ContactImport {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    /// The uploaded file's name.
    async fn file_name(&self) -> &str {
        &self.0.file_name
    }
    async fn status(&self) -> TransferStatus {
        self.0.status.into()
    }
    /// Why it failed, when it did.
    async fn error(&self) -> Option<&str> {
        self.1.as_deref()
    }
    /// The file's size and how much of it has been read.
    async fn size_bytes(&self) -> f64 {
        self.0.size_bytes as f64
    }
    async fn bytes_read(&self) -> f64 {
        self.0.bytes_read as f64
    }
    /// Share of the file read, from 0 to 1.
    async fn progress(&self) -> f64 {
        if self.0.size_bytes == 0 { 1.0 } else { (self.0.bytes_read as f64 / self.0.size_bytes as f64).min(1.0) }
    }
    /// Rows read (the header and blank lines aside).
    async fn rows_read(&self) -> i64 {
        self.0.rows_read
    }
    /// Rows that made a new contact.
    async fn rows_imported(&self) -> i64 {
        self.0.rows_imported
    }
    /// Rows that changed an existing contact.
    async fn rows_updated(&self) -> i64 {
        self.0.rows_updated
    }
    /// Rows that matched a contact already holding everything they say.
    async fn rows_unchanged(&self) -> i64 {
        self.0.rows_unchanged
    }
    /// Rows rejected; `rejections` and the error report say why.
    async fn rows_rejected(&self) -> i64 {
        self.0.rows_rejected
    }
    /// The error report, CSV of `line,column,reason` (the header is line 1).
    async fn error_report_url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        file_url(ctx, &format!("imports/{}/errors.csv", self.global_id().as_str()))
    }
    /// The rejected rows (and cells), in file order.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn rejections(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ImportRejection>> {
        let id = self.0.id;
        list(ctx, first, after, move |t, p, args| domain::imports::rejections(t, p, id, args), ImportRejection).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn finished_at(&self) -> Option<DateTime<Utc>> {
        self.0.finished_at
    }
}

node_object! {
    /// Why an import rejected a row (or one of its cells).
    ImportRejection(domain::imports::ImportRejection) {
        /// The line in the file where the row starts (the header is line 1).
        line: i64,
        reason: String,
    }
    extra {
        /// The column, as the file's header names it; empty for the row as a whole.
        async fn column(&self) -> &str {
            &self.0.column_name
        }
    }
}

node_object! {
    /// An export of the workspace's contacts to a CSV file.
    ContactExport(domain::exports::ContactExport) {
        status: TransferStatus,
        /// Contacts written so far, and in all.
        rows_written: i64,
        rows_total: i64,
        created_at: DateTime<Utc>,
        finished_at: Option<DateTime<Utc>>,
    }
    extra {
        /// The segment exported; null: every contact.
        async fn segment_id(&self) -> Option<ID> {
            self.0.segment_id.map(|s| crate::graphql::ids::global_id("Segment", s.into()))
        }
        /// Where the file is downloaded once the export has completed.
        async fn download_url(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<String>> {
            if self.0.status != domain::TransferStatus::Completed {
                return Ok(None);
            }
            let id = crate::graphql::node::NodeObject::global_id(self);
            file_url(ctx, &format!("exports/{}/contacts.csv", id.as_str())).map(Some)
        }
    }
}
