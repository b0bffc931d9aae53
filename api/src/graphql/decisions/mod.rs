//! Centralized decisioning: the offer catalogue, interaction points, treatment rules,
//! decisions and their learning, and contact optimization runs.

mod mutation;
mod optimization;
mod query;
mod types;

pub use mutation::DecisionsMutation;
pub use optimization::{OptimizationMutation, OptimizationQuery, OptimizationRun};
pub use query::DecisionsQuery;
pub use types::*;
