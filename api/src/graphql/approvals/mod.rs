//! Approval rules, requests, decisions and delegations.

mod mutation;
mod query;
mod types;

pub use mutation::ApprovalsMutation;
pub use query::ApprovalsQuery;
pub use types::*;
