//! Contact optimization runs (DEC-9): campaigns' proposed contacts arrive as a CSV file
//! (`contact`, `offer`, `value`, and optionally `campaign`, `channel`, `cost`) with the
//! constraints of the run; a background job reads them, resolves contacts and offers,
//! counts what each contact was already shown, chooses with [`super::optimize`] and
//! writes the chosen proposals to a file to download. Each row ends up chosen, refused
//! (with the constraint that refused it, counted per reason) or rejected (its line,
//! column and reason). The per-contact rules are the ones real-time decisions obey: the
//! workspace's offer cap over its window (unless the run sets its own), each offer's
//! most per contact and its capacity, and consent on the proposal's channel.

mod run;

use std::collections::BTreeMap;

use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::io::AsyncRead;

use crate::contacts::Channel;
use crate::db::TenantOwned;
use crate::files::{self, CHUNK};
use crate::jobs::{self, NewJob, OptimizeContacts};
use crate::money::Money;
use crate::page::{Page, PageArgs};
use crate::{
    Audited, Error, OptimizationRunId, Order, Parley, Permission, Result, TenantCtx, TransferStatus, new_id, now,
    validate,
};
use entities::{offer, optimization_run};

pub use run::run;

/// A run of the contact optimizer.
pub type OptimizationRun = optimization_run::Model;

impl Audited for OptimizationRun {
    fn audit_json(&self) -> Value {
        json!({ "name": self.name, "fileName": self.file_name, "status": self.status,
                "constraints": self.constraints, "rowsRead": self.rows_read, "chosen": self.chosen })
    }
}

/// The most offers per contact a run may allow.
pub const MAX_PER_CONTACT: i32 = 100;
/// The longest period a run counts a contact's past presentations over, in days.
pub const MAX_PERIOD_DAYS: i32 = 365;
/// The period when neither the run nor the workspace's contact policy sets one.
pub const DEFAULT_PERIOD_DAYS: i32 = 30;
/// The most exclusion groups (and offers in one group).
pub const MAX_EXCLUSIONS: usize = 100;
/// The rejected rows a run keeps with their reasons (all are counted).
pub const KEPT_REJECTIONS: usize = 100;

/// The constraints of a run as a marketer writes them.
#[derive(Debug, Clone, Default)]
pub struct OptimizationInput {
    pub name: Option<String>,
    /// Most offers one contact receives in the period, counting what they were shown in
    /// it before (None: the workspace's contact policy, if it caps offers).
    pub max_per_contact: Option<i32>,
    /// The period in days (None: the policy's window, else 30).
    pub period_days: Option<i32>,
    /// Most chosen proposals per channel.
    pub channel_capacity: Vec<(Channel, i64)>,
    /// Most total cost; its currency is the run's.
    pub budget: Option<(String, String)>,
    /// The run's currency (values and costs of the file are in it): the budget's, else EUR.
    pub currency: Option<String>,
    /// Groups of offer codes of which one contact gets at most one.
    pub exclusions: Vec<Vec<String>>,
}

/// The constraints as stored and run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Constraints {
    pub max_per_contact: Option<i32>,
    /// Where `max_per_contact` came from: `run`, `policy` or `none`.
    pub max_from: String,
    pub period_days: i32,
    pub channel_capacity: BTreeMap<String, i64>,
    pub budget_minor: Option<i64>,
    pub exclusions: Vec<Vec<String>>,
}

/// The columns of a proposals file, by position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Columns {
    pub contact: usize,
    pub offer: usize,
    pub value: usize,
    pub campaign: Option<usize>,
    pub channel: Option<usize>,
    pub cost: Option<usize>,
    pub delimiter: u8,
    /// Whether the file's last line has no line break (its last record's line is then
    /// not followed by one).
    #[serde(default)]
    pub open_end: bool,
}

/// Finds the columns in the header (names compared without case; `expectedValue` is
/// taken for `value`); a missing one is an error naming the file.
fn columns(head: &[u8]) -> Result<Columns> {
    let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let count = |d: u8| first.iter().filter(|b| **b == d).count();
    let delimiter = [b',', b';', b'\t'].into_iter().max_by_key(|d| count(*d)).unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).from_reader(first);
    let mut header = csv::StringRecord::new();
    if !rdr.read_record(&mut header).map_err(|e| Error::invalid("file", format!("has no readable header ({e})")))? {
        return Err(Error::invalid("file", "is empty: the first line names the columns contact, offer and value"));
    }
    let names: Vec<String> =
        header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()).collect();
    let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
    let need = |wanted: &[&str]| {
        find(wanted).ok_or_else(|| {
            Error::invalid("file", format!("has no column “{}”: the header needs contact, offer and value", wanted[0]))
        })
    };
    Ok(Columns {
        contact: need(&["contact", "contactid", "email"])?,
        offer: need(&["offer", "offercode"])?,
        value: need(&["value", "expectedvalue"])?,
        campaign: find(&["campaign"]),
        channel: find(&["channel"]),
        cost: find(&["cost"]),
        delimiter,
        open_end: false,
    })
}

/// Checks `input` against the workspace (offer codes, its contact policy) and answers
/// the constraints to store, with the run's currency.
async fn constraints(tx: &crate::TenantTx<'_>, input: &OptimizationInput) -> Result<(Constraints, String)> {
    let currency = match (&input.budget, &input.currency) {
        (Some((_, c)), Some(run)) if !c.trim().eq_ignore_ascii_case(run.trim()) => {
            return Err(Error::invalid("budget", format!("must be in the run's currency {}", run.trim())));
        }
        (Some((_, c)), _) => crate::money::currency("budget", c)?,
        (None, Some(c)) => crate::money::currency("currencyCode", c)?,
        (None, None) => super::offers::DEFAULT_CURRENCY.to_owned(),
    };
    let budget_minor = match &input.budget {
        Some((amount, c)) => {
            let m = Money::parse("budget", amount, c)?;
            if m.minor < 0 {
                return Err(Error::invalid("budget", "is 0 or more"));
            }
            Some(m.minor)
        }
        None => None,
    };
    let policy = crate::campaigns::policies::of_in(tx).await?;
    let (max_per_contact, max_from) = match input.max_per_contact {
        Some(m) if !(1..=MAX_PER_CONTACT).contains(&m) => {
            return Err(Error::invalid("maxPerContact", format!("is between 1 and {MAX_PER_CONTACT}")));
        }
        Some(m) => (Some(m), "run"),
        None => match policy.as_ref().and_then(|p| p.offer_max) {
            Some(m) => (Some(m), "policy"),
            None => (None, "none"),
        },
    };
    let period_days = match input.period_days {
        Some(d) if !(1..=MAX_PERIOD_DAYS).contains(&d) => {
            return Err(Error::invalid("periodDays", format!("is between 1 and {MAX_PERIOD_DAYS}")));
        }
        Some(d) => d,
        None => policy.as_ref().and_then(|p| p.offer_window_days).unwrap_or(DEFAULT_PERIOD_DAYS),
    };
    let mut channel_capacity = BTreeMap::new();
    for (channel, capacity) in &input.channel_capacity {
        if *capacity < 0 || *capacity > 1_000_000_000 {
            return Err(Error::invalid("channelCapacity", "is between 0 and 1,000,000,000 per channel"));
        }
        if channel_capacity.insert(channel.as_str().to_owned(), *capacity).is_some() {
            return Err(Error::invalid("channelCapacity", format!("names {} twice", channel.as_str())));
        }
    }
    if input.exclusions.len() > MAX_EXCLUSIONS {
        return Err(Error::invalid("exclusions", format!("holds at most {MAX_EXCLUSIONS} groups")));
    }
    let mut exclusions = Vec::new();
    for group in &input.exclusions {
        let mut codes: Vec<String> = group.iter().map(|c| c.trim().to_owned()).collect();
        codes.sort();
        codes.dedup();
        if codes.len() < 2 || codes.len() > MAX_EXCLUSIONS {
            return Err(Error::invalid("exclusions", "each group names 2 to 100 different offer codes"));
        }
        let known: Vec<String> = offer::Entity::scoped(tx.ctx())
            .filter(offer::Column::Code.is_in(codes.clone()))
            .all(tx)
            .await?
            .into_iter()
            .map(|o| o.code)
            .collect();
        if let Some(unknown) = codes.iter().find(|c| !known.contains(c)) {
            return Err(Error::invalid("exclusions", format!("names {unknown:?}, which is no offer's code")));
        }
        exclusions.push(codes);
    }
    let c = Constraints {
        max_per_contact,
        max_from: max_from.to_owned(),
        period_days,
        channel_capacity,
        budget_minor,
        exclusions,
    };
    Ok((c, currency))
}

/// Starts a run over `file` (checked for its header and stored first; the job reads
/// it): the constraints are checked before anything is stored.
pub async fn start<R: AsyncRead + Unpin>(
    ctx: &TenantCtx,
    p: &Parley,
    file_name: &str,
    mut file: R,
    input: OptimizationInput,
    max_bytes: u64,
) -> Result<OptimizationRun> {
    let name = match input.name.as_deref().map(str::trim) {
        Some(n) if !n.is_empty() => validate::name("name", n, 200)?,
        _ => format!("Optimization of {}", now().format("%Y-%m-%d %H:%M")),
    };
    let (constraints, currency) = {
        let tx = p.tenant_tx(ctx).await?;
        tx.require(Permission::ManageOffers)?;
        let c = constraints(&tx, &input).await?;
        tx.commit().await?;
        c
    };
    let mut head = Vec::with_capacity(CHUNK);
    files::fill(&mut file, &mut head, CHUNK).await?;
    crate::imports::check_encoding(&head)?;
    let mut cols = columns(&head)?;
    let file_name = files::clean_name(file_name, "proposals.csv");
    let (stored, last) = files::store(ctx, p, &file_name, "optimization", head, file, max_bytes).await?;
    cols.open_end = last.is_some_and(|b| b != b'\n');

    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    let id: OptimizationRunId = new_id();
    let stored_constraints = json!({ "given": constraints, "columns": cols });
    let row = optimization_run::ActiveModel {
        id: Set(id),
        name: Set(name),
        file_id: Set(stored.id),
        file_name: Set(file_name),
        size_bytes: Set(stored.size_bytes),
        result_file_id: Set(None),
        job_id: Set(None),
        status: Set(TransferStatus::Queued),
        stage: Set("queued".to_owned()),
        constraints: Set(stored_constraints),
        currency: Set(currency),
        rows_read: Set(0),
        rows_rejected: Set(0),
        proposals: Set(0),
        chosen: Set(0),
        total_value_minor: Set(0),
        total_cost_minor: Set(0),
        summary: Set(json!({})),
        rejections: Set(json!([])),
        created_at: Set(now()),
        finished_at: Set(None),
        ..Default::default()
    };
    let mut created = tx.create("optimization_run.started", row).await?;
    let job = NewJob::of(&OptimizeContacts { run_id: id }).key(format!("optimize:{id}"));
    let job_id = jobs::enqueue_in_returning(&tx, p, ctx, job).await?;
    optimization_run::Entity::update_many()
        .col_expr(optimization_run::Column::JobId, Expr::value(Some(job_id)))
        .filter(optimization_run::Column::TenantId.eq(ctx.tenant_id()))
        .filter(optimization_run::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    created.job_id = Some(job_id);
    tx.commit().await?;
    Ok(created)
}

/// A run as it stands: why it failed when its job died, and the share of the work done.
#[derive(Debug, Clone)]
pub struct RunView {
    pub run: OptimizationRun,
    pub error: Option<String>,
    /// From 0 to 1 (the share of the file read, then 1 once completed).
    pub done: f64,
}

/// One run.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: OptimizationRunId) -> Result<RunView> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    let run = tx.find::<optimization_run::Entity>(id).await?;
    let job = jobs::of_transfer(&tx, run.job_id).await?;
    tx.commit().await?;
    Ok(view(run, job))
}

/// A run whose job died is `FAILED`, with the job's last error.
pub fn view(mut run: OptimizationRun, job: Option<crate::Job>) -> RunView {
    let progress = job.as_ref().and_then(crate::jobs::Progress::of);
    let done = match (run.status, progress) {
        (TransferStatus::Completed, _) => 1.0,
        (_, Some(crate::jobs::Progress { done, total: Some(total) })) if total > 0 => {
            (done as f64 / total as f64).clamp(0.0, 1.0)
        }
        _ => 0.0,
    };
    let (status, error) = jobs::transfer_status(run.status, job.as_ref());
    run.status = status;
    RunView { run, error, done }
}

/// The workspace's runs, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<OptimizationRun>> {
    p.page::<optimization_run::Entity>(ctx, Permission::ManageOffers, Order::Newest, args).await
}

/// The chosen proposals of a completed run, to download: the file's name and bytes.
pub async fn download(
    ctx: &TenantCtx,
    p: &Parley,
    id: OptimizationRunId,
) -> Result<(String, impl futures::Stream<Item = std::io::Result<bytes::Bytes>> + Send + use<>)> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageOffers)?;
    let run = tx.find::<optimization_run::Entity>(id).await?;
    let file = match (run.status, run.result_file_id) {
        (TransferStatus::Completed, Some(f)) => files::get_in(&tx, f).await?,
        _ => return Err(Error::Conflict("the run has not completed yet".into())),
    };
    tx.commit().await?;
    Ok((file.name, files::stream(ctx.clone(), p.clone(), file.id, 0)))
}

/// The constraints a run was started with.
pub fn constraints_of(run: &OptimizationRun) -> Option<Constraints> {
    serde_json::from_value(run.constraints.get("given")?.clone()).ok()
}

/// One rejected row of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    pub line: u64,
    pub column: String,
    pub reason: String,
}

/// The rejected rows a run kept.
pub fn rejections_of(run: &OptimizationRun) -> Vec<Rejection> {
    serde_json::from_value(run.rejections.clone()).unwrap_or_default()
}

/// What a completed run chose, per campaign or per channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Share {
    pub name: String,
    pub proposals: i64,
    pub chosen: i64,
    pub value_minor: i64,
    pub cost_minor: i64,
}

/// A completed run's figures beyond its totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Proposals refused, by reason (`NO_CONSENT` and the optimizer's reasons).
    pub refused: BTreeMap<String, i64>,
    pub campaigns: Vec<Share>,
    pub channels: Vec<Share>,
}

/// A run's figures.
pub fn summary_of(run: &OptimizationRun) -> Summary {
    serde_json::from_value(run.summary.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_found_by_name_in_any_order_and_delimiter() {
        let c = columns(b"Campaign;Contact;Offer;Expected Value;cost\nx").unwrap_err();
        assert!(c.to_string().contains("value"), "{c}");
        let c = columns(b"Campaign;Contact;Offer;ExpectedValue;cost\nx").unwrap();
        assert_eq!((c.contact, c.offer, c.value, c.campaign, c.cost, c.channel), (1, 2, 3, Some(0), Some(4), None));
        assert_eq!(c.delimiter, b';');
        let c = columns(b"\xEF\xBB\xBFcontact,offer,value\n").unwrap();
        assert_eq!((c.contact, c.delimiter), (0, b','));
        assert!(columns(b"").is_err());
        let missing = columns(b"email,value\n").unwrap_err();
        assert!(missing.to_string().contains("offer"), "{missing}");
    }
}
