//! Assets, versions and comments.

use async_graphql::{Context, Enum, ID, Object};
use chrono::{DateTime, Utc};

use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::global_id;
use crate::graphql::node::{NodeObject, node_object};

/// What a version holds (read from its first bytes).
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::AssetKind")]
pub enum AssetKind {
    /// PNG, JPEG, GIF, WebP or SVG.
    Image,
    Pdf,
    /// An HTML email or page.
    Html,
}

/// Where a version stands in its review.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::AssetVersionState")]
pub enum AssetVersionState {
    /// Uploaded; nobody has been asked yet.
    Draft,
    /// Waiting for its approvers.
    InReview,
    /// Approved: this version may be used.
    Approved,
    Rejected,
    /// Sent back to its author (changes asked for, or the deadline passed).
    ChangesRequested,
}

/// A piece of creative under review; its versions hold the files, and a version (not
/// the asset) is approved.
pub struct Asset(pub domain::assets::Asset);

impl NodeObject for Asset {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl Asset {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> &str {
        &self.0.description
    }
    /// The project it is made for.
    async fn project_id(&self) -> Option<ID> {
        self.0.project_id.map(|p| global_id("Project", p.into()))
    }
    /// The kind of its latest version.
    async fn kind(&self) -> AssetKind {
        self.0.kind.into()
    }
    /// How many versions it has.
    async fn version_count(&self) -> i32 {
        self.0.versions
    }
    /// The state of its latest version.
    async fn state(&self) -> AssetVersionState {
        self.0.state.into()
    }
    async fn latest_version(&self, ctx: &Context<'_>) -> async_graphql::Result<AssetVersion> {
        let t = tenant(ctx).await?;
        Ok(AssetVersion(domain::assets::get_version(t, parley(ctx)?, self.0.latest_version_id).await.gql(ctx)?))
    }
    /// The newest approved version, if any.
    async fn approved_version(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<AssetVersion>> {
        let Some(id) = self.0.approved_version_id else { return Ok(None) };
        let t = tenant(ctx).await?;
        Ok(Some(AssetVersion(domain::assets::get_version(t, parley(ctx)?, id).await.gql(ctx)?)))
    }
    /// Every version, newest first.
    async fn versions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AssetVersion>> {
        let t = tenant(ctx).await?;
        let all = domain::assets::versions(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
        Ok(all.into_iter().map(AssetVersion).collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

node_object! {
    /// One version of an asset: a file, reviewed and approved on its own.
    AssetVersion(domain::assets::Version) {
        /// 1 for the first version.
        number: i32,
        /// The name it was uploaded under.
        file_name: String,
        kind: AssetKind,
        /// Read from its first bytes.
        content_type: String,
        /// What changed, in the uploader's words.
        note: String,
        state: AssetVersionState,
        /// Who uploaded it.
        author_label: String,
        /// When it was approved, rejected or sent back.
        decided_at: Option<DateTime<Utc>>,
        created_at: DateTime<Utc>,
    }
    extra {
        async fn asset_id(&self) -> ID {
            global_id("Asset", self.0.asset_id.into())
        }
        async fn size_bytes(&self) -> f64 {
            self.0.size_bytes as f64
        }
        /// Where its file is read (with the same credentials as the API; served so that
        /// nothing in it runs as Parley).
        async fn url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
            crate::graphql::imports::file_url(ctx, &format!("assets/{}", self.global_id().as_str()))
        }
        /// Its approval request, once submitted where a rule applies.
        async fn approval_id(&self) -> Option<ID> {
            self.0.approval_id.map(|a| global_id("Approval", a.into()))
        }
        /// Its comments, oldest first.
        async fn comments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AssetComment>> {
            let t = tenant(ctx).await?;
            let all = domain::assets::comments(t, parley(ctx)?, self.0.id).await.gql(ctx)?;
            Ok(all.into_iter().map(AssetComment).collect())
        }
    }
}

node_object! {
    /// A comment on one version, pinned to a point of it or to a page, or neither.
    AssetComment(domain::assets::Comment) {
        body: String,
        author_label: String,
        /// The page it is about (PDFs), from 1.
        page: Option<i32>,
        resolved_at: Option<DateTime<Utc>>,
        created_at: DateTime<Utc>,
    }
    extra {
        async fn version_id(&self) -> ID {
            global_id("AssetVersion", self.0.version_id.into())
        }
        /// Where it is pinned across the width, 0 (left) to 1 (right).
        async fn x(&self) -> Option<f64> {
            self.0.pin_x.map(|v| f64::from(v) / domain::assets::PIN_SCALE)
        }
        /// Where it is pinned down the height, 0 (top) to 1 (bottom).
        async fn y(&self) -> Option<f64> {
            self.0.pin_y.map(|v| f64::from(v) / domain::assets::PIN_SCALE)
        }
        async fn resolved(&self) -> bool {
            self.0.resolved_at.is_some()
        }
    }
}
