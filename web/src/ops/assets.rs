//! Typed operations of `assets.graphql`.

pub use super::imports::Upload;
use super::*;

super::operations!("src/ops/assets.graphql":
    /// `AssetSetup` in `assets.graphql`.
    AssetSetup,
    /// `Assets` in `assets.graphql`.
    Assets,
    /// `Asset` in `assets.graphql`.
    Asset,
    /// `CreateAsset` in `assets.graphql`.
    CreateAsset,
    /// `AddAssetVersion` in `assets.graphql`.
    AddAssetVersion,
    /// `CommentOnAssetVersion` in `assets.graphql`.
    CommentOnAssetVersion,
    /// `ResolveAssetComment` in `assets.graphql`.
    ResolveAssetComment,
    /// `RequestAssetApproval` in `assets.graphql`.
    RequestAssetApproval,
);

/// One asset as the list shows it.
pub type AssetRow = assets::AssetsAssetsNodes;
/// One version of an asset, with its comments.
pub type Version = asset::AssetAssetVersions;
/// One comment on a version.
pub type Comment = asset::AssetAssetVersionsComments;
