//! API keys: workspace credentials for developers.

mod mutation;
mod query;
mod types;

pub use mutation::ApiKeysMutation;
pub use query::ApiKeysQuery;
pub use types::*;
