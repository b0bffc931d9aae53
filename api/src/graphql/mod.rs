//! The GraphQL schema: thin resolvers that authenticate, call one domain function,
//! and map the answer. Errors carry `extensions.code` (and `field` for bad input).
//!
//! One folder per area with its query, mutation and types; the roots merge them. Lists
//! go through [`connection::list`] and every type with a global ID through the registry
//! in [`node`].

mod api_keys;
mod audit;
mod connection;
mod contacts;
mod context;
mod identity;
mod ids;
mod jobs;
mod loaders;
mod node;
mod segments;
mod team;
mod tracking;
mod workspaces;

use async_graphql::{EmptySubscription, MergedObject, Schema};

pub use context::{RequestAuth, WEB_CLIENT_HEADER};
pub use node::NODE_TYPES;

// Root of all reads. The order of the areas is the order of the published fields.
// (Plain comments here: a doc comment on a merged root becomes its published
// description, and the published schema has none.)
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    identity::IdentityQuery,
    workspaces::WorkspacesQuery,
    team::TeamQuery,
    api_keys::ApiKeysQuery,
    audit::AuditQuery,
    jobs::JobsQuery,
    contacts::ContactsQuery,
    tracking::TrackingQuery,
    segments::SegmentsQuery,
    node::NodeQuery,
);

// Root of all writes.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    identity::IdentityMutation,
    workspaces::WorkspacesMutation,
    team::TeamMutation,
    api_keys::ApiKeysMutation,
    jobs::JobsMutation,
    contacts::ContactsMutation,
    tracking::TrackingMutation,
    segments::SegmentsMutation,
);

/// Parley's schema type.
pub type ParleySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deepest query accepted; introspection (GraphiQL, code generators) needs about 15.
pub const MAX_DEPTH: usize = 20;
/// Most complex query accepted.
pub const MAX_COMPLEXITY: usize = 5_000;

/// Builds the schema around the domain handle.
pub fn schema(parley: domain::Parley) -> ParleySchema {
    Schema::build(QueryRoot::default(), MutationRoot::default(), EmptySubscription)
        .data(parley)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The SDL as published in `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), MutationRoot::default(), EmptySubscription).finish().sdl()
}
