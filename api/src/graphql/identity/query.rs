//! Reads about the person logged in.

use async_graphql::{Context, Object};

use super::User;
use crate::graphql::context::{OrGql, parley, user_id};

/// Identity reads.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The person logged in.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let uid = user_id(ctx).await?;
        Ok(User(domain::identity::accounts::account(parley(ctx)?, uid).await.gql(ctx)?))
    }
}
