//! Parley's HTTP surface and process wiring: the GraphQL API, operational endpoints,
//! the web app, and the `serve` / `api` / `worker` modes of the `parley` binary.

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]
// The merged GraphQL roots nest one level per area; their futures need more room.
#![recursion_limit = "256"]

pub mod bench;
pub mod config;
pub mod email;
pub mod files;
pub mod graphiql;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod tracking;

use std::sync::Arc;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::Config;

/// What one process runs.
#[derive(Debug, Clone, Copy)]
pub struct Roles {
    /// Apply migrations first (needs the owner URL).
    pub migrate: bool,
    /// Serve the API and the web app (else only health, readiness and metrics).
    pub api: bool,
    /// Run a job worker.
    pub worker: bool,
}

impl Roles {
    /// Everything in one process (`parley serve`).
    pub const ALL: Roles = Roles { migrate: true, api: true, worker: true };
    /// The API alone (`parley api`).
    pub const API: Roles = Roles { migrate: false, api: true, worker: false };
    /// A worker alone (`parley worker`).
    pub const WORKER: Roles = Roles { migrate: false, api: false, worker: true };
}

/// A running Parley process (what tests and the binary hold on to).
pub struct Server {
    /// The address it listens on.
    pub addr: std::net::SocketAddr,
    /// The domain handle (tests drive jobs and read state through it).
    pub parley: domain::Parley,
    /// The mailer the worker uses.
    pub mailer: workers::Mailer,
    shutdown: watch::Sender<bool>,
    http: JoinHandle<std::io::Result<()>>,
    worker: Option<JoinHandle<()>>,
}

impl Server {
    /// Asks everything to stop, waits for in-flight requests and the job batch, and
    /// releases the worker's leases.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.shutdown.send(true);
        if let Some(w) = self.worker {
            w.await.context("worker task")?;
        }
        self.http.await.context("http task")??;
        if let Err(e) = self.parley.flush().await {
            tracing::error!(error = %e, "learning counts not written at shutdown");
        }
        Ok(())
    }
}

/// Connects (and migrates if asked), builds the routers and starts serving on
/// `listener`; with `Roles::worker`, a job worker runs beside them.
pub async fn start(cfg: &Config, roles: Roles, listener: TcpListener) -> anyhow::Result<Server> {
    if cfg.database_url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir).with_context(|| format!("creating {}", cfg.data_dir.display()))?;
    }
    let db_cfg = cfg.db();
    let db =
        if roles.migrate { domain::Db::connect_and_migrate(&db_cfg).await } else { domain::Db::connect(&db_cfg).await }
            .map_err(|e| anyhow::anyhow!("database: {e}"))?;
    let parley = domain::Parley::new(db, cfg.settings());
    if roles.migrate {
        // Secrets stored before sealing existed, or under a retired key, are sealed
        // under the current key once, here.
        let n =
            domain::identity::two_factor::reseal_secrets(&parley).await.map_err(|e| anyhow::anyhow!("sealing: {e}"))?;
        if n > 0 {
            tracing::info!(resealed = n, "stored secrets sealed under the current key");
        }
    }
    let mailer = workers::Mailer::new(&cfg.mailer())?;
    let metrics = Arc::new(metrics::Metrics::default());
    let edge = Arc::new(http::Edge { trusted_proxies: cfg.trusted_proxies.clone(), max_batch: cfg.graphql_max_batch });
    let state = http::AppState {
        parley: parley.clone(),
        schema: graphql::schema(parley.clone()),
        metrics: metrics.clone(),
        site_root: cfg.site_root.clone(),
        edge,
    };

    let router = if roles.api {
        let r = http::api_router(state);
        #[cfg(feature = "web")]
        let r = r.merge(web::web_router(cfg.site_root.clone()));
        r
    } else {
        http::ops_router(state)
    };
    let router = http::layered(router, metrics, cfg.public_url.starts_with("https://"));

    let (tx, rx) = watch::channel(false);
    let worker = roles.worker.then(|| {
        let rt = workers::Runtime::new(parley.clone(), mailer.clone(), workers::RuntimeConfig::default());
        tokio::spawn(rt.run(rx.clone()))
    });
    let addr = listener.local_addr()?;
    let mut stop = rx;
    let http = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(async move {
                let _ = stop.wait_for(|s| *s).await;
            })
            .await
    });
    Ok(Server { addr, parley, mailer, shutdown: tx, http, worker })
}

/// Runs until SIGINT or SIGTERM, then shuts down gracefully.
pub async fn run(cfg: Config, roles: Roles) -> anyhow::Result<()> {
    let listener = TcpListener::bind(&cfg.http_addr).await.with_context(|| format!("binding {}", cfg.http_addr))?;
    let server = start(&cfg, roles, listener).await?;
    tracing::info!(addr = %server.addr, api = roles.api, worker = roles.worker, database = %domain::db::redact_url(&cfg.database_url), "Parley is running");
    shutdown_signal().await;
    tracing::info!("shutting down: finishing in-flight requests and jobs");
    server.stop().await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
