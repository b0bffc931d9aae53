//! Contact imports (INS-2): a CSV file uploaded with its column mapping, checked at
//! once against its header and the workspace's fields, kept in the database, and read
//! by a background job in batches that upsert contacts on one identity. Every row read
//! ends up imported, updated, unchanged or rejected with its line, column and reason;
//! the same file imported twice changes nothing the second time.

mod plan;
pub mod rows;
mod run;

use futures::{Stream, StreamExt};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use tokio::io::AsyncRead;

use crate::db::TenantOwned;
use crate::files::{self, CHUNK};
use crate::jobs::{self, ImportContacts, NewJob};
use crate::page::{Page, PageArgs};
use crate::{
    Audited, ContactImportId, Error, Order, Parley, Permission, Result, TenantCtx, TransferStatus, new_id, now,
};
use entities::{contact_import, import_rejection};

pub use plan::{IdentityKind, ImportColumn, ImportOptions, Plan};
pub use run::run;

/// An import of contacts.
pub type ContactImport = contact_import::Model;
/// A row (or cell) an import rejected.
pub type ImportRejection = import_rejection::Model;

impl Audited for ContactImport {
    fn audit_json(&self) -> serde_json::Value {
        json!({ "fileName": self.file_name, "sizeBytes": self.size_bytes, "status": self.status,
                "rowsRead": self.rows_read, "rowsImported": self.rows_imported, "rowsUpdated": self.rows_updated,
                "rowsRejected": self.rows_rejected })
    }
}

/// The UTF-8 byte order mark some programs write first.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Checks the start of the file: its encoding, and that it is text at all.
pub(crate) fn check_encoding(head: &[u8]) -> Result<()> {
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(Error::invalid("file", "is UTF-16 text: save it as “CSV UTF-8”"));
    }
    match std::str::from_utf8(head) {
        Ok(_) => Ok(()),
        // Cut in the middle of a character at the end of the first chunk: fine.
        Err(e) if e.error_len().is_none() => Ok(()),
        Err(e) => {
            let line = head[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
            Err(Error::invalid("file", format!("is not UTF-8 text (line {line}): save it as “CSV UTF-8”")))
        }
    }
}

/// Starts an import of `file` (read to its end here, stored, then imported by a job):
/// the options are checked against the file's header and the workspace's fields first,
/// so a wrong column name or delimiter is an error naming the option before anything
/// is stored. Fields the mapping names that do not exist yet are defined with the type
/// given (when the role may define fields). `max_bytes` bounds the file.
pub async fn start<R: AsyncRead + Unpin>(
    ctx: &TenantCtx,
    p: &Parley,
    file_name: &str,
    mut file: R,
    options: ImportOptions,
    max_bytes: u64,
) -> Result<ContactImport> {
    let delimiter = plan::delimiter(options.delimiter.as_deref())?;
    let (defs, may_define) = {
        let tx = p.tenant_tx(ctx).await?;
        tx.require(Permission::EditContacts)?;
        let defs = crate::contacts::fields::all(&tx).await?;
        tx.commit().await?;
        (defs, ctx.role().is_ok_and(|r| crate::role_allows(r, Permission::ManageContactFields)))
    };
    let mut head = Vec::with_capacity(CHUNK);
    let ended = files::fill(&mut file, &mut head, CHUNK).await?;
    check_encoding(&head)?;
    let bom = if head.starts_with(BOM) { BOM.len() as u64 } else { 0 };
    let (header, offset, line) = plan::header(&head[bom as usize..], delimiter, ended)?;
    let mut plan = plan::plan(&options, delimiter, (header, offset + bom, line), &defs, may_define)?;
    let name = files::clean_name(file_name, "contacts.csv");
    let (stored, last) = files::store(ctx, p, &name, "import", head, file, max_bytes).await?;
    plan.open_end = last.is_some_and(|b| b != b'\n');

    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::EditContacts)?;
    let known = crate::contacts::fields::all(&tx).await?;
    for (key, kind) in &plan.new_fields {
        if !known.iter().any(|d| &d.key == key) {
            crate::contacts::fields::define(&tx, key, *kind, None).await?;
        }
    }
    let id: ContactImportId = new_id();
    let job = NewJob::of(&ImportContacts { import_id: id }).key(format!("import:{id}"));
    let t = now();
    let row = contact_import::ActiveModel {
        id: Set(id),
        file_id: Set(stored.id),
        file_name: Set(name),
        options: Set(serde_json::to_value(&plan).map_err(Error::internal)?),
        job_id: Set(None),
        status: Set(TransferStatus::Queued),
        size_bytes: Set(stored.size_bytes),
        bytes_read: Set(0),
        rows_read: Set(0),
        rows_imported: Set(0),
        rows_updated: Set(0),
        rows_unchanged: Set(0),
        rows_rejected: Set(0),
        created_at: Set(t),
        updated_at: Set(t),
        finished_at: Set(None),
        ..Default::default()
    };
    let mut imp = tx.create("contact_import.started", row).await?;
    let job_id = jobs::enqueue_in_returning(&tx, p, ctx, job).await?;
    contact_import::Entity::update_many()
        .col_expr(contact_import::Column::JobId, Some(job_id).into())
        .filter(contact_import::Column::TenantId.eq(ctx.tenant_id()))
        .filter(contact_import::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    imp.job_id = Some(job_id);
    tx.commit().await?;
    Ok(imp)
}

/// One import, with why it failed when it did (a job that died makes it `FAILED`).
pub async fn get(ctx: &TenantCtx, p: &Parley, id: ContactImportId) -> Result<(ContactImport, Option<String>)> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let mut imp = tx.find::<contact_import::Entity>(id).await?;
    let job = jobs::of_transfer(&tx, imp.job_id).await?;
    tx.commit().await?;
    let (status, error) = jobs::transfer_status(imp.status, job.as_ref());
    imp.status = status;
    Ok((imp, error))
}

/// The workspace's imports, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<ContactImport>> {
    p.page::<contact_import::Entity>(ctx, Permission::ReadContacts, Order::Newest, args).await
}

/// One rejection.
pub async fn rejection(ctx: &TenantCtx, p: &Parley, id: crate::ImportRejectionId) -> Result<ImportRejection> {
    p.find::<import_rejection::Entity>(ctx, Permission::ReadContacts, id).await
}

/// An import's rejections in the order of the file.
pub async fn rejections(
    ctx: &TenantCtx,
    p: &Parley,
    id: ContactImportId,
    args: PageArgs,
) -> Result<Page<ImportRejection>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let imp = tx.find::<contact_import::Entity>(id).await?;
    let q = import_rejection::Entity::find().filter(import_rejection::Column::ImportId.eq(imp.id));
    let page = tx.page(q, Order::Oldest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// The error report of an import as CSV (`line,column,reason`, in file order), read
/// page by page so a report of millions of lines never sits in memory. `NotFound`
/// before anything is sent when the import is not the workspace's.
pub async fn error_report(
    ctx: &TenantCtx,
    p: &Parley,
    id: ContactImportId,
) -> Result<(ContactImport, impl Stream<Item = Result<bytes::Bytes>> + Send + 'static)> {
    let (imp, _) = get(ctx, p, id).await?;
    let header = futures::stream::once(async { Ok(bytes::Bytes::from_static(b"line,column,reason\r\n")) });
    let (ctx, p) = (ctx.clone(), p.clone());
    let pages = futures::stream::try_unfold(Some((0i64, None::<crate::ImportRejectionId>)), move |at| {
        let (ctx, p) = (ctx.clone(), p.clone());
        async move {
            let Some((line, after)) = at else { return Ok(None) };
            let rows = report_page(&ctx, &p, id, line, after).await?;
            let next = rows.last().map(|r| (r.line, Some(r.id)));
            let done = rows.len() < REPORT_PAGE;
            let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
            for r in &rows {
                w.write_record([r.line.to_string().as_str(), &r.column_name, &r.reason]).map_err(Error::internal)?;
            }
            let buf = w.into_inner().map_err(Error::internal)?;
            Ok(Some((bytes::Bytes::from(buf), if done { None } else { next })))
        }
    });
    Ok((imp, header.chain(pages)))
}

const REPORT_PAGE: usize = 2_000;

/// The rejections after `(line, after)` in file order.
async fn report_page(
    ctx: &TenantCtx,
    p: &Parley,
    id: ContactImportId,
    line: i64,
    after: Option<crate::ImportRejectionId>,
) -> Result<Vec<ImportRejection>> {
    use import_rejection::Column as C;
    let tx = p.tenant_tx(ctx).await?;
    let mut q = import_rejection::Entity::scoped(ctx).filter(C::ImportId.eq(id));
    if let Some(after) = after {
        q = q.filter(sea_orm::Condition::any().add(C::Line.gt(line)).add(C::Line.eq(line).and(C::Id.gt(after))));
    }
    let rows = q.order_by_asc(C::Line).order_by_asc(C::Id).limit(REPORT_PAGE as u64).all(&tx).await?;
    tx.commit().await?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_other_than_utf8_are_named() {
        assert!(check_encoding(b"email\nann@example.com\n").is_ok());
        assert!(check_encoding("e\u{e9}".as_bytes()).is_ok());
        assert!(check_encoding(&"é".as_bytes()[..1]).is_ok(), "a character cut by the chunk's end");
        let latin1 = check_encoding(b"email\nren\xe9@example.com\n").unwrap_err();
        assert!(latin1.to_string().contains("line 2"), "{latin1}");
        assert!(check_encoding(b"\xFF\xFEe\0").is_err());
    }
}
