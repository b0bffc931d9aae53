//! The one way a list field becomes a Relay connection: paging arguments checked, the
//! domain page read, items mapped, cursors and `totalCount` filled in.

use std::future::Future;

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, ID, OutputType, SimpleObject};
use domain::page::{Page, PageArgs};
use domain::{Parley, TenantCtx};

use super::context::{OrGql, parley, tenant};
use super::ids::parse;
use super::node::NodeObject;

/// Total count beside a connection's edges.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Total {
    /// How many items the whole list has.
    pub total_count: u64,
}

/// A Relay connection with a total count.
pub type Conn<T> = Connection<String, T, Total, EmptyFields>;

/// What a page of a connection costs towards [`super::MAX_COMPLEXITY`]: its fields once
/// per item it may hold (`first`, 20 by default, at most 100), so one query cannot ask
/// for thousands of rows by nesting or repeating lists.
pub(crate) fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let items = usize::try_from(first.unwrap_or(20).clamp(1, 100)).unwrap_or(100);
    items.saturating_mul(child_complexity).saturating_add(1)
}

/// Serves a list field of the current workspace: checks `first`/`after` (an `after` of
/// another type is not found), authenticates, reads one page with `load` and maps each
/// item with `wrap`. Cursors are the items' global IDs.
pub(crate) async fn list<'a, T, I, Load, Fut>(
    ctx: &'a Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    load: Load,
    wrap: impl Fn(I) -> T,
) -> async_graphql::Result<Conn<T>>
where
    T: NodeObject + OutputType,
    Load: FnOnce(&'a TenantCtx, &'a Parley, PageArgs) -> Fut,
    Fut: Future<Output = domain::Result<Page<I>>> + 'a,
{
    let has_previous = after.is_some();
    let after = match after {
        Some(a) => Some(parse(T::TYPE_NAME, "after", &ID(a)).gql(ctx)?),
        None => None,
    };
    let args = PageArgs::new(first, after).gql(ctx)?;
    let t = tenant(ctx).await?;
    let page = load(t, parley(ctx)?, args).await.gql(ctx)?;
    Ok(connection(page, has_previous, wrap))
}

/// Turns a domain page into a connection.
pub(crate) fn connection<T: NodeObject + OutputType, I>(
    page: Page<I>,
    has_previous: bool,
    wrap: impl Fn(I) -> T,
) -> Conn<T> {
    let mut c = Connection::with_additional_fields(has_previous, page.has_next, Total { total_count: page.total });
    c.edges.extend(page.items.into_iter().map(|i| {
        let node = wrap(i);
        Edge::new(node.global_id().0, node)
    }));
    c
}
