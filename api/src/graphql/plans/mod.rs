//! Plans, programs, projects and cost centers: where marketing work and budget sit.

mod mutation;
mod query;
mod types;

pub use mutation::PlansMutation;
pub use query::PlansQuery;
pub use types::*;
