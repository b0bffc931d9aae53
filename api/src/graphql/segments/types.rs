//! Segments, their kind, and a rule's preview.

use async_graphql::{Context, Enum, ID, Json, Object};
use chrono::{DateTime, Utc};

use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::contacts::Contact;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::NodeObject;

/// What a segment is.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "domain::SegmentKind")]
pub enum SegmentKind {
    /// The contacts its rule matches whenever it is read.
    Dynamic,
    /// The contacts added to it by hand, until they are removed.
    Static,
}

/// A saved group of the workspace's contacts: a rule, or a static list.
pub struct Segment(pub domain::Segment);

impl NodeObject for Segment {
    fn node_id(&self) -> Self::Id {
        self.0.id
    }
}

#[Object]
impl Segment {
    pub(crate) async fn id(&self) -> ID {
        self.global_id()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> SegmentKind {
        self.0.kind.into()
    }
    /// The rule of a dynamic segment as it was saved; null for a static list.
    async fn rule(&self) -> Option<Json<serde_json::Value>> {
        self.0.rule.clone().map(Json)
    }
    /// How many contacts are in it now.
    async fn count(&self, ctx: &Context<'_>) -> async_graphql::Result<u64> {
        let t = tenant(ctx).await?;
        domain::segments::count(t, parley(ctx)?, self.0.id).await.gql(ctx)
    }
    /// The contacts in it now, newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<Contact>> {
        let id = self.0.id;
        list(ctx, first, after, move |t, p, args| domain::segments::contacts(t, p, id, args), Contact).await
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// What a rule matches now, before it is saved.
pub struct SegmentPreview(pub domain::segments::Preview);

#[Object]
impl SegmentPreview {
    /// How many contacts it matches.
    async fn count(&self) -> u64 {
        self.0.count
    }
    /// A few of the contacts it matches, newest first (1 to 100).
    #[graphql(complexity = "page_cost(Some(first), child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10)] first: i32,
    ) -> async_graphql::Result<Vec<Contact>> {
        let first = u64::try_from(first).unwrap_or(0);
        let t = tenant(ctx).await?;
        let found = domain::segments::preview_contacts(t, parley(ctx)?, &self.0.rule, first).await.gql(ctx)?;
        Ok(found.into_iter().map(Contact).collect())
    }
}
