//! Workspaces: the current one, agencies' clients and grants into them.

mod mutation;
mod query;
mod types;

pub use mutation::WorkspacesMutation;
pub use query::WorkspacesQuery;
pub use types::*;
