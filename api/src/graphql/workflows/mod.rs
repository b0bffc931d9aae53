//! Workflow templates, workflows laid out for projects, and their tasks.

mod mutation;
mod query;
mod types;

pub use mutation::WorkflowsMutation;
pub use query::WorkflowsQuery;
pub use types::*;
