//! A folder per area, matching the operations in `crate::ops`.

pub mod api_keys;
pub mod audit;
pub mod frame;
pub mod identity;
pub mod jobs;
pub mod team;
pub mod workspaces;

// The router names pages by their old flat paths; these keep them short.
pub use identity::{account, auth, password};
pub use workspaces::dashboard;
