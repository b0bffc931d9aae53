//! Segments: saved rules over the workspace's contacts, and static lists.

mod mutation;
mod query;
mod types;

pub use mutation::SegmentsMutation;
pub use query::SegmentsQuery;
pub use types::*;
