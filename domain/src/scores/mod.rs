//! Predictive scores (INS-6): what a workspace's history says about each customer,
//! written to contacts as fields that segments, exports and campaigns use like any
//! other.
//!
//! - A *score run* (a background job) reads every purchase once (`purchases.rs`) and
//!   writes each customer's RFM scores, group and lifetime value (`rfm.rs`), then
//!   the products bought together (`affinity.rs`). Customers who no longer have a
//!   purchase lose their scores; the run keeps what it found for the reports.
//! - A *propensity model* (`propensity.rs`) learns from the history how likely each
//!   contact is to do an event within a horizon, shows its quality on contacts held out
//!   of training (AUC), and writes its scores to a field of its own.

pub mod affinity;
pub mod propensity;
pub(crate) mod purchases;
pub mod rfm;
pub mod schedule;
mod write;

use std::collections::HashSet;

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::{Value, json};

use crate::db::TenantOwned;
use crate::jobs::{self, ClaimedJob, NewJob, Progress, RefreshScores};
use crate::page::{Page, PageArgs};
use crate::{
    AttributeKind, Audited, ContactId, Error, Order, Parley, Permission, Result, ScoreRunId, TenantCtx, TenantTx,
    TransferStatus, new_id, now, validate,
};
use entities::{attribute_definition as def, product_affinity, score_run};

pub use purchases::PURCHASE;
pub use rfm::Summary;

/// A run of the scoring job.
pub type ScoreRun = score_run::Model;
/// Two products bought by the same customers.
pub type ProductAffinity = product_affinity::Model;

impl Audited for ScoreRun {
    fn audit_json(&self) -> Value {
        json!({ "status": self.status, "contactsScored": self.contacts_scored, "products": self.products })
    }
}

/// The fields a score run writes.
pub const RECENCY: &str = "rfm_recency";
pub const FREQUENCY: &str = "rfm_frequency";
pub const MONETARY: &str = "rfm_monetary";
pub const RFM_SCORE: &str = "rfm_score";
pub const RFM_SEGMENT: &str = "rfm_segment";
pub const LIFETIME_VALUE: &str = "lifetime_value";
pub const ORDERS: &str = "orders_count";
pub const LAST_PURCHASE: &str = "last_purchase_on";
const KEYS: [&str; 8] = [RECENCY, FREQUENCY, MONETARY, RFM_SCORE, RFM_SEGMENT, LIFETIME_VALUE, ORDERS, LAST_PURCHASE];

/// Customers written per transaction.
const BATCH: usize = 1_000;
/// Currency of amounts when neither the workspace's field nor its purchases name one.
const DEFAULT_CURRENCY: &str = "USD";

fn fields(currency: &str) -> Vec<write::Field> {
    let number =
        |key: &str| write::Field { key: key.to_owned(), kind: AttributeKind::Number, currency: None, options: vec![] };
    vec![
        number(RECENCY),
        number(FREQUENCY),
        number(MONETARY),
        number(RFM_SCORE),
        write::Field {
            key: RFM_SEGMENT.to_owned(),
            kind: AttributeKind::Enum,
            currency: None,
            options: rfm::SEGMENTS.iter().map(|s| (*s).to_owned()).collect(),
        },
        write::Field {
            key: LIFETIME_VALUE.to_owned(),
            kind: AttributeKind::Money,
            currency: Some(currency.to_owned()),
            options: vec![],
        },
        number(ORDERS),
        write::Field { key: LAST_PURCHASE.to_owned(), kind: AttributeKind::Date, currency: None, options: vec![] },
    ]
}

/// Starts a score run, unless one is already waiting or running.
pub async fn refresh(ctx: &TenantCtx, p: &Parley) -> Result<ScoreRun> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageScores)?;
    let run = start(&tx, p).await?;
    tx.commit().await?;
    Ok(run)
}

/// Starts a score run in `tx`; `Conflict` while one is waiting or running.
async fn start(tx: &TenantTx<'_>, p: &Parley) -> Result<ScoreRun> {
    let ctx = tx.ctx();
    let busy = score_run::Entity::scoped(ctx)
        .filter(score_run::Column::Status.is_in([TransferStatus::Queued, TransferStatus::Running]))
        .one(tx)
        .await?;
    if busy.is_some() {
        return Err(Error::Conflict("a score run is already in progress".into()));
    }
    let id: ScoreRunId = new_id();
    let row = score_run::ActiveModel {
        id: Set(id),
        job_id: Set(None),
        status: Set(TransferStatus::Queued),
        purchases_read: Set(0),
        contacts_scored: Set(0),
        contacts_total: Set(0),
        products: Set(0),
        summary: Set(None),
        error: Set(None),
        created_at: Set(now()),
        finished_at: Set(None),
        ..Default::default()
    };
    let mut run = tx.create("score_run.started", row).await?;
    let job = NewJob::of(&RefreshScores { run_id: id }).key(format!("scores:{id}"));
    let job_id = jobs::enqueue_in_returning(tx, p, ctx, job).await?;
    score_run::Entity::update_many()
        .col_expr(score_run::Column::JobId, Expr::value(Some(job_id)))
        .filter(score_run::Column::TenantId.eq(ctx.tenant_id()))
        .filter(score_run::Column::Id.eq(id))
        .exec(tx)
        .await?;
    run.job_id = Some(job_id);
    Ok(run)
}

/// One score run.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: ScoreRunId) -> Result<ScoreRun> {
    p.find::<score_run::Entity>(ctx, Permission::ReadContacts, id).await
}

/// The workspace's score runs, newest first.
pub async fn list(ctx: &TenantCtx, p: &Parley, args: PageArgs) -> Result<Page<ScoreRun>> {
    p.page::<score_run::Entity>(ctx, Permission::ReadContacts, Order::Newest, args).await
}

/// The newest completed run, whose figures the reports show.
pub async fn latest(ctx: &TenantCtx, p: &Parley) -> Result<Option<ScoreRun>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let run = score_run::Entity::scoped(ctx)
        .filter(score_run::Column::Status.eq(TransferStatus::Completed))
        .order_by_desc(score_run::Column::Id)
        .one(&tx)
        .await?;
    tx.commit().await?;
    Ok(run)
}

/// What a completed run found.
pub fn summary(run: &ScoreRun) -> Option<Summary> {
    run.summary.clone().and_then(|s| serde_json::from_value(s).ok())
}

/// The products most bought by the buyers of `product`, strongest first.
pub async fn also_bought(ctx: &TenantCtx, p: &Parley, product: &str, first: u64) -> Result<Vec<ProductAffinity>> {
    let product = validate::name("product", product, 200)?;
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let rows = product_affinity::Entity::scoped(ctx)
        .filter(product_affinity::Column::Product.eq(product))
        .order_by_desc(product_affinity::Column::Together)
        .order_by_desc(product_affinity::Column::Lift)
        .order_by_asc(product_affinity::Column::Other)
        .limit(first.clamp(1, affinity::TOP as u64))
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(rows)
}

/// The workspace's strongest pairs (each pair once), most customers first.
pub async fn top_pairs(ctx: &TenantCtx, p: &Parley, first: u64) -> Result<Vec<ProductAffinity>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ReadContacts)?;
    let rows = product_affinity::Entity::scoped(ctx)
        .filter(Expr::col(product_affinity::Column::Product).lt(Expr::col(product_affinity::Column::Other)))
        .order_by_desc(product_affinity::Column::Together)
        .order_by_desc(product_affinity::Column::Lift)
        .order_by_asc(product_affinity::Column::Product)
        .limit(first.clamp(1, 100))
        .all(&tx)
        .await?;
    tx.commit().await?;
    Ok(rows)
}

async fn set_status(
    ctx: &TenantCtx,
    p: &Parley,
    id: ScoreRunId,
    status: TransferStatus,
    error: Option<String>,
) -> Result<()> {
    let tx = p.tenant_tx(ctx).await?;
    let mut q = score_run::Entity::update_many().col_expr(score_run::Column::Status, Expr::value(status));
    if status == TransferStatus::Failed {
        q = q
            .col_expr(score_run::Column::Error, Expr::value(error))
            .col_expr(score_run::Column::FinishedAt, Expr::value(Some(now())));
    }
    q.filter(score_run::Column::TenantId.eq(ctx.tenant_id())).filter(score_run::Column::Id.eq(id)).exec(&tx).await?;
    tx.commit().await
}

/// Runs score run `id` for `job` to its end; false when another worker took it over.
/// A run that cannot succeed (a field in the way) is marked failed with the reason.
pub async fn run(p: &Parley, worker: &str, job: &ClaimedJob, id: ScoreRunId) -> Result<bool> {
    match run_inner(p, worker, job, id).await {
        Err(e @ (Error::Conflict(_) | Error::Invalid { .. })) => {
            set_status(&job.ctx, p, id, TransferStatus::Failed, Some(e.to_string())).await?;
            Ok(true)
        }
        other => other,
    }
}

async fn run_inner(p: &Parley, worker: &str, job: &ClaimedJob, id: ScoreRunId) -> Result<bool> {
    let ctx = &job.ctx;
    // Fields first, in their own transaction: the currency of values is the one the
    // field already has, else the one most purchases name.
    let tx = p.tenant_tx(ctx).await?;
    let run = match tx.find::<score_run::Entity>(id).await {
        Ok(r) => r,
        Err(Error::NotFound) => return Ok(true),
        Err(e) => return Err(e),
    };
    if matches!(run.status, TransferStatus::Completed | TransferStatus::Failed) {
        return Ok(true);
    }
    let existing = def::Entity::scoped(ctx).filter(def::Column::Key.eq(LIFETIME_VALUE)).one(&tx).await?;
    let currency = match existing.and_then(|d| d.currency) {
        Some(c) => c,
        None => purchases::main_currency(&tx).await?.unwrap_or_else(|| DEFAULT_CURRENCY.to_owned()),
    };
    write::ensure(&tx, &fields(&currency)).await?;
    tx.commit().await?;
    set_status(ctx, p, id, TransferStatus::Running, None).await?;

    let at = now();
    let tx = p.tenant_tx(ctx).await?;
    let bought = purchases::read(&tx, &currency).await?;
    tx.commit().await?;
    let mut customers: Vec<(&ContactId, &purchases::Customer)> = bought.customers.iter().collect();
    customers.sort_by_key(|(id, _)| **id);
    let refs: Vec<&purchases::Customer> = customers.iter().map(|(_, c)| *c).collect();
    let (scores, mut summary) = rfm::score(&refs, at, &currency);
    summary.purchases_other_currency = bought.other_currency;
    let total = scores.len() as i64;

    let mut done = 0i64;
    for (ids, batch) in customers.chunks(BATCH).zip(scores.chunks(BATCH)) {
        let rows: Vec<(ContactId, Value)> = ids
            .iter()
            .zip(batch)
            .map(|((id, _), s)| {
                let v = json!({
                    RECENCY: s.recency,
                    FREQUENCY: s.frequency,
                    MONETARY: s.monetary,
                    RFM_SCORE: u32::from(s.recency) * 100 + u32::from(s.frequency) * 10 + u32::from(s.monetary),
                    RFM_SEGMENT: s.segment,
                    LIFETIME_VALUE: { "amount": s.lifetime_value, "currency": currency },
                    ORDERS: s.orders,
                    LAST_PURCHASE: s.last_purchase.format("%Y-%m-%d").to_string(),
                });
                (**id, v)
            })
            .collect();
        let tx = p.tenant_tx(ctx).await?;
        write::patch(&tx, &rows).await?;
        done += rows.len() as i64;
        score_run::Entity::update_many()
            .col_expr(score_run::Column::ContactsScored, Expr::value(done))
            .col_expr(score_run::Column::ContactsTotal, Expr::value(total))
            .filter(score_run::Column::TenantId.eq(ctx.tenant_id()))
            .filter(score_run::Column::Id.eq(id))
            .exec(&tx)
            .await?;
        if !jobs::report_in(&tx, p, worker, job, Progress { done, total: Some(total) }, None).await? {
            return Ok(false);
        }
        tx.commit().await?;
    }

    // Contacts scored before but without a purchase now lose their scores.
    let mut after: Option<ContactId> = None;
    loop {
        let tx = p.tenant_tx(ctx).await?;
        let held = write::holders(&tx, RFM_SCORE, after, BATCH as u64).await?;
        let stale: Vec<ContactId> = held.iter().copied().filter(|c| !bought.customers.contains_key(c)).collect();
        write::remove(&tx, &stale, &KEYS).await?;
        tx.commit().await?;
        match held.last() {
            Some(last) if held.len() == BATCH => after = Some(*last),
            _ => break,
        }
    }

    let baskets = customers.iter().map(|(_, c)| c.products.as_slice());
    let pairs = affinity::pairs(baskets, bought.products.len());
    let tx = p.tenant_tx(ctx).await?;
    product_affinity::Entity::delete_many()
        .filter(product_affinity::Column::TenantId.eq(ctx.tenant_id()))
        .exec(&tx)
        .await?;
    let name = |i: u32| bought.products.get(i as usize).cloned().unwrap_or_default();
    let rows: Vec<product_affinity::ActiveModel> = pairs
        .iter()
        .map(|pair| product_affinity::ActiveModel {
            tenant_id: Set(ctx.tenant_id()),
            id: Set(new_id()),
            product: Set(name(pair.product)),
            other: Set(name(pair.other)),
            together: Set(pair.together),
            buyers: Set(pair.buyers),
            confidence: Set(pair.confidence),
            lift: Set(pair.lift),
            computed_at: Set(at),
        })
        .collect();
    for chunk in rows.chunks(500) {
        product_affinity::Entity::insert_many(chunk.to_vec()).exec_without_returning(&tx).await?;
    }
    let paired: HashSet<u32> = pairs.iter().map(|p| p.product).collect();
    score_run::Entity::update_many()
        .col_expr(score_run::Column::Status, Expr::value(TransferStatus::Completed))
        .col_expr(score_run::Column::PurchasesRead, Expr::value(bought.events))
        .col_expr(score_run::Column::ContactsScored, Expr::value(total))
        .col_expr(score_run::Column::ContactsTotal, Expr::value(total))
        .col_expr(score_run::Column::Products, Expr::value(bought.products.len() as i64))
        .col_expr(
            score_run::Column::Summary,
            Expr::value(Some(serde_json::to_value(&summary).map_err(Error::internal)?)),
        )
        .col_expr(score_run::Column::FinishedAt, Expr::value(Some(now())))
        .filter(score_run::Column::TenantId.eq(ctx.tenant_id()))
        .filter(score_run::Column::Id.eq(id))
        .exec(&tx)
        .await?;
    let after = json!({ "contactsScored": total, "purchasesRead": bought.events, "productsPaired": paired.len() });
    tx.record(crate::audit::Change::new("score_run.completed", id).after(after)).await?;
    if !jobs::report_in(&tx, p, worker, job, Progress { done, total: Some(total) }, None).await? {
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}
