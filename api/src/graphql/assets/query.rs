//! Reading assets.

use async_graphql::{Context, ID, Object};

use super::{Asset, AssetVersion, AssetVersionState};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::ids::parse_any;
use crate::graphql::node::id_of;
use crate::graphql::plans::Project;

/// Asset reads (a version or a comment: `node(id:)`).
#[derive(Default)]
pub struct AssetsQuery;

#[Object]
impl AssetsQuery {
    /// Assets, newest first: of one project, in one state (of their latest version), or
    /// whose name holds `search`.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn assets(
        &self,
        ctx: &Context<'_>,
        project_id: Option<ID>,
        state: Option<AssetVersionState>,
        search: Option<String>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Asset>> {
        let project = project_id.map(|p| id_of::<Project>("projectId", &p)).transpose().gql(ctx)?;
        let filter = domain::assets::Filter { project, state: state.map(Into::into), search };
        list(ctx, first, after, move |t, p, args| domain::assets::list(t, p, filter.clone(), args), Asset).await
    }

    /// One asset, by its ID or by one of its versions' (an approval names a version).
    async fn asset(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Asset> {
        let t = tenant(ctx).await?;
        let p = parley(ctx)?;
        let asset = match parse_any(&id) {
            Some((kind, _)) if kind == "AssetVersion" => {
                let v = id_of::<AssetVersion>("id", &id).gql(ctx)?;
                let v = domain::assets::get_version(t, p, v).await.gql(ctx)?;
                domain::assets::get(t, p, v.asset_id).await
            }
            _ => domain::assets::get(t, p, id_of::<Asset>("id", &id).gql(ctx)?).await,
        };
        Ok(Asset(asset.gql(ctx)?))
    }
}
