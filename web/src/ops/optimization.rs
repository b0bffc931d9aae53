//! Typed operations of `optimization.graphql`: contact optimization runs.

use super::*;

pub use super::contacts::Channel;
pub use super::imports::Upload;

super::operations!("src/ops/optimization.graphql":
    /// `OptimizationRuns` in `optimization.graphql`.
    OptimizationRuns,
    /// `StartOptimization` in `optimization.graphql`.
    StartOptimization,
    /// `OptimizationRun` in `optimization.graphql`.
    OptimizationRun,
);

/// One run as the list shows it.
pub type RunRow = optimization_runs::OptimizationRunsOptimizationRunsNodes;
/// One run as its page shows it.
pub type RunDetail = optimization_run::OptimizationRunOptimizationRun;
/// What a run chose of one campaign's or one channel's proposals.
pub type Share = optimization_run::ShareFigures;

super::page_info_from!(optimization_runs::OptimizationRunsOptimizationRunsPageInfo);
super::connection_chunk!(optimization_runs::OptimizationRunsOptimizationRuns => RunRow);
