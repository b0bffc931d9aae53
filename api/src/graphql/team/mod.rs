//! The team of a workspace: members and invitations.

mod mutation;
mod query;
mod types;

pub use mutation::TeamMutation;
pub use query::TeamQuery;
pub use types::*;
