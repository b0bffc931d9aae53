//! Uploading assets and versions, commenting, and asking for a version's approval.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Upload};

use super::{Asset, AssetComment, AssetVersion};
use crate::graphql::approvals::Approval;
use crate::graphql::budgets::BudgetDraft;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;
use crate::graphql::plans::Project;
use crate::graphql::spend::PurchaseOrder;

/// A new asset.
#[derive(InputObject)]
pub struct CreateAssetInput {
    pub name: String,
    #[graphql(default)]
    pub description: String,
    pub project_id: Option<ID>,
}

/// The next version of an asset.
#[derive(InputObject)]
pub struct AddAssetVersionInput {
    pub asset_id: ID,
    /// What changed.
    #[graphql(default)]
    pub note: String,
}

/// Changes to an asset; what is left out stays (`projectId: null` takes it off its project).
#[derive(InputObject)]
pub struct UpdateAssetInput {
    pub id: ID,
    pub name: Option<String>,
    pub description: Option<String>,
    pub project_id: MaybeUndefined<ID>,
}

/// A comment on a version: pinned at `x`, `y` (fractions of its width and height from
/// the top left, both or neither), about a `page`, or neither.
#[derive(InputObject)]
pub struct CommentOnAssetVersionInput {
    pub version_id: ID,
    pub body: String,
    pub x: Option<f64>,
    pub y: Option<f64>,
    pub page: Option<i32>,
}

/// An object to submit for approval.
#[derive(InputObject)]
pub struct RequestApprovalInput {
    /// An `AssetVersion`, a `PurchaseOrder` or a `BudgetDraft`.
    pub object_id: ID,
}

/// Asset writes.
#[derive(Default)]
pub struct AssetsMutation;

fn upload<'a>(ctx: &Context<'a>, file: &Upload) -> async_graphql::Result<domain::assets::Upload<tokio::fs::File>> {
    let up = file.value(ctx).map_err(|e| domain::Error::invalid("file", e.to_string())).gql(ctx)?;
    Ok(domain::assets::Upload {
        file_name: up.filename,
        content: tokio::fs::File::from_std(up.content),
        max_bytes: domain::assets::MAX_BYTES.min(parley(ctx)?.settings().import_max_bytes),
    })
}

#[Object]
impl AssetsMutation {
    /// Uploads a new asset (a GraphQL multipart request): an image (PNG, JPEG, GIF, WebP,
    /// SVG), a PDF or an HTML document, told by its first bytes. It is its version 1.
    async fn create_asset(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        input: CreateAssetInput,
    ) -> async_graphql::Result<Asset> {
        let project = input.project_id.map(|p| id_of::<Project>("projectId", &p)).transpose().gql(ctx)?;
        let up = upload(ctx, &file)?;
        let t = tenant(ctx).await?;
        let new = domain::assets::NewAsset { name: input.name, description: input.description, project };
        let (asset, _) = domain::assets::create(t, parley(ctx)?, new, up).await.gql(ctx)?;
        Ok(Asset(asset))
    }

    /// Uploads the next version of an asset (a GraphQL multipart request); it starts as
    /// a draft, and earlier versions keep their state and comments.
    async fn add_asset_version(
        &self,
        ctx: &Context<'_>,
        file: Upload,
        input: AddAssetVersionInput,
    ) -> async_graphql::Result<AssetVersion> {
        let id = id_of::<Asset>("assetId", &input.asset_id).gql(ctx)?;
        let up = upload(ctx, &file)?;
        let t = tenant(ctx).await?;
        Ok(AssetVersion(domain::assets::add_version(t, parley(ctx)?, id, &input.note, up).await.gql(ctx)?))
    }

    /// Renames an asset, describes it or moves it to another project.
    async fn update_asset(&self, ctx: &Context<'_>, input: UpdateAssetInput) -> async_graphql::Result<Asset> {
        let id = id_of::<Asset>("id", &input.id).gql(ctx)?;
        let project = match input.project_id {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(p) => Some(Some(id_of::<Project>("projectId", &p).gql(ctx)?)),
        };
        let c = domain::assets::AssetChanges { name: input.name, description: input.description, project };
        let t = tenant(ctx).await?;
        Ok(Asset(domain::assets::update(t, parley(ctx)?, id, c).await.gql(ctx)?))
    }

    /// Comments on a version (anyone but a viewer).
    async fn comment_on_asset_version(
        &self,
        ctx: &Context<'_>,
        input: CommentOnAssetVersionInput,
    ) -> async_graphql::Result<AssetComment> {
        let id = id_of::<AssetVersion>("versionId", &input.version_id).gql(ctx)?;
        let c = domain::assets::NewComment { body: input.body, x: input.x, y: input.y, page: input.page };
        let t = tenant(ctx).await?;
        Ok(AssetComment(domain::assets::comment(t, parley(ctx)?, id, c).await.gql(ctx)?))
    }

    /// Marks a comment resolved, or open again with `resolved: false`.
    async fn resolve_asset_comment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(default = true)] resolved: bool,
    ) -> async_graphql::Result<AssetComment> {
        let id = id_of::<AssetComment>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(AssetComment(domain::assets::resolve_comment(t, parley(ctx)?, id, resolved).await.gql(ctx)?))
    }

    /// Submits a version for approval under the workspace's `ASSET_VERSION` rules:
    /// `IN_REVIEW` with an approval request, or `APPROVED` at once where no rule applies.
    async fn request_asset_approval(&self, ctx: &Context<'_>, version_id: ID) -> async_graphql::Result<AssetVersion> {
        let id = id_of::<AssetVersion>("versionId", &version_id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(AssetVersion(domain::assets::request_approval(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Submits any object for approval under its rules (an asset version, a purchase
    /// order or a budget draft, as `requestAssetApproval`, `submitPurchaseOrder` and
    /// `applyBudgetDraft` do); the request raised, or null where no rule applies and the
    /// object was approved at once.
    async fn request_approval(
        &self,
        ctx: &Context<'_>,
        input: RequestApprovalInput,
    ) -> async_graphql::Result<Option<Approval>> {
        let Some((kind, _)) = crate::graphql::ids::parse_any(&input.object_id) else {
            return Err(domain::Error::invalid("objectId", "is not a valid ID")).gql(ctx);
        };
        let t = tenant(ctx).await?;
        let p = parley(ctx)?;
        let approval = match kind.as_str() {
            "AssetVersion" => {
                let id = id_of::<AssetVersion>("objectId", &input.object_id).gql(ctx)?;
                domain::assets::request_approval(t, p, id).await.gql(ctx)?.approval_id
            }
            "PurchaseOrder" => {
                let id = id_of::<PurchaseOrder>("objectId", &input.object_id).gql(ctx)?;
                domain::spend::orders::submit(t, p, id).await.gql(ctx)?.approval_id
            }
            "BudgetDraft" => {
                let id = id_of::<BudgetDraft>("objectId", &input.object_id).gql(ctx)?;
                domain::budgets::drafts::apply(t, p, id).await.gql(ctx)?.approval_id
            }
            _ => {
                return Err(domain::Error::invalid(
                    "objectId",
                    "names nothing that is approved: an asset version, a purchase order or a budget draft",
                ))
                .gql(ctx);
            }
        };
        match approval {
            Some(id) => Ok(Some(Approval(domain::approvals::requests::get(t, p, id).await.gql(ctx)?))),
            None => Ok(None),
        }
    }
}
