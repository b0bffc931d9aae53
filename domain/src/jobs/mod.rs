//! The durable job queue: enqueue inside a use case's own transaction, claim fairly
//! across tenants, lease, retry with backoff and jitter, and keep dead jobs visible.
//!
//! The runtime that drives these calls lives in `workers`; the rules of the queue (and
//! the one cross-tenant query, the claim) live here, beside the tenancy walls.

use chrono::{DateTime, Utc};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement,
    Value, sea_query::OnConflict,
};
use serde_json::Value as Json;
use uuid::Uuid;

use crate::Order;
use crate::db::{Scope, before_db_clock, db_clock_plus, sql_for};
use crate::page::{Page, PageArgs};
use crate::{Actor, Error, Job, JobState, Parley, Permission, Result, Role, TenantCtx, dur, new_id};
use crate::{JobId, WorkspaceId};
use entities::job;

mod kinds;
pub use kinds::*;

/// The tenant that owns Parley's own recurring maintenance.
pub const SYSTEM_TENANT: WorkspaceId = WorkspaceId::from_uuid(Uuid::nil());

/// A job to put on the queue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// Which handler runs it.
    pub kind: String,
    /// The handler's input.
    pub payload: Json,
    /// Not before this time (now when unset).
    pub run_at: Option<DateTime<Utc>>,
    /// At most one job per tenant with this key, ever.
    pub idempotency_key: Option<String>,
    /// Attempts before it is dead (the settings' default when unset).
    pub max_attempts: Option<i32>,
}

impl NewJob {
    /// A job of a declared kind, to run now.
    pub fn of<J: JobKind>(payload: &J) -> Self {
        // Payloads are plain structs of strings and numbers, which always serialise; a
        // null would only make the handler answer a bad payload.
        NewJob::new(J::KIND, serde_json::to_value(payload).unwrap_or_default())
    }
    /// A job of any stored kind, to run now (drills with unknown kinds; prefer [`NewJob::of`]).
    pub fn new(kind: &str, payload: Json) -> Self {
        NewJob { kind: kind.to_owned(), payload, run_at: None, idempotency_key: None, max_attempts: None }
    }
    /// Sets the idempotency key.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
    /// Delays the job.
    pub fn at(mut self, run_at: DateTime<Utc>) -> Self {
        self.run_at = Some(run_at);
        self
    }
}

fn row(p: &Parley, tenant: WorkspaceId, actor: &Actor, job: NewJob, t: DateTime<Utc>) -> Result<job::ActiveModel> {
    if job.kind.is_empty() || job.kind.len() > 100 {
        return Err(Error::invalid("kind", "must be 1 to 100 characters"));
    }
    Ok(job::ActiveModel {
        tenant_id: Set(tenant),
        id: Set(new_id()),
        kind: Set(job.kind),
        payload: Set(job.payload),
        state: Set(JobState::Queued),
        run_at: Set(job.run_at.unwrap_or(t)),
        attempts: Set(0),
        max_attempts: Set(job.max_attempts.unwrap_or(p.settings().job_max_attempts).max(1)),
        lease_until: Set(None),
        lease_owner: Set(None),
        idempotency_key: Set(job.idempotency_key),
        actor: Set(serde_json::to_value(actor).ok()),
        last_error: Set(None),
        created_at: Set(t),
        updated_at: Set(t),
        finished_at: Set(None),
        progress_done: Set(None),
        progress_total: Set(None),
        cursor: Set(None),
    })
}

fn skip_taken_keys() -> OnConflict {
    OnConflict::columns([job::Column::TenantId, job::Column::IdempotencyKey]).do_nothing().to_owned()
}

async fn insert_job<C: ConnectionTrait>(
    conn: &C,
    p: &Parley,
    tenant: WorkspaceId,
    actor: &Actor,
    job: NewJob,
) -> Result<bool> {
    let inserted = job::Entity::insert(row(p, tenant, actor, job, p.clock())?)
        .on_conflict(skip_taken_keys())
        .exec_without_returning(conn)
        .await?;
    Ok(inserted > 0)
}

/// Enqueues inside the caller's transaction, so the job exists exactly when the change
/// that asked for it does. Answers whether it was new (false: the key was taken).
pub(crate) async fn enqueue_in<C: ConnectionTrait>(conn: &C, p: &Parley, ctx: &TenantCtx, job: NewJob) -> Result<bool> {
    insert_job(conn, p, ctx.tenant_id(), ctx.actor(), job).await
}

/// Enqueues inside the caller's transaction and answers the new job's ID (for work
/// that shows its job, such as an import).
pub(crate) async fn enqueue_in_returning<C: ConnectionTrait>(
    conn: &C,
    p: &Parley,
    ctx: &TenantCtx,
    job: NewJob,
) -> Result<JobId> {
    let row = row(p, ctx.tenant_id(), ctx.actor(), job, p.clock())?;
    let id = row.id.clone().take().ok_or_else(|| Error::internal("a job row without its ID"))?;
    job::Entity::insert(row).exec_without_returning(conn).await?;
    Ok(id)
}

/// Enqueues many jobs for the context's tenant in one transaction (large fan-outs).
pub async fn enqueue_many(ctx: &TenantCtx, p: &Parley, jobs: Vec<NewJob>) -> Result<u64> {
    let txn = p.tenant_tx(ctx).await?;
    let mut n = 0;
    for chunk in jobs.chunks(500) {
        let t = p.clock();
        let rows =
            chunk.iter().cloned().map(|j| row(p, ctx.tenant_id(), ctx.actor(), j, t)).collect::<Result<Vec<_>>>()?;
        n += job::Entity::insert_many(rows).on_conflict(skip_taken_keys()).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(n)
}

/// Enqueues a job for the context's tenant.
pub async fn enqueue(ctx: &TenantCtx, p: &Parley, job: NewJob) -> Result<bool> {
    let txn = p.tenant_tx(ctx).await?;
    let new = enqueue_in(&txn, p, ctx, job).await?;
    txn.commit().await?;
    Ok(new)
}

/// A job a worker holds the lease of, with the context its handler runs in.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    /// The job's tenant and recorded actor.
    pub ctx: TenantCtx,
    /// The job's ID.
    pub id: JobId,
    /// Which handler runs it.
    pub kind: String,
    /// The handler's input.
    pub payload: Json,
    /// This attempt's number, from 1.
    pub attempt: i32,
    /// Attempts before it is dead.
    pub max_attempts: i32,
    /// When it was due.
    pub run_at: DateTime<Utc>,
    /// Progress an earlier attempt committed, if any.
    pub progress: Option<Progress>,
    /// Where an earlier attempt's next batch starts, if it committed one.
    pub cursor: Option<String>,
}

/// How far a long job got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Items finished.
    pub done: i64,
    /// Items in all, when known.
    pub total: Option<i64>,
}

impl Progress {
    /// The stored progress of a job, if its handler ever reported.
    pub fn of(job: &Job) -> Option<Progress> {
        job.progress_done.map(|done| Progress { done, total: job.progress_total })
    }
}

impl ClaimedJob {
    fn from_row(row: Job) -> Self {
        let progress = Progress::of(&row);
        let actor = row.actor.and_then(|a| serde_json::from_value::<Actor>(a).ok()).unwrap_or(Actor::System);
        // A job acts for its tenant with the rights of the runtime; the use case that
        // enqueued it has already checked the actor's role.
        ClaimedJob {
            ctx: TenantCtx::new(row.tenant_id, actor, Role::Admin),
            id: row.id,
            kind: row.kind,
            payload: row.payload,
            attempt: row.attempts,
            max_attempts: row.max_attempts,
            run_at: row.run_at,
            progress,
            cursor: row.cursor,
        }
    }
}

/// The lease length in milliseconds, for the database to add to its own clock.
fn lease_ms(p: &Parley) -> i64 {
    i64::try_from(p.settings().job_lease.as_millis()).unwrap_or(i64::MAX)
}

fn jobs_scope() -> Scope {
    Scope { jobs: true, ..Default::default() }
}

/// Claims up to `limit` due jobs for `worker`, at most a fair share per tenant: the
/// jobs are ranked by their position inside their own tenant's queue, so one tenant's
/// million queued sends take turns with another tenant's single invitation.
pub async fn claim(p: &Parley, worker: &str, limit: u64) -> Result<Vec<ClaimedJob>> {
    let db = p.db();
    let backend = db.backend();
    let t = p.clock();
    let lease = db_clock_plus(backend, "$2");
    let sql = match backend {
        DbBackend::Postgres => format!(
            "WITH ready AS (
               SELECT DISTINCT tenant_id FROM jobs WHERE state = 'queued' AND run_at <= $1 LIMIT 1000
             ), cand AS (
               SELECT j.tenant_id, j.id, j.run_at,
                      row_number() OVER (PARTITION BY j.tenant_id ORDER BY j.run_at, j.id) AS rn
               FROM ready CROSS JOIN LATERAL (
                 SELECT tenant_id, id, run_at FROM jobs
                 WHERE jobs.tenant_id = ready.tenant_id AND state = 'queued' AND run_at <= $1
                 ORDER BY run_at, id LIMIT $4 FOR UPDATE SKIP LOCKED
               ) j
             ), pick AS (SELECT tenant_id, id FROM cand ORDER BY rn, run_at LIMIT $4)
             UPDATE jobs SET state = 'running', attempts = jobs.attempts + 1, lease_until = {lease},
                    lease_owner = $3, updated_at = $1
             FROM pick WHERE jobs.tenant_id = pick.tenant_id AND jobs.id = pick.id
             RETURNING jobs.*"
        ),
        _ => format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = {lease},
                    lease_owner = $3, updated_at = $1
             WHERE (tenant_id, id) IN (
               SELECT tenant_id, id FROM (
                 SELECT tenant_id, id, run_at,
                        row_number() OVER (PARTITION BY tenant_id ORDER BY run_at, id) AS rn
                 FROM jobs WHERE state = 'queued' AND run_at <= $1
               ) ORDER BY rn, run_at LIMIT $4)
             RETURNING *"
        ),
    };
    let txn = db.begin(jobs_scope()).await?;
    let rows = job::Entity::find()
        .from_raw_sql(Statement::from_sql_and_values(
            backend,
            sql_for(backend, &sql),
            [Value::from(t), Value::from(lease_ms(p)), Value::from(worker.to_owned()), Value::from(limit as i64)],
        ))
        .all(&txn)
        .await?;
    txn.commit().await?;
    let mut jobs: Vec<ClaimedJob> = rows.into_iter().map(ClaimedJob::from_row).collect();
    jobs.sort_by_key(|j| j.run_at);
    Ok(jobs)
}

fn row_values(first: usize, n: usize) -> String {
    (0..n).map(|i| format!("(${}, ${})", first + 2 * i, first + 2 * i + 1)).collect::<Vec<_>>().join(", ")
}

/// Marks jobs done (only those `worker` still holds).
pub async fn complete(p: &Parley, worker: &str, done: &[(WorkspaceId, JobId)]) -> Result<u64> {
    if done.is_empty() {
        return Ok(0);
    }
    let db = p.db();
    let backend = db.backend();
    let t = p.clock();
    let mut total = 0;
    let txn = db.begin(jobs_scope()).await?;
    for chunk in done.chunks(200) {
        let sql = format!(
            "UPDATE jobs SET state = 'done', lease_until = NULL, finished_at = $1, updated_at = $1, last_error = NULL
             WHERE lease_owner = $2 AND state = 'running' AND (tenant_id, id) IN (VALUES {})",
            row_values(3, chunk.len())
        );
        let mut values = vec![Value::from(t), Value::from(worker.to_owned())];
        for (tenant, id) in chunk {
            values.push(Value::from(*tenant));
            values.push(Value::from(*id));
        }
        total += txn
            .execute_raw(Statement::from_sql_and_values(backend, sql_for(backend, &sql), values))
            .await?
            .rows_affected();
    }
    txn.commit().await?;
    Ok(total)
}

/// What became of a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// It will run again at this time.
    Retry(DateTime<Utc>),
    /// It used its last attempt and is dead.
    Dead,
    /// The worker no longer held the lease; nothing was changed.
    LeaseLost,
}

/// Delay before attempt `attempt + 1`: doubling from `base`, capped at `max`, with
/// "equal jitter" (half fixed, half random) so a burst of failures spreads out.
pub fn backoff(base: std::time::Duration, max: std::time::Duration, attempt: i32) -> std::time::Duration {
    let exp = attempt.clamp(1, 30) as u32 - 1;
    let full = base.saturating_mul(2u32.saturating_pow(exp)).min(max);
    let half = full / 2;
    half + half.mul_f64(rand::rng().random::<f64>())
}

/// Records a failed attempt: retry later with backoff, or dead after the last attempt.
pub async fn fail(p: &Parley, worker: &str, job: &ClaimedJob, error: &str) -> Result<Failure> {
    let db = p.db();
    let backend = db.backend();
    let t = p.clock();
    let error: String = error.chars().take(2000).collect();
    let dead = job.attempt >= job.max_attempts;
    let retry_at = t + dur(backoff(p.settings().job_backoff_base, p.settings().job_backoff_max, job.attempt));
    let txn = db.begin(jobs_scope()).await?;
    let sql = if dead {
        "UPDATE jobs SET state = 'dead', lease_until = NULL, lease_owner = NULL, last_error = $1, updated_at = $2,
                finished_at = $2
         WHERE tenant_id = $3 AND id = $4 AND lease_owner = $5 AND state = 'running'"
    } else {
        "UPDATE jobs SET state = 'queued', lease_until = NULL, lease_owner = NULL, last_error = $1, updated_at = $2,
                run_at = $6
         WHERE tenant_id = $3 AND id = $4 AND lease_owner = $5 AND state = 'running'"
    };
    let mut values = vec![
        Value::from(error),
        Value::from(t),
        Value::from(job.ctx.tenant_id()),
        Value::from(job.id),
        Value::from(worker.to_owned()),
    ];
    if !dead {
        values.push(Value::from(retry_at));
    }
    let n =
        txn.execute_raw(Statement::from_sql_and_values(backend, sql_for(backend, sql), values)).await?.rows_affected();
    txn.commit().await?;
    Ok(match (n, dead) {
        (0, _) => Failure::LeaseLost,
        (_, true) => Failure::Dead,
        (_, false) => Failure::Retry(retry_at),
    })
}

/// Hands back every job `worker` holds (graceful shutdown): they run again at once
/// elsewhere, and the attempt that was cut short does not count.
pub async fn release(p: &Parley, worker: &str) -> Result<u64> {
    let db = p.db();
    let backend = db.backend();
    let txn = db.begin(jobs_scope()).await?;
    let n = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql_for(
                backend,
                "UPDATE jobs SET state = 'queued', lease_until = NULL, lease_owner = NULL,
                        attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, updated_at = $1
                 WHERE lease_owner = $2 AND state = 'running'",
            ),
            [Value::from(p.clock()), Value::from(worker.to_owned())],
        ))
        .await?
        .rows_affected();
    txn.commit().await?;
    Ok(n)
}

/// Requeues jobs whose lease ran out (their worker died); a job out of attempts is dead.
pub async fn reap_expired(p: &Parley) -> Result<u64> {
    let db = p.db();
    let backend = db.backend();
    let t = p.clock();
    // Expiry is judged by the database's clock, the one that set the lease: a worker
    // whose clock runs ahead must not take jobs another worker is still running.
    let expired = before_db_clock(backend, "lease_until");
    let txn = db.begin(jobs_scope()).await?;
    let mut n = 0;
    for sql in [
        format!(
            "UPDATE jobs SET state = 'dead', lease_until = NULL, lease_owner = NULL, updated_at = $1, finished_at = $1,
                    last_error = COALESCE(last_error, 'the worker stopped answering (lease expired)')
             WHERE state = 'running' AND {expired} AND attempts >= max_attempts"
        ),
        format!(
            "UPDATE jobs SET state = 'queued', lease_until = NULL, lease_owner = NULL, updated_at = $1,
                    last_error = 'the worker stopped answering (lease expired)'
             WHERE state = 'running' AND {expired}"
        ),
    ] {
        n += txn
            .execute_raw(Statement::from_sql_and_values(backend, sql_for(backend, &sql), [Value::from(t)]))
            .await?
            .rows_affected();
    }
    txn.commit().await?;
    Ok(n)
}

/// Extends the lease of jobs `worker` is still running (long handlers call this).
pub async fn heartbeat(p: &Parley, worker: &str) -> Result<u64> {
    let db = p.db();
    let backend = db.backend();
    let sql = format!(
        "UPDATE jobs SET lease_until = {} WHERE lease_owner = $2 AND state = 'running'",
        db_clock_plus(backend, "$1")
    );
    let txn = db.begin(jobs_scope()).await?;
    let n = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql_for(backend, &sql),
            [Value::from(lease_ms(p)), Value::from(worker.to_owned())],
        ))
        .await?
        .rows_affected();
    txn.commit().await?;
    Ok(n)
}

/// Records `job`'s progress and next cursor inside `conn`'s transaction (the one that
/// wrote the batch's effects, so both commit together), only while `worker` still
/// holds the lease. Answers false when the lease was lost: stop, another worker has it.
pub async fn report_in<C: ConnectionTrait>(
    conn: &C,
    p: &Parley,
    worker: &str,
    job: &ClaimedJob,
    progress: Progress,
    cursor: Option<&str>,
) -> Result<bool> {
    let backend = conn.get_database_backend();
    let sql = "UPDATE jobs SET progress_done = $1, progress_total = $2, \"cursor\" = $3, updated_at = $4
               WHERE tenant_id = $5 AND id = $6 AND lease_owner = $7 AND state = 'running'";
    let n = conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql_for(backend, sql),
            [
                Value::from(progress.done),
                Value::from(progress.total),
                Value::from(cursor.map(str::to_owned)),
                Value::from(p.clock()),
                Value::from(job.ctx.tenant_id()),
                Value::from(job.id),
                Value::from(worker.to_owned()),
            ],
        ))
        .await?
        .rows_affected();
    Ok(n > 0)
}

/// Records `job`'s progress and next cursor in a short transaction of its tenant.
pub async fn report(
    p: &Parley,
    worker: &str,
    job: &ClaimedJob,
    progress: Progress,
    cursor: Option<&str>,
) -> Result<bool> {
    let txn = p.db().tx(&job.ctx).await?;
    let held = report_in(&txn, p, worker, job, progress, cursor).await?;
    txn.commit().await?;
    Ok(held)
}

/// A job that recurs every `period`, owned by `tenant`.
#[derive(Debug, Clone)]
pub struct Recurring {
    /// Handler kind.
    pub kind: &'static str,
    /// How often.
    pub period: std::time::Duration,
}

/// Enqueues the current period's run of each recurring job unless some worker already
/// did: the period number is part of the idempotency key, so any number of workers
/// calling this at once yields one run per period.
pub async fn schedule_recurring(p: &Parley, specs: &[Recurring]) -> Result<u64> {
    let txn = p.db().begin(Scope::tenant(SYSTEM_TENANT)).await?;
    let t = p.clock();
    let mut n = 0;
    for spec in specs {
        let secs = spec.period.as_secs().max(1) as i64;
        let slot = t.timestamp().div_euclid(secs);
        let job = NewJob::new(spec.kind, serde_json::json!({ "period": slot })).key(format!("{}@{}", spec.kind, slot));
        if insert_job(&txn, p, SYSTEM_TENANT, &Actor::System, job).await? {
            n += 1;
        }
    }
    txn.commit().await?;
    Ok(n)
}

/// Jobs in each state, across tenants (for metrics).
pub async fn counts(p: &Parley) -> Result<Vec<(String, i64)>> {
    let db = p.db();
    let txn = db.begin(jobs_scope()).await?;
    let rows = txn
        .query_all_raw(Statement::from_string(db.backend(), "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state"))
        .await?;
    txn.commit().await?;
    let mut out = Vec::new();
    for r in rows {
        out.push((r.try_get::<String>("", "state")?, r.try_get::<i64>("", "n")?));
    }
    Ok(out)
}

/// Finished runs of event detection (one a second per watching workspace) are kept an
/// hour, not the whole `age` of other jobs.
const DETECTION_KEPT: std::time::Duration = std::time::Duration::from_secs(3600);

/// Deletes finished jobs older than `age` (dead jobs stay until retried or purged by hand).
pub async fn purge_done(p: &Parley, age: std::time::Duration) -> Result<u64> {
    let db = p.db();
    let backend = db.backend();
    let txn = db.begin(jobs_scope()).await?;
    let sql = "DELETE FROM jobs WHERE state = 'done' AND (finished_at < $1 OR (kind IN ($2, $4) AND finished_at < $3))";
    let n = txn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql_for(backend, sql),
            [
                Value::from(p.clock() - dur(age)),
                Value::from(DetectEvents::KIND),
                Value::from(p.clock() - dur(DETECTION_KEPT.min(age))),
                Value::from(AdvanceJourneys::KIND),
            ],
        ))
        .await?
        .rows_affected();
    txn.commit().await?;
    Ok(n)
}

/// The workspace's jobs, newest first, optionally in one state.
pub async fn list(ctx: &TenantCtx, p: &Parley, state: Option<JobState>, args: PageArgs) -> Result<Page<Job>> {
    let tx = p.tenant_tx(ctx).await?;
    tx.require(Permission::ManageJobs)?;
    let mut q = job::Entity::find();
    if let Some(s) = state {
        q = q.filter(job::Column::State.eq(s));
    }
    let page = tx.page(q, Order::Newest, args).await?;
    tx.commit().await?;
    Ok(page)
}

/// The job a transfer (an import, an optimization run) was queued with, if it is still
/// kept, read in the transfer's own transaction.
pub(crate) async fn of_transfer(tx: &crate::TenantTx<'_>, id: Option<JobId>) -> Result<Option<Job>> {
    match id {
        Some(j) => {
            Ok(<job::Entity as crate::db::TenantOwned>::scoped(tx.ctx()).filter(job::Column::Id.eq(j)).one(tx).await?)
        }
        None => Ok(None),
    }
}

/// Where a transfer stands beside its job: one whose job died before it completed has
/// `FAILED` (what it committed stays), with the job's last error.
pub(crate) fn transfer_status(
    status: crate::TransferStatus,
    job: Option<&Job>,
) -> (crate::TransferStatus, Option<String>) {
    match job {
        Some(j) if j.state == JobState::Dead && status != crate::TransferStatus::Completed => {
            (crate::TransferStatus::Failed, j.last_error.clone())
        }
        _ => (status, None),
    }
}

/// One job of the workspace.
pub async fn get(ctx: &TenantCtx, p: &Parley, id: JobId) -> Result<Job> {
    p.find::<job::Entity>(ctx, Permission::ManageJobs, id).await
}

/// Puts a dead job back on the queue with a fresh set of attempts.
pub async fn retry(ctx: &TenantCtx, p: &Parley, id: JobId) -> Result<Job> {
    let txn = p.tenant_tx(ctx).await?;
    txn.require(Permission::ManageJobs)?;
    let j = txn.find::<job::Entity>(id).await?;
    if j.state != JobState::Dead {
        return Err(Error::Conflict("only a dead job can be retried".into()));
    }
    let mut am: job::ActiveModel = j.into();
    am.state = Set(JobState::Queued);
    am.attempts = Set(0);
    am.run_at = Set(p.clock());
    am.updated_at = Set(p.clock());
    am.finished_at = Set(None);
    let j = am.update(&txn).await?;
    txn.record(crate::audit::Change::new("job.retried", j.id)).await?;
    txn.commit().await?;
    Ok(j)
}
