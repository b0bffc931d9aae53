//! `parley bench`: figures for this machine, printed, never asserted.
//!
//! For each database (SQLite and PostgreSQL) it starts the real server on a free port
//! against a fresh database and measures, with the load generator in the same process
//! (both share the machine's cores, as the issue's figures assume):
//! - authenticated `me` GraphQL queries per second and p50/p99 latency at N concurrent
//!   clients, beside a bare axum handler (`/healthz`) in the same run;
//! - a tenant-scoped GraphQL query (`{ workspace { id name } }`: token, membership,
//!   one read) beside a reference handler doing the least such a request needs (token
//!   check, one tenant-scoped transaction, one primary-key read), in the same run, and
//!   the reference with the membership check added (what that check costs alone) and
//!   behind the HTTP layers every route has;
//! - event ingestion through `POST /t/events` in batches of 100, and peak memory;
//! - job runtime throughput for no-op jobs spread over ten workspaces;
//! - the delay from a job being enqueued to a worker starting it;
//! - a CSV import of contacts through the API beside PostgreSQL's own `COPY` of the
//!   same file (`import.rs`);
//! - segment counts over a large audience beside hand-written SQL (`segments.rs`);
//! - a plan's budget roll-up over 100,000 purchase order lines beside hand-written SQL
//!   (`budget.rs`).
//!
//! - a campaign to 100,000 contacts sent by one worker to a local SMTP sink
//!   (`campaigns.rs`);
//! - decisions over 1,000,000 contacts, 200 offers and 20 points, and a simulated shop
//!   measuring the learner's regret (`decisions.rs`);
//! - a contact optimization run over 1,000,000 contacts × 5 campaigns' proposals, from
//!   the uploaded file to the file of the chosen ones (`optimization.rs`);
//! - event detection with 50 rules over a backlog of events and live tracked events
//!   (`triggers.rs`);
//! - journeys: the whole audience waiting in a wait step, due at once, and the delay
//!   from a tracked event to its journey's first step (`journeys.rs`);
//! - lead routing: every contact's lead given out to twenty reps with capacities by
//!   one routing run (`leads.rs`).
//!
//! The last nine take minutes at their default sizes: they run only when asked for with
//! `--only import`, `--only segments`, `--only budget`, `--only campaigns`,
//! `--only decisions`, `--only optimization`, `--only triggers`, `--only journeys` or
//! `--only leads`.

mod budget;
mod campaigns;
mod decisions;
mod import;
mod journeys;
mod leads;
mod optimization;
mod segments;
mod triggers;

use std::time::{Duration, Instant};

use anyhow::Context as _;
use serde_json::json;

/// Options of `parley bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// `sqlite`, `postgres` or `both`.
    #[arg(long, default_value = "both")]
    pub db: String,
    /// Concurrent HTTP clients.
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// Seconds per HTTP measurement.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// No-op jobs for the throughput run.
    #[arg(long, default_value_t = 20_000)]
    pub jobs: usize,
    /// Workers (job runtimes) in the throughput run.
    #[arg(long, default_value_t = 2)]
    pub workers: usize,
    /// PostgreSQL URL of an owner login; a scratch database is created beside it.
    #[arg(long, env = "TEST_DATABASE_URL", default_value = "postgres://postgres@127.0.0.1:5432/test")]
    pub postgres_url: String,
    /// Run one part only: `tracking`, `import`, `segments`, `budget`, `campaigns`, `decisions`,
    /// `optimization`, `triggers`, `journeys` or `leads`.
    #[arg(long)]
    pub only: Option<String>,
    /// Rows of the import file.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: u64,
    /// Contacts of the segment audience.
    #[arg(long, default_value_t = 1_000_000)]
    pub contacts: u64,
    /// Events of the segment audience (spread evenly over its contacts).
    #[arg(long, default_value_t = 10_000_000)]
    pub events: u64,
    /// Purchase order lines of the budget plan (two in three with an invoice).
    #[arg(long, default_value_t = 100_000)]
    pub order_lines: usize,
    /// The SMTP server campaign mail goes to (`--only campaigns`; `smtp-sink` from
    /// Debian's postfix package listening there).
    #[arg(long, default_value = "smtp://127.0.0.1:2525")]
    pub smtp: String,
    /// SMTP connections the campaign's worker sends over at once.
    #[arg(long, default_value_t = 32)]
    pub email_connections: usize,
    /// Campaign sends claimed per batch.
    #[arg(long, default_value_t = 200)]
    pub email_batch: u64,
    /// Events per second tracked while detection runs (`--only triggers`, `--only journeys`).
    #[arg(long, default_value_t = 5_000)]
    pub rate: u64,
}

/// The server a part of the bench runs against.
pub(crate) struct Target<'a> {
    /// `sqlite` or `postgres`.
    pub backend: &'a str,
    /// `http://host:port`.
    pub base: &'a str,
    pub addr: std::net::SocketAddr,
    /// The database URL the server was started with (the owner's, on PostgreSQL).
    pub url: &'a str,
    pub parley: &'a domain::Parley,
}

/// Answers a GraphQL request's `data`, or the errors as an error.
pub(crate) async fn gql(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    query: &str,
    variables: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let res: serde_json::Value = http
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    if res.get("errors").is_some_and(|e| !e.is_null()) {
        anyhow::bail!("GraphQL errors: {res}");
    }
    Ok(res["data"].clone())
}

struct Load {
    rps: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

async fn load(
    clients: usize,
    seconds: u64,
    make: impl Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync + Clone + 'static,
) -> Load {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let make = make.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut lat = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let t = Instant::now();
                match make(&client).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        lat.push(t.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((l, e)) = t.await {
            all.extend(l);
            errors += e;
        }
    }
    all.sort_unstable();
    Load { rps: all.len() as f64 / seconds as f64, p50: pct(&all, 0.5), p99: pct(&all, 0.99), errors }
}

/// The tenant context of `token`'s session, after writing `contacts` contacts (and no
/// events) straight into its workspace, with progress on stderr.
pub(crate) async fn seeded(t: &Target<'_>, token: &str, contacts: u64) -> anyhow::Result<domain::TenantCtx> {
    let err = |e: domain::Error| anyhow::anyhow!("{e}");
    let principal = domain::identity::auth::authenticate(t.parley, token).await.map_err(err)?;
    let ctx = domain::identity::auth::tenant_ctx(&principal, None).map_err(err)?;
    let started = Instant::now();
    domain::bench::audience::seed(&ctx, t.parley, contacts, 0, |what, n| {
        eprintln!("  {what}: {n} written ({:.0} s)", started.elapsed().as_secs_f64());
    })
    .await
    .map_err(err)?;
    Ok(ctx)
}

/// Brings the planner's statistics of the audience up to date, as the tables' owner on
/// PostgreSQL (the running server may not), so the parts measured read it by its indexes
/// from the first request rather than once autovacuum has caught up.
pub(crate) async fn analysed(t: &Target<'_>) -> anyhow::Result<()> {
    if t.backend == "postgres" {
        import::psql(&import::without_tls(t.url), "VACUUM ANALYZE contacts, contact_events").await
    } else {
        domain::bench::audience::analyze(t.parley).await.map_err(|e| anyhow::anyhow!("{e}"))
    }
}

/// Tracks events through `POST /t/events` at `rate` per second for `seconds` (a batch
/// every 20 ms, at most 64 batches in flight), each made by `event` from its number.
/// Answers the events accepted, those refused, and the seconds it took.
pub(crate) async fn steady_events(
    http: &reqwest::Client,
    base: &str,
    key: &str,
    (rate, seconds): (u64, u64),
    mut event: impl FnMut(u64) -> serde_json::Value,
) -> (usize, usize, f64) {
    let per_batch = (rate / 50).max(1) as usize;
    let url = format!("{base}/t/events");
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let load = Instant::now();
    let (mut sent, mut failed) = (0usize, 0usize);
    let mut inflight = tokio::task::JoinSet::new();
    let mut n = 0u64;
    let count = |ok: bool, sent: &mut usize, failed: &mut usize| {
        if ok { *sent += per_batch } else { *failed += per_batch }
    };
    while load.elapsed() < Duration::from_secs(seconds) {
        tick.tick().await;
        let events: Vec<serde_json::Value> = (0..per_batch)
            .map(|_| {
                n += 1;
                event(n)
            })
            .collect();
        let req = http.post(&url).body(json!({ "key": key, "events": events }).to_string());
        inflight.spawn(async move { req.send().await.map(|r| r.status().is_success()).unwrap_or(false) });
        while inflight.len() > 64 {
            if let Some(ok) = inflight.join_next().await {
                count(ok.unwrap_or(false), &mut sent, &mut failed);
            }
        }
    }
    while let Some(ok) = inflight.join_next().await {
        count(ok.unwrap_or(false), &mut sent, &mut failed);
    }
    (sent, failed, load.elapsed().as_secs_f64())
}

/// A job worker running in this process, as in `parley serve`, until it is stopped.
pub(crate) struct Worker {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    running: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Worker {
    /// Starts one on `parley`, sending mail through `server`'s mailer.
    pub(crate) fn start(parley: &domain::Parley, server: &crate::Server) -> Worker {
        let worker = workers::Runtime::new(parley.clone(), server.mailer.clone(), workers::RuntimeConfig::default());
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let running = tokio::spawn({
            let stop = stop.clone();
            async move {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match worker.try_execute_batch().await {
                        Ok(r) if r.claimed == 0 => tokio::time::sleep(Duration::from_millis(10)).await,
                        Ok(_) => {}
                        Err(e) => return Err(anyhow::anyhow!("{e}")),
                    }
                }
                anyhow::Ok(())
            }
        });
        Worker { stop, running }
    }

    /// Whether it stopped on its own (an error).
    pub(crate) fn is_finished(&self) -> bool {
        self.running.is_finished()
    }

    /// Stops it after the batch in hand; answers its error, if it stopped on one.
    pub(crate) async fn stop(self) -> anyhow::Result<()> {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.running.await?
    }
}

pub(crate) fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Signs up a fresh account and logs in (sign-up itself opens no session); answers the
/// access token.
pub(crate) async fn sign_up(http: &reqwest::Client, base: &str, n: usize) -> anyhow::Result<String> {
    let email = format!("bench{n}-{}@example.com", uuid::Uuid::now_v7().simple());
    let password = "Bench-password-1";
    let gql = |query: &'static str, variables: serde_json::Value| {
        let req = http.post(format!("{base}/graphql")).json(&json!({ "query": query, "variables": variables }));
        async move { anyhow::Ok(req.send().await?.json::<serde_json::Value>().await?) }
    };
    let res = gql(
        "mutation($i: SignUpInput!) { signUp(input: $i) { email } }",
        json!({ "i": { "email": email, "password": password, "name": "Bench", "workspaceName": format!("Bench {n}") } }),
    )
    .await?;
    res["data"]["signUp"]["email"].as_str().with_context(|| format!("sign-up failed: {res}"))?;
    let res = gql(
        "mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }",
        json!({ "i": { "email": email, "password": password } }),
    )
    .await?;
    res["data"]["logIn"]["accessToken"].as_str().map(str::to_owned).with_context(|| format!("log-in failed: {res}"))
}

/// Runs one backend's part in a scratch database and data folder, removed afterwards
/// whatever the outcome.
async fn bench_one(args: &BenchArgs, backend: &str) -> anyhow::Result<()> {
    let data = std::env::temp_dir().join(format!("parley-bench-{}", uuid::Uuid::now_v7().simple()));
    let url = if backend == "postgres" {
        domain::db::scratch_database(&args.postgres_url, "parley_bench").await.map_err(|e| anyhow::anyhow!("{e}"))?
    } else {
        format!("sqlite://{}?mode=rwc", data.join("parley.db").display())
    };
    let res = bench_in(args, backend, &data, &url).await;
    if backend == "postgres"
        && let Err(e) = domain::db::drop_scratch_database(&args.postgres_url, &url, "parley_bench").await
    {
        eprintln!("could not drop the scratch database: {e}");
    }
    let _ = std::fs::remove_dir_all(&data);
    res
}

async fn bench_in(args: &BenchArgs, backend: &str, data: &std::path::Path, url: &str) -> anyhow::Result<()> {
    let url = url.to_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let env = [
        ("PARLEY_DATABASE_URL", url.clone()),
        ("PARLEY_DATA_DIR", data.display().to_string()),
        ("PARLEY_JWT_SECRET", "bench-secret-bench-secret-bench-secret-00".to_owned()),
        (
            "PARLEY_SMTP_URL",
            if args.only.as_deref() == Some("campaigns") {
                args.smtp.clone()
            } else {
                format!("file://{}", data.join("outbox").display())
            },
        ),
        ("PARLEY_HTTP_ADDR", addr.to_string()),
        ("PARLEY_SIGNUPS_PER_IP", "100000".to_owned()),
        // Every bench recipient is at one domain, behind one local server: as for a
        // relay, the per-domain limit is the connection count.
        ("PARLEY_EMAIL_CONNECTIONS", args.email_connections.to_string()),
        ("PARLEY_EMAIL_DOMAIN_CONCURRENCY", args.email_connections.to_string()),
        ("PARLEY_EMAIL_BATCH", args.email_batch.to_string()),
    ];
    let cfg = crate::Config::from_env_fn(|k| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))?;
    // The import's job runs on the server's own worker, as in `parley serve`.
    let worker = args.only.as_deref() == Some("import");
    let server = crate::start(&cfg, crate::Roles { migrate: true, api: true, worker }, listener).await?;
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    let target = Target { backend, base: &base, addr, url: &url, parley: &server.parley };
    match args.only.as_deref() {
        Some("import") => {
            println!("\n## {backend}: contact import ({} rows, 2 cores shared with the load generator)", args.rows);
            let token = sign_up(&http, &base, 0).await?;
            let res = import::run(args, &target, &http, &token).await;
            server.stop().await?;
            return res;
        }
        Some("campaigns") => {
            println!("\n## {backend}: a campaign to everyone who consented, one worker, SMTP at {}", args.smtp);
            let token = sign_up(&http, &base, 0).await?;
            let res = campaigns::run(args, &target, &server, &http, &token).await;
            server.stop().await?;
            return res;
        }
        Some("decisions") => {
            println!(
                "\n## {backend}: decisions ({} contacts, {} clients, {} s per load, 2 cores shared with the load generator)",
                args.contacts, args.clients, args.seconds
            );
            let token = sign_up(&http, &base, 0).await?;
            let res = decisions::run(args, &target, &http, &token).await;
            server.stop().await?;
            return res;
        }
        Some("optimization") => {
            println!("\n## {backend}: contact optimization ({} contacts × 5 campaigns, one worker)", args.contacts);
            let token = sign_up(&http, &base, 0).await?;
            let res = optimization::run(args, &target, &server, &http, &token).await;
            server.stop().await?;
            return res;
        }
        Some("triggers") => {
            println!(
                "\n## {backend}: event detection ({} contacts, {} backlog events, {} events/s live for {} s)",
                args.contacts, args.events, args.rate, args.seconds
            );
            let token = sign_up(&http, &base, 0).await?;
            let res = triggers::run(args, &target, &server, &http, &token).await;
            server.stop().await?;
            return res;
        }
        Some("journeys") => {
            println!(
                "\n## {backend}: journeys ({} contacts waiting, {} signups/s live for {} s)",
                args.contacts, args.rate, args.seconds
            );
            let token = sign_up(&http, &base, 0).await?;
            let res = journeys::run(args, &target, &server, &http, &token).await;
            server.stop().await?;
            return res;
        }
        Some("leads") => {
            println!("\n## {backend}: lead routing ({} leads, 20 reps, one worker's run)", args.contacts);
            let token = sign_up(&http, &base, 0).await?;
            let res = leads::run(args, &target, &http, &token).await;
            server.stop().await?;
            return res;
        }
        Some("budget") => {
            println!("\n## {backend}: budget roll-up (median of {} runs)", segments::RUNS);
            let token = sign_up(&http, &base, 0).await?;
            let res = budget::run(args, &target, &http, &token).await;
            server.stop().await?;
            return res;
        }
        Some("segments") => {
            println!(
                "\n## {backend}: segment counts ({} contacts, {} events, median of {} runs)",
                args.contacts,
                args.events,
                segments::RUNS
            );
            let token = sign_up(&http, &base, 0).await?;
            let res = segments::run(args, &target, &http, &token).await;
            server.stop().await?;
            return res;
        }
        _ => {}
    }

    println!(
        "\n## {backend} ({} concurrent clients, {} s each, 2 cores shared with the load generator)",
        args.clients, args.seconds
    );
    let token = sign_up(&http, &base, 0).await?;
    tracking(args, &http, &base, &token).await?;
    if args.only.as_deref() == Some("tracking") {
        server.stop().await?;
        return Ok(());
    }
    let me_url = format!("{base}/graphql");
    let me = {
        let token = token.clone();
        move |c: &reqwest::Client| {
            c.post(&me_url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(r#"{"query":"{ me { id email } }"}"#)
        }
    };
    let _ = load(args.clients, 1, me.clone()).await; // warm-up
    let m = load(args.clients, args.seconds, me).await;
    let bare_url = format!("{base}/healthz");
    let bare = load(args.clients, args.seconds, move |c: &reqwest::Client| c.get(&bare_url)).await;
    println!("authenticated `me`:  {:>9.0} req/s  p50 {}  p99 {}  errors {}", m.rps, ms(m.p50), ms(m.p99), m.errors);
    println!(
        "bare axum handler:   {:>9.0} req/s  p50 {}  p99 {}  errors {}",
        bare.rps,
        ms(bare.p50),
        ms(bare.p99),
        bare.errors
    );
    println!("ratio me / bare:     {:.3}", m.rps / bare.rps.max(1.0));

    // A tenant-scoped query beside the least such a request needs.
    let reference_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let reference_addr = reference_listener.local_addr()?;
    let (p1, p2, p3) = (server.parley.clone(), server.parley.clone(), server.parley.clone());
    // The same reference behind the HTTP layers every route has (request ID, trace span,
    // metrics, panic guard, security headers), to show what they cost.
    let layers = crate::http::layered(
        axum::Router::new().route("/reference-layered", axum::routing::get(move |h| reference(p3.clone(), false, h))),
        std::sync::Arc::new(crate::metrics::Metrics::default()),
        false,
    );
    let reference_router = axum::Router::new()
        .route("/reference", axum::routing::get(move |h| reference(p1.clone(), false, h)))
        .route("/reference-member", axum::routing::get(move |h| reference(p2.clone(), true, h)))
        .merge(layers);
    let reference_task = tokio::spawn(async move { axum::serve(reference_listener, reference_router).await });
    let ws_url = format!("{base}/graphql");
    let ws = {
        let token = token.clone();
        move |c: &reqwest::Client| {
            c.post(&ws_url)
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(r#"{"query":"{ workspace { id name } }"}"#)
        }
    };
    let reference_at = |path: &'static str| {
        let (url, token) = (format!("http://{reference_addr}{path}"), token.clone());
        move |c: &reqwest::Client| c.get(&url).bearer_auth(&token)
    };
    let _ = load(args.clients, 1, ws.clone()).await; // warm-up
    let w = load(args.clients, args.seconds, ws).await;
    let r = load(args.clients, args.seconds, reference_at("/reference")).await;
    let rm = load(args.clients, args.seconds, reference_at("/reference-member")).await;
    let rl = load(args.clients, args.seconds, reference_at("/reference-layered")).await;
    reference_task.abort();
    println!("tenant `workspace`:  {:>9.0} req/s  p50 {}  p99 {}  errors {}", w.rps, ms(w.p50), ms(w.p99), w.errors);
    println!("reference read:      {:>9.0} req/s  p50 {}  p99 {}  errors {}", r.rps, ms(r.p50), ms(r.p99), r.errors);
    println!(
        "  + membership check:{:>9.0} req/s  p50 {}  p99 {}  errors {}",
        rm.rps,
        ms(rm.p50),
        ms(rm.p99),
        rm.errors
    );
    println!(
        "  behind HTTP layers:{:>9.0} req/s  p50 {}  p99 {}  errors {}",
        rl.rps,
        ms(rl.p50),
        ms(rl.p99),
        rl.errors
    );
    println!("ratio workspace / reference: {:.3}  (aim: 0.9)", w.rps / r.rps.max(1.0));
    println!("ratio workspace / reference behind the same HTTP layers: {:.3}", w.rps / rl.rps.max(1.0));

    // Jobs: no-op jobs spread over ten workspaces.
    let p = server.parley.clone();
    let mut ctxs = Vec::new();
    for n in 0..10 {
        let t = sign_up(&http, &base, n + 1).await?;
        let principal = domain::identity::auth::authenticate(&p, &t).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        ctxs.push(domain::identity::auth::tenant_ctx(&principal, None).map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    // Sign-up emails first, so the throughput run counts only no-op jobs.
    let rt = workers::Runtime::new(p.clone(), server.mailer.clone(), workers::RuntimeConfig::default());
    while rt.try_execute_batch().await.map_err(|e| anyhow::anyhow!("{e}"))?.claimed > 0 {}
    let per = args.jobs / ctxs.len();
    let t = Instant::now();
    for ctx in &ctxs {
        let jobs = (0..per).map(|_| domain::jobs::NewJob::of(&domain::jobs::Noop {})).collect();
        domain::jobs::enqueue_many(ctx, &p, jobs).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let enqueue = t.elapsed();
    let total = per * ctxs.len();
    let t = Instant::now();
    let runtimes: Vec<_> = (0..args.workers.max(1))
        .map(|_| workers::Runtime::new(p.clone(), server.mailer.clone(), workers::RuntimeConfig::default()))
        .collect();
    let (tx, rx) = tokio::sync::watch::channel(false);
    let handles: Vec<_> = runtimes.iter().map(|r| (r.counters(), tokio::spawn(r.clone().run(rx.clone())))).collect();
    loop {
        let done: u64 = handles.iter().map(|(c, _)| c.done.load(std::sync::atomic::Ordering::Relaxed)).sum();
        if done as usize >= total || t.elapsed() > Duration::from_secs(300) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = t.elapsed();
    println!(
        "jobs: {total} no-op jobs over 10 workspaces, {} workers: {:.0} jobs/s (enqueued at {:.0} jobs/s)",
        args.workers,
        total as f64 / elapsed.as_secs_f64(),
        total as f64 / enqueue.as_secs_f64()
    );
    for (c, _) in &handles {
        c.take_start_delays();
    }
    // Enqueue-to-start delay with idle workers: one job at a time, 20 ms apart.
    for i in 0..200 {
        let ctx = &ctxs[i % ctxs.len()];
        domain::jobs::enqueue(ctx, &p, domain::jobs::NewJob::of(&domain::jobs::Noop {}))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut delays: Vec<Duration> =
        handles.iter().flat_map(|(c, _)| c.take_start_delays()).map(Duration::from_secs_f64).collect();
    delays.sort_unstable();
    println!(
        "enqueue to start ({} jobs, idle workers polling every 20 ms): p50 {}  p99 {}",
        delays.len(),
        ms(pct(&delays, 0.5)),
        ms(pct(&delays, 0.99))
    );
    let _ = tx.send(true);
    for (_, h) in handles {
        let _ = h.await;
    }
    server.stop().await?;
    Ok(())
}

/// The process's peak resident memory so far (`VmHWM`), in MiB.
pub(crate) fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Event ingestion through `POST /t/events`: batches of 100 events from ten visitors
/// each (one identified), sent by the concurrent clients.
async fn tracking(args: &BenchArgs, http: &reqwest::Client, base: &str, token: &str) -> anyhow::Result<()> {
    let res: serde_json::Value = http
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": "mutation { rotateTrackingKey { key } }" }))
        .send()
        .await?
        .json()
        .await?;
    let key = res["data"]["rotateTrackingKey"]["key"].as_str().with_context(|| format!("no key: {res}"))?.to_owned();
    let events: Vec<serde_json::Value> = (0..100)
        .map(|i| {
            let mut e = json!({ "type": "page_view", "anonymousId": format!("visitor-{}", i % 10),
                                "properties": { "path": format!("/products/{i}"), "title": "A product", "referrer": "" } });
            if i == 99 {
                e["type"] = json!("identify");
                e["email"] = json!("bench.visitor@example.com");
            }
            e
        })
        .collect();
    let body = json!({ "key": key, "events": events }).to_string();
    let url = format!("{base}/t/events");
    let send = move |c: &reqwest::Client| c.post(&url).header("content-type", "text/plain").body(body.clone());
    let _ = load(args.clients, 1, send.clone()).await; // warm-up
    // Peak resident memory from here on (Linux: writing 5 to clear_refs resets VmHWM).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let t = load(args.clients, args.seconds, send).await;
    println!(
        "tracking: {:>9.0} events/s in batches of 100 ({:.0} req/s)  p50 {}  p99 {}  errors {}  peak RSS {:.0} MiB (server and load generator)",
        t.rps * 100.0,
        t.rps,
        ms(t.p50),
        ms(t.p99),
        t.errors,
        peak_rss_mib()
    );
    Ok(())
}

/// The reference: the bearer token in, the workspace's ID and name out, with or without
/// the membership check (no HTTP layers, no GraphQL).
async fn reference(
    p: domain::Parley,
    check_membership: bool,
    headers: axum::http::HeaderMap,
) -> (axum::http::StatusCode, String) {
    let bearer = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    match domain::bench::reference_read(&p, bearer, check_membership).await {
        Ok(ws) => (axum::http::StatusCode::OK, format!("{{\"id\":\"{}\",\"name\":{:?}}}", ws.id, ws.name)),
        Err(e) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// Runs the benchmarks and prints the figures.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let build = if cfg!(debug_assertions) { "debug build: use --release for real figures" } else { "release build" };
    println!("# parley bench ({build}; {} cores)", std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0));
    let backends: Vec<&str> = match args.db.as_str() {
        "sqlite" => vec!["sqlite"],
        "postgres" => vec!["postgres"],
        _ => vec!["sqlite", "postgres"],
    };
    if let Some(only) = args.only.as_deref()
        && ![
            "tracking",
            "import",
            "segments",
            "budget",
            "campaigns",
            "decisions",
            "optimization",
            "triggers",
            "journeys",
            "leads",
        ]
        .contains(&only)
    {
        anyhow::bail!(
            "--only takes `tracking`, `import`, `segments`, `budget`, `campaigns`, `decisions`, `optimization`, \
             `triggers`, `journeys` or `leads`, not `{only}`"
        );
    }
    for b in backends {
        bench_one(&args, b).await?;
    }
    Ok(())
}
