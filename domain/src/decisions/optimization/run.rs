//! The optimization job: reads the proposals file in batches (resolving each batch's
//! contacts in a few statements), counts what the contacts were already shown, chooses,
//! and writes the chosen proposals to a file. The choice needs every proposal at once,
//! so a run that stops part-way starts again from the top on its next attempt; what it
//! keeps per proposal is a few dozen bytes, never the row itself.

use std::collections::{BTreeMap, HashMap};

use chrono::Duration;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::{Value, json};
use tokio_util::io::StreamReader;

use super::{Columns, Constraints, KEPT_REJECTIONS, Rejection, Share, Summary};
use crate::contacts::{Channel, ConsentStatus};
use crate::db::TenantOwned;
use crate::decisions::optimize::{self, Proposal};
use crate::jobs::{ClaimedJob, Progress};
use crate::{ContactId, Error, OfferId, OptimizationRunId, Parley, Result, TenantCtx, TransferStatus, now};
use entities::{contact, contact_event, offer, offer_stat, optimization_run};

/// Rows read (and contacts resolved) per batch.
const BATCH: usize = 5_000;
/// Contacts per `IN (…)` list.
const IN_LIST: usize = 1_000;
/// No proposal slot: refused for consent before the choice.
const BLOCKED: u32 = u32::MAX;

/// An offer as the run needs it.
struct OfferInfo {
    id: OfferId,
    code: String,
    channels: Vec<Channel>,
    currency: String,
    cost_minor: i64,
    unusable: Option<&'static str>,
    /// (most per contact, within days).
    limit: Option<(u32, i64)>,
    capacity: Option<i64>,
}

/// One valid row.
struct Row {
    line: u64,
    contact: u32,
    offer: u32,
    campaign: u32,
    channel: u16,
    value_minor: i64,
    cost_minor: i64,
    /// Its index among the proposals chosen from, or [`BLOCKED`].
    slot: u32,
}

/// What the run learnt of the contacts it met.
#[derive(Default)]
struct Contacts {
    /// The file's contact cell → the contact's index (None: no such contact).
    by_key: HashMap<String, Option<u32>>,
    index: HashMap<ContactId, u32>,
    ids: Vec<ContactId>,
    /// Channels each contact refused consent on (bits by `Channel::EVERY` position).
    refused: Vec<u8>,
}

fn channel_bit(c: Channel) -> u16 {
    Channel::EVERY.iter().position(|k| *k == c).unwrap_or(0) as u16
}

/// What the run reads of a contact.
#[derive(sea_orm::FromQueryResult)]
struct Found {
    id: ContactId,
    email: Option<String>,
    external_id: Option<String>,
    consents: Value,
    merged_into: Option<ContactId>,
}

/// The contacts `which` picks, only the columns the run needs.
async fn found(tx: &crate::TenantTx<'_>, which: sea_orm::Condition) -> Result<Vec<Found>> {
    use contact::Column as C;
    Ok(contact::Entity::scoped(tx.ctx())
        .filter(which)
        .select_only()
        .columns([C::Id, C::Email, C::ExternalId, C::Consents, C::MergedInto])
        .into_model::<Found>()
        .all(tx)
        .await?)
}

impl Contacts {
    fn add(&mut self, c: &Found) -> u32 {
        if let Some(i) = self.index.get(&c.id) {
            return *i;
        }
        let i = self.ids.len() as u32;
        let refused = crate::contacts::consent::parse(&c.consents)
            .iter()
            .filter(|k| k.status == ConsentStatus::Denied)
            .fold(0u8, |bits, k| bits | (1 << channel_bit(k.channel)));
        self.ids.push(c.id);
        self.refused.push(refused);
        self.index.insert(c.id, i);
        i
    }

    /// Looks up the cells not met before: a contact ID, else an email address, else an
    /// external ID; a merged contact's ID finds the contact it was merged into.
    async fn resolve(&mut self, tx: &crate::TenantTx<'_>, cells: Vec<String>) -> Result<()> {
        use sea_orm::Condition;
        let mut ids: Vec<(String, ContactId)> = Vec::new();
        let mut emails: Vec<(String, String)> = Vec::new();
        let mut externals: Vec<String> = Vec::new();
        for cell in cells {
            if self.by_key.contains_key(&cell) {
                continue;
            }
            self.by_key.insert(cell.clone(), None);
            if let Some(id) = crate::validate::id_ref::<ContactId>(&cell) {
                ids.push((cell, id));
            } else if cell.contains('@')
                && let Ok(e) = crate::contacts::identity::email("contact", &cell)
            {
                emails.push((cell, e));
            } else {
                externals.push(cell);
            }
        }
        let live = |c: Condition| c.add(contact::Column::MergedInto.is_null());
        for chunk in ids.chunks(IN_LIST) {
            let rows =
                found(tx, Condition::all().add(contact::Column::Id.is_in(chunk.iter().map(|(_, id)| *id)))).await?;
            let targets: Vec<ContactId> = rows.iter().filter_map(|c| c.merged_into).collect();
            if !targets.is_empty() {
                for c in found(tx, live(Condition::all().add(contact::Column::Id.is_in(targets)))).await? {
                    self.add(&c);
                }
            }
            let by_id: HashMap<ContactId, &Found> = rows.iter().map(|c| (c.id, c)).collect();
            for (cell, id) in chunk {
                let index = match by_id.get(id) {
                    Some(c) => match c.merged_into {
                        None => Some(self.add(c)),
                        Some(t) => self.index.get(&t).copied(),
                    },
                    None => None,
                };
                self.by_key.insert(cell.clone(), index);
            }
        }
        for chunk in emails.chunks(IN_LIST) {
            let wanted = chunk.iter().map(|(_, e)| e.clone());
            let rows = found(tx, live(Condition::all().add(contact::Column::Email.is_in(wanted)))).await?;
            let by_email: HashMap<&str, &Found> = rows.iter().filter_map(|c| Some((c.email.as_deref()?, c))).collect();
            for (cell, e) in chunk {
                let index = by_email.get(e.as_str()).map(|c| self.add(c));
                self.by_key.insert(cell.clone(), index);
            }
        }
        for chunk in externals.chunks(IN_LIST) {
            let wanted = chunk.iter().cloned();
            let rows = found(tx, live(Condition::all().add(contact::Column::ExternalId.is_in(wanted)))).await?;
            let by_ext: HashMap<&str, &Found> =
                rows.iter().filter_map(|c| Some((c.external_id.as_deref()?, c))).collect();
            for cell in chunk {
                let index = by_ext.get(cell.as_str()).map(|c| self.add(c));
                self.by_key.insert(cell.clone(), index);
            }
        }
        Ok(())
    }
}

/// Everything the reading keeps.
struct Reading {
    rows: Vec<Row>,
    read: i64,
    rejected: i64,
    rejections: Vec<Rejection>,
    campaigns: Vec<String>,
}

impl Reading {
    fn reject(&mut self, line: u64, column: &str, reason: impl Into<String>) {
        self.rejected += 1;
        if self.rejections.len() < KEPT_REJECTIONS {
            self.rejections.push(Rejection { line, column: column.to_owned(), reason: reason.into() });
        }
    }
}

/// Runs optimization `id` for `job` to its end; false when another worker took it over.
pub async fn run(p: &Parley, worker: &str, job: &ClaimedJob, id: OptimizationRunId) -> Result<bool> {
    let ctx = &job.ctx;
    let tx = p.tenant_tx(ctx).await?;
    let opt = match tx.find::<optimization_run::Entity>(id).await {
        Ok(r) => r,
        Err(Error::NotFound) => return Ok(true),
        Err(e) => return Err(e),
    };
    if opt.status == TransferStatus::Completed {
        return Ok(true);
    }
    let constraints = super::constraints_of(&opt).ok_or_else(|| Error::internal("a run without its constraints"))?;
    let cols: Columns = serde_json::from_value(opt.constraints["columns"].clone()).map_err(Error::internal)?;
    let offers: Vec<OfferInfo> = offer::Entity::scoped(ctx).all(&tx).await?.into_iter().map(info).collect();
    tx.commit().await?;
    stage(p, ctx, id, "reading", None).await?;

    let by_code: HashMap<&str, u32> = offers.iter().enumerate().map(|(i, o)| (o.code.as_str(), i as u32)).collect();
    let mut contacts = Contacts::default();
    let mut reading = Reading { rows: Vec::new(), read: 0, rejected: 0, rejections: Vec::new(), campaigns: Vec::new() };
    let mut campaign_index: HashMap<String, u32> = HashMap::new();
    let bytes = crate::files::stream(ctx.clone(), p.clone(), opt.file_id, 0);
    let mut rdr = csv_async::AsyncReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .delimiter(cols.delimiter)
        // Records end at `\n` (a `\r` before it is trimmed with the cell): with CRLF as
        // the terminator a record's position would count the line before it.
        .terminator(csv_async::Terminator::Any(b'\n'))
        .create_reader(StreamReader::new(bytes));
    let mut batch: Vec<csv_async::StringRecord> = Vec::with_capacity(BATCH);
    let mut lines: Vec<u64> = Vec::with_capacity(BATCH);
    loop {
        let mut rec = csv_async::StringRecord::new();
        let more = match rdr.read_record(&mut rec).await {
            Ok(more) => more,
            Err(e) if e.is_io_error() => {
                return Err(Error::Unavailable(format!("the proposals could not be read: {e}")));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                reading.read += 1;
                reading.reject(line, "", format!("is not readable CSV ({e})"));
                continue;
            }
        };
        if more {
            // The line the record starts on, counted back from where it ended (its own
            // position would not count the blank lines before it).
            let end = rdr.position();
            let quoted = rec.iter().map(|f| f.matches('\n').count() as u64).sum::<u64>();
            let open = cols.open_end && i64::try_from(end.byte()).is_ok_and(|b| b == opt.size_bytes);
            lines.push(std::cmp::max(end.line().saturating_sub(quoted + u64::from(!open)), 1));
            batch.push(rec);
        }
        if batch.len() == BATCH || (!more && !batch.is_empty()) {
            let tx = p.tenant_tx(ctx).await?;
            let cells: Vec<String> =
                batch.iter().map(|r| r.get(cols.contact).unwrap_or("").trim().to_owned()).collect();
            contacts.resolve(&tx, cells).await?;
            for (rec, line) in batch.drain(..).zip(lines.drain(..)) {
                reading.read += 1;
                let campaign = cols.campaign.and_then(|c| rec.get(c)).unwrap_or("").trim();
                let campaign = match campaign_index.get(campaign) {
                    Some(i) => *i,
                    None => {
                        let i = reading.campaigns.len() as u32;
                        reading.campaigns.push(campaign.to_owned());
                        campaign_index.insert(campaign.to_owned(), i);
                        i
                    }
                };
                match row(&rec, line, &cols, &by_code, &offers, &contacts, &opt.currency, campaign) {
                    Ok(r) => reading.rows.push(r),
                    Err((column, reason)) => reading.reject(line, column, reason),
                }
            }
            let done = i64::try_from(rdr.position().byte()).unwrap_or(i64::MAX);
            optimization_run::Entity::update_many()
                .col_expr(optimization_run::Column::RowsRead, Expr::value(reading.read))
                .col_expr(optimization_run::Column::RowsRejected, Expr::value(reading.rejected))
                .filter(optimization_run::Column::TenantId.eq(ctx.tenant_id()))
                .filter(optimization_run::Column::Id.eq(id))
                .exec(&tx)
                .await?;
            let progress = Progress { done: done.min(opt.size_bytes), total: Some(opt.size_bytes) };
            if !crate::jobs::report_in(&tx, p, worker, job, progress, None).await? {
                return Ok(false);
            }
            tx.commit().await?;
        }
        if !more {
            break;
        }
    }
    duplicates(&mut reading);

    // What each contact was already shown, and what is left of each capacity.
    // The counts again: duplicates are rejected once the whole file is read.
    stage(p, ctx, id, "optimizing", Some((reading.read, reading.rejected))).await?;
    let mut c = optimize::Constraints {
        max_per_contact: constraints.max_per_contact.map(|m| m.max(0) as u32),
        budget: constraints.budget_minor.map(|b| b as f64),
        ..Default::default()
    };
    for (name, cap) in &constraints.channel_capacity {
        if let Some(ch) = Channel::parse(name) {
            c.channel_capacity.insert(channel_bit(ch), u64::try_from(*cap).unwrap_or(0));
        }
    }
    for group in &constraints.exclusions {
        c.exclusions.push(group.iter().filter_map(|code| by_code.get(code.as_str()).copied()).collect());
    }
    for (i, o) in offers.iter().enumerate() {
        if let Some((max, _)) = o.limit {
            c.offer_max_per_contact.insert(i as u32, max);
        }
    }
    history(p, ctx, &offers, &contacts, &reading.rows, &constraints, &mut c).await?;

    // The proposals chosen from: the rows not refused for consent.
    let mut proposals: Vec<Proposal> = Vec::with_capacity(reading.rows.len());
    for r in &mut reading.rows {
        let refused = contacts.refused[r.contact as usize];
        let ch = Channel::EVERY[r.channel as usize];
        if ch.takes_consent() && refused & (1 << r.channel) != 0 {
            r.slot = BLOCKED;
            continue;
        }
        r.slot = proposals.len() as u32;
        proposals.push(Proposal {
            contact: r.contact,
            offer: r.offer,
            channel: r.channel,
            value: r.value_minor as f64,
            cost: r.cost_minor as f64,
        });
    }
    let (proposals, outcome) = tokio::task::spawn_blocking(move || {
        let out = optimize::optimize(&proposals, &c, |_| {});
        (proposals, out)
    })
    .await
    .map_err(Error::internal)?;
    drop(proposals);

    stage(p, ctx, id, "writing", None).await?;
    let name = format!("chosen-{}", opt.file_name);
    let (file, size, chunks) =
        write(p, ctx, &name, &reading, &outcome.chosen, &contacts, &offers, &opt.currency).await?;

    // The figures.
    let mut summary = Summary::default();
    for (r, n) in &outcome.refused {
        summary.refused.insert(r.as_str().to_owned(), i64::try_from(*n).unwrap_or(i64::MAX));
    }
    let blocked = reading.rows.iter().filter(|r| r.slot == BLOCKED).count() as i64;
    if blocked > 0 {
        summary.refused.insert("NO_CONSENT".to_owned(), blocked);
    }
    let mut campaigns: BTreeMap<u32, Share> = BTreeMap::new();
    let mut channels: BTreeMap<u16, Share> = BTreeMap::new();
    let (mut value, mut cost, mut chosen) = (0i64, 0i64, 0i64);
    for r in &reading.rows {
        let picked = r.slot != BLOCKED && outcome.chosen[r.slot as usize];
        for share in [campaigns.entry(r.campaign).or_default(), channels.entry(r.channel).or_default()] {
            share.proposals += 1;
            if picked {
                share.chosen += 1;
                share.value_minor += r.value_minor;
                share.cost_minor += r.cost_minor.max(0);
            }
        }
        if picked {
            chosen += 1;
            value += r.value_minor;
            cost += r.cost_minor.max(0);
        }
    }
    summary.campaigns =
        campaigns.into_iter().map(|(i, s)| Share { name: reading.campaigns[i as usize].clone(), ..s }).collect();
    summary.channels = channels
        .into_iter()
        .map(|(i, s)| Share { name: Channel::EVERY[i as usize].as_str().to_owned(), ..s })
        .collect();
    let mut rejections = reading.rejections.clone();
    rejections.sort_by_key(|r| r.line);

    let tx = p.tenant_tx(ctx).await?;
    crate::files::set_size(&tx, file, size, chunks).await?;
    optimization_run::Entity::update_many()
        .col_expr(optimization_run::Column::ResultFileId, Expr::value(Some(file)))
        .col_expr(optimization_run::Column::Status, Expr::value(TransferStatus::Completed))
        .col_expr(optimization_run::Column::Stage, Expr::value("done"))
        .col_expr(optimization_run::Column::RowsRead, Expr::value(reading.read))
        .col_expr(optimization_run::Column::RowsRejected, Expr::value(reading.rejected))
        .col_expr(optimization_run::Column::Proposals, Expr::value(reading.rows.len() as i64))
        .col_expr(optimization_run::Column::Chosen, Expr::value(chosen))
        .col_expr(optimization_run::Column::TotalValueMinor, Expr::value(value))
        .col_expr(optimization_run::Column::TotalCostMinor, Expr::value(cost))
        .col_expr(
            optimization_run::Column::Summary,
            Expr::value(serde_json::to_value(&summary).map_err(Error::internal)?),
        )
        .col_expr(
            optimization_run::Column::Rejections,
            Expr::value(serde_json::to_value(&rejections).map_err(Error::internal)?),
        )
        .col_expr(optimization_run::Column::FinishedAt, Expr::value(Some(now())))
        .filter(optimization_run::Column::TenantId.eq(ctx.tenant_id()))
        .filter(optimization_run::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    let change = crate::audit::Change::new("optimization_run.completed", id)
        .after(json!({ "chosen": chosen, "valueMinor": value, "costMinor": cost }));
    tx.record(change).await?;
    let progress = Progress { done: opt.size_bytes, total: Some(opt.size_bytes) };
    if !crate::jobs::report_in(&tx, p, worker, job, progress, None).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

fn info(o: offer::Model) -> OfferInfo {
    let channels = crate::decisions::offers::channels_of(&o);
    let t = now();
    let unusable = if o.status == crate::decisions::OfferStatus::Retired {
        Some("is retired")
    } else if o.status == crate::decisions::OfferStatus::InApproval {
        Some("is waiting for approval")
    } else if o.status == crate::decisions::OfferStatus::Draft {
        Some("is a draft (its approval was refused or sent back)")
    } else if o.valid_to.is_some_and(|to| to < t) {
        Some("is no longer valid (its validity ended)")
    } else {
        None
    };
    let limit = match (o.max_per_contact, o.max_per_contact_days) {
        (Some(m), Some(d)) => Some((m.max(0) as u32, i64::from(d))),
        _ => None,
    };
    OfferInfo {
        id: o.id,
        code: o.code,
        channels,
        currency: o.currency,
        cost_minor: o.cost_minor,
        unusable,
        limit,
        capacity: o.capacity,
    }
}

/// Reads one row into a proposal, or says which column is wrong and why.
#[allow(clippy::too_many_arguments)] // The run's lookups, each read once per row.
fn row(
    rec: &csv_async::StringRecord,
    line: u64,
    cols: &Columns,
    by_code: &HashMap<&str, u32>,
    offers: &[OfferInfo],
    contacts: &Contacts,
    currency: &str,
    campaign: u32,
) -> std::result::Result<Row, (&'static str, String)> {
    let cell = |i: usize| rec.get(i).unwrap_or("").trim();
    let key = cell(cols.contact);
    if key.is_empty() {
        return Err(("contact", "is empty".to_owned()));
    }
    let Some(Some(contact)) = contacts.by_key.get(key) else {
        return Err(("contact", format!("{key:?} is no contact's ID, email or external ID here")));
    };
    let code = cell(cols.offer);
    let Some(&o) = by_code.get(code) else {
        return Err(("offer", format!("{code:?} is no offer's code")));
    };
    let info = &offers[o as usize];
    if let Some(why) = info.unusable {
        return Err(("offer", format!("{code} {why}")));
    }
    let channel = match cols.channel.map(cell).filter(|c| !c.is_empty()) {
        Some(raw) => {
            let Some(ch) = Channel::parse(&raw.to_ascii_uppercase()) else {
                return Err(("channel", format!("{raw:?} is not a channel (like EMAIL, SMS or WEB)")));
            };
            if !info.channels.contains(&ch) {
                return Err(("channel", format!("{code} is not shown on {}", ch.as_str())));
            }
            ch
        }
        None => match info.channels.first() {
            Some(ch) => *ch,
            None => return Err(("channel", format!("is empty and {code} names no channel"))),
        },
    };
    let value = cell(cols.value);
    let value_minor = match crate::money::parse_major(currency, value) {
        Some(v) if v >= 0 => v,
        Some(_) => return Err(("value", "is negative".to_owned())),
        None => return Err(("value", format!("{value:?} is not an amount in {currency}"))),
    };
    let cost_minor = match cols.cost.map(cell).filter(|c| !c.is_empty()) {
        Some(raw) => match crate::money::parse_major(currency, raw) {
            Some(v) if v >= 0 => v,
            Some(_) => return Err(("cost", "is negative".to_owned())),
            None => return Err(("cost", format!("{raw:?} is not an amount in {currency}"))),
        },
        None if info.cost_minor == 0 || info.currency == currency => info.cost_minor,
        None => return Err(("cost", format!("is empty and {code} costs in {}, not {currency}", info.currency))),
    };
    Ok(Row {
        line,
        contact: *contact,
        offer: o,
        campaign,
        channel: channel_bit(channel),
        value_minor,
        cost_minor,
        slot: 0,
    })
}

/// Rejects the later rows that propose the same offer to the same contact for the same
/// campaign again.
fn duplicates(reading: &mut Reading) {
    let mut order: Vec<u32> = (0..reading.rows.len() as u32).collect();
    order.sort_unstable_by_key(|i| {
        let r = &reading.rows[*i as usize];
        (r.contact, r.offer, r.campaign, r.line)
    });
    let mut drop = vec![false; reading.rows.len()];
    let mut found = Vec::new();
    for pair in order.windows(2) {
        let (a, b) = (&reading.rows[pair[0] as usize], &reading.rows[pair[1] as usize]);
        if (a.contact, a.offer, a.campaign) == (b.contact, b.offer, b.campaign) {
            drop[pair[1] as usize] = true;
            // The first line of the run of duplicates.
            let first = found.iter().rev().find(|(l, _): &&(u64, u64)| *l == a.line).map_or(a.line, |(_, f)| *f);
            found.push((b.line, first));
        }
    }
    for (line, first) in found {
        reading.reject(
            line,
            "",
            format!("proposes the same offer to the same contact for the same campaign as line {first}"),
        );
    }
    let mut i = 0;
    reading.rows.retain(|_| {
        let keep = !drop[i];
        i += 1;
        keep
    });
}

/// Counts what each contact was shown within the period (and within each limited
/// offer's window), and what is left of each offer's capacity.
async fn history(
    p: &Parley,
    ctx: &TenantCtx,
    offers: &[OfferInfo],
    contacts: &Contacts,
    rows: &[Row],
    constraints: &Constraints,
    c: &mut optimize::Constraints,
) -> Result<()> {
    crate::decisions::live::flush_for_read(p).await;
    let offer_index: HashMap<OfferId, u32> = offers.iter().enumerate().map(|(i, o)| (o.id, i as u32)).collect();
    let t = now();
    let tx = p.tenant_tx(ctx).await?;
    let capped: Vec<OfferId> = offers.iter().filter(|o| o.capacity.is_some()).map(|o| o.id).collect();
    if !capped.is_empty() {
        let mut shown: HashMap<OfferId, i64> = HashMap::new();
        for s in offer_stat::Entity::scoped(ctx).filter(offer_stat::Column::OfferId.is_in(capped)).all(&tx).await? {
            *shown.entry(s.offer_id).or_default() += s.trials.max(0);
        }
        for (i, o) in offers.iter().enumerate() {
            if let Some(cap) = o.capacity {
                let left = cap.max(0) - shown.get(&o.id).copied().unwrap_or(0);
                c.offer_capacity.insert(i as u32, u64::try_from(left.max(0)).unwrap_or(0));
            }
        }
    }
    let period = i64::from(constraints.period_days);
    let longest = offers.iter().filter_map(|o| o.limit.map(|(_, d)| d)).chain(c.max_per_contact.map(|_| period)).max();
    let Some(longest) = longest else {
        tx.commit().await?;
        return Ok(());
    };
    let mut proposed = vec![false; contacts.ids.len()];
    for r in rows {
        proposed[r.contact as usize] = true;
    }
    let wanted: Vec<ContactId> = contacts.ids.iter().zip(&proposed).filter(|(_, p)| **p).map(|(id, _)| *id).collect();
    for chunk in wanted.chunks(IN_LIST) {
        let shown: Vec<(ContactId, Value, chrono::DateTime<chrono::Utc>)> = contact_event::Entity::scoped(ctx)
            .filter(contact_event::Column::ContactId.is_in(chunk.iter().copied()))
            .filter(contact_event::Column::Kind.eq("offer_presented"))
            .filter(contact_event::Column::OccurredAt.gte(t - Duration::days(longest)))
            .select_only()
            .column(contact_event::Column::ContactId)
            .column(contact_event::Column::Properties)
            .column(contact_event::Column::OccurredAt)
            .into_tuple()
            .all(&tx)
            .await?;
        for (contact, props, at) in shown {
            let Some(&k) = contacts.index.get(&contact) else { continue };
            if c.max_per_contact.is_some() && at >= t - Duration::days(period) {
                *c.shown.entry(k).or_default() += 1;
            }
            let offer = props["offerId"].as_str().and_then(|s| s.parse::<uuid::Uuid>().ok()).map(OfferId::from);
            if let Some(o) = offer.and_then(|o| offer_index.get(&o))
                && offers[*o as usize].limit.is_some_and(|(_, d)| at >= t - Duration::days(d))
            {
                *c.shown_offer.entry((k, *o)).or_default() += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Appends one chunk in a transaction of its own.
async fn append(p: &Parley, ctx: &TenantCtx, file: crate::StoredFileId, seq: i32, data: Vec<u8>) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    crate::files::append(&tx, file, seq, data).await?;
    tx.commit().await?;
    Ok(())
}

/// Records what the run is doing (and the rows read and rejected, when given) in a short
/// transaction.
async fn stage(
    p: &Parley,
    ctx: &TenantCtx,
    id: OptimizationRunId,
    stage: &str,
    rows: Option<(i64, i64)>,
) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let mut update = optimization_run::Entity::update_many()
        .col_expr(optimization_run::Column::Stage, Expr::value(stage))
        .col_expr(optimization_run::Column::Status, Expr::value(TransferStatus::Running));
    if let Some((read, rejected)) = rows {
        update = update
            .col_expr(optimization_run::Column::RowsRead, Expr::value(read))
            .col_expr(optimization_run::Column::RowsRejected, Expr::value(rejected));
    }
    update
        .filter(optimization_run::Column::TenantId.eq(ctx.tenant_id()))
        .filter(optimization_run::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes the chosen rows, in the file's order, to a new file a chunk per transaction.
#[allow(clippy::too_many_arguments)] // What the run read, what it chose, and how to name it.
async fn write(
    p: &Parley,
    ctx: &TenantCtx,
    name: &str,
    reading: &Reading,
    chosen: &[bool],
    contacts: &Contacts,
    offers: &[OfferInfo],
    currency: &str,
) -> Result<(crate::StoredFileId, i64, i32)> {
    let tx = p.tenant_tx(ctx).await?;
    let file = crate::files::create_in(&tx, name, "optimization").await?;
    tx.commit().await?;
    let writer = || {
        csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::with_capacity(crate::files::CHUNK + 4096))
    };
    let mut w = writer();
    w.write_record(["line", "contactId", "offer", "campaign", "channel", "value", "cost"]).map_err(Error::internal)?;
    let (mut size, mut seq) = (0i64, 0i32);
    for r in reading.rows.iter().filter(|r| r.slot != BLOCKED && chosen[r.slot as usize]) {
        w.write_record([
            r.line.to_string().as_str(),
            &crate::validate::global_ref(contacts.ids[r.contact as usize]),
            &offers[r.offer as usize].code,
            &reading.campaigns[r.campaign as usize],
            Channel::EVERY[r.channel as usize].as_str(),
            &crate::money::format_major(currency, r.value_minor),
            &crate::money::format_major(currency, r.cost_minor),
        ])
        .map_err(Error::internal)?;
        w.flush().map_err(Error::internal)?;
        if w.get_ref().len() >= crate::files::CHUNK {
            let data = std::mem::replace(&mut w, writer()).into_inner().map_err(Error::internal)?;
            size += data.len() as i64;
            append(p, ctx, file.id, seq, data).await?;
            seq += 1;
        }
    }
    let data = w.into_inner().map_err(Error::internal)?;
    if !data.is_empty() {
        size += data.len() as i64;
        append(p, ctx, file.id, seq, data).await?;
        seq += 1;
    }
    Ok((file.id, size, seq))
}
