//! Reading segments and previewing rules.

use async_graphql::{Context, ID, Json, Object};

use super::{Segment, SegmentPreview};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Segment reads.
#[derive(Default)]
pub struct SegmentsQuery;

#[Object]
impl SegmentsQuery {
    /// The workspace's segments, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn segments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Segment>> {
        list(ctx, first, after, domain::segments::list, Segment).await
    }

    /// One segment.
    async fn segment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Segment> {
        let id = id_of::<Segment>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Segment(domain::segments::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// What a rule matches now, without saving it. A rule that is not valid answers
    /// `BAD_USER_INPUT` naming the wrong part (`rule.all[1].op`).
    async fn preview_segment(
        &self,
        ctx: &Context<'_>,
        rule: Json<serde_json::Value>,
    ) -> async_graphql::Result<SegmentPreview> {
        let t = tenant(ctx).await?;
        Ok(SegmentPreview(domain::segments::preview(t, parley(ctx)?, rule.0).await.gql(ctx)?))
    }
}
