//! The job runtime: idempotency keys, fairness across tenants, retries with backoff,
//! dead jobs retried by hand, expired leases taken over, recurring jobs run once per
//! period, leases handed back on shutdown.

use domain::jobs::{self, NewJob};
use serde_json::json;

use crate::on_both;
use crate::support::*;

async fn ctx_of(app: &TestApp, acc: &Account) -> domain::TenantCtx {
    let p = &app.server.parley;
    let principal = domain::identity::auth::authenticate(p, &acc.token).await.unwrap();
    domain::identity::auth::tenant_ctx(&principal, None).unwrap()
}

async fn idempotency_keys_enqueue_once(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let ctx = ctx_of(&app, &acc).await;
    let p = &app.server.parley;
    assert!(jobs::enqueue(&ctx, p, NewJob::new("noop", json!({})).key("once")).await.unwrap());
    assert!(!jobs::enqueue(&ctx, p, NewJob::new("noop", json!({})).key("once")).await.unwrap());
    // Another tenant may use the same key.
    let other = app.sign_up("BUSINESS").await;
    let octx = ctx_of(&app, &other).await;
    assert!(jobs::enqueue(&octx, p, NewJob::new("noop", json!({})).key("once")).await.unwrap());
    let r = app.drive_jobs().await;
    assert_eq!(r.done, 3, "two noop jobs and the second sign-up's verification email: {r:?}");
}

async fn one_tenants_backlog_does_not_starve_another(app: TestApp) {
    let big = app.sign_up("BUSINESS").await;
    let small = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let p = &app.server.parley;
    let big_ctx = ctx_of(&app, &big).await;
    for _ in 0..60 {
        jobs::enqueue(&big_ctx, p, NewJob::new("noop", json!({}))).await.unwrap();
    }
    let small_ctx = ctx_of(&app, &small).await;
    jobs::enqueue(&small_ctx, p, NewJob::new("noop", json!({}))).await.unwrap();
    // The small tenant's single job is in the very first batch of ten.
    let batch = jobs::claim(p, "fairness-test", 10).await.unwrap();
    assert_eq!(batch.len(), 10);
    assert!(batch.iter().any(|j| j.ctx.tenant_id() == small_ctx.tenant_id()), "the small tenant got a turn");
    let done: Vec<_> = batch.iter().map(|j| (j.ctx.tenant_id(), j.id)).collect();
    assert_eq!(jobs::complete(p, "fairness-test", &done).await.unwrap(), 10);
    // Completing twice, or as another worker, changes nothing.
    assert_eq!(jobs::complete(p, "fairness-test", &done).await.unwrap(), 0);
    let r = app.drive_jobs().await;
    assert_eq!(r.done, 51);
}

async fn failing_jobs_retry_then_die_and_can_be_retried(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let p = &app.server.parley;
    let ctx = ctx_of(&app, &acc).await;
    let mut job = NewJob::new("no.such.kind", json!({}));
    job.max_attempts = Some(3);
    jobs::enqueue(&ctx, p, job).await.unwrap();
    let mut retried = 0;
    let mut dead = 0;
    for _ in 0..100 {
        let r = app.drive_jobs().await;
        retried += r.retried;
        dead += r.dead;
        if dead > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!((retried, dead), (2, 1), "two retries, then dead");
    let list = ok(app
        .gql(&acc.auth(), "{ jobs(state: DEAD) { nodes { id kind attempts maxAttempts lastError } } }", json!({}))
        .await);
    let j = &list["jobs"]["nodes"][0];
    assert_eq!(j["attempts"], 3);
    assert!(j["lastError"].as_str().unwrap().contains("no handler"), "{j}");
    let again = ok(app
        .gql(&acc.auth(), "mutation($id: ID!) { retryJob(id: $id) { state attempts } }", json!({ "id": j["id"] }))
        .await);
    assert_eq!(again["retryJob"]["state"], "QUEUED");
    assert_eq!(again["retryJob"]["attempts"], 0);
    let res =
        app.gql(&acc.auth(), "mutation($id: ID!) { retryJob(id: $id) { state } }", json!({ "id": j["id"] })).await;
    assert_eq!(code(&res).as_deref(), Some("CONFLICT"), "only dead jobs are retried");
    // Another workspace cannot see or retry it.
    let other = app.sign_up("BUSINESS").await;
    let res =
        app.gql(&other.auth(), "mutation($id: ID!) { retryJob(id: $id) { state } }", json!({ "id": j["id"] })).await;
    assert_eq!(code(&res).as_deref(), Some("NOT_FOUND"));
}

async fn backoff_doubles_with_jitter() {
    use std::time::Duration;
    let base = Duration::from_secs(2);
    let max = Duration::from_secs(60);
    for attempt in 1..=8 {
        let full = (base * 2u32.pow(attempt as u32 - 1)).min(max);
        for _ in 0..50 {
            let d = jobs::backoff(base, max, attempt);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?} within [{:?}, {full:?}]", full / 2);
        }
    }
}

#[tokio::test]
async fn backoff_is_exponential_and_jittered() {
    backoff_doubles_with_jitter().await;
}

async fn recurring_jobs_run_once_per_period(app: TestApp) {
    let p = &app.server.parley;
    let spec = [jobs::Recurring { kind: "noop", period: std::time::Duration::from_secs(3600) }];
    let results = futures::future::join_all((0..5).map(|_| jobs::schedule_recurring(p, &spec))).await;
    let created: u64 = results.into_iter().map(|r| r.unwrap()).sum();
    assert_eq!(created, 1, "five workers scheduling at once create one run");
    let r = app.drive_jobs().await;
    assert_eq!(r.done, 1);
    assert_eq!(jobs::schedule_recurring(p, &spec).await.unwrap(), 0, "and not again in the same period");
}

async fn shutdown_hands_leases_back(app: TestApp) {
    let acc = app.sign_up("BUSINESS").await;
    app.drive_jobs().await;
    let p = &app.server.parley;
    let ctx = ctx_of(&app, &acc).await;
    jobs::enqueue(&ctx, p, NewJob::new("noop", json!({}))).await.unwrap();
    let held = jobs::claim(p, "stopping-worker", 10).await.unwrap();
    assert_eq!(held.len(), 1);
    assert!(jobs::claim(p, "another", 10).await.unwrap().is_empty(), "a leased job is not claimed twice");
    assert_eq!(jobs::release(p, "stopping-worker").await.unwrap(), 1);
    let again = jobs::claim(p, "another", 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempt, 1, "the interrupted attempt did not count");
}

async fn a_job_cannot_reach_another_tenants_objects(app: TestApp) {
    let a = app.sign_up("BUSINESS").await;
    let b = app.sign_up("BUSINESS").await;
    let token = app.invite(&a.auth(), "someone@example.com", "VIEWER").await;
    let inv = ok(app.gql(&a.auth(), "{ invitations { nodes { id } } }", json!({})).await);
    let gid = inv["invitations"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let raw = base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, &gid).unwrap();
    let uuid = String::from_utf8(raw).unwrap().split_once(':').unwrap().1.to_owned();
    // B's job names A's invitation: it runs in B's tenant and finds nothing to send.
    let b_ctx = ctx_of(&app, &b).await;
    jobs::enqueue(&b_ctx, &app.server.parley, NewJob::new("email.invitation", json!({ "invitation_id": uuid })))
        .await
        .unwrap();
    let before = app.smtp.to("someone@example.com").len();
    let r = app.drive_jobs().await;
    assert_eq!(r.dead + r.retried, 0, "{r:?}");
    assert_eq!(app.smtp.to("someone@example.com").len(), before, "no email for another tenant's invitation");
    // A's link was not rotated by B's job.
    ok(app.accept(&token).await);
}

on_both!(
    a_job_cannot_reach_another_tenants_objects,
    idempotency_keys_enqueue_once,
    one_tenants_backlog_does_not_starve_another,
    failing_jobs_retry_then_die_and_can_be_retried,
    recurring_jobs_run_once_per_period,
    shutdown_hands_leases_back,
);

/// A worker that dies holding a lease: after the lease, another worker takes the job.
async fn expired_leases_are_taken_over(backend: Backend) {
    let Some(app) = TestApp::spawn_with(backend, &[("PARLEY_JOB_LEASE_MS", "300")]).await else {
        return;
    };
    let acc = app.sign_up("BUSINESS").await;
    let p = &app.server.parley;
    app.worker.housekeeping().await.unwrap(); // schedules the recurring maintenance job
    let held = jobs::claim(p, "doomed-worker", 10).await.unwrap();
    assert_eq!(held.len(), 2, "the verification email and maintenance jobs");
    app.worker.housekeeping().await.unwrap();
    assert_eq!(app.drive_jobs().await.claimed, 0, "still leased");
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    app.worker.housekeeping().await.unwrap();
    let r = app.drive_jobs().await;
    assert_eq!(r.done, 2, "taken over after the lease: {r:?}");
    assert_eq!(app.smtp.to(&acc.email).len(), 1);
    // The dead worker's late completion changes nothing.
    assert_eq!(jobs::complete(p, "doomed-worker", &[(held[0].ctx.tenant_id(), held[0].id)]).await.unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_leases_are_taken_over_sqlite() {
    expired_leases_are_taken_over(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_leases_are_taken_over_postgres() {
    expired_leases_are_taken_over(Backend::Postgres).await;
}
