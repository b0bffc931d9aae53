//! Predictive scores: score runs (RFM, lifetime value, products bought together) and
//! response-propensity models.

mod mutation;
mod query;
mod types;

pub use mutation::ScoresMutation;
pub use query::ScoresQuery;
pub use types::*;
