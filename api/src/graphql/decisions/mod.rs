//! Centralized decisioning: the offer catalogue, interaction points, treatment rules.

mod mutation;
mod query;
mod types;

pub use mutation::DecisionsMutation;
pub use query::DecisionsQuery;
pub use types::*;
