//! The `parley` binary: one program, several roles.

use clap::{Parser, Subcommand};

// Every request builds and drops many small values (GraphQL documents, answers, rows);
// mimalloc serves them with far less time in the allocator than the system's malloc.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "parley", version, about = "Parley: interactive marketing, one conversation per customer")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// API, web app and job workers in one process (migrates first).
    Serve,
    /// The API and web app only.
    Api,
    /// A job worker only (serves health, readiness and metrics).
    Worker,
    /// Applies pending database migrations and exits.
    Migrate,
    /// Prints the GraphQL schema (SDL).
    Schema,
    /// Measures request and job throughput on this machine.
    Bench(api::bench::BenchArgs),
}

/// Logs as `RUST_LOG` says; by default `info` (`warn` for `parley bench`, whose output is
/// the figures).
fn init_tracing(json: bool, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if json {
        builder.json().flatten_event(true).init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    if let Command::Schema = cli.command {
        print!("{}", api::graphql::sdl());
        return std::process::ExitCode::SUCCESS;
    }
    let cfg = match api::Config::load() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let default_level = if matches!(cli.command, Command::Bench(_)) { "warn" } else { "info,sqlx=warn,sea_orm=warn" };
    init_tracing(cfg.log_format == "json", default_level);
    let res = match cli.command {
        Command::Serve => api::run(cfg, api::Roles::ALL).await,
        Command::Api => api::run(cfg, api::Roles::API).await,
        Command::Worker => api::run(cfg, api::Roles::WORKER).await,
        Command::Migrate => domain::Db::migrate(&cfg.db()).await.map_err(|e| anyhow::anyhow!("{e}")).map(|_| {
            tracing::info!("migrations applied");
        }),
        Command::Bench(args) => api::bench::run(args).await,
        Command::Schema => Ok(()),
    };
    match res {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "parley failed");
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
