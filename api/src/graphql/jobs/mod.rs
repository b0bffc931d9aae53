//! Background jobs a workspace can watch and retry.

mod mutation;
mod query;
mod types;

pub use mutation::JobsMutation;
pub use query::JobsQuery;
pub use types::*;
