//! Vendors, purchase orders and invoices.

mod mutation;
mod query;
mod types;

pub use mutation::SpendMutation;
pub use query::SpendQuery;
pub use types::*;
