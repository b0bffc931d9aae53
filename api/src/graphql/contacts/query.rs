//! Reading contacts and contact fields.

use async_graphql::{Context, ID, Object};

use super::{Contact, ContactField};
use crate::graphql::connection::{Conn, list, page_cost};
use crate::graphql::context::{OrGql, parley, tenant};
use crate::graphql::node::id_of;

/// Contact reads.
#[derive(Default)]
pub struct ContactsQuery;

#[Object]
impl ContactsQuery {
    /// The workspace's contacts, newest first; `search` matches the start of an email,
    /// name or external ID, or digits of a phone number.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn contacts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        search: Option<String>,
    ) -> async_graphql::Result<Conn<Contact>> {
        let search = search.as_deref();
        list(ctx, first, after, move |t, p, args| domain::contacts::list(t, p, search, args), Contact).await
    }

    /// One contact; a contact merged into another answers as that one.
    async fn contact(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Contact> {
        let id = id_of::<Contact>("id", &id).gql(ctx)?;
        let t = tenant(ctx).await?;
        Ok(Contact(domain::contacts::get(t, parley(ctx)?, id).await.gql(ctx)?))
    }

    /// The contact with this email address (in any case), `NOT_FOUND` when none has it.
    async fn contact_by_email(&self, ctx: &Context<'_>, email: String) -> async_graphql::Result<Contact> {
        let t = tenant(ctx).await?;
        let identity = domain::contacts::Identity::Email(email);
        Ok(Contact(domain::contacts::find_by_identity(t, parley(ctx)?, identity).await.gql(ctx)?))
    }

    /// The contact with this identity (give exactly one).
    async fn contact_by_identity(
        &self,
        ctx: &Context<'_>,
        email: Option<String>,
        phone: Option<String>,
        external_id: Option<String>,
    ) -> async_graphql::Result<Contact> {
        use domain::contacts::Identity;
        let identity = match (email, phone, external_id) {
            (Some(e), None, None) => Identity::Email(e),
            (None, Some(p), None) => Identity::Phone(p),
            (None, None, Some(x)) => Identity::ExternalId(x),
            _ => {
                return Err(domain::Error::invalid("email", "give exactly one of email, phone or externalId")).gql(ctx);
            }
        };
        let t = tenant(ctx).await?;
        Ok(Contact(domain::contacts::find_by_identity(t, parley(ctx)?, identity).await.gql(ctx)?))
    }

    /// The workspace's contact fields, oldest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn contact_fields(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<Conn<ContactField>> {
        list(ctx, first, after, domain::contacts::fields::list, ContactField).await
    }
}
