//! Contact exports (INS-2): every contact of the workspace (or of a segment) written to a CSV file by a
//! background job, a batch per transaction, each batch a chunk of the file, and the
//! file downloadable with the same credentials once the export completes.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use crate::contacts::{Channel, attributes_of, consents_of, tags_of};
use crate::db::TenantOwned;
use crate::jobs::{self, ClaimedJob, ExportContacts, NewJob, Progress};
use crate::page::{Page, PageArgs};
use crate::{
    Audited, Contact, ContactExportId, ContactId, Error, Order, Parley, Permission, Result, SegmentId, TenantCtx,
    TransferStatus, TypedId, new_id, now,
};
use entities::{contact, contact_export};

/// An export of contacts.
pub type ContactExport = contact_export::Model;

impl Audited for ContactExport {
    fn audit_json(&self) -> Value {
        json!({ "status": self.status, "rowsWritten": self.rows_written, "segmentId": self.segment_id })
    }
}

/// Contacts per batch (and per chunk of the file).
const BATCH: u64 = 2_000;

/// Starts an export of every contact of the workspace, or of one segment's.
pub async fn start(ctx: &TenantCtx, p: &Parley, segment: Option<SegmentId>) -> Result<ContactExport> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ExportContacts)?;
    if let Some(s) = segment {
        // Checked now (another workspace's is not found), and read again per batch.
        crate::segments::condition_in(&tx, s).await?;
    }
    let id: ContactExportId = new_id();
    let row = contact_export::ActiveModel {
        id: Set(id),
        segment_id: Set(segment),
        file_id: Set(None),
        job_id: Set(None),
        status: Set(TransferStatus::Queued),
        rows_written: Set(0),
        rows_total: Set(0),
        created_at: Set(now()),
        finished_at: Set(None),
        ..Default::default()
    };
    let mut exp = tx.create("contact_export.started", row).await?;
    let job_id = jobs::enqueue_in_returning(
        &tx,
        p,
        ctx,
        NewJob::of(&ExportContacts { export_id: id }).key(format!("export:{id}")),
    )
    .await?;
    contact_export::Entity::update_many()
        .col_expr(contact_export::Column::JobId, Expr::value(Some(job_id)))
        .filter(contact_export::Column::TenantId.eq(ctx.tenant_id()))
        .filter(contact_export::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    exp.job_id = Some(job_id);
    tx.commit().await?;
    Ok(exp)
}

/// One export.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: ContactExportId) -> Result<ContactExport> {
    p.find::<contact_export::Entity>(ctx, Permission::ExportContacts, id).await
}

/// The workspace's exports, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<ContactExport>> {
    p.page::<contact_export::Entity>(ctx, Permission::ExportContacts, Order::Newest, args).await
}

/// The file of a completed export, to download: its name and its bytes.
pub async fn download(
    ctx: &TenantCtx,
    p: &Parley,
    id: ContactExportId,
) -> Result<(String, impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + use<>)> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ExportContacts)?;
    let exp = tx.find::<contact_export::Entity>(id).await?;
    let file = match (exp.status, exp.file_id) {
        (TransferStatus::Completed, Some(f)) => crate::files::get_in(&tx, f).await?,
        _ => return Err(Error::Conflict("the export has not completed yet".into())),
    };
    tx.commit().await?;
    Ok((file.name, crate::files::stream(ctx.clone(), p.clone(), file.id, 0)))
}

/// The columns every export has, before the workspace's own fields.
const OWN: [&str; 9] = ["id", "email", "phone", "externalId", "firstName", "lastName", "timeZone", "tags", "createdAt"];

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(";"),
        Value::Object(o) if o.contains_key("amount") => {
            let currency = o.get("currency").and_then(Value::as_str).unwrap_or_default();
            let amount = o.get("amount").and_then(Value::as_i64).unwrap_or_default();
            format!("{} {currency}", crate::money::format_major(currency, amount))
        }
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn record(c: &Contact, keys: &[String]) -> Vec<String> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut out = vec![
        c.id.uuid().to_string(),
        opt(&c.email),
        opt(&c.phone),
        opt(&c.external_id),
        opt(&c.first_name),
        opt(&c.last_name),
        opt(&c.time_zone),
        tags_of(c).join(";"),
        c.created_at.to_rfc3339(),
    ];
    let attributes = attributes_of(c);
    out.extend(keys.iter().map(|k| attributes.get(k).map(text).unwrap_or_default()));
    let consents = consents_of(c);
    out.extend(Channel::CONSENTED.iter().map(|ch| {
        consents.iter().find(|k| k.channel == *ch).map(|k| format!("{:?}", k.status).to_uppercase()).unwrap_or_default()
    }));
    out
}

/// The cursor of an export: the last contact written and the chunk to write next.
#[derive(Debug, Clone, Copy, Default, serde::Serialize, serde::Deserialize)]
struct Cursor {
    after: Option<ContactId>,
    seq: i32,
    size: i64,
}

/// Runs export `id` for `job` to its end; false when another worker took it over.
pub async fn run(p: &Parley, worker: &str, job: &ClaimedJob, id: ContactExportId) -> Result<bool> {
    let ctx = &job.ctx;
    let mut at: Cursor = match job.cursor.as_deref() {
        Some(c) => serde_json::from_str(c).map_err(Error::internal)?,
        None => Cursor::default(),
    };
    loop {
        let tx = p.tenant_tx(ctx).await?;
        let exp = match tx.find::<contact_export::Entity>(id).await {
            Ok(e) => e,
            Err(Error::NotFound) => return Ok(true),
            Err(e) => return Err(e),
        };
        if exp.status == TransferStatus::Completed {
            return Ok(true);
        }
        let mut keys: Vec<String> = crate::contacts::fields::all(&tx).await?.into_iter().map(|d| d.key).collect();
        keys.sort();
        let file = match exp.file_id {
            Some(f) => f,
            None => {
                let name = format!("contacts-{}.csv", exp.created_at.format("%Y%m%d-%H%M%S"));
                let f = crate::files::create_in(&tx, &name, "export").await?;
                let mut all = contact::Entity::scoped(ctx).filter(contact::Column::MergedInto.is_null());
                if let Some(s) = exp.segment_id {
                    all = all.filter(crate::segments::condition_in(&tx, s).await?);
                }
                let total = all.count(&tx).await?;
                contact_export::Entity::update_many()
                    .col_expr(contact_export::Column::FileId, Expr::value(Some(f.id)))
                    .col_expr(contact_export::Column::RowsTotal, Expr::value(i64::try_from(total).unwrap_or(i64::MAX)))
                    .col_expr(contact_export::Column::Status, Expr::value(TransferStatus::Running))
                    .filter(contact_export::Column::TenantId.eq(ctx.tenant_id()))
                    .filter(contact_export::Column::Id.eq(id))
                    .exec(&tx)
                    .await?;
                f.id
            }
        };
        let mut q = contact::Entity::scoped(ctx).filter(contact::Column::MergedInto.is_null());
        if let Some(s) = exp.segment_id {
            q = q.filter(crate::segments::condition_in(&tx, s).await?);
        }
        if let Some(after) = at.after {
            q = q.filter(contact::Column::Id.gt(after));
        }
        let batch = q.order_by_asc(contact::Column::Id).limit(BATCH).all(&tx).await?;
        let ended = (batch.len() as u64) < BATCH;
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        if at.seq == 0 {
            let mut header: Vec<String> = OWN.iter().map(|s| (*s).to_owned()).collect();
            header.extend(keys.iter().cloned());
            header.extend(Channel::CONSENTED.iter().map(|c| format!("consent_{}", c.as_str().to_lowercase())));
            w.write_record(&header).map_err(Error::internal)?;
        }
        for c in &batch {
            w.write_record(record(c, &keys)).map_err(Error::internal)?;
        }
        let data = w.into_inner().map_err(Error::internal)?;
        at.size += data.len() as i64;
        if !data.is_empty() {
            crate::files::append(&tx, file, at.seq, data).await?;
            at.seq += 1;
        }
        at.after = batch.last().map(|c| c.id).or(at.after);
        let written = batch.len() as i64;
        let mut update = contact_export::Entity::update_many()
            .col_expr(contact_export::Column::RowsWritten, Expr::col(contact_export::Column::RowsWritten).add(written));
        if ended {
            crate::files::set_size(&tx, file, at.size, at.seq).await?;
            update = update
                .col_expr(contact_export::Column::Status, Expr::value(TransferStatus::Completed))
                .col_expr(contact_export::Column::FinishedAt, Expr::value(Some(now())));
        }
        update
            .filter(contact_export::Column::TenantId.eq(ctx.tenant_id()))
            .filter(contact_export::Column::Id.eq(id))
            .exec(&tx)
            .await?;
        if ended {
            tx.record(crate::audit::Change::new("contact_export.completed", id)).await?;
        }
        let cursor = serde_json::to_string(&at).map_err(Error::internal)?;
        let done = exp.rows_written + written;
        let progress = Progress { done, total: Some(std::cmp::max(exp.rows_total, done)) };
        if !jobs::report_in(&tx, p, worker, job, progress, Some(&cursor)).await? {
            return Ok(false);
        }
        tx.commit().await?;
        if ended {
            return Ok(true);
        }
    }
}
