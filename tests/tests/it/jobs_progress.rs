//! Long jobs: progress visible in the API while they run, and a job that resumes from
//! its last committed batch after its worker died (lease expiry, and a real SIGKILL).

use std::time::Duration;

use domain::jobs::{self, Count, NewJob, Progress};
use domain::page::PageArgs;
use serde_json::json;
use workers::handlers::CountCursor;

use crate::faults::{parley_bin, wait_for, worker};
use crate::support::*;
use crate::{on_both, on_both_with};

async fn ctx_of(app: &TestApp, acc: &Account) -> domain::TenantCtx {
    let p = &app.server.parley;
    let principal = domain::identity::auth::authenticate(p, &acc.token).await.unwrap();
    domain::identity::auth::tenant_ctx(&principal, None).unwrap()
}

/// The workspace's counting job, as stored.
async fn count_job(app: &TestApp, ctx: &domain::TenantCtx) -> domain::Job {
    let page = jobs::list(ctx, &app.server.parley, None, PageArgs::new(Some(100), None).unwrap()).await.unwrap();
    page.items.into_iter().find(|j| j.kind == "debug.count").unwrap()
}

fn batches(job: &domain::Job) -> Vec<String> {
    let cursor: CountCursor = serde_json::from_str(job.cursor.as_deref().unwrap()).unwrap();
    cursor.batches
}

/// The batches cover 0..to once each, in order, with no gap and no overlap.
fn assert_counted_once(batches: &[String], to: u64) {
    let mut next = 0;
    for b in batches {
        let (range, _) = b.split_once('@').unwrap();
        let (from, end) = range.split_once('-').unwrap();
        assert_eq!(from.parse::<u64>().unwrap(), next, "batches {batches:?}");
        next = end.parse().unwrap();
    }
    assert_eq!(next, to, "batches {batches:?}");
}

const PROGRESS: &str = "{ jobs(first: 50) { nodes { kind state progress { done total percent } } } }";

/// The counting job's state and progress as the jobs page sees them.
async fn progress_seen(app: &TestApp, acc: &Account) -> (String, Option<i64>, Option<i64>) {
    let d = ok(app.gql(&acc.auth(), PROGRESS, json!({})).await);
    let nodes = d["jobs"]["nodes"].as_array().unwrap().clone();
    let job = nodes.into_iter().find(|n| n["kind"] == "debug.count").unwrap();
    (job["state"].as_str().unwrap().to_owned(), job["progress"]["done"].as_i64(), job["progress"]["total"].as_i64())
}

async fn a_long_job_shows_its_progress_while_it_runs(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let ctx = ctx_of(&app, &acc).await;
    jobs::enqueue(&ctx, &app.server.parley, NewJob::of(&Count { to: 12, batch: 3, delay_ms: 150 })).await.unwrap();
    let (state, done, _) = progress_seen(&app, &acc).await;
    assert_eq!((state.as_str(), done), ("QUEUED", None), "no progress before it starts");
    let worker = app.worker.clone();
    let run = tokio::spawn(async move { worker.try_execute_batch().await.unwrap() });
    let mut seen_part_way = false;
    wait_for("the count to show part of its progress", 30, async || {
        let (state, done, total) = progress_seen(&app, &acc).await;
        seen_part_way = state == "RUNNING" && total == Some(12) && done.is_some_and(|d| d > 0 && d < 12);
        seen_part_way || state == "DONE"
    })
    .await;
    assert!(seen_part_way, "progress was visible part-way");
    assert_eq!(run.await.unwrap().done, 1);
    let d = ok(app.gql(&acc.auth(), PROGRESS, json!({})).await);
    let job = d["jobs"]["nodes"].as_array().unwrap().iter().find(|n| n["kind"] == "debug.count").unwrap().clone();
    assert_eq!(job["state"], "DONE");
    assert_eq!(job["progress"], json!({ "done": 12, "total": 12, "percent": 100.0 }));
    assert_counted_once(&batches(&count_job(&app, &ctx).await), 12);
}

async fn a_job_taken_over_resumes_from_its_cursor(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let p = &app.server.parley;
    let ctx = ctx_of(&app, &acc).await;
    jobs::enqueue(&ctx, p, NewJob::of(&Count { to: 9, batch: 3, delay_ms: 0 })).await.unwrap();
    // A worker commits the first batch, then dies holding the lease.
    let held = jobs::claim(p, "doomed-worker", 10).await.unwrap();
    assert_eq!(held.len(), 1);
    let first = serde_json::to_string(&CountCursor { next: 3, batches: vec!["0-3@1".into()] }).unwrap();
    let progress = Progress { done: 3, total: Some(9) };
    assert!(jobs::report(p, "doomed-worker", &held[0], progress, Some(&first)).await.unwrap());
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.worker.housekeeping().await.unwrap();
    app.drive_jobs().await; // the count, and the maintenance run housekeeping scheduled
    let job = count_job(&app, &ctx).await;
    assert_eq!(job.state, domain::JobState::Done);
    assert_eq!(batches(&job), ["0-3@1", "3-6@2", "6-9@2"], "the first batch was not redone");
    assert_eq!(Progress::of(&job), Some(Progress { done: 9, total: Some(9) }));
    // The dead worker's late report changes nothing.
    assert!(!jobs::report(p, "doomed-worker", &held[0], progress, Some(&first)).await.unwrap());
    assert_eq!(batches(&count_job(&app, &ctx).await).len(), 3);
}

async fn a_bad_payload_is_dead_at_once_as_a_bad_payload(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let ctx = ctx_of(&app, &acc).await;
    let mut job = NewJob::new("debug.count", json!({ "to": "ten" }));
    job.max_attempts = Some(1);
    jobs::enqueue(&ctx, &app.server.parley, job).await.unwrap();
    assert_eq!(app.drive_jobs().await.dead, 1);
    let dead = count_job(&app, &ctx).await;
    assert!(dead.last_error.as_deref().unwrap().starts_with("bad payload: debug.count"), "{:?}", dead.last_error);
}

on_both!(a_long_job_shows_its_progress_while_it_runs, a_bad_payload_is_dead_at_once_as_a_bad_payload);
on_both_with!(a_job_taken_over_resumes_from_its_cursor, &[("PARLEY_JOB_LEASE_MS", "300")]);

/// A real worker process killed with SIGKILL part-way through a long job: the next
/// worker starts from the last committed batch; the batches before the kill are not
/// redone, and only the batch in flight runs again.
async fn a_killed_worker_resumes_a_long_job_where_it_stopped(backend: Backend) {
    let Some(bin) = parley_bin() else { return };
    let Some(app) = TestApp::spawn(backend).await else { return };
    let acc = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let ctx = ctx_of(&app, &acc).await;
    jobs::enqueue(&ctx, &app.server.parley, NewJob::of(&Count { to: 40, batch: 4, delay_ms: 250 })).await.unwrap();
    let mut w1 = worker(&bin, &app);
    wait_for("two batches committed", 30, async || progress_seen(&app, &acc).await.1.is_some_and(|d| d >= 8)).await;
    w1.kill().unwrap(); // SIGKILL mid-job
    w1.wait().unwrap();
    let before = count_job(&app, &ctx).await;
    let committed = batches(&before);
    let done_before = Progress::of(&before).unwrap().done;
    assert!(done_before < 40, "killed part-way, at {done_before}");
    let mut w2 = worker(&bin, &app);
    wait_for("the count to finish", 60, async || progress_seen(&app, &acc).await.0 == "DONE").await;
    w2.kill().unwrap();
    w2.wait().unwrap();
    let after = count_job(&app, &ctx).await;
    let all = batches(&after);
    assert_eq!(&all[..committed.len()], &committed[..], "the committed batches were kept");
    assert!(all[committed.len()..].iter().all(|b| b.ends_with("@2")), "the rest ran on the next attempt: {all:?}");
    assert_counted_once(&all, 40);
    assert_eq!(Progress::of(&after), Some(Progress { done: 40, total: Some(40) }), "nothing counted twice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_resumes_a_long_job_where_it_stopped_sqlite() {
    a_killed_worker_resumes_a_long_job_where_it_stopped(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_worker_resumes_a_long_job_where_it_stopped_postgres() {
    a_killed_worker_resumes_a_long_job_where_it_stopped(Backend::Postgres).await;
}
