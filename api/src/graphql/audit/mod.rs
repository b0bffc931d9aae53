//! The audit trail: who did what, when.

mod query;
mod types;

pub use query::AuditQuery;
pub use types::*;
