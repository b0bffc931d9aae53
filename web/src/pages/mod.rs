//! A folder per area, matching the operations in `crate::ops`.

pub mod analytics;
pub mod api_keys;
pub mod assets;
pub mod audit;
pub mod campaigns;
pub mod contacts;
pub mod decisions;
pub mod frame;
pub mod identity;
pub mod imports;
pub mod insights;
pub mod jobs;
pub mod journeys;
pub mod leads;
pub mod operations;
pub mod segments;
pub mod team;
pub mod tracking;
pub mod triggers;
pub mod workspaces;
