//! Assets under review (e-proofing): assets, their versions, comments pinned to a
//! version, and each version's approval.

mod mutation;
mod query;
mod types;

pub use mutation::AssetsMutation;
pub use query::AssetsQuery;
pub use types::*;
