//! Saving, changing and deleting segments, and the members of static lists.

use async_graphql::{Context, ID, InputObject, Json, Object};

use super::{Segment, SegmentKind};
use crate::graphql::contacts::Contact;
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// A new segment.
#[derive(InputObject)]
pub struct CreateSegmentInput {
    pub name: String,
    #[graphql(default_with = "SegmentKind::Dynamic")]
    pub kind: SegmentKind,
    /// The rule of a dynamic segment (leave it out for a static list).
    pub rule: Option<Json<serde_json::Value>>,
}

/// Changes to a segment; what is left out stays.
#[derive(InputObject)]
pub struct UpdateSegmentInput {
    pub name: Option<String>,
    /// A new rule (dynamic segments only).
    pub rule: Option<Json<serde_json::Value>>,
}

/// The contacts named by global IDs (`contactIds[i]` names a malformed one).
fn contacts_named(ctx: &Context<'_>, ids: &[ID]) -> async_graphql::Result<Vec<domain::ContactId>> {
    ids.iter().enumerate().map(|(i, id)| id_of::<Contact>(&format!("contactIds[{i}]"), id).gql(ctx)).collect()
}

/// Segment writes.
#[derive(Default)]
pub struct SegmentsMutation;

#[Object]
impl SegmentsMutation {
    /// Saves a segment: a dynamic one with its rule, or an empty static list.
    async fn create_segment(&self, ctx: &Context<'_>, input: CreateSegmentInput) -> async_graphql::Result<Segment> {
        let t = tenant(ctx).await?;
        let new =
            domain::segments::NewSegment { name: input.name, kind: input.kind.into(), rule: input.rule.map(|r| r.0) };
        Ok(Segment(domain::segments::create(t, parley(ctx)?, new).await.gql(ctx)?))
    }

    /// Renames a segment or changes a dynamic segment's rule.
    async fn update_segment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateSegmentInput,
    ) -> async_graphql::Result<Segment> {
        let id = id_of::<Segment>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        let changes = domain::segments::SegmentChanges { name: input.name, rule: input.rule.map(|r| r.0) };
        Ok(Segment(domain::segments::update(t, parley(ctx)?, id, changes).await.gql(ctx)?))
    }

    /// Deletes a segment; refused while another segment's rule uses it.
    async fn delete_segment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Segment> {
        let id = id_of::<Segment>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Segment(domain::segments::delete(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// Adds contacts to a static list (at most 1,000 at a time).
    async fn add_to_segment(&self, ctx: &Context<'_>, id: ID, contact_ids: Vec<ID>) -> async_graphql::Result<Segment> {
        let id = id_of::<Segment>("id", &id).gql(ctx)?;
        let contacts = contacts_named(ctx, &contact_ids)?;
        let t = tenant(ctx).await?;
        Ok(Segment(domain::segments::add_members(t, parley(ctx)?, id, &contacts).await.gql(ctx)?))
    }

    /// Removes contacts from a static list.
    async fn remove_from_segment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        contact_ids: Vec<ID>,
    ) -> async_graphql::Result<Segment> {
        let id = id_of::<Segment>("id", &id).gql(ctx)?;
        let contacts = contacts_named(ctx, &contact_ids)?;
        let t = tenant(ctx).await?;
        Ok(Segment(domain::segments::remove_members(t, parley(ctx)?, id, &contacts).await.gql(ctx)?))
    }
}
