//! Reading imports and exports.

use async_graphql::{Context, ID, Object};

use super::{ContactExport, ContactImport};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Import and export reads.
#[derive(Default)]
pub struct ImportsQuery;

#[Object]
impl ImportsQuery {
    /// One import, with its live counters.
    async fn contact_import(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ContactImport> {
        let id = id_of::<ContactImport>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let (imp, error) = domain::imports::get(t, parley(ctx)?, id).await.gql(ctx)?;
        Ok(ContactImport(imp, error))
    }

    /// The workspace's imports, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn contact_imports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ContactImport>> {
        list(ctx, first, after, domain::imports::list, |i| ContactImport(i, None)).await
    }

    /// One export.
    async fn contact_export(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ContactExport> {
        let id = id_of::<ContactExport>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(ContactExport(domain::exports::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The workspace's exports, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn contact_exports(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ContactExport>> {
        list(ctx, first, after, domain::exports::list, ContactExport).await
    }
}
