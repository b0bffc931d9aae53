//! The import job: reads the stored file from where the last committed batch ended,
//! a batch of rows at a time (`Settings::import_batch_rows`, 1,000 by default), and
//! commits each batch's contacts, history, rejections, counters and the position after
//! it in one transaction. A worker that dies repeats at most the batch in flight; the
//! next attempt finds the rest where it was.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::AsyncRead;
use tokio_util::io::StreamReader;

use super::ContactImport;
use super::plan::{IdentityKind, Plan, Target};
use super::rows::{self, Rejection, Row};
use crate::contacts::{self, ConsentChange, Edit, consent};
use crate::db::TenantOwned;
use crate::jobs::{ClaimedJob, Progress};
use crate::{
    Contact, ContactField, ContactId, Error, Parley, Result, TenantCtx, TenantTx, TransferStatus, new_id, now,
};
use entities::{contact, contact_event, contact_import, import_rejection};

/// Where the next batch starts: byte offset and line number in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    offset: u64,
    line: u64,
}

/// Which identities this import has seen, and on which line: a later row with the
/// same identity is a duplicate in the file, rejected naming the first. Kept as
/// 64-bit hashes (a few bytes per row, never the rows themselves).
#[derive(Default)]
struct Seen(HashMap<u64, u64>);

impl Seen {
    /// The line that had `identity` first, recording `line` if none did.
    fn first(&mut self, identity: &str, line: u64) -> Option<u64> {
        let mut h = DefaultHasher::new();
        identity.hash(&mut h);
        match self.0.entry(h.finish()) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(line);
                None
            }
        }
    }
}

/// What one batch read.
#[derive(Default)]
struct Batch {
    rows: Vec<Row>,
    rejections: Vec<Rejection>,
    read: i64,
    rejected: i64,
    ended: bool,
    next: Option<Cursor>,
}

/// Runs import `id` for `job` (held by `worker`) to its end. Answers false when another
/// worker took the job over (this one must stop; nothing of its last batch is kept).
pub async fn run(p: &Parley, worker: &str, job: &ClaimedJob, id: crate::ContactImportId) -> Result<bool> {
    let ctx = &job.ctx;
    let (imp, plan, fields) = match load(ctx, p, id).await {
        Ok(found) => found,
        // Removed since it was queued: nothing to do.
        Err(Error::NotFound) => return Ok(true),
        Err(e) => return Err(e),
    };
    if imp.status == TransferStatus::Completed {
        return Ok(true);
    }
    let base = match job.cursor.as_deref() {
        Some(c) => serde_json::from_str(c).map_err(Error::internal)?,
        None => Cursor { offset: plan.data_offset, line: plan.data_line },
    };
    let mut seen = Seen::default();
    if base.offset > plan.data_offset {
        replay(ctx, p, &imp, &plan, base, &mut seen).await?;
    }
    let mut rdr = Reader::new(ctx, p, &imp, &plan, base);
    loop {
        let reading = std::time::Instant::now();
        let batch = read_batch(&mut rdr, &plan, &fields, &mut seen, p.settings().import_batch_rows).await?;
        tracing::debug!(import = %imp.id, read_ms = reading.elapsed().as_secs_f64() * 1e3, "import batch read");
        let ended = batch.ended;
        if !write_batch(ctx, p, worker, job, &imp, &plan, batch).await? {
            return Ok(false);
        }
        if ended {
            return Ok(true);
        }
    }
}

/// The file read record by record from a cursor, knowing where each record starts.
struct Reader {
    csv: csv_async::AsyncReader<Box<dyn AsyncRead + Unpin + Send>>,
    base: Cursor,
    /// Where the file ends, when its last line has no line break.
    open_end: Option<u64>,
}

impl Reader {
    fn new(ctx: &TenantCtx, p: &Parley, imp: &ContactImport, plan: &Plan, base: Cursor) -> Self {
        let bytes = crate::files::stream(ctx.clone(), p.clone(), imp.file_id, base.offset);
        let input: Box<dyn AsyncRead + Unpin + Send> = Box::new(StreamReader::new(bytes));
        // Records end at `\n` (a `\r` before it is trimmed with the cell): with CRLF as
        // the terminator the reader would take the `\n` at the start of the next read,
        // and lines could not be told exactly.
        let csv = csv_async::AsyncReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(plan.delimiter)
            .terminator(csv_async::Terminator::Any(b'\n'))
            .create_reader(input);
        let open_end = plan.open_end.then_some(u64::try_from(imp.size_bytes).unwrap_or(u64::MAX));
        Reader { csv, base, open_end }
    }

    /// Reads the next record into `rec`; answers the line it starts on, None at the end.
    /// (The record's own position would count blank lines before it as its own; the
    /// line is counted back from its end instead: its line breaks, quoted or not.)
    async fn next(&mut self, rec: &mut csv_async::ByteRecord) -> Result<Option<u64>> {
        if !self.csv.read_byte_record(rec).await.map_err(read_error)? {
            return Ok(None);
        }
        let end = self.position();
        let quoted = rec.iter().map(|f| f.iter().filter(|b| **b == b'\n').count() as u64).sum::<u64>();
        let terminated = u64::from(self.open_end != Some(end.offset));
        Ok(Some(std::cmp::max(end.line.saturating_sub(quoted + terminated), 1)))
    }

    /// Where the next record starts.
    fn position(&self) -> Cursor {
        let pos = self.csv.position();
        Cursor { offset: self.base.offset + pos.byte(), line: self.base.line + pos.line() - 1 }
    }
}

async fn load(
    ctx: &TenantCtx,
    p: &Parley,
    id: crate::ContactImportId,
) -> Result<(ContactImport, Plan, HashMap<String, ContactField>)> {
    let tx = p.tenant_tx(ctx).await?;
    let imp = tx.find::<contact_import::Entity>(id).await?;
    let fields = contacts::fields::all(&tx).await?.into_iter().map(|d| (d.key.clone(), d)).collect();
    tx.commit().await?;
    let plan: Plan = serde_json::from_value(imp.options.clone()).map_err(Error::internal)?;
    Ok((imp, plan, fields))
}

fn read_error(e: csv_async::Error) -> Error {
    Error::Unavailable(format!("the import file could not be read: {e}"))
}

/// Whether a record is a blank line (skipped, not counted).
fn blank(rec: &csv_async::ByteRecord) -> bool {
    rec.len() == 1 && rec.get(0).is_some_and(|f| f.iter().all(u8::is_ascii_whitespace))
}

/// Reads the identities of the rows before `upto` again (a later attempt of a job
/// that committed batches), so duplicates of them are still found.
async fn replay(
    ctx: &TenantCtx,
    p: &Parley,
    imp: &ContactImport,
    plan: &Plan,
    upto: Cursor,
    seen: &mut Seen,
) -> Result<()> {
    let start = Cursor { offset: plan.data_offset, line: plan.data_line };
    let mut rdr = Reader::new(ctx, p, imp, plan, start);
    let mut rec = csv_async::ByteRecord::new();
    while rdr.position().offset < upto.offset {
        let Some(line) = rdr.next(&mut rec).await? else { break };
        if !blank(&rec)
            && let Ok(identity) = rows::identity_of(plan, &rec, line)
        {
            seen.first(&identity, line);
        }
    }
    Ok(())
}

async fn read_batch(
    rdr: &mut Reader,
    plan: &Plan,
    fields: &HashMap<String, ContactField>,
    seen: &mut Seen,
    rows: usize,
) -> Result<Batch> {
    let mut b = Batch::default();
    let mut rec = csv_async::ByteRecord::new();
    while (b.read as usize) < rows {
        let Some(line) = rdr.next(&mut rec).await? else {
            b.ended = true;
            break;
        };
        if blank(&rec) {
            continue;
        }
        b.read += 1;
        let identity = match rows::identity_of(plan, &rec, line) {
            Ok(i) => i,
            Err(r) => {
                b.rejections.push(r);
                b.rejected += 1;
                continue;
            }
        };
        if let Some(first) = seen.first(&identity, line) {
            let column = plan.header.get(plan.identity_index).cloned().unwrap_or_default();
            let reason = format!("repeats the identity of line {first} (a file holds each contact once)");
            b.rejections.push(Rejection { line, column, reason });
            b.rejected += 1;
            continue;
        }
        match rows::prepare(plan, fields, &rec, line, identity) {
            Ok(row) => b.rows.push(row),
            Err(rs) => {
                b.rejections.extend(rs);
                b.rejected += 1;
            }
        }
    }
    b.next = Some(rdr.position());
    Ok(b)
}

fn identity_column(kind: IdentityKind) -> contact::Column {
    match kind {
        IdentityKind::Email => contact::Column::Email,
        IdentityKind::Phone => contact::Column::Phone,
        IdentityKind::ExternalId => contact::Column::ExternalId,
    }
}

/// The identities a row sets besides the one it is matched on, with their columns.
fn other_identities<'r>(plan: &Plan, row: &'r Row) -> Vec<(IdentityKind, &'r str, String)> {
    let mut out = Vec::new();
    for m in &plan.columns {
        let (kind, v) = match m.target {
            Target::Email => (IdentityKind::Email, &row.email),
            Target::Phone => (IdentityKind::Phone, &row.phone),
            Target::ExternalId => (IdentityKind::ExternalId, &row.external_id),
            _ => continue,
        };
        if let Some(v) = v {
            out.push((kind, v.as_str(), m.column.clone()));
        }
    }
    out
}

/// Who holds each of `values` in `col` now.
async fn owners(tx: &TenantTx<'_>, kind: IdentityKind, values: Vec<String>) -> Result<HashMap<String, ContactId>> {
    let found = holding(tx, kind, values, false).await?;
    Ok(found.into_iter().filter_map(|c| identity_value(kind, &c).map(|v| (v, c.id))).collect())
}

/// The contacts holding `values` as their identity of `kind` (only those not merged
/// away when `live`).
///
/// On PostgreSQL each value is looked up on its own through the identity's index (a
/// lateral join): a list of a thousand values in one `IN` reads to the planner as
/// matching most rows, and while the table has no statistics yet (a first large
/// import) it then reads every contact of the workspace for each batch.
async fn holding(tx: &TenantTx<'_>, kind: IdentityKind, values: Vec<String>, live: bool) -> Result<Vec<Contact>> {
    use sea_orm::ConnectionTrait;
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let backend = tx.get_database_backend();
    if backend != sea_orm::DbBackend::Postgres {
        let mut q = contact::Entity::scoped(tx.ctx()).filter(identity_column(kind).is_in(values));
        if live {
            q = q.filter(contact::Column::MergedInto.is_null());
        }
        return Ok(q.all(tx).await?);
    }
    let column = match kind {
        IdentityKind::Email => "email",
        IdentityKind::Phone => "phone",
        IdentityKind::ExternalId => "external_id",
    };
    // One parameter, a JSON array of the values: a `VALUES` list of a thousand
    // parameters costs the server more to parse and plan than the lookups themselves.
    let merged = if live { " AND c.merged_into IS NULL" } else { "" };
    let sql = format!(
        "SELECT c.* FROM json_array_elements_text($2::json) AS v(identity), LATERAL (SELECT * FROM contacts c \
         WHERE c.tenant_id = $1 AND c.{column} = v.identity{merged} LIMIT 1) AS c"
    );
    let params = vec![sea_orm::Value::from(tx.tenant_id()), Value::from(values).to_string().into()];
    let stmt = sea_orm::Statement::from_sql_and_values(backend, sql, params);
    Ok(contact::Entity::find().from_raw_sql(stmt).all(tx).await?)
}

/// The contact's identity of `kind`.
fn identity_value(kind: IdentityKind, c: &Contact) -> Option<String> {
    match kind {
        IdentityKind::Email => c.email.clone(),
        IdentityKind::Phone => c.phone.clone(),
        IdentityKind::ExternalId => c.external_id.clone(),
    }
}

/// Applies `row` (and the import's consents) to `am`; answers the consents recorded.
fn apply_row(
    am: &mut contact::ActiveModel,
    row: &Row,
    consents: &[ConsentChange],
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<consent::Consent> {
    use contact::Column as C;
    for (col, v) in [
        (C::Email, &row.email),
        (C::Phone, &row.phone),
        (C::ExternalId, &row.external_id),
        (C::FirstName, &row.first_name),
        (C::LastName, &row.last_name),
        (C::TimeZone, &row.time_zone),
    ] {
        if let Some(v) = v {
            contacts::put(am, col, &Edit::Set(v.clone()));
        }
    }
    if !row.attributes.is_empty() {
        let mut attributes = am.attributes.as_ref().as_object().cloned().unwrap_or_default();
        for (k, v) in &row.attributes {
            attributes.insert(k.clone(), v.clone());
        }
        if &Value::Object(attributes.clone()) != am.attributes.as_ref() {
            am.attributes = Set(Value::Object(attributes));
        }
    }
    if let Some(tags) = &row.tags {
        let mut all: Vec<String> = serde_json::from_value(am.tags.as_ref().clone()).unwrap_or_default();
        all.extend(tags.iter().cloned());
        // Both sides are checked tags, so only the count limit can refuse: keep them as they were then.
        if let Ok(all) = contacts::identity::tags("tags", &all)
            && &json!(all) != am.tags.as_ref()
        {
            am.tags = Set(json!(all));
        }
    }
    let mut current = consent::parse(am.consents.as_ref());
    let changed = consent::record(&mut current, consents, at);
    if !changed.is_empty() {
        am.consents = Set(consent::stored(&current));
    }
    changed
}

fn consent_event(tenant: crate::WorkspaceId, contact: ContactId, c: &consent::Consent) -> contact_event::ActiveModel {
    contact_event::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(new_id()),
        contact_id: Set(Some(contact)),
        anonymous_id: Set(None),
        kind: Set("consent_changed".to_owned()),
        properties: Set(json!({ "channel": c.channel, "status": c.status, "source": c.source })),
        occurred_at: Set(c.recorded_at),
        received_at: Set(c.recorded_at),
    }
}

/// The columns a row can change on a contact that exists.
const WRITTEN: [contact::Column; 10] = [
    contact::Column::Email,
    contact::Column::Phone,
    contact::Column::ExternalId,
    contact::Column::FirstName,
    contact::Column::LastName,
    contact::Column::TimeZone,
    contact::Column::Attributes,
    contact::Column::Tags,
    contact::Column::Consents,
    contact::Column::UpdatedAt,
];

/// Counts of what a batch did.
#[derive(Default)]
struct Counts {
    imported: i64,
    updated: i64,
    unchanged: i64,
}

async fn write_batch(
    ctx: &TenantCtx,
    p: &Parley,
    worker: &str,
    job: &ClaimedJob,
    imp: &ContactImport,
    plan: &Plan,
    mut b: Batch,
) -> Result<bool> {
    let started = std::time::Instant::now();
    let tx = p.tenant_tx(ctx).await?;
    let tenant = ctx.tenant_id();
    let at = now();
    let source: String = format!("import {}", imp.file_name).chars().take(200).collect();
    let consents: Vec<ConsentChange> = plan
        .consents
        .iter()
        .map(|(channel, status)| ConsentChange { channel: *channel, status: *status, source: Some(source.clone()) })
        .collect();

    let identities: Vec<String> = b.rows.iter().map(|r| r.identity.clone()).collect();
    let existing: HashMap<String, Contact> = holding(&tx, plan.identity_kind, identities, true)
        .await?
        .into_iter()
        .filter_map(|c| identity_value(plan.identity_kind, &c).map(|k| (k, c)))
        .collect();
    // Who holds the other identities the rows set, now and within this batch.
    let mut held: HashMap<(IdentityKind, String), ContactId> = HashMap::new();
    for other in [IdentityKind::Email, IdentityKind::Phone, IdentityKind::ExternalId] {
        if other == plan.identity_kind {
            continue;
        }
        let values: Vec<String> = b
            .rows
            .iter()
            .flat_map(|r| other_identities(plan, r))
            .filter(|(k, _, _)| *k == other)
            .map(|(_, v, _)| v.to_owned())
            .collect();
        for (v, id) in owners(&tx, other, values).await? {
            held.insert((other, v), id);
        }
    }

    // Fields trigger rules watch: their changes go on the timeline for detection.
    let (watched, segment_rules) = crate::triggers::watching_contacts(&tx).await?;
    let looked_up = started.elapsed();
    let mut counts = Counts::default();
    let mut inserts: Vec<contact::ActiveModel> = Vec::new();
    let mut updates: Vec<contact::ActiveModel> = Vec::new();
    let mut events: Vec<contact_event::ActiveModel> = Vec::new();
    let mut claimed: HashMap<(IdentityKind, String), ContactId> = HashMap::new();
    for row in std::mem::take(&mut b.rows) {
        let found = existing.get(&row.identity);
        let me: ContactId = found.map_or_else(new_id, |c| c.id);
        let conflict = other_identities(plan, &row).into_iter().find(|(k, v, _)| {
            let key = (*k, (*v).to_owned());
            held.get(&key).is_some_and(|owner| *owner != me) || claimed.get(&key).is_some_and(|owner| *owner != me)
        });
        if let Some((_, _, column)) = conflict {
            let reason = "belongs to another contact of this workspace (merge them first)".to_owned();
            b.rejections.push(Rejection { line: row.line, column, reason });
            b.rejected += 1;
            continue;
        }
        for (k, v, _) in other_identities(plan, &row) {
            claimed.insert((k, v.to_owned()), me);
        }
        match found {
            Some(c) => {
                let mut am: contact::ActiveModel = c.clone().into();
                let changed = apply_row(&mut am, &row, &consents, at);
                if am.is_changed() {
                    am.updated_at = Set(at);
                    events.extend(crate::triggers::attribute_events(
                        tenant,
                        me,
                        &watched,
                        &c.attributes,
                        am.attributes.as_ref(),
                        at,
                    ));
                    updates.push(am);
                    counts.updated += 1;
                    events.extend(changed.iter().map(|k| consent_event(tenant, me, k)));
                } else {
                    counts.unchanged += 1;
                }
            }
            None => {
                let mut am = contacts::blank();
                am.tenant_id = Set(tenant);
                am.id = Set(me);
                am.created_at = Set(at);
                am.updated_at = Set(at);
                let changed = apply_row(&mut am, &row, &consents, at);
                events.extend(changed.iter().map(|k| consent_event(tenant, me, k)));
                inserts.push(am);
                counts.imported += 1;
            }
        }
    }
    let prepared = started.elapsed();
    // Detection looks when a watched field changed, or a segment rule may see someone new.
    let detect =
        (!watched.is_empty() && !events.is_empty()) || (segment_rules && !(updates.is_empty() && inserts.is_empty()));
    crate::bulk::insert(&tx, inserts).await?;
    crate::bulk::update(&tx, updates, &WRITTEN).await?;
    crate::bulk::insert(&tx, events).await?;
    if detect {
        crate::triggers::nudge(&tx, p).await?;
    }
    let rejections: Vec<import_rejection::ActiveModel> = b
        .rejections
        .iter()
        .map(|r| import_rejection::ActiveModel {
            tenant_id: Set(tenant),
            id: Set(new_id()),
            import_id: Set(imp.id),
            line: Set(i64::try_from(r.line).unwrap_or(i64::MAX)),
            column_name: Set(r.column.clone()),
            reason: Set(r.reason.clone()),
        })
        .collect();
    crate::bulk::insert(&tx, rejections).await?;

    let next = b.next.unwrap_or(Cursor { offset: plan.data_offset, line: plan.data_line });
    let offset = i64::try_from(next.offset).unwrap_or(i64::MAX);
    let status = if b.ended { TransferStatus::Completed } else { TransferStatus::Running };
    use contact_import::Column as I;
    let add = |c: I, n: i64| Expr::col(c).add(n);
    let mut update = contact_import::Entity::update_many()
        .col_expr(I::RowsRead, add(I::RowsRead, b.read))
        .col_expr(I::RowsImported, add(I::RowsImported, counts.imported))
        .col_expr(I::RowsUpdated, add(I::RowsUpdated, counts.updated))
        .col_expr(I::RowsUnchanged, add(I::RowsUnchanged, counts.unchanged))
        .col_expr(I::RowsRejected, add(I::RowsRejected, b.rejected))
        .col_expr(I::BytesRead, offset.into())
        .col_expr(I::Status, status.into())
        .col_expr(I::UpdatedAt, at.into());
    if b.ended {
        update = update.col_expr(I::FinishedAt, Some(at).into());
    }
    update.filter(I::TenantId.eq(tenant)).filter(I::Id.eq(imp.id)).exec(&tx).await?;
    if b.ended {
        let done = tx.find::<contact_import::Entity>(imp.id).await?;
        tx.record(
            crate::audit::Change::new("contact_import.completed", imp.id).after(crate::Audited::audit_json(&done)),
        )
        .await?;
    }
    let cursor = serde_json::to_string(&next).map_err(Error::internal)?;
    let progress = Progress { done: offset, total: Some(imp.size_bytes) };
    if !crate::jobs::report_in(&tx, p, worker, job, progress, Some(&cursor)).await? {
        return Ok(false);
    }
    tx.commit().await?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    tracing::debug!(
        import = %imp.id,
        rows = b.read,
        lookup_ms = ms(looked_up),
        prepare_ms = ms(prepared - looked_up),
        write_ms = ms(started.elapsed() - prepared),
        "import batch written"
    );
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_identity_names_the_first_line() {
        let mut seen = Seen::default();
        assert_eq!(seen.first("ann@example.com", 2), None);
        assert_eq!(seen.first("bob@example.com", 3), None);
        assert_eq!(seen.first("ann@example.com", 9), Some(2));
    }
}
