//! The loop a worker runs: claim a fair batch, run it, record outcomes; meanwhile reap
//! expired leases and schedule recurring work. On shutdown it stops claiming, lets
//! the batch in flight finish, and hands back any lease it still holds.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use domain::Parley;
use domain::jobs::{self, ClaimedJob, Failure};
use futures::StreamExt;
use tokio::sync::watch;

use crate::Mailer;
use crate::handlers::{self, HandlerError};

/// Tuning of one worker.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Jobs claimed at once.
    pub batch: u64,
    /// Jobs of one batch run concurrently.
    pub concurrency: usize,
    /// Pause between claims when the queue is empty.
    pub idle_poll: Duration,
    /// How often expired leases are reaped and recurring jobs scheduled.
    pub housekeeping: Duration,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            batch: 200,
            concurrency: 32,
            idle_poll: Duration::from_millis(20),
            housekeeping: Duration::from_secs(5),
        }
    }
}

/// What one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchReport {
    /// Jobs claimed.
    pub claimed: usize,
    /// Jobs that succeeded.
    pub done: usize,
    /// Jobs that will be retried.
    pub retried: usize,
    /// Jobs that used their last attempt.
    pub dead: usize,
}

/// Counters a worker exposes (for metrics and benchmarks).
#[derive(Debug, Default)]
pub struct Counters {
    /// Jobs finished successfully.
    pub done: AtomicU64,
    /// Failed attempts.
    pub failed: AtomicU64,
    /// Jobs that died.
    pub dead: AtomicU64,
    /// Recent delays from a job falling due to a worker starting it, in seconds.
    start_delays: std::sync::Mutex<std::collections::VecDeque<f64>>,
}

impl Counters {
    const KEEP: usize = 100_000;

    fn record_start(&self, delay: f64) {
        if let Ok(mut d) = self.start_delays.lock() {
            if d.len() == Self::KEEP {
                d.pop_front();
            }
            d.push_back(delay);
        }
    }

    /// Takes the recorded start delays (seconds), oldest first.
    pub fn take_start_delays(&self) -> Vec<f64> {
        self.start_delays.lock().map(|mut d| d.drain(..).collect()).unwrap_or_default()
    }
}

/// One worker: a name (its lease owner), the domain and a mailer.
#[derive(Clone)]
pub struct Runtime {
    parley: Parley,
    mailer: Mailer,
    id: String,
    cfg: RuntimeConfig,
    counters: Arc<Counters>,
}

impl Runtime {
    /// A worker with a unique name.
    pub fn new(parley: Parley, mailer: Mailer, cfg: RuntimeConfig) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "local".into());
        let id = format!("{host}:{}:{}", std::process::id(), uuid::Uuid::now_v7().simple());
        Runtime { parley, mailer, id, cfg, counters: Arc::default() }
    }

    /// The lease owner name of this worker.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// This worker's counters.
    pub fn counters(&self) -> Arc<Counters> {
        self.counters.clone()
    }

    /// Runs one job in a task of its own. The batch loop awaits database work (marking
    /// jobs done, recording failures) between results; were the handlers polled only by
    /// that loop, a handler paused mid-transaction would hold the connection while the
    /// loop waits for it (on SQLite's single connection, until the pool gives up).
    fn run_one(&self, job: ClaimedJob) -> impl std::future::Future<Output = (ClaimedJob, Result<(), HandlerError>)> {
        let (parley, mailer, id, counters) =
            (self.parley.clone(), self.mailer.clone(), self.id.clone(), self.counters.clone());
        let kept = job.clone();
        let task = tokio::spawn(async move {
            let started = Instant::now();
            let delay = (chrono::Utc::now() - job.run_at).num_microseconds().unwrap_or(0).max(0) as f64 / 1e6;
            counters.record_start(delay);
            let res = handlers::handle(&handlers::JobCtx::new(&parley, &mailer, &id, &job)).await;
            tracing::debug!(job = %job.id, kind = %job.kind, tenant = %job.ctx.tenant_id(), ms = started.elapsed().as_millis() as u64, ok = res.is_ok(), "job ran");
            (job, res)
        });
        async move {
            match task.await {
                Ok(done) => done,
                Err(e) => {
                    (kept, Err(HandlerError::Domain(domain::Error::internal(format!("the handler stopped: {e}")))))
                }
            }
        }
    }

    /// Claims and runs one batch; the step tests drive by hand.
    pub async fn try_execute_batch(&self) -> Result<BatchReport, domain::Error> {
        let batch = jobs::claim(&self.parley, &self.id, self.cfg.batch).await?;
        let mut report = BatchReport { claimed: batch.len(), ..Default::default() };
        if batch.is_empty() {
            return Ok(report);
        }
        // Long batches keep their leases: a heartbeat every third of the lease.
        let beat = {
            let (p, id) = (self.parley.clone(), self.id.clone());
            let every = p.settings().job_lease / 3;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    if let Err(e) = jobs::heartbeat(&p, &id).await {
                        tracing::warn!(error = %e, "extending job leases failed");
                    }
                }
            })
        };
        let res = self.run_batch(batch, &mut report).await;
        beat.abort();
        res.map(|()| report)
    }

    async fn run_batch(&self, batch: Vec<ClaimedJob>, report: &mut BatchReport) -> Result<(), domain::Error> {
        // Finished jobs are marked done in small groups as they finish, not when the
        // whole batch has: a worker killed mid-batch repeats only what was unfinished.
        let mut results = futures::stream::iter(batch.into_iter().map(|j| self.run_one(j)))
            .buffer_unordered(self.cfg.concurrency.max(1));
        let mut done = Vec::new();
        let mut last_flush = Instant::now();
        while let Some((job, res)) = results.next().await {
            match res {
                Ok(()) => done.push((job.ctx.tenant_id(), job.id)),
                Err(err) => {
                    self.counters.failed.fetch_add(1, Ordering::Relaxed);
                    let outcome = jobs::fail(&self.parley, &self.id, &job, &err.to_string()).await?;
                    match outcome {
                        Failure::Retry(at) => {
                            report.retried += 1;
                            tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempt, retry_at = %at, error = %err, "job failed; will retry");
                        }
                        Failure::Dead => {
                            report.dead += 1;
                            self.counters.dead.fetch_add(1, Ordering::Relaxed);
                            tracing::error!(job = %job.id, kind = %job.kind, attempt = job.attempt, error = %err, "job is dead");
                        }
                        Failure::LeaseLost => {
                            tracing::warn!(job = %job.id, "lease lost before the failure was recorded")
                        }
                    }
                }
            }
            if done.len() >= 64 || (!done.is_empty() && last_flush.elapsed() >= Duration::from_millis(20)) {
                report.done += self.flush(&mut done).await?;
                last_flush = Instant::now();
            }
        }
        report.done += self.flush(&mut done).await?;
        Ok(())
    }

    async fn flush(&self, done: &mut Vec<(domain::WorkspaceId, domain::JobId)>) -> Result<usize, domain::Error> {
        let n = jobs::complete(&self.parley, &self.id, done).await? as usize;
        done.clear();
        self.counters.done.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }

    /// Reaps expired leases and schedules recurring jobs.
    pub async fn housekeeping(&self) -> Result<(), domain::Error> {
        let reaped = jobs::reap_expired(&self.parley).await?;
        if reaped > 0 {
            tracing::warn!(reaped, "requeued jobs whose worker stopped answering");
        }
        jobs::schedule_recurring(&self.parley, &handlers::recurring()).await?;
        Ok(())
    }

    /// Runs until `shutdown` turns true, then releases held leases.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, "worker started");
        let mut last_housekeeping: Option<Instant> = None;
        let mut failures = 0u32;
        while !*shutdown.borrow() {
            if last_housekeeping.is_none_or(|t| t.elapsed() >= self.cfg.housekeeping) {
                if let Err(e) = self.housekeeping().await {
                    tracing::warn!(error = %e, "housekeeping failed");
                }
                last_housekeeping = Some(Instant::now());
            }
            let pause = match self.try_execute_batch().await {
                Ok(r) if r.claimed > 0 => {
                    failures = 0;
                    continue;
                }
                Ok(_) => {
                    failures = 0;
                    self.cfg.idle_poll
                }
                Err(e) => {
                    // The database may be restarting: back off, then carry on.
                    failures = failures.saturating_add(1);
                    tracing::warn!(error = %e, failures, "claiming jobs failed");
                    Duration::from_millis(100 * u64::from(failures.min(50)))
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => {}
            }
        }
        match jobs::release(&self.parley, &self.id).await {
            Ok(n) => tracing::info!(worker = %self.id, released = n, "worker stopped"),
            Err(e) => tracing::warn!(error = %e, "releasing leases failed; they expire by themselves"),
        }
    }
}
