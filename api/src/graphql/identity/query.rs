//! Reads about the person logged in.

use async_graphql::{Context, Object};

use super::User;
use crate::graphql::context::{OrGql, parley, user};

/// Identity reads.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The person logged in.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let me = user(ctx).await?;
        Ok(User(domain::identity::accounts::account(&me, parley(ctx)?).await.gql(ctx)?))
    }
}
