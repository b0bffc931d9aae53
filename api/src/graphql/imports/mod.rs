//! Imports and exports of contacts: a CSV upload with its column mapping, run by a
//! job with live counters and an error report; exports of every contact to CSV.

mod mutation;
mod query;
mod types;

pub use mutation::ImportsMutation;
pub use query::ImportsQuery;
pub use types::*;
