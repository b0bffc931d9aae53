//! The GraphQL schema: thin resolvers that authenticate, call one domain function,
//! and map the answer. Errors carry `extensions.code` (and `field` for bad input).

mod context;
mod ids;
mod mutation;
mod query;
mod types;

use async_graphql::{EmptySubscription, Schema};

pub use context::{RequestAuth, WEB_CLIENT_HEADER};
pub use mutation::MutationRoot;
pub use query::QueryRoot;

/// Parley's schema type.
pub type ParleySchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Deepest query accepted; introspection (GraphiQL, code generators) needs about 15.
pub const MAX_DEPTH: usize = 20;
/// Most complex query accepted.
pub const MAX_COMPLEXITY: usize = 5_000;

/// What a page of a connection costs towards [`MAX_COMPLEXITY`]: its fields once per
/// item it may hold (`first`, 20 by default, at most 100), so one query cannot ask for
/// thousands of rows by nesting or repeating lists.
pub(crate) fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let items = usize::try_from(first.unwrap_or(20).clamp(1, 100)).unwrap_or(100);
    items.saturating_mul(child_complexity).saturating_add(1)
}

/// Builds the schema around the domain handle.
pub fn schema(parley: domain::Parley) -> ParleySchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription)
        .data(parley)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The SDL as published in `api/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription).finish().sdl()
}
