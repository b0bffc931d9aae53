//! Assets under review (e-proofing): images, PDFs and HTML emails uploaded in versions,
//! comments pinned to a version, and each version's approval.

pub mod asset;
pub mod asset_comment;
pub mod asset_version;
pub mod enums;
