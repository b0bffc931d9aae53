//! `parley bench`: figures for this machine (filled in below).

/// Options of `parley bench`.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {}

/// Runs the benchmarks.
pub async fn run(_args: BenchArgs) -> anyhow::Result<()> {
    Ok(())
}
