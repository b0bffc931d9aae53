//! Campaigns and email: sending domains, templates, campaigns and their sends, and the
//! suppression list.

mod mutation;
mod query;
mod types;

pub use mutation::CampaignsMutation;
pub use query::CampaignsQuery;
pub use types::*;
